"""Benchmark streamlit-lsp over a real stdio LSP connection (issue 5).

Builds synthetic workspaces (``generate.py``), starts the server as an editor would
(``streamlit-lsp serve`` over stdio, wrapped by ``serverside.py`` to time each request
inside the server process), drives it with pygls' language client, and prints one table:
each figure, its baseline measured in the same run, the ratio, the target, pass/fail.
The same table is written as JSON (``--json``, default ``benchmarks/out/results.json``).

Full mode (the default) measures workspaces of 250, 500, 1,000 and 2,000 files and
installs jedi-language-server into its own virtualenv (under the output folder) to
measure it side by side. ``--short`` uses tiny workspaces, few samples and no peer: it
checks that the suite still works (CI); its numbers mean little.

The numbers are for people to read. Nothing here is a timed assertion.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import atexit
import contextlib
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.client import BaseLanguageClient
from pygls.uris import from_fs_path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

LAUNCHER = HERE / "serverside.py"
OURS_TARGET = "streamlit_lsp.cli:main"
JEDI_TARGET = "jedi_language_server.cli:cli"
# The least a pygls server does per edit (floor_server.py, beside serverside.py).
FLOOR_TARGET = "floor_server:main"
JEDI_SPEC = "jedi-language-server==0.47.0"
PING = "streamlitLspBenchmark/ping"  # no server implements it: answered at once, in order
ROUND_TRIPS = 40  # pings timed for the transport's round trip
EDIT_SPACING_S = 0.3  # between edit samples: past the server's debounce window
STARTED: set[int] = set()  # server processes still to reap if the run is interrupted


@atexit.register
def _kill_leftovers() -> None:
    for pid in STARTED:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@dataclass
class Mode:
    sizes: tuple[int, ...]
    page_lines: tuple[int, ...]
    completion_samples: int
    completion_budget: float  # seconds per (server, kind, page) cell
    edit_samples: int
    edit_budget: float
    edit_timeout: float  # seconds to wait for one edit's fresh diagnostics
    parse_repeats: int
    # Cold indexes per size and checks of the largest workspace: their medians are the
    # figures (one run of a few seconds moves 20-40% with the machine, and flipped the
    # targets near their lines from run to run).
    cold_repeats: int
    peers: bool
    index_timeout: float


FULL = Mode(
    sizes=(250, 500, 1000, 2000),
    page_lines=(100, 1000, 5000),
    completion_samples=40,
    completion_budget=25.0,
    edit_samples=8,
    edit_budget=60.0,
    edit_timeout=180.0,
    parse_repeats=3,
    cold_repeats=3,
    peers=True,
    index_timeout=900.0,
)
SHORT = Mode(
    sizes=(20, 40),
    page_lines=(100, 1000, 5000),
    completion_samples=1,
    completion_budget=3.0,
    edit_samples=1,
    edit_budget=5.0,
    edit_timeout=6.0,
    parse_repeats=1,
    cold_repeats=1,
    peers=False,
    index_timeout=120.0,
)


# ---------------------------------------------------------------- results


@dataclass
class Row:
    id: str
    figure: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""
    status: str = "info"  # pass, fail, info, skipped, not implemented, error
    note: str = ""
    samples: int | None = None


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    curve: list[dict] = field(default_factory=list)
    environment: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (with few samples, p99 is the maximum)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or baseline is None or baseline <= 0:
        return None
    return value / baseline


def verdict(ok: bool | None) -> str:
    return "info" if ok is None else ("pass" if ok else "fail")


# ---------------------------------------------------------------- process


def _status_mb(pid: int) -> dict[str, float]:
    found: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                name, _, rest = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    found[f"{name}_mb"] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return found


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    children = [int(child) for child in handle.read().split()]
            except OSError:
                continue
            found.extend(children)
            stack.extend(children)
    return found


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process in MB from /proc, and ``tree_rss_mb``: the
    RSS of the process and its descendants (jedi infers in a subprocess)."""
    found = _status_mb(pid)
    children = _descendants(pid)
    found["tree_rss_mb"] = found.get("VmRSS_mb", 0.0) + sum(
        _status_mb(child).get("VmRSS_mb", 0.0) for child in children
    )
    found["processes"] = 1 + len(children)
    return found


class BenchClient(BaseLanguageClient):
    """A language client that records what the server pushes, with timestamps."""

    def __init__(self) -> None:
        super().__init__("streamlit-lsp-benchmark", "1")
        self.progress: dict[str, list[tuple[float, str]]] = {}
        self.diagnostics: dict[str, list[tuple[float, int | None, list[str]]]] = {}
        self.waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self.stderr_tail: list[str] = []

        @self.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def _create(params: lsp.WorkDoneProgressCreateParams) -> None:
            self.progress.setdefault(str(params.token), [])

        @self.feature(lsp.PROGRESS)
        def _progress(params: lsp.ProgressParams) -> None:
            value = params.value
            kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", "")
            self.progress.setdefault(str(params.token), []).append((time.monotonic(), kind))
            self._wake()

        @self.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            messages = [item.message for item in params.diagnostics]
            # Compared unquoted: a server may spell a non-ASCII path either way.
            self.diagnostics.setdefault(unquote(params.uri), []).append(
                (time.monotonic(), params.version, messages)
            )
            self._wake()

        @self.feature(lsp.CLIENT_REGISTER_CAPABILITY)
        def _register(params: lsp.RegistrationParams) -> None:
            return None

        @self.feature(lsp.WORKSPACE_CONFIGURATION)
        def _configuration(params: lsp.ConfigurationParams) -> list[None]:
            return [None for _ in params.items]

        @self.feature(lsp.WINDOW_LOG_MESSAGE)
        def _log(params: lsp.LogMessageParams) -> None:
            return None

        @self.feature(lsp.WINDOW_SHOW_MESSAGE)
        def _show(params: lsp.ShowMessageParams) -> None:
            return None

        @self.feature(lsp.WORKSPACE_DIAGNOSTIC_REFRESH)
        def _refresh(params: None) -> None:
            return None

    def _wake(self) -> None:
        for condition, future in list(self.waiters):
            if not future.done() and condition():
                future.set_result(None)
                self.waiters.remove((condition, future))

    async def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        if condition():
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (condition, future)
        self.waiters.append(entry)
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            if entry in self.waiters:
                self.waiters.remove(entry)

    def progress_ended(self) -> float | None:
        for reports in self.progress.values():
            for moment, kind in reports:
                if kind == "end":
                    return moment
        return None


def client_capabilities() -> lsp.ClientCapabilities:
    """What a current VS Code announces for the features exercised here (push diagnostics)."""
    return lsp.ClientCapabilities(
        general=lsp.GeneralClientCapabilities(position_encodings=[lsp.PositionEncodingKind.Utf16]),
        window=lsp.WindowClientCapabilities(work_done_progress=True),
        workspace=lsp.WorkspaceClientCapabilities(
            workspace_folders=True,
            configuration=True,
            did_change_watched_files=lsp.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            ),
        ),
        text_document=lsp.TextDocumentClientCapabilities(
            synchronization=lsp.TextDocumentSyncClientCapabilities(did_save=True),
            completion=lsp.CompletionClientCapabilities(
                completion_item=lsp.ClientCompletionItemOptions(
                    snippet_support=True,
                    documentation_format=[lsp.MarkupKind.Markdown, lsp.MarkupKind.PlainText],
                    insert_replace_support=True,
                    label_details_support=True,
                    resolve_support=lsp.ClientCompletionItemResolveOptions(
                        properties=["documentation", "detail", "additionalTextEdits"]
                    ),
                ),
                context_support=True,
                # As vscode-languageclient 11 (the extension's client) announces it.
                completion_list=lsp.CompletionListCapabilities(
                    item_defaults=[
                        "commitCharacters",
                        "editRange",
                        "insertTextFormat",
                        "insertTextMode",
                        "data",
                    ]
                ),
            ),
            publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(
                related_information=True, version_support=True
            ),
            hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown]),
        ),
    )


class Session:
    """One language server process over stdio, with its client."""

    def __init__(
        self,
        name: str,
        python: str,
        target: str,
        arguments: list[str],
        workspace: Path,
        out: Path,
        initialization_options: object = None,
        profile: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.env = bytecode_env(out)
        if cache_dir is not None:
            self.env["STREAMLIT_LSP_CACHE_DIR"] = str(cache_dir)
        if profile is not None:
            self.env["STREAMLIT_LSP_BENCH_PROFILE"] = str(profile)
        self.workspace = workspace
        self.timings_path = out / f"timings-{name}-{os.getpid()}-{time.monotonic_ns()}.jsonl"
        self.command = [python, str(LAUNCHER), str(self.timings_path), target, *arguments]
        self.initialization_options = initialization_options
        self.client = BenchClient()
        self.pid = 0
        self.versions: dict[str, int] = {}
        self._stderr_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.timings_path.unlink(missing_ok=True)
        await self.client.start_io(*self.command, cwd=str(self.workspace), env=self.env)
        process = self.client._server
        assert process is not None
        self.pid = process.pid
        STARTED.add(self.pid)
        self._stderr_task = asyncio.create_task(self._drain(process.stderr))

    async def _drain(self, stream: asyncio.StreamReader | None) -> None:
        # The server's stderr must be read, or a chatty server blocks on a full pipe.
        if stream is None:
            return
        while True:
            line = await stream.readline()
            if not line:
                return
            self.client.stderr_tail = [
                *self.client.stderr_tail[-40:],
                line.decode(errors="replace"),
            ]

    async def initialize(self) -> float:
        """initialize + initialized; returns the monotonic time ``initialized`` was sent."""
        uri = from_fs_path(str(self.workspace)) or ""
        await asyncio.wait_for(
            self.client.initialize_async(
                lsp.InitializeParams(
                    capabilities=client_capabilities(),
                    process_id=os.getpid(),
                    root_uri=uri,
                    workspace_folders=[lsp.WorkspaceFolder(uri=uri, name=self.workspace.name)],
                    initialization_options=self.initialization_options,
                )
            ),
            120,
        )
        self.client.initialized(lsp.InitializedParams())
        return time.monotonic()

    async def ping(self, timeout: float = 900.0) -> float:
        """A request every server answers in order (with an error): a barrier."""
        with contextlib.suppress(JsonRpcException):
            await asyncio.wait_for(self.client.protocol.send_request_async(PING, None), timeout)
        return time.monotonic()

    def memory(self) -> dict[str, float]:
        return memory_mb(self.pid)

    def server_timings(self) -> dict[str, dict]:
        found: dict[str, dict] = {}
        if not self.timings_path.exists():
            return found
        for line in self.timings_path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("kind") == "request":
                    found[str(entry["id"])] = entry
        return found

    def notification_timings(self, method: str) -> list[dict]:
        if not self.timings_path.exists():
            return []
        entries = []
        for line in self.timings_path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("kind") == "notification" and entry.get("method") == method:
                    entries.append(entry)
        return entries

    def open(self, path: Path) -> str:
        uri = from_fs_path(str(path)) or ""
        self.versions[uri] = 1
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=uri,
                    language_id="python",
                    version=1,
                    text=path.read_text(encoding="utf-8"),
                )
            )
        )
        return uri

    def change(self, uri: str, start: int, end: int, text: str) -> int:
        """Replace lines [start, end) with ``text`` (an incremental change)."""
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[
                    lsp.TextDocumentContentChangePartial(
                        range=lsp.Range(
                            start=lsp.Position(line=start, character=0),
                            end=lsp.Position(line=end, character=0),
                        ),
                        text=text,
                    )
                ],
            )
        )
        return self.versions[uri]

    async def completion(self, uri: str, line: int, character: int, msg_id: str) -> object:
        params = lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=lsp.Position(line=line, character=character),
        )
        return await asyncio.wait_for(
            self.client.protocol.send_request_async(
                lsp.TEXT_DOCUMENT_COMPLETION, params, msg_id=msg_id
            ),
            300,
        )

    async def close(self) -> None:
        process = self.client._server
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 60)
            self.client.exit(None)
            if process is not None:
                await asyncio.wait_for(process.wait(), 20)
        except Exception:
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.client.stop(), 10)
        if self._stderr_task is not None:
            self._stderr_task.cancel()
        if process is not None and process.returncode is not None:
            STARTED.discard(self.pid)
        self.timings_path.unlink(missing_ok=True)


# --------------------------------------------------------------- baselines


def python_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if path.is_file())


def parse_all(root: Path, repeats: int) -> list[float]:
    """Seconds to read, decode and ``ast.parse`` every Python file under ``root``, once
    per repeat."""
    files = python_files(root)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for path in files:
            ast.parse(path.read_bytes().decode("utf-8"), str(path))
        times.append(time.perf_counter() - start)
    return times


def parse_text(text: str, repeats: int = 7) -> float:
    """Median seconds of a bare ``ast.parse`` of one text, in this process."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        ast.parse(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --------------------------------------------------------------- measurements


def spread(anchors: list[int], count: int) -> list[int]:
    """``count`` anchors spread evenly through the file."""
    if not anchors:
        return []
    if len(anchors) <= count:
        return anchors
    step = len(anchors) / count
    return [anchors[int(i * step + step / 2)] for i in range(count)]


@dataclass
class CompletionCell:
    kind: str
    lines: int
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    repeat_server_ms: list[float] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    error: str = ""


TRIGGERS = {"attribute": "st.session_state.", "subscript": 'st.session_state["'}


async def measure_completion(
    session: Session,
    uri: str,
    page: dict,
    kind: str,
    samples: int,
    budget: float,
    repeat: bool,
) -> CompletionCell:
    """Type a trigger on a fresh line (module level or first line of a function), ask for
    completion right away (as an editor does), then undo the line and wait for quiet.

    Client time runs from sending the keystroke's didChange to the completion list;
    server time from the server decoding the completion request to writing its answer.
    """
    cell = CompletionCell(kind, page["lines"])
    module = spread(page["module_anchors"], 8)
    functions = spread(page["function_anchors"], 8)
    places = [(line, "") for line in module] + [(line, "    ") for line in functions]
    places.sort()
    if not places:
        cell.error = "no insertion points"
        return cell
    trigger = TRIGGERS[kind]
    deadline = time.monotonic() + budget
    ids: list[tuple[str, str | None]] = []
    for sample in range(samples):
        if sample >= 3 and time.monotonic() > deadline:
            break
        line, indent = places[sample % len(places)]
        text = indent + trigger
        msg_id = f"completion-{session.name}-{kind}-{page['lines']}-{sample}"
        sent = time.monotonic()
        session.change(uri, line, line, text + "\n")
        try:
            result = await session.completion(uri, line, len(text), msg_id)
        except Exception as error:
            cell.error = f"{type(error).__name__}: {error}"
            session.change(uri, line, line + 1, "")
            break
        cell.client_ms.append((time.monotonic() - sent) * 1000)
        items = getattr(result, "items", result) or []
        cell.items.append(len(items))
        repeat_id = None
        if repeat:
            repeat_id = f"{msg_id}-repeat"
            with contextlib.suppress(Exception):
                await session.completion(uri, line, len(text), repeat_id)
        ids.append((msg_id, repeat_id))
        session.change(uri, line, line + 1, "")
        await session.ping()
    timings = session.server_timings()
    for msg_id, repeat_id in ids:
        if msg_id in timings:
            cell.server_ms.append(timings[msg_id]["ms"])
        if repeat_id and repeat_id in timings:
            cell.repeat_server_ms.append(timings[repeat_id]["ms"])
    return cell


@dataclass
class EditCell:
    lines: int
    client_ms: list[float] = field(default_factory=list)
    change_handler_ms: list[float] = field(default_factory=list)
    parse_ms: float = 0.0
    error: str = ""


async def measure_edit(
    session: Session,
    uri: str,
    path: Path,
    page: dict,
    samples: int,
    budget: float,
    timeout: float,
) -> EditCell:
    """Edit a line so that it reads a key nothing initialises, and wait for the file's
    diagnostics that name the new key (and carry the new version when the server sends
    one): fresh diagnostics."""
    cell = EditCell(page["lines"])
    anchors = page["module_anchors"]
    line = anchors[len(anchors) // 2] if anchors else 0
    original = path.read_text(encoding="utf-8").split("\n")
    deadline = time.monotonic() + budget
    inserted = False
    parses: list[float] = []
    before = len(session.notification_timings(lsp.TEXT_DOCUMENT_DID_CHANGE))
    for sample in range(samples):
        if sample >= 1 and time.monotonic() > deadline:
            break
        # No underscore: f-string keys elsewhere (f"{SORT_KEY}_0") may match "*_0".
        key = f"benchq{sample}z"
        new_line = f'_bench_{sample} = st.session_state["{key}"]'
        edited = "\n".join([*original[:line], new_line, *original[line:]])
        sent = time.monotonic()
        version = session.change(uri, line, line + 1 if inserted else line, new_line + "\n")
        inserted = True

        def fresh(version: int = version, key: str = key) -> bool:
            for _, got, messages in reversed(session.client.diagnostics.get(unquote(uri), [])):
                if got in (version, None) and any(key in message for message in messages):
                    return True
            return False

        if not await session.client.wait_for(fresh, timeout=timeout):
            cell.error = f"no diagnostics naming the edited key within {timeout:g} s"
            break
        cell.client_ms.append((time.monotonic() - sent) * 1000)
        # The baseline is timed at every sample, so it follows the machine as the
        # samples do (one parse timed at the start put the run's drift in the ratio).
        parses.append(parse_text(edited, 3))
        # Each sample is an isolated edit: the server analyses a lone edit at once, but
        # an edit within its debounce window (150 ms) of the previous analysis waits for
        # the burst to end, by design (mid-word diagnostics are noise). The figure is the
        # analysis' latency, so samples are spaced past that window.
        await asyncio.sleep(EDIT_SPACING_S)
    if parses:
        cell.parse_ms = statistics.median(parses) * 1000
    if inserted:
        session.change(uri, line, line + 1, "")
        await session.ping()
    changes = session.notification_timings(lsp.TEXT_DOCUMENT_DID_CHANGE)[before:]
    # Every other change is the edit itself (the last one restores the file).
    cell.change_handler_ms = [entry["ms"] for entry in changes[: len(cell.client_ms)]]
    return cell


# ---------------------------------------------------------------- jedi


def jedi_python(out: Path, spec: str) -> tuple[str | None, str]:
    """A virtualenv with jedi-language-server (created once under ``out``)."""
    venv = out / "jedi-venv"
    python = venv / "bin" / "python"
    probe = [
        str(python),
        "-c",
        "import jedi_language_server, importlib.metadata as m; print(m.version('jedi-language-server'))",
    ]
    if python.exists():
        done = subprocess.run(probe, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return str(python), done.stdout.strip()
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", spec],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as error:
        return None, f"could not create the virtualenv: {error}"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return None, "pip install failed: " + " | ".join(tail)
    done = subprocess.run(probe, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None, "installed, but jedi_language_server does not import: " + done.stderr[-300:]
    return str(python), done.stdout.strip()


# ---------------------------------------------------------------- the run


def git_describe() -> str:
    """The commit measured, with "+dirty" when the working tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "server"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def bytecode_env(out: Path) -> dict[str, str]:
    """The environment servers and ``check`` run in: with their modules' bytecode kept
    (under ``out``), as an installed package has it (pip compiles it at install). An
    environment that forbids writing bytecode (``PYTHONDONTWRITEBYTECODE``, set on some
    machines) would otherwise make every process compile its sources again: 0.1 s of
    each ``check``, measured."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
    return env


def compile_bytecode(out: Path) -> None:
    """Import what the server and ``check`` import, once, so the bytecode is there
    before anything is measured."""
    imports = (
        "import streamlit_lsp.checker, streamlit_lsp.output, streamlit_lsp.lsp.stdio; "
        "from streamlit_lsp.lsp.server import create_server; create_server()"
    )
    subprocess.run([sys.executable, "-c", imports], env=bytecode_env(out), check=True)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def empty_cache_dir(out: Path, name: str) -> Path:
    """A facts cache folder with nothing in it: a cold index extracts every file."""
    folder = out / "facts-cache" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


async def warm_start_after_a_change(
    workspace: Path, manifest: dict, out: Path, mode: Mode, cache_dir: Path
) -> dict[str, float] | None:
    """A warm start after one page (the emoji page's) changed on disk since the last;
    the page is put back after. None for a workspace without pages."""
    if manifest["emoji_page"] is None:
        return None
    page = workspace / manifest["emoji_page"]["path"]
    original = page.read_bytes()
    page.write_bytes(original + b'\nst.session_state["changed_while_off"] = 1\n')
    try:
        session, figures = await index_session(workspace, out, mode, cache_dir)
        await session.close()
    finally:
        page.write_bytes(original)
    log(f"  one page changed: first analysis {figures['index_analysis_s']:.2f} s")
    return figures


async def index_session(
    workspace: Path, out: Path, mode: Mode, cache_dir: Path, profile: Path | None = None
) -> tuple[Session, dict[str, float]]:
    """Start our server on ``workspace`` and measure its index: cold with an empty
    ``cache_dir``, warm with the one a previous session filled."""
    session = Session(
        "ours",
        sys.executable,
        OURS_TARGET,
        ["serve"],
        workspace,
        out,
        profile=profile,
        cache_dir=cache_dir,
    )
    started = time.monotonic()
    await session.start()
    sent = await session.initialize()
    ready = sent - started
    ok = await session.client.wait_for(
        lambda: session.client.progress_ended() is not None, mode.index_timeout
    )
    if not ok:
        await session.close()
        raise RuntimeError(
            f"no end of indexing within {mode.index_timeout} s; server stderr:\n"
            + "".join(session.client.stderr_tail[-10:])
        )
    ended = session.client.progress_ended() or time.monotonic()
    # The analysis runs in slices between requests (a ping is answered meanwhile): it is
    # done when the diagnostics are published (every generated workspace has mistakes).
    await session.client.wait_for(lambda: bool(session.client.diagnostics), mode.index_timeout)
    published = [entries[0][0] for entries in session.client.diagnostics.values() if entries]
    analysed = min(published) if published else await session.ping(mode.index_timeout)
    figures = {
        "startup_s": ready,
        "index_s": ended - sent,
        "index_analysis_s": analysed - sent,
        **session.memory(),
    }
    return session, figures


@dataclass
class Interactive:
    completion: dict[tuple[str, int], CompletionCell] = field(default_factory=dict)
    edits: dict[int, EditCell] = field(default_factory=dict)
    emoji_edit: EditCell | None = None
    # A request sent while an edit of the largest page is analysed: its wait, in ms.
    busy_during_edit: list[float] = field(default_factory=list)
    busy_lines: int = 0
    # A request the server answers at once (an unknown method), sent and answered: the
    # transport's share of every figure measured at the client, in ms.
    round_trip: list[float] = field(default_factory=list)
    # The same edits answered by the floor server (floor_server.py): the stack's share.
    floor_edits: dict[int, EditCell] = field(default_factory=dict)


@dataclass
class LargeProbes:
    files: int = 0
    completion: CompletionCell | None = None
    busy_ms: float | None = None
    edit: EditCell | None = None


@dataclass
class Peer:
    note: str = ""
    cells: dict[tuple[str, int], CompletionCell] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)
    memory_interactive: dict[str, float] = field(default_factory=dict)


def big_pages(manifest: dict) -> dict[int, dict]:
    return {int(lines): page for lines, page in manifest["big_pages"].items()}


async def open_pages(
    session: Session, workspace: Path, big: dict[int, dict], mode: Mode
) -> dict[int, str]:
    """Open each big page of ``mode`` in ``session`` and wait until the server is idle;
    their URIs by line count."""
    uris = {lines: session.open(workspace / big[lines]["path"]) for lines in mode.page_lines}
    await settle(session)
    return uris


async def settle(session: Session) -> None:
    """Wait until the server has handled everything sent so far, debounced work included."""
    await session.ping()
    await asyncio.sleep(0.3)
    await session.ping()


async def measure_interactive(
    session: Session, workspace: Path, manifest: dict, mode: Mode
) -> Interactive:
    measured = Interactive()
    big = big_pages(manifest)
    uris = await open_pages(session, workspace, big, mode)
    for _ in range(ROUND_TRIPS):
        sent = time.monotonic()
        measured.round_trip.append((await session.ping() - sent) * 1000)
    for lines in mode.page_lines:
        for kind in TRIGGERS:
            log(f"streamlit-lsp: completion {kind} on the {lines}-line page")
            cell = await measure_completion(
                session,
                uris[lines],
                big[lines],
                kind,
                mode.completion_samples,
                mode.completion_budget,
                repeat=True,
            )
            measured.completion[(kind, lines)] = cell
            if cell.server_ms:
                log(
                    f"  server p50 {statistics.median(cell.server_ms):.1f} ms "
                    f"over {len(cell.server_ms)}"
                )
    await settle(session)
    measured.edits = await edit_each_page(session, "streamlit-lsp", uris, workspace, big, mode)
    largest = max(mode.page_lines)
    log(f"streamlit-lsp: a request while an edit of the {largest}-line page is analysed")
    measured.busy_lines = largest
    measured.busy_during_edit = await measure_busy_during_edit(
        session, uris[largest], big[largest], mode.edit_samples
    )
    # The same edit on an ordinary page whose file name has an emoji (URI escapes).
    emoji_page = manifest.get("emoji_page")
    if emoji_page:
        log("streamlit-lsp: edit -> diagnostics on a page with an emoji in its name")
        path = workspace / emoji_page["path"]
        uri = session.open(path)
        await settle(session)
        # Edits of the other pages took seconds here: 30 s is ample.
        measured.emoji_edit = await measure_edit(
            session, uri, path, emoji_page, 1, mode.edit_budget, min(mode.edit_timeout, 30.0)
        )
    return measured


async def measure_busy_during_edit(
    session: Session, uri: str, page: dict, samples: int
) -> list[float]:
    """A request sent 50 ms after an edit (the edit's analysis is under way): how long
    until it is answered. What a completion typed then waits, server side, on top of
    its own time."""
    anchors = page["module_anchors"]
    line = anchors[len(anchors) // 2] if anchors else 0
    waits = []
    for sample in range(samples):
        session.change(uri, line, line, f'_busy_{sample} = st.session_state["busyq{sample}z"]\n')
        await asyncio.sleep(0.05)
        asked = time.monotonic()
        answered = await session.ping()
        waits.append((answered - asked) * 1000)
        session.change(uri, line, line + 1, "")
        await settle(session)
    return waits


async def probe_large(session: Session, workspace: Path, manifest: dict, mode: Mode) -> LargeProbes:
    """One completion, the time the server stays busy after a keystroke, one edit: in
    the largest workspace, where a pause in typing triggers a whole-workspace analysis."""
    probes = LargeProbes(files=manifest["files"])
    lines = sorted(mode.page_lines)[len(mode.page_lines) // 2]
    page = big_pages(manifest)[lines]
    path = workspace / page["path"]
    uri = session.open(path)
    await settle(session)
    log(f"streamlit-lsp: one completion on the {lines}-line page of {probes.files} files")
    probes.completion = await measure_completion(
        session, uri, page, "attribute", 1, 0.0, repeat=False
    )
    await settle(session)
    # A keystroke, then a pause longer than the debounce, then any request: how long
    # until the server answers it?
    line = page["module_anchors"][len(page["module_anchors"]) // 2]
    session.change(uri, line, line, "x = 1\n")
    await asyncio.sleep(0.5)
    asked = time.monotonic()
    answered = await session.ping()
    probes.busy_ms = (answered - asked) * 1000
    session.change(uri, line, line + 1, "")
    await settle(session)
    log(f"streamlit-lsp: one edit -> diagnostics on the {lines}-line page of {probes.files} files")
    probes.edit = await measure_edit(
        session, uri, path, page, 1, 0.0, max(mode.edit_timeout, 300.0)
    )
    return probes


async def edit_each_page(
    session: Session,
    name: str,
    uris: dict[int, str],
    workspace: Path,
    big: dict[int, dict],
    mode: Mode,
) -> dict[int, EditCell]:
    """``measure_edit`` on each big page open in ``session`` (``uris``)."""
    cells: dict[int, EditCell] = {}
    for lines in mode.page_lines:
        log(f"{name}: edit -> diagnostics on the {lines}-line page")
        cell = await measure_edit(
            session,
            uris[lines],
            workspace / big[lines]["path"],
            big[lines],
            mode.edit_samples,
            mode.edit_budget,
            mode.edit_timeout,
        )
        cells[lines] = cell
        if cell.client_ms:
            log(f"  p50 {statistics.median(cell.client_ms):.1f} ms over {len(cell.client_ms)}")
    return cells


async def measure_floor(
    workspace: Path, manifest: dict, out: Path, mode: Mode
) -> dict[int, EditCell]:
    """The edits of ``measure_interactive``, on the same pages, answered by the floor
    server (``floor_server.py``: pygls keeps the buffer, ``ast.parse`` parses it, one
    diagnostic per session-state subscript is published)."""
    session = Session("floor", sys.executable, FLOOR_TARGET, [], workspace, out)
    big = big_pages(manifest)
    try:
        await session.start()
        await session.initialize()
        uris = await open_pages(session, workspace, big, mode)
        return await edit_each_page(session, "floor server", uris, workspace, big, mode)
    finally:
        await session.close()


async def measure_jedi(
    python: str,
    workspace: Path,
    manifest: dict,
    out: Path,
    mode: Mode,
    samples: int,
    budget: float,
) -> tuple[dict[tuple[str, int], CompletionCell], dict[str, float]]:
    session = Session(
        "jedi",
        python,
        JEDI_TARGET,
        [],
        workspace,
        out,
        # Let jedi see the project's environment (Streamlit installed), as a user would.
        initialization_options={"workspace": {"environmentPath": sys.executable}},
    )
    cells: dict[tuple[str, int], CompletionCell] = {}
    big = big_pages(manifest)
    try:
        await session.start()
        await session.initialize()
        uris = await open_pages(session, workspace, big, mode)
        for lines in mode.page_lines:
            for kind in TRIGGERS:
                log(
                    f"jedi-language-server: completion {kind} on the {lines}-line page "
                    f"({manifest['files']} files)"
                )
                cell = await measure_completion(
                    session, uris[lines], big[lines], kind, samples, budget, repeat=False
                )
                cells[(kind, lines)] = cell
                if cell.server_ms:
                    log(
                        f"  server p50 {statistics.median(cell.server_ms):.1f} ms "
                        f"over {len(cell.server_ms)}"
                    )
        memory = session.memory()
    finally:
        await session.close()
    return cells, memory


async def run(arguments: argparse.Namespace) -> Results:
    mode = SHORT if arguments.short else FULL
    if arguments.sizes:
        mode = replace(mode, sizes=tuple(int(size) for size in arguments.sizes.split(",")))
    if arguments.no_peers:
        mode = replace(mode, peers=False)
    if arguments.cold_repeats:
        mode = replace(mode, cold_repeats=max(1, arguments.cold_repeats))
    out: Path = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    results = Results()
    results.environment = {
        "mode": "short" if arguments.short else "full",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sizes": list(mode.sizes),
        "cold_repeats": mode.cold_repeats,
        "page_lines": list(mode.page_lines),
        "streamlit_lsp_commit": git_describe(),
    }

    # 1. Workspaces and the bare-parse baselines.
    compile_bytecode(out)
    workspaces: dict[int, Path] = {}
    manifests: dict[int, dict] = {}
    parse_s: dict[int, float] = {}
    # Each size's bare parses: when its workspace is made, then just before and just
    # after its cold index (the baseline is their median: a ratio against a parse
    # timed minutes apart from the index measured the machine's drift as much as the
    # index, and turned targets that pass into failures in noisy hours).
    parse_samples: dict[int, list[float]] = {}
    for size in mode.sizes:
        root = out / "workspaces" / f"files-{size}"
        manifests[size] = generate(root, size, seed=arguments.seed)
        workspaces[size] = root
        parse_samples[size] = parse_all(root, mode.parse_repeats)
        parse_s[size] = statistics.median(parse_samples[size])
        log(
            f"workspace {size} files: {manifests[size]['lines']:,} lines, "
            f"{manifests[size]['streamlit_files']} mention Streamlit; "
            f"read + ast.parse {parse_s[size]:.2f} s"
        )
    largest = max(mode.sizes)

    # 2. Cold index and memory at each size. Completion and edits are measured in the
    #    smallest workspace (each pause in typing makes the server re-analyse the whole
    #    workspace, which at 2,000 files would make the run far too long), and probed
    #    once in the largest.
    interactive = min(mode.sizes)
    index: dict[int, dict[str, float]] = {}
    measured = Interactive()
    large = LargeProbes()
    for size in sorted(mode.sizes):
        log(f"streamlit-lsp: indexing {size} files")
        profile = None
        if arguments.profile is not None:
            arguments.profile.mkdir(parents=True, exist_ok=True)
            profile = arguments.profile.resolve() / f"streamlit-lsp-{size}-files.prof"
        # Each cold run has a bare parse just before and just after it, so the baseline
        # (their median) follows the machine through the runs.
        runs: list[dict[str, float]] = []
        for repeat in range(mode.cold_repeats):
            cache_dir = empty_cache_dir(out, f"files-{size}")
            parse_samples[size] += parse_all(workspaces[size], 1)
            last = repeat + 1 == mode.cold_repeats
            session, figures = await index_session(
                workspaces[size], out, mode, cache_dir, profile if last else None
            )
            runs.append(figures)
            # The server is idle again: its first analysis is published.
            parse_samples[size] += parse_all(workspaces[size], 1)
            if not last:
                await session.close()
        # The last run's session goes on (memory, completion, edits); its index figures
        # are the medians of the runs.
        index[size] = {
            **figures,
            "index_s": statistics.median(run["index_s"] for run in runs),
            "index_analysis_s": statistics.median(run["index_analysis_s"] for run in runs),
            "runs": len(runs),
        }
        parse_s[size] = statistics.median(parse_samples[size])
        indexes = ", ".join(f"{run['index_s']:.2f}" for run in runs)
        analyses = ", ".join(f"{run['index_analysis_s']:.2f}" for run in runs)
        log(
            f"  index {indexes} s, with first analysis {analyses} s, "
            f"RSS {figures.get('VmRSS_mb', 0):.0f} MB; "
            f"read + ast.parse {', '.join(f'{sample:.2f}' for sample in parse_samples[size])} s"
        )
        try:
            if size == interactive:
                measured = await measure_interactive(
                    session, workspaces[size], manifests[size], mode
                )
            if size == largest and size != interactive:
                large = await probe_large(session, workspaces[size], manifests[size], mode)
        finally:
            await session.close()
        if size == interactive:
            measured.floor_edits = await measure_floor(workspaces[size], manifests[size], out, mode)

    # 3. Warm start: the server again on the largest workspace, its facts cache filled
    #    by the cold session above (nothing changed on disk since).
    log(f"streamlit-lsp: warm start on {largest} files")
    session, warm = await index_session(
        workspaces[largest], out, mode, out / "facts-cache" / f"files-{largest}"
    )
    await session.close()
    log(f"  index {warm['index_s']:.2f} s, with first analysis {warm['index_analysis_s']:.2f} s")
    #    And again after a page changed while the server was off: its app is analysed
    #    again, the others' findings are taken from the last start.
    changed = await warm_start_after_a_change(
        workspaces[largest], manifests[largest], out, mode, out / "facts-cache" / f"files-{largest}"
    )

    # 4. The check command on the largest workspace, with an empty facts cache.
    log(f"streamlit-lsp check on {largest} files")
    check_command = [
        sys.executable,
        "-m",
        "streamlit_lsp",
        "check",
        "--exit-zero",
        "--format",
        "json",
        str(workspaces[largest]),
    ]
    check_times: list[float] = []
    check_error = ""
    for _ in range(mode.cold_repeats):  # each with an empty facts cache
        check_env = {
            **bytecode_env(out),
            "STREAMLIT_LSP_CACHE_DIR": str(empty_cache_dir(out, "check")),
        }
        start = time.monotonic()
        done = subprocess.run(
            check_command, capture_output=True, text=True, check=False, env=check_env
        )
        check_times.append(time.monotonic() - start)
        if done.returncode != 0:
            check_error = check_error or done.stderr.strip()[-300:]
    check_s = statistics.median(check_times)
    log(f"  {', '.join(f'{sample:.1f}' for sample in check_times)} s")
    #    And again, nothing changed: the facts and the apps' findings are in the cache.
    start = time.monotonic()
    again = subprocess.run(
        check_command, capture_output=True, text=True, check=False, env=check_env
    )
    check_again_s = time.monotonic() - start
    if again.returncode != 0 or again.stdout != done.stdout:
        check_error = check_error or "the second check's output differs from the first's"
    log(f"  again: {check_again_s:.2f} s")

    # 5. jedi-language-server: completion at the same positions of the same workspace;
    #    memory on the largest workspace after a few completions there.
    peer = Peer(note="skipped (--short)" if arguments.short else "skipped (--no-peers)")
    if mode.peers:
        log("jedi-language-server: preparing its virtualenv")
        python, version = jedi_python(out, arguments.jedi_spec)
        if python is None:
            peer.note = f"jedi-language-server unavailable: {version}"
            log(peer.note)
        else:
            results.environment["jedi_language_server"] = version
            peer.note = ""
            try:
                peer.cells, peer.memory_interactive = await measure_jedi(
                    python,
                    workspaces[interactive],
                    manifests[interactive],
                    out,
                    mode,
                    mode.completion_samples,
                    mode.completion_budget,
                )
                if largest != interactive:
                    _, peer.memory = await measure_jedi(
                        python, workspaces[largest], manifests[largest], out, mode, 2, 5.0
                    )
                else:
                    peer.memory = peer.memory_interactive
            except Exception as error:
                peer.note = f"jedi-language-server failed: {type(error).__name__}: {error}"
                log(peer.note)

    # 6. The table.
    build_rows(
        results,
        mode,
        parse_s,
        index,
        measured,
        large,
        peer,
        check_s,
        len(check_times),
        check_again_s,
        check_error,
        manifests,
        warm,
        changed,
    )
    return results


def edit_info_row(row_id: str, figure: str, cell: EditCell, target: str) -> Row:
    """An information row of an edit's median latency against its bare parse."""
    value = statistics.median(cell.client_ms) if cell.client_ms else None
    return Row(
        id=row_id,
        figure=figure,
        value=value,
        unit="ms",
        baseline=cell.parse_ms,
        baseline_label="bare ast.parse of the edited text, this process",
        ratio=ratio(value, cell.parse_ms),
        target=target,
        status="info" if value is not None else "error",
        note=cell.error,
        samples=len(cell.client_ms),
    )


def build_rows(
    results: Results,
    mode: Mode,
    parse_s: dict[int, float],
    index: dict[int, dict[str, float]],
    measured: Interactive,
    large: LargeProbes,
    peer: Peer,
    check_s: float,
    check_runs: int,
    check_again_s: float,
    check_error: str,
    manifests: dict[int, dict],
    warm: dict[str, float],
    changed: dict[str, float] | None,
) -> None:
    largest = max(mode.sizes)
    interactive = min(mode.sizes)
    results.notes.append(
        f"completion and edit figures: the {interactive}-file workspace; "
        f"index, check and memory: each size, headline at {largest} files"
    )
    if peer.note:
        results.notes.append(f"jedi-language-server: {peer.note}")
    labels = {"attribute": "`st.session_state.`", "subscript": '`st.session_state["`'}

    # Completion.
    for (kind, lines), cell in measured.completion.items():
        theirs = peer.cells.get((kind, lines))
        items = f"{statistics.median(cell.items):.0f} items" if cell.items else ""
        if theirs is None:
            against = ""
        elif theirs.error or not theirs.server_ms:
            against = f"jedi: {theirs.error or 'no samples'}"
        else:
            against = f"jedi {statistics.median(theirs.items):.0f} items"
        note = "; ".join(
            filter(None, [f"error: {cell.error}" if cell.error else "", items, against])
        )
        for stat, fraction, limit in (("p50", 0.5, 5.0), ("p99", 0.99, 20.0)):
            value = percentile(cell.server_ms, fraction) if cell.server_ms else None
            base = percentile(theirs.server_ms, fraction) if theirs and theirs.server_ms else None
            r = ratio(value, base)
            ok = None if value is None else value < limit and (r is None or r < 0.1)
            results.add(
                Row(
                    id=f"completion.{kind}.{lines}.server_{stat}",
                    figure=f"completion {labels[kind]} {stat}, server, {lines}-line page",
                    value=value,
                    unit="ms",
                    baseline=base,
                    baseline_label=f"jedi-language-server {stat}, server side",
                    ratio=r,
                    target=f"< {limit:g} ms and < 0.1x jedi",
                    status="error" if value is None else verdict(ok),
                    note=note if stat == "p50" else "",
                    samples=len(cell.server_ms),
                )
            )
        value = statistics.median(cell.client_ms) if cell.client_ms else None
        base = statistics.median(theirs.client_ms) if theirs and theirs.client_ms else None
        results.add(
            Row(
                id=f"completion.{kind}.{lines}.client_p50",
                figure=f"completion {labels[kind]} p50, keystroke to list, {lines}-line page",
                value=value,
                unit="ms",
                baseline=base,
                baseline_label="jedi-language-server, client side",
                ratio=ratio(value, base),
                target="(info: includes the keystroke's didChange)",
                status="error" if value is None else "info",
                samples=len(cell.client_ms),
            )
        )
        if cell.repeat_server_ms:
            results.add(
                Row(
                    id=f"completion.{kind}.{lines}.repeat_server_p50",
                    figure=f"completion {labels[kind]} p50 asked again, no edit, {lines}-line page",
                    value=statistics.median(cell.repeat_server_ms),
                    unit="ms",
                    target="(info: nothing changed since the last answer)",
                    samples=len(cell.repeat_server_ms),
                )
            )
    sizes = sorted(mode.page_lines)
    for kind in TRIGGERS:
        small = measured.completion.get((kind, sizes[0]))
        big = measured.completion.get((kind, sizes[-1]))
        if small and big and small.server_ms and big.server_ms:
            value = statistics.median(big.server_ms)
            base = statistics.median(small.server_ms)
            r = ratio(value, base)
            results.add(
                Row(
                    id=f"completion.{kind}.size_independence",
                    figure=f"completion {labels[kind]} p50, {sizes[-1]} vs {sizes[0]}-line page",
                    value=value,
                    unit="ms",
                    baseline=base,
                    baseline_label=f"p50 on the {sizes[0]}-line page",
                    ratio=r,
                    target="<= 2x (independent of file size)",
                    status=verdict(r is not None and r <= 2),
                )
            )
    for kind in TRIGGERS:
        for lines in mode.page_lines:
            theirs = peer.cells.get((kind, lines))
            value = statistics.median(theirs.server_ms) if theirs and theirs.server_ms else None
            status = "info" if value is not None else ("skipped" if theirs is None else "error")
            results.add(
                Row(
                    id=f"peer.jedi.completion.{kind}.{lines}.server_p50",
                    figure=f"jedi: completion {labels[kind]} p50, server, {lines}-line page",
                    value=value,
                    unit="ms",
                    target="(baseline)",
                    status=status,
                    note=theirs.error if theirs else "",
                    samples=len(theirs.server_ms) if theirs else None,
                )
            )
    if large.completion is not None:
        cell = large.completion
        results.add(
            Row(
                id="large.completion.server",
                figure=f"completion `st.session_state.` server, {cell.lines}-line page, {large.files} files",
                value=cell.server_ms[0] if cell.server_ms else None,
                unit="ms",
                target="(info: one sample)",
                status="info" if cell.server_ms else "error",
                note=cell.error
                or (f"keystroke to list {cell.client_ms[0]:.0f} ms" if cell.client_ms else ""),
                samples=len(cell.server_ms),
            )
        )
    if measured.busy_during_edit:
        waits = measured.busy_during_edit
        results.add(
            Row(
                id="busy_during_edit",
                figure=f"request 50 ms after an edit of the {measured.busy_lines}-line page, wait p50",
                value=statistics.median(waits),
                unit="ms",
                target="(info: the edit's extraction and analysis are under way)",
                note=f"max {max(waits):.0f} ms",
                samples=len(waits),
            )
        )
    if large.busy_ms is not None:
        results.add(
            Row(
                id="large.busy_after_keystroke",
                figure=f"next request after a keystroke + 0.5 s pause, {large.files} files",
                value=large.busy_ms,
                unit="ms",
                target="(info: the event loop is busy with the debounced analysis)",
                samples=1,
            )
        )

    if measured.round_trip:
        results.add(
            Row(
                id="round_trip.p50",
                figure="round trip of a request answered at once, p50",
                value=statistics.median(measured.round_trip),
                unit="ms",
                target="(info: the transport's share of the client-side figures)",
                status="info",
                samples=len(measured.round_trip),
            )
        )
    # Edit -> fresh diagnostics.
    for lines, cell in sorted(measured.edits.items()):
        value = statistics.median(cell.client_ms) if cell.client_ms else None
        r = ratio(value, cell.parse_ms)
        handler = statistics.median(cell.change_handler_ms) if cell.change_handler_ms else None
        notes = [cell.error]
        if handler is not None:
            notes.append(f"didChange handler p50 {handler:.1f} ms")
        floor = measured.floor_edits.get(lines)
        if floor is not None and floor.client_ms and value is not None:
            floor_value = statistics.median(floor.client_ms)
            notes.append(f"{value / floor_value:.1f}x the floor server ({floor_value:.1f} ms)")
        results.add(
            Row(
                id=f"edit_diagnostics.{lines}.p50",
                figure=f"edit -> fresh diagnostics p50, {lines}-line page",
                value=value,
                unit="ms",
                baseline=cell.parse_ms,
                baseline_label="bare ast.parse of the edited text, this process",
                ratio=r,
                target="<= 2x ast.parse",
                status="error" if value is None else verdict(r is not None and r <= 2),
                note="; ".join(filter(None, notes)),
                samples=len(cell.client_ms),
            )
        )
    for lines, cell in sorted(measured.floor_edits.items()):
        results.add(
            edit_info_row(
                f"edit_diagnostics.{lines}.floor_p50",
                f"edit -> fresh diagnostics p50, {lines}-line page, floor server",
                cell,
                "(info: pygls keeps the buffer, parses it whole, publishes)",
            )
        )
    if large.edit is not None:
        cell = large.edit
        figure = f"edit -> fresh diagnostics, {cell.lines}-line page, {large.files} files"
        results.add(edit_info_row("large.edit_diagnostics", figure, cell, "(info: one sample)"))
    if measured.emoji_edit is not None:
        cell = measured.emoji_edit
        ok = bool(cell.client_ms)
        results.add(
            Row(
                id="edit_diagnostics.non_ascii_path",
                figure="edit -> fresh diagnostics, page named with an emoji (correctness)",
                value=cell.client_ms[0] if ok else None,
                unit="ms",
                target="the edited buffer's diagnostics arrive",
                status="pass" if ok else "fail",
                note=cell.error,
                samples=len(cell.client_ms),
            )
        )

    # Cold index, warm start, check.
    for size in sorted(mode.sizes):
        figures = index[size]
        value = figures["index_s"]
        r = ratio(value, parse_s[size])
        results.add(
            Row(
                id=f"cold_index.{size}",
                figure=f"cold index, {size} files",
                value=value,
                unit="s",
                baseline=parse_s[size],
                baseline_label="read + ast.parse of every .py file, this process",
                ratio=r,
                target="<= 1.5x",
                status=verdict(r is not None and r <= 1.5),
                samples=int(figures.get("runs", 1)),
            )
        )
        value = figures["index_analysis_s"]
        results.add(
            Row(
                id=f"cold_index_analysis.{size}",
                figure=f"cold index + first workspace analysis, {size} files",
                value=value,
                unit="s",
                baseline=parse_s[size],
                baseline_label="read + ast.parse of every .py file, this process",
                ratio=ratio(value, parse_s[size]),
                target="(info: until diagnostics are published)",
                samples=int(figures.get("runs", 1)),
            )
        )
    warm_ratio = ratio(warm["index_s"], index[largest]["index_s"])
    results.add(
        Row(
            id="warm_start",
            figure=f"warm start, {largest} files (facts cached on disk)",
            value=warm["index_s"],
            unit="s",
            baseline=index[largest]["index_s"],
            baseline_label="cold index (empty facts cache)",
            ratio=warm_ratio,
            target="< 0.1x cold",
            status=verdict(warm_ratio is not None and warm_ratio < 0.1),
        )
    )
    restarts = [
        ("warm_start_analysis", "", warm, "(info: until diagnostics are published)"),
        (
            "warm_start_changed_analysis",
            ", a page changed since",
            changed,
            "(info: its app analysed again, the others' findings kept)",
        ),
    ]
    for row_id, condition, figures, target in restarts:
        if figures is None:
            continue
        results.add(
            Row(
                id=row_id,
                figure=f"warm start + first workspace analysis{condition}, {largest} files",
                value=figures["index_analysis_s"],
                unit="s",
                baseline=index[largest]["index_analysis_s"],
                baseline_label="cold index + first analysis",
                ratio=ratio(figures["index_analysis_s"], index[largest]["index_analysis_s"]),
                target=target,
            )
        )
    r = ratio(check_s, index[largest]["index_s"])
    results.add(
        Row(
            id="check",
            figure=f"streamlit-lsp check, {largest} files (wall, new process)",
            value=check_s,
            unit="s",
            baseline=index[largest]["index_s"],
            baseline_label="cold index",
            ratio=r,
            target="<= 1.5x cold index",
            status="error" if check_error else verdict(r is not None and r <= 1.5),
            note=check_error,
            samples=check_runs,
        )
    )
    results.add(
        Row(
            id="check_again",
            figure=f"streamlit-lsp check again, nothing changed, {largest} files",
            value=check_again_s,
            unit="s",
            baseline=check_s,
            baseline_label="check",
            ratio=ratio(check_again_s, check_s),
            target="(info: facts and findings from the first check's cache)",
            status="info",
        )
    )

    # Memory.
    rss = index[largest].get("tree_rss_mb")
    jedi_rss = peer.memory.get("tree_rss_mb")
    r = ratio(rss, jedi_rss)
    ok = None if rss is None else rss < 150 and (jedi_rss is None or rss < jedi_rss)
    notes = [
        f"RSS of the server process and its children; peak (VmHWM) of the server "
        f"{index[largest].get('VmHWM_mb', 0):.0f} MB"
    ]
    results.add(
        Row(
            id="memory_rss",
            figure=f"server RSS after indexing {largest} files",
            value=rss,
            unit="MB",
            baseline=jedi_rss,
            baseline_label="jedi-language-server, same workspace, after a few completions",
            ratio=r,
            target="< 150 MB and < jedi",
            status="error" if rss is None else verdict(ok),
            note="; ".join(notes),
        )
    )
    for name, memory in (("memory", peer.memory), ("memory_interactive", peer.memory_interactive)):
        files = largest if name == "memory" else interactive
        value = memory.get("tree_rss_mb")
        results.add(
            Row(
                id=f"peer.jedi.{name}_rss",
                figure=f"jedi: RSS after completions, {files} files",
                value=value,
                unit="MB",
                target="(baseline)",
                status="info" if value is not None else ("skipped" if not mode.peers else "error"),
                note=(
                    f"{memory['processes']:.0f} processes; main process RSS "
                    f"{memory['VmRSS_mb']:.0f} MB, peak {memory['VmHWM_mb']:.0f} MB"
                    if "VmHWM_mb" in memory
                    else ""
                ),
            )
        )

    # Scaling: time and memory per doubling.
    previous: int | None = None
    for size in sorted(mode.sizes):
        figures = index[size]
        results.curve.append(
            {
                "files": size,
                "lines": manifests[size]["lines"],
                "parse_s": parse_s[size],
                "index_s": figures["index_s"],
                "index_analysis_s": figures["index_analysis_s"],
                "rss_mb": figures.get("VmRSS_mb"),
                "hwm_mb": figures.get("VmHWM_mb"),
            }
        )
        if previous is not None:
            factor = size / previous
            for name, key, unit in (
                ("index time", "index_s", "s"),
                ("index + analysis time", "index_analysis_s", "s"),
                ("RSS", "VmRSS_mb", "MB"),
            ):
                value, base = figures.get(key), index[previous].get(key)
                r = ratio(value, base)
                results.add(
                    Row(
                        id=f"scaling.{key}.{size}",
                        figure=f"scaling: {name}, {previous} -> {size} files",
                        value=value,
                        unit=unit,
                        baseline=base,
                        baseline_label=f"at {previous} files",
                        ratio=r,
                        target=f"<= {factor:g}x",
                        status=verdict(r is not None and r <= factor),
                    )
                )
        previous = size


# ---------------------------------------------------------------- output


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "ms":
        text = f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"
    elif unit == "s":
        text = f"{value:.3f}" if value < 1 else f"{value:.2f}"
    elif unit == "MB":
        text = f"{value:.0f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def render(results: Results) -> str:
    header = ("figure", "value", "n", "baseline", "ratio", "target", "result")
    rows = [header]
    for row in results.rows:
        rows.append(
            (
                row.figure,
                fmt(row.value, row.unit) if row.status != "not implemented" else "not implemented",
                "" if row.samples is None else str(row.samples),
                fmt(row.baseline, row.unit),
                "-" if row.ratio is None else f"{row.ratio:.2f}x",
                row.target,
                row.status.upper() if row.status in ("pass", "fail") else row.status,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    widths[0] = min(widths[0], 72)
    lines = []
    for number, row in enumerate(rows):
        cells = [row[0][: widths[0]].ljust(widths[0])]
        cells += [
            cell.rjust(widths[i]) if i in (1, 2, 3, 4) else cell.ljust(widths[i])
            for i, cell in enumerate(row)
            if i
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [f"  {note}" for note in results.notes]
    notes += [f"  {row.id}: {row.note}" for row in results.rows if row.note]
    if notes:
        lines += ["", "notes:", *notes]
    if results.curve:
        lines += [
            "",
            "scaling curve:",
            "  files    lines  parse s  index s  index+analysis s  RSS MB  peak MB",
        ]
        for point in results.curve:
            lines.append(
                f"  {point['files']:>5}  {point['lines']:>7,}  {point['parse_s']:>7.2f}  "
                f"{point['index_s']:>7.2f}  {point['index_analysis_s']:>16.2f}  "
                f"{point['rss_mb'] or 0:>6.0f}  {point['hwm_mb'] or 0:>7.0f}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="tiny workspaces, no peers (CI)")
    parser.add_argument(
        "--out", type=Path, default=HERE / "out", help="workspaces, venvs (default benchmarks/out)"
    )
    parser.add_argument("--json", type=Path, help="results file (default OUT/results.json)")
    parser.add_argument("--sizes", help="comma-separated workspace sizes in files")
    parser.add_argument("--no-peers", action="store_true", help="skip jedi-language-server")
    parser.add_argument("--jedi-spec", default=JEDI_SPEC, help=f"pip spec (default {JEDI_SPEC})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cold-repeats",
        type=int,
        help="cold indexes per size and checks, their medians reported (full 3, short 1)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run our server under cProfile, one .prof per workspace (inflates timings)",
    )
    arguments = parser.parse_args()
    arguments.out = arguments.out.resolve()
    json_path = arguments.json or arguments.out / "results.json"
    started = time.monotonic()
    results = asyncio.run(run(arguments))
    results.environment["duration_s"] = round(time.monotonic() - started, 1)
    print(render(results))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(
        json.dumps(
            {
                "environment": results.environment,
                "figures": [asdict(row) for row in results.rows],
                "notes": results.notes,
                "curve": results.curve,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"\nwrote {json_path} ({results.environment['duration_s']} s)")


if __name__ == "__main__":
    main()
