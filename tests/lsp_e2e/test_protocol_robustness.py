"""Bad protocol input, bad lifecycles and bad workspaces: the server must survive them.

Two kinds of tests:

* **raw**: ``python -m streamlit_lsp serve`` spawned here, with bytes written to its
  stdin by hand (``RawServer``): garbage, broken framing, invalid requests, shutdown and
  exit at odd moments, a client that dies;
* **client**: pytest-lsp's client under the VS Code (UTF-16, pushed diagnostics) and
  Neovim (UTF-8, pulled diagnostics) presets, like ``test_server.py``, with the server's
  stderr captured to a file so a traceback fails the test.

Every wait is bounded; a server left running is killed by the test that started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import STDERR_WRAPPER, indexed, line_fixes, probe_line_ends, units, wait_until

WORKSPACES = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces"
SERVER = [sys.executable, "-m", "streamlit_lsp", "serve"]
PRESETS = ["visual-studio-code", "neovim"]
ANSWER_TIMEOUT = 10.0
EXIT_TIMEOUT = 5.0
REQUEST_FAILED = lsp.LSPErrorCodes.RequestFailed.value
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX pipes, signals and /proc")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\bERROR\b")


# =============================================================== a raw stdio client


class RawServer:
    """The server as a subprocess, spoken to byte by byte.

    A reader thread parses the Content-Length framed messages the server writes, answers
    the server's own requests (progress tokens, registrations, configuration) as an
    editor would, and queues everything else. stderr goes to a file.
    """

    def __init__(self, cwd: Path, stderr_path: Path, answer_server_requests: bool = True):
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("wb")
        self.process = subprocess.Popen(
            SERVER,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self.answer_server_requests = answer_server_requests
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        self._next_id = 0
        # Set by ``stop_reading``: the reader closes our end of the server's stdout
        # after the next message (the thread in ``readline`` holds the stream's lock, so
        # closing it from another thread waits for the server to write again).
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # ---- wire

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    if not line.strip():
                        break
                    name, _, value = line.decode("ascii", "replace").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                message = json.loads(stream.read(length))
                if "method" in message and "id" in message:
                    self.server_requests.append(message)
                    if self.answer_server_requests:
                        self._answer(message)
                elif "method" in message:
                    self.notifications.append(message)
                else:
                    self.messages.put(message)
                if self._stop_reading.is_set():
                    stream.close()
                    return
        except (OSError, ValueError):
            return
        finally:
            self.messages.put(None)

    def stop_reading(self, timeout: float) -> bool:
        """Close our end of the server's stdout, as a client that stops reading: after
        the answer to a request sent now. Whether it was closed within ``timeout``."""
        self._stop_reading.set()
        with contextlib.suppress(OSError):
            self.request("test/stopReading")  # unknown: answered with an error
        self._reader.join(timeout)
        return not self._reader.is_alive()

    def _answer(self, request: dict[str, Any]) -> None:
        result: Any = None
        if request["method"] == "workspace/configuration":
            result = [None for _ in request["params"]["items"]]
        with contextlib.suppress(OSError, ValueError):
            self.send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send_body(self, body: bytes) -> None:
        """A correctly framed message whose body is whatever ``body`` is."""
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    # ---- requests

    def request(self, method: str, params: Any = None) -> str:
        self._next_id += 1
        request_id = f"raw-{self._next_id}"
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return request_id

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def response(self, request_id: Any, timeout: float = ANSWER_TIMEOUT) -> dict[str, Any] | None:
        """The response to ``request_id``; None if none came in time (or the server left)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                return None
            if message is None:
                self.messages.put(None)  # the stream ended: later calls see it too
                return None
            if message.get("id") == request_id:
                return message
        return None

    def call(self, method: str, params: Any = None, timeout: float = ANSWER_TIMEOUT) -> Any:
        request_id = self.request(method, params)
        message = self.response(request_id, timeout)
        assert message is not None, f"{method} got no response within {timeout} s"
        assert "error" not in message, f"{method} failed: {message['error']}"
        return message.get("result")

    def initialize(
        self,
        root: Path | None,
        capabilities: dict[str, Any] | None = None,
        process_id: int | None = None,
    ) -> None:
        params = {
            "processId": process_id,
            "rootUri": root.as_uri() if root else None,
            "capabilities": capabilities
            if capabilities is not None
            else {"window": {"workDoneProgress": True}},
        }
        if root:
            params["workspaceFolders"] = [{"uri": root.as_uri(), "name": root.name}]
        self.call("initialize", params)
        self.notify("initialized", {})

    def alive_and_answering(self, timeout: float = ANSWER_TIMEOUT) -> bool:
        request_id = self.request("workspace/symbol", {"query": ""})
        message = self.response(request_id, timeout)
        return message is not None and "result" in message

    def wait_for_notification(
        self, method: str, predicate: Any = None, timeout: float = ANSWER_TIMEOUT
    ) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.notifications):
                if message["method"] == method and (predicate is None or predicate(message)):
                    return message
            time.sleep(0.02)
        return None

    # ---- lifecycle

    def exited_within(self, seconds: float) -> bool:
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def close_stdin(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Shut the server down politely, or kill it (only this test's process)."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self.close_stdin()
            if not self.exited_within(EXIT_TIMEOUT):
                self.process.kill()
                self.process.wait(timeout=EXIT_TIMEOUT)
        with contextlib.suppress(OSError, ValueError):
            if self.process.stdout is not None:
                self.process.stdout.close()
        self._stderr.close()


@pytest.fixture
def raw_server(tmp_path: Path) -> Iterator[Any]:
    """A factory of raw servers, every one stopped at the end of the test."""
    started: list[RawServer] = []

    def start(cwd: Path | None = None, **options: Any) -> RawServer:
        server = RawServer(
            cwd or tmp_path, tmp_path / f"server-stderr-{len(started)}.log", **options
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def shop(tmp_path: Path) -> Path:
    import shutil

    workspace = tmp_path / "shop"
    if not workspace.exists():
        shutil.copytree(WORKSPACES / "shop", workspace)
    return workspace


def big_workspace(root: Path, files: int = 1500) -> Path:
    """``files`` small Streamlit pages in folders of 100: seconds of indexing."""
    for number in range(files):
        folder = root / f"section_{number // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"page_{number:04d}.py").write_text(
            "import streamlit as st\n"
            f"st.session_state.setdefault('key_{number}', {number})\n"
            f"st.write(st.session_state.key_{number}, st.session_state.get('key_{number + 1}'))\n",
            encoding="utf-8",
        )
    return root


def tracebacks(log: str) -> list[str]:
    return [line for line in log.splitlines() if TRACEBACK.search(line)]


# ========================================================== garbage on the wire

GARBAGE_IN_A_FRAME = {
    "truncated JSON": b'{"jsonrpc": "2.0", "id": 5, "method": ',
    "JSON array": b"[1, 2, 3]",
    "JSON string": b'"hello"',
    "JSON null": b"null",
    "empty object": b"{}",
    "id without method": b'{"jsonrpc": "2.0", "id": 77}',
    "method is a number": b'{"jsonrpc": "2.0", "id": 78, "method": 5}',
    "invalid UTF-8": b'{"jsonrpc": "2.0", "method": "x", "params": "\xff\xfe\xfd"}',
    "NaN and Infinity": b'{"jsonrpc": "2.0", "method": "x", "params": [NaN, Infinity]}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "two megabytes of string": b'{"jsonrpc": "2.0", "method": "x", "params": "'
    + b"a" * 2_000_000
    + b'"}',
    "response to nothing": b'{"jsonrpc": "2.0", "id": "never-sent", "result": {}}',
    "error to nothing": b'{"jsonrpc": "2.0", "id": 999, "error": {"code": 1, "message": "x"}}',
}


def test_garbage_inside_a_frame_is_survived(raw_server, tmp_path: Path):
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    for name, body in GARBAGE_IN_A_FRAME.items():
        server.send_body(body)
        assert server.alive_and_answering(), f"no answer after {name}"
    assert server.process.poll() is None


def test_a_body_that_is_no_message_gets_the_json_rpc_error(raw_server, tmp_path: Path):
    """JSON-RPC: "Parse error" (-32700) for invalid JSON, "Invalid Request" (-32600) for
    JSON that is no message; the id is null, the sender's id being unknown."""
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))

    def error_without_id() -> dict[str, Any] | None:
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = server.messages.get(timeout=left)
            except queue.Empty:
                return None
            if message is not None and "id" in message and message["id"] is None:
                return message
        return None

    server.send_body(GARBAGE_IN_A_FRAME["truncated JSON"])
    assert error_without_id() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "the message is not JSON"},
    }
    server.send_body(GARBAGE_IN_A_FRAME["JSON array"])
    refused = error_without_id()
    assert refused is not None and refused["error"]["code"] == -32600
    assert server.alive_and_answering()


GARBAGE_BETWEEN_FRAMES = {
    "bytes without a header": b"garbage \x00\xff bytes\r\n\r\n",
    "unknown header only": b"X-Nonsense: 1\r\n\r\n",
    "extra headers": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n",
}


def test_garbage_between_frames_is_survived(raw_server, tmp_path: Path):
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    for name, data in GARBAGE_BETWEEN_FRAMES.items():
        server.send_bytes(data)
        assert server.alive_and_answering(), f"no answer after {name}"


BROKEN_FRAMING = {
    "non-numeric Content-Length": b"Content-Length: abc\r\n\r\n{}",
    "Content-Length shorter than the body": b'Content-Length: 2\r\n\r\n{}{"jsonrpc": "2.0"}',
}


@pytest.mark.parametrize("framing", list(BROKEN_FRAMING), ids=list(BROKEN_FRAMING))
def test_broken_framing_is_skipped(raw_server, tmp_path: Path, framing: str):
    """Once a bug: pygls' reader only knew a header line that is exactly
    'Content-Length: N\\r\\n'; the bytes of a bad frame were glued in front of the next
    header, which then never matched, and every later message was dropped."""
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    server.send_bytes(BROKEN_FRAMING[framing])
    answered = any(server.alive_and_answering(timeout=1.0) for _ in range(3))
    assert answered, "the server no longer answers"
    assert "skipped a message" in server.stderr(), "the bad frame was not logged"
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


INVALID_REQUESTS = {
    "params is a string": ("textDocument/hover", "x"),
    "position missing": ("textDocument/hover", {"textDocument": {"uri": "file:///a.py"}}),
    "negative position": (
        "textDocument/hover",
        {"textDocument": {"uri": "file:///a.py"}, "position": {"line": -1, "character": -5}},
    ),
    "position as floats": (
        "textDocument/definition",
        {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 1.5, "character": 1e300}},
    ),
}
# Not valid either, but accepted leniently (the number becomes a string URI).
LENIENT_REQUESTS = {
    "uri is a number": ("textDocument/documentSymbol", {"textDocument": {"uri": 12}}),
}


def test_invalid_requests_do_not_stop_the_server(raw_server, tmp_path: Path):
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    for case, (method, params) in {**INVALID_REQUESTS, **LENIENT_REQUESTS}.items():
        server.request(method, params)
        assert server.alive_and_answering(), f"no answer after {case}"


def test_invalid_requests_get_an_invalid_params_error(raw_server, tmp_path: Path):
    """Once a bug: pygls failed while decoding the params, before it knew the request's
    id, and sent nothing; the client waited for ever."""
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    unanswered = []
    for case, (method, params) in INVALID_REQUESTS.items():
        response = server.response(server.request(method, params), timeout=1.0)
        if response is None or response.get("error", {}).get("code") not in (-32602, -32600):
            unanswered.append((case, response))
    assert not unanswered, unanswered
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


def test_valid_request_with_huge_positions(raw_server, tmp_path: Path):
    workspace = shop(tmp_path)
    server = raw_server(workspace)
    server.initialize(workspace)
    app = (workspace / "app.py").as_uri()
    text = (workspace / "app.py").read_text(encoding="utf-8")
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": app, "languageId": "python", "version": 1, "text": text}},
    )
    for line, character in [(2**31 - 1, 2**31 - 1), (0, 2**31 - 1), (2**31 - 1, 0)]:
        position = {"line": line, "character": character}
        document = {"uri": app}
        for method, extra in [
            ("textDocument/hover", {}),
            ("textDocument/completion", {}),
            ("textDocument/definition", {}),
            ("textDocument/references", {"context": {"includeDeclaration": True}}),
            ("textDocument/documentHighlight", {}),
            ("textDocument/prepareRename", {}),
        ]:
            server.call(method, {"textDocument": document, "position": position, **extra})


def test_buffer_with_a_lone_surrogate(raw_server, tmp_path: Path):
    """JSON can carry half an emoji ("\\ud83d"), and JavaScript strings do: VS Code can
    send one. Python then holds a str that cannot be encoded as UTF-8."""
    workspace = shop(tmp_path)
    server = raw_server(workspace)
    server.initialize(workspace)
    uri = (workspace / "scratch.py").as_uri()
    text = 'import streamlit as st\\nx = \\"\\ud83d\\"\\nst.session_state.cart\\n'
    server.send_body(
        (
            '{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": '
            f'{{"uri": "{uri}", "languageId": "python", "version": 1, "text": "{text}"}}}}}}'
        ).encode("ascii")
    )
    server.send_body(
        (
            '{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": '
            f'{{"uri": "{uri}", "version": 2}}, "contentChanges": [{{"range": {{"start": '
            '{"line": 1, "character": 6}, "end": {"line": 1, "character": 6}}, '
            '"text": "\\ude00"}]}}'
        ).encode("ascii")
    )
    position = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 19}}
    server.call("textDocument/hover", position)
    server.call("textDocument/completion", position)
    server.call("textDocument/definition", position)
    server.call("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    server.call("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    assert server.alive_and_answering()
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


# ================================================================ unknown methods


UNKNOWN_REQUESTS = {
    "streamlit/doesNotExist": {"anything": [1, 2]},
    "$/unknownRequest": {},
    # A real LSP method this server does not implement, with valid params.
    "textDocument/colorPresentation": {
        "textDocument": {"uri": "file:///a.py"},
        "color": {"red": 1, "green": 0, "blue": 0, "alpha": 1},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
    },
}


def test_unknown_methods_are_method_not_found(raw_server, tmp_path: Path):
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    for method, params in UNKNOWN_REQUESTS.items():
        response = server.response(server.request(method, params))
        assert response is not None, f"{method}: no response"
        assert response["error"]["code"] == -32601, (method, response)
    server.notify("streamlit/unknownNotification", {"x": 1})
    server.notify("$/unknownNotification", {"x": 1})
    assert server.alive_and_answering()


@pytest.mark.parametrize("error", ["unknown method", "rename refusal"])
def test_expected_errors_are_not_logged_as_crashes(raw_server, tmp_path: Path, error: str):
    workspace = shop(tmp_path)
    server = raw_server(workspace)
    server.initialize(workspace)
    assert server.alive_and_answering()
    if error == "unknown method":
        response = server.response(server.request("streamlit/doesNotExist", {}))
        assert response is not None and response["error"]["code"] == -32601
    else:
        # Renaming "cart" to a key that exists: refused on purpose (RequestFailed). Only
        # once the workspace is indexed: before that, no file's keys are known yet.
        indexed = server.wait_for_notification(
            "$/progress", lambda m: m["params"]["value"].get("kind") == "end"
        )
        assert indexed is not None, "indexing never ended"
        app = workspace / "app.py"
        line = app.read_text(encoding="utf-8").splitlines()[6]
        character = line.index("session_state.cart") + len("session_state.") + 2
        response = server.response(
            server.request(
                "textDocument/rename",
                {
                    "textDocument": {"uri": app.as_uri()},
                    "position": {"line": 6, "character": character},
                    "newName": "user_name",
                },
            )
        )
        assert response is not None and response["error"]["code"] == REQUEST_FAILED
    assert server.alive_and_answering()
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


# ===================================================================== lifecycle


def test_shutdown_while_indexing_a_large_workspace(raw_server, tmp_path: Path):
    workspace = big_workspace(tmp_path / "big")
    server = raw_server(workspace)
    server.initialize(workspace)
    report = server.wait_for_notification(
        "$/progress", lambda m: m["params"]["value"].get("kind") == "report", timeout=30
    )
    assert report is not None, "indexing never reported progress"
    started = time.monotonic()
    assert server.call("shutdown", timeout=EXIT_TIMEOUT) is None
    server.notify("exit")
    assert server.exited_within(EXIT_TIMEOUT), "the server did not exit after shutdown + exit"
    assert time.monotonic() - started < EXIT_TIMEOUT
    assert server.process.returncode == 0
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


def test_shutdown_then_exit_ends_with_code_0(raw_server, tmp_path: Path):
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    assert server.call("shutdown") is None
    server.request("workspace/symbol", {"query": ""})  # too late: must not matter
    server.notify("exit")
    assert server.exited_within(EXIT_TIMEOUT)
    assert server.process.returncode == 0
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


def test_requests_after_shutdown_get_invalid_request(raw_server, tmp_path: Path):
    """LSP: requests after a shutdown request error with InvalidRequest (pygls dropped
    them)."""
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    assert server.call("shutdown") is None
    response = server.response(server.request("workspace/symbol", {"query": ""}), timeout=2.0)
    assert response is not None, "no response"
    assert response["error"]["code"] == -32600


def test_exit_without_shutdown_ends_with_code_1(raw_server, tmp_path: Path):
    """LSP: exit with 0 after shutdown, else 1 (pygls swallowed its own SystemExit(1));
    clients use the code to tell a crash from a clean stop."""
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    server.notify("exit")
    assert server.exited_within(EXIT_TIMEOUT)
    assert server.process.returncode == 1


def test_client_closes_stdin(raw_server, tmp_path: Path):
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    assert server.alive_and_answering()
    server.close_stdin()
    assert server.exited_within(EXIT_TIMEOUT), "the server outlived its client's stdin"
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


def test_client_closes_stdin_during_indexing(raw_server, tmp_path: Path):
    workspace = big_workspace(tmp_path / "big")
    server = raw_server(workspace)
    server.initialize(workspace)
    assert server.wait_for_notification("$/progress", timeout=30) is not None
    server.close_stdin()
    assert server.exited_within(EXIT_TIMEOUT), "the server outlived its client's stdin"


def test_client_closes_stdin_before_answering_the_progress_request(raw_server, tmp_path: Path):
    """Once a bug: the initialized handler, awaiting window/workDoneProgress/create, was
    cancelled when the loop ended and pygls let its CancelledError out as an asyncio
    traceback."""
    server = raw_server(shop(tmp_path), answer_server_requests=False)
    server.initialize(shop(tmp_path))
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while not server.server_requests and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.server_requests, "the server asked nothing"
    server.close_stdin()
    assert server.exited_within(EXIT_TIMEOUT)
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


# A client that starts the server, initializes it, then hangs until killed.
CLIENT_SCRIPT = r"""
import json, subprocess, sys, time
server = subprocess.Popen(
    [sys.executable, "-m", "streamlit_lsp", "serve"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(sys.argv[1], "wb"),
)
def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()
send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": None, "capabilities": {}}})
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
print(server.pid, flush=True)
time.sleep(120)
"""


@POSIX_ONLY
def test_killed_client_leaves_no_orphan(tmp_path: Path):
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT_SCRIPT, str(tmp_path / "stderr.log")],
        stdout=subprocess.PIPE,
        text=True,
    )
    server_pid = 0
    try:
        assert client.stdout is not None
        server_pid = int(client.stdout.readline())
        time.sleep(1.0)  # let it get to work
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=EXIT_TIMEOUT)
        assert wait_for_pid_to_end(server_pid, EXIT_TIMEOUT), (
            f"server {server_pid} is an orphan: still running {EXIT_TIMEOUT} s after its client died"
        )
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        if server_pid and not wait_for_pid_to_end(server_pid, 0):
            os.kill(server_pid, signal.SIGKILL)
        if client.stdout is not None:
            client.stdout.close()


def wait_for_pid_to_end(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: ask the kernel whether it exists
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            state = Path(f"/proc/{pid}/stat")
            if state.exists() and state.read_text().split(") ")[-1].startswith("Z"):
                return True  # a zombie waiting for init to reap it: it has exited
        else:
            if finished:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def test_client_that_stops_reading_ends_the_server(raw_server, tmp_path: Path):
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path))
    assert server.alive_and_answering()
    assert server.stop_reading(EXIT_TIMEOUT)
    for _ in range(3):
        with contextlib.suppress(OSError):
            server.request("workspace/symbol", {"query": ""})
    assert server.exited_within(EXIT_TIMEOUT), "the server outlived the client's reading end"
    assert not tracebacks(server.stderr()), server.stderr()[-3000:]


def test_dead_parent_process_ends_the_server(raw_server, tmp_path: Path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    server = raw_server(shop(tmp_path))
    server.initialize(shop(tmp_path), process_id=gone.pid)
    assert server.exited_within(EXIT_TIMEOUT), "the server outlived its parent process"


# ================================================= a real client, stderr captured


@contextlib.asynccontextmanager
async def session(
    preset: str, folders: list[Path], stderr_log: Path, wait_for_index: bool = True
) -> AsyncIterator[LanguageClient]:
    """pytest-lsp's client on a server whose stderr goes to ``stderr_log``."""
    config = ClientServerConfig(
        server_command=[sys.executable, "-c", STDERR_WRAPPER, str(stderr_log)]
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def _register(params: lsp.RegistrationParams) -> None:
        return None

    try:
        result = await client.initialize_session(
            lsp.InitializeParams(
                capabilities=client_capabilities(preset),
                root_uri=from_fs_path(str(folders[0])),
                workspace_folders=[
                    lsp.WorkspaceFolder(uri=from_fs_path(str(folder)) or "", name=folder.name)
                    for folder in folders
                ],
            )
        )
        client.encoding = (  # type: ignore[attr-defined]
            result.capabilities.position_encoding or lsp.PositionEncodingKind.Utf16
        )
        if wait_for_index:
            await wait_until(lambda: indexed(client))
        yield client
    finally:
        await stop_client(client)


def server_process(client: LanguageClient) -> asyncio.subprocess.Process:
    """The server's process (pygls keeps it in a private attribute)."""
    process = client._server  # type: ignore[attr-defined]
    assert process is not None
    return process


async def stop_client(client: LanguageClient) -> None:
    """shutdown + exit; a server that does not comply within 10 s is killed, so a failing
    test never hangs (pygls' client.stop() waits for the process forever)."""
    process = server_process(client)
    if process.returncode is None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 10)
    if process.returncode is None:
        process.kill()
    await asyncio.wait_for(client.stop(), 10)


def no_errors_reported(client: LanguageClient, stderr_log: Path) -> None:
    log = stderr_log.read_text(encoding="utf-8", errors="replace") if stderr_log.exists() else ""
    assert not tracebacks(log), log[-3000:]
    for message in [*client.log_messages, *client.messages]:
        assert message.type != lsp.MessageType.Error, message.message


async def answered(request: Any, refusal_allowed: bool = False) -> Any:
    """The answer to a request: no JSON-RPC error (but rename's refusal), in time."""
    try:
        return await asyncio.wait_for(request, ANSWER_TIMEOUT)
    except JsonRpcException as error:
        if refusal_allowed and error.code == REQUEST_FAILED:
            return None
        raise


async def every_request(client: LanguageClient, uri: str, position: lsp.Position) -> None:
    document = lsp.TextDocumentIdentifier(uri=uri)
    await answered(
        client.text_document_hover_async(lsp.HoverParams(text_document=document, position=position))
    )
    await answered(
        client.text_document_completion_async(
            lsp.CompletionParams(text_document=document, position=position)
        )
    )
    await answered(
        client.text_document_definition_async(
            lsp.DefinitionParams(text_document=document, position=position)
        )
    )
    await answered(
        client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=document,
                position=position,
                context=lsp.ReferenceContext(include_declaration=True),
            )
        )
    )
    await answered(
        client.text_document_document_highlight_async(
            lsp.DocumentHighlightParams(text_document=document, position=position)
        )
    )
    await answered(
        client.text_document_prepare_rename_async(
            lsp.PrepareRenameParams(text_document=document, position=position)
        ),
        refusal_allowed=True,
    )
    await answered(
        client.text_document_rename_async(
            lsp.RenameParams(text_document=document, position=position, new_name="renamed")
        ),
        refusal_allowed=True,
    )
    await answered(
        client.text_document_document_symbol_async(lsp.DocumentSymbolParams(text_document=document))
    )
    await answered(
        client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=document,
                range=lsp.Range(start=position, end=position),
                context=lsp.CodeActionContext(diagnostics=[]),
            )
        )
    )
    await answered(
        client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(text_document=document))
    )


# --------------------------------------------------------- documents never opened


def never_opened(workspace: Path) -> dict[str, str]:
    (workspace / "notes.txt").write_text("st.session_state.cart\n", encoding="utf-8")
    return {
        "file on disk, not opened": (workspace / "app.py").as_uri(),
        "missing file in the workspace": (workspace / "nowhere.py").as_uri(),
        "file outside the workspace": "file:///nonexistent/folder/page.py",
        "the workspace folder": workspace.as_uri(),
        "not a Python file": (workspace / "notes.txt").as_uri(),
        "untitled buffer": "untitled:Untitled-1",
        "percent-encoded name": (workspace / "caf%C3%A9 page.py").as_uri(),
        "not a URI": "just some words",
        "empty URI": "",
    }


@pytest.mark.parametrize("preset", PRESETS)
async def test_requests_for_documents_never_opened(preset: str, tmp_path: Path):
    workspace = shop(tmp_path)
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log) as client:
        for name, uri in never_opened(workspace).items():
            for position in (lsp.Position(line=8, character=12), lsp.Position(line=0, character=0)):
                try:
                    await every_request(client, uri, position)
                except (JsonRpcException, asyncio.TimeoutError) as error:
                    raise AssertionError(f"{name} ({uri!r}): {error!r}") from error
        # A workspace file that was never opened is answered from disk.
        hover = await answered(
            client.text_document_hover_async(
                lsp.HoverParams(
                    text_document=lsp.TextDocumentIdentifier(uri=(workspace / "app.py").as_uri()),
                    position=lsp.Position(line=8, character=12),
                )
            )
        )
        assert hover is not None and "user_name" in hover.contents.value
        no_errors_reported(client, stderr_log)


@pytest.mark.parametrize("preset", PRESETS)
async def test_positions_past_the_end(preset: str, tmp_path: Path):
    workspace = shop(tmp_path)
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log) as client:
        text = (workspace / "app.py").read_text(encoding="utf-8")
        uri = (workspace / "app.py").as_uri()
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        lines = len(text.splitlines())
        for line, character in [
            (0, 10_000),
            (4, 200),  # past the end of the emoji line
            (lines, 0),  # the empty line after the last line break
            (lines + 1, 0),
            (10**6, 10**6),
            (2**31 - 1, 2**31 - 1),
        ]:
            await every_request(client, uri, lsp.Position(line=line, character=character))
        no_errors_reported(client, stderr_log)


# ------------------------------------------------------------ versions out of order


async def server_line_lengths(client: LanguageClient, uri: str, count: int) -> list[int]:
    fixes = line_fixes(uri, await answered(probe_line_ends(client, uri, count)))
    return [fixes[number].range.start.character for number in range(count)]


def change(
    uri: str, version: int, line: int, character: int, text: str
) -> lsp.DidChangeTextDocumentParams:
    position = lsp.Position(line=line, character=character)
    return lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[
            lsp.TextDocumentContentChangePartial(
                range=lsp.Range(start=position, end=position), text=text
            )
        ],
    )


@pytest.mark.parametrize("preset", PRESETS)
async def test_document_versions_out_of_order(preset: str, tmp_path: Path):
    workspace = shop(tmp_path)
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log) as client:
        uri = (workspace / "app.py").as_uri()
        lines = (workspace / "app.py").read_text(encoding="utf-8").split("\n")
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=uri, language_id="python", version=5, text="\n".join(lines)
                )
            )
        )
        # Lower, repeated, skipping and negative versions: every edit is still applied,
        # in the order it arrived (the server has no other truth than the stream).
        for version, text in [
            (3, "# a\n"),
            (3, "# b\n"),
            (10, "# 😀\n"),
            (7, "# é\n"),
            (-1, "# c\n"),
        ]:
            client.text_document_did_change(change(uri, version, 0, 0, text))
            lines.insert(0, text.rstrip("\n"))
            await every_request(client, uri, lsp.Position(line=1, character=0))
        encoding = client.encoding  # type: ignore[attr-defined]
        assert await server_line_lengths(client, uri, len(lines)) == [
            units(line, encoding) for line in lines
        ]
        # The diagnostics still follow the text: ST001 on total moved down 5 lines.
        report = await answered(
            client.text_document_diagnostic_async(
                lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
            )
        )
        assert {(d.code, d.range.start.line) for d in report.items} == {("ST001", 15)}
        no_errors_reported(client, stderr_log)


@pytest.mark.parametrize("preset", PRESETS)
async def test_notifications_for_documents_in_the_wrong_state(preset: str, tmp_path: Path):
    """Close twice, save and close unopened documents, open twice: survived quietly."""
    workspace = shop(tmp_path)
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log) as client:
        app = (workspace / "app.py").as_uri()
        state = (workspace / "state.py").as_uri()
        unopened = lsp.TextDocumentIdentifier(uri=state)
        client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=unopened))
        client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=unopened))
        for version, text in [(1, "import streamlit as st\n"), (1, "x = 1\n")]:
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    text_document=lsp.TextDocumentItem(
                        uri=app, language_id="python", version=version, text=text
                    )
                )
            )
        for _ in range(2):
            client.text_document_did_close(
                lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=app))
            )
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri="untitled:Untitled-1", language_id="python", version=1, text="ss.x\n"
                )
            )
        )
        await every_request(client, app, lsp.Position(line=8, character=12))
        await every_request(client, "untitled:Untitled-1", lsp.Position(line=0, character=3))
        no_errors_reported(client, stderr_log)


@pytest.mark.parametrize("preset", PRESETS)
async def test_change_to_a_document_never_opened_is_ignored_quietly(preset: str, tmp_path: Path):
    workspace = shop(tmp_path)
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log) as client:
        uri = (workspace / "state.py").as_uri()
        client.text_document_did_change(change(uri, 2, 0, 0, "# edited\n"))
        await every_request(client, uri, lsp.Position(line=6, character=35))
        # The change went nowhere: the file on disk is still what the server sees.
        hover = await answered(
            client.text_document_hover_async(
                lsp.HoverParams(
                    text_document=lsp.TextDocumentIdentifier(uri=uri),
                    position=lsp.Position(line=7, character=35),
                )
            )
        )
        assert hover is not None and "user_name" in hover.contents.value
        await asyncio.sleep(0.3)
        no_errors_reported(client, stderr_log)


# ------------------------------------------------------------------- cancellation


@pytest.mark.parametrize("preset", PRESETS)
async def test_cancel_a_request_in_flight(preset: str, tmp_path: Path):
    workspace = big_workspace(tmp_path / "big")
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log, wait_for_index=False) as client:
        # A pull waits for the indexing to finish: in flight for seconds.
        await wait_until(lambda: bool(client.progress_reports))
        uri = (workspace / "section_00" / "page_0000.py").as_uri()
        pending = asyncio.ensure_future(
            client.protocol.send_request_async(
                lsp.TEXT_DOCUMENT_DIAGNOSTIC,
                lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri)),
                msg_id="pull-in-flight",
            )
        )
        await asyncio.sleep(0.1)
        assert not pending.done(), "the pull did not wait for the indexing"
        client.cancel_request(lsp.CancelParams(id="pull-in-flight"))
        with pytest.raises(JsonRpcRequestCancelled):
            await asyncio.wait_for(pending, ANSWER_TIMEOUT)
        # Cancelling what is finished or unknown is harmless.
        client.cancel_request(lsp.CancelParams(id="pull-in-flight"))
        client.cancel_request(lsp.CancelParams(id="never-sent"))
        client.cancel_request(lsp.CancelParams(id=123456))
        await wait_until(lambda: indexed(client))
        found = await answered(
            client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="key_149"))
        )
        assert {symbol.name for symbol in found} >= {"key_149", "key_1499"}
        report = await answered(
            client.text_document_diagnostic_async(
                lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
            )
        )
        assert report is not None
        no_errors_reported(client, stderr_log)


@pytest.mark.parametrize("preset", PRESETS)
async def test_shutdown_while_indexing_through_the_client(preset: str, tmp_path: Path):
    workspace = big_workspace(tmp_path / "big")
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log, wait_for_index=False) as client:
        await wait_until(lambda: bool(client.progress_reports))
        assert not indexed(client)
        await asyncio.wait_for(client.shutdown_async(None), EXIT_TIMEOUT)
        client.exit(None)
        process = server_process(client)
        assert await asyncio.wait_for(process.wait(), EXIT_TIMEOUT) == 0
    log = stderr_log.read_text(encoding="utf-8", errors="replace")
    assert not tracebacks(log), log[-3000:]


# ------------------------------------------------------------------ bad workspaces


def bad_workspaces(tmp_path: Path) -> tuple[Path, Path]:
    """Two folders: one with unreadable files and invalid TOML, one with wrong types."""
    first = tmp_path / "first"
    first.mkdir()
    (first / "app.py").write_text(
        "import streamlit as st\nst.write(st.session_state.missing)\n", encoding="utf-8"
    )
    (first / "latin1_page.py").write_bytes(
        "import streamlit as st\nst.write('café crème')\n".encode("latin-1")
    )
    (first / "binary_page.py").write_bytes(b"import streamlit\x00\x01\x02\xff\xfe")
    (first / "vanished_page.py").symlink_to(first / "deleted_long_ago.py")
    (first / "loop_a.py").symlink_to(first / "loop_b.py")
    (first / "loop_b.py").symlink_to(first / "loop_a.py")
    (first / "pages").mkdir()
    (first / "pages" / "back_to_the_top").symlink_to(first, target_is_directory=True)
    (first / "folder.py").mkdir()
    os.mkfifo(first / "named_pipe.py")
    (first / "pyproject.toml").write_text("[tool.streamlit-lsp\nselect = [\n", encoding="utf-8")

    second = tmp_path / "second"
    second.mkdir()
    (second / "main.py").write_text(
        "import streamlit as st\nif st.session_state.ready:\n    st.write('go')\n",
        encoding="utf-8",
    )
    (second / "pyproject.toml").write_text(
        "[tool.streamlit-lsp]\n"
        "select = 5\n"
        'exclude = "build"\n'
        'severity = { ST001 = 3, ST002 = "loud" }\n'
        'entrypoints = [1, "missing.py"]\n'
        "per-file-ignores = [true]\n",
        encoding="utf-8",
    )
    return first, second


@POSIX_ONLY
@pytest.mark.parametrize("preset", PRESETS)
async def test_bad_workspace_files_and_settings(preset: str, tmp_path: Path):
    first, second = bad_workspaces(tmp_path)
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [first, second], stderr_log) as client:
        messages = [m.message for m in [*client.log_messages, *client.messages]]

        def about(*words: str) -> list[str]:
            return [m for m in messages if all(word in m for word in words)]

        # One clear message for each file or setting that cannot be used.
        assert len(about("latin1_page.py", "utf-8")) == 1, messages
        assert len(about("binary_page.py", "binary")) == 1, messages
        assert len(about(str(first / "pyproject.toml"), "invalid TOML")) == 1, messages
        for key in (
            "select",
            "exclude",
            "severity.ST001",
            "severity.ST002",
            "entrypoints[0]",
            "per-file-ignores",
        ):
            assert len(about(str(second / "pyproject.toml"), key)) >= 1, (key, messages)
        # The good files are still analysed, in both folders.
        for app, line in ((first / "app.py", 1), (second / "main.py", 1)):
            uri = app.as_uri()
            if client.capabilities.text_document.diagnostic is not None:  # type: ignore[union-attr]
                report = await answered(
                    client.text_document_diagnostic_async(
                        lsp.DocumentDiagnosticParams(
                            text_document=lsp.TextDocumentIdentifier(uri=uri)
                        )
                    )
                )
                found = report.items
            else:
                await wait_until(lambda uri=uri: uri in client.diagnostics)
                found = client.diagnostics[uri]
            assert [(d.code, d.range.start.line) for d in found] == [("ST001", line)]
        # Requests on the bad files are answered too.
        for bad in (
            "latin1_page.py",
            "binary_page.py",
            "vanished_page.py",
            "folder.py",
        ):
            try:
                await every_request(
                    client, (first / bad).as_uri(), lsp.Position(line=1, character=3)
                )
            except (JsonRpcException, asyncio.TimeoutError) as error:
                raise AssertionError(f"{bad}: {error!r}") from error
        no_errors_reported(client, stderr_log)


@POSIX_ONLY
def test_a_named_pipe_does_not_freeze_the_server(raw_server, tmp_path: Path):
    """Once a bug: reading the pipe for a request blocked the event loop until a writer
    came (never): special files are refused without being opened."""
    workspace = shop(tmp_path)
    os.mkfifo(workspace / "named_pipe.py")
    server = raw_server(workspace)
    server.initialize(workspace)
    assert server.alive_and_answering()
    hover = server.request(
        "textDocument/hover",
        {
            "textDocument": {"uri": (workspace / "named_pipe.py").as_uri()},
            "position": {"line": 0, "character": 0},
        },
    )
    try:
        assert server.response(hover, timeout=3.0) is not None, "the hover was never answered"
        assert server.alive_and_answering(timeout=2.0), "the server froze"
    finally:
        server.process.kill()  # should it freeze again, it would not read its stdin's end


@POSIX_ONLY
@pytest.mark.parametrize("preset", PRESETS)
async def test_a_symlink_loop_file_is_answered(preset: str, tmp_path: Path):
    """Once a bug: path_of's Path.resolve() raised on the loop (RuntimeError up to Python
    3.12): every request failed with an internal error."""
    workspace = shop(tmp_path)
    (workspace / "loop_a.py").symlink_to(workspace / "loop_b.py")
    (workspace / "loop_b.py").symlink_to(workspace / "loop_a.py")
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log) as client:
        uri = (workspace / "loop_a.py").as_uri()
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text="import streamlit as st\n"
                )
            )
        )
        client.workspace_did_change_watched_files(
            lsp.DidChangeWatchedFilesParams(
                changes=[lsp.FileEvent(uri=uri, type=lsp.FileChangeType.Changed)]
            )
        )
        await every_request(client, uri, lsp.Position(line=0, character=3))
        no_errors_reported(client, stderr_log)


@pytest.mark.parametrize("preset", PRESETS)
async def test_a_file_that_vanishes(preset: str, tmp_path: Path):
    workspace = shop(tmp_path)
    stderr_log = tmp_path / "stderr.log"
    async with session(preset, [workspace], stderr_log) as client:
        state = workspace / "state.py"
        uri = state.as_uri()
        text = state.read_text(encoding="utf-8")
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        state.unlink()  # deleted on disk while open (a branch switch, a git stash)
        await every_request(client, uri, lsp.Position(line=6, character=35))
        client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
        )
        # A late "changed" event for the file that is gone, then the real "deleted".
        for kind in (lsp.FileChangeType.Changed, lsp.FileChangeType.Deleted):
            client.workspace_did_change_watched_files(
                lsp.DidChangeWatchedFilesParams(changes=[lsp.FileEvent(uri=uri, type=kind)])
            )
        await every_request(client, uri, lsp.Position(line=6, character=35))
        app = (workspace / "app.py").as_uri()
        await every_request(client, app, lsp.Position(line=6, character=45))
        # Without state.py nothing initialises "cart": the app's read is reported now.
        report = await answered(
            client.text_document_diagnostic_async(
                lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=app))
            )
        )
        assert ("ST001", 6) in {(d.code, d.range.start.line) for d in report.items}
        no_errors_reported(client, stderr_log)
