"""The stdio transport: the client's byte stream cut into JSON-RPC messages.

pygls' reader only knows a header line that is exactly ``Content-Length: N\\r\\n``. After
one malformed frame (a Content-Length that is not a number, or shorter than its body)
the bytes it did not consume are glued in front of the next header, which then never
matches: every later message is dropped and the editor hangs. Here a frame that cannot
be used is skipped with a log line and the reader finds the next header again.

pygls also swallows the ``SystemExit`` of the ``exit`` notification, so the process
always ended with 0; ``serve_stdio`` returns its code (0 after ``shutdown``, else 1).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcParseError
from pygls.io_ import StdoutWriter
from pygls.protocol import JsonRPCProtocol
from pygls.server import JsonRPCServer

logger = logging.getLogger(__name__)

HEADER_END = b"\r\n\r\n"
# The header anywhere in a line: garbage left over from a bad frame may precede it.
CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)
# Headers are a few dozen bytes; a longer run without an end is garbage, not a header.
MAX_HEADER_BYTES = 64 * 1024
CHUNK_BYTES = 64 * 1024


class Framer:
    """Splits a byte stream into message bodies (LSP base protocol framing)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._body_length: int | None = None

    def feed(self, data: bytes) -> list[bytes]:
        """The bodies completed by ``data``."""
        self._buffer += data
        bodies: list[bytes] = []
        while True:
            if self._body_length is None:
                if not self._read_header():
                    return bodies
            elif len(self._buffer) >= self._body_length:
                bodies.append(bytes(self._buffer[: self._body_length]))
                del self._buffer[: self._body_length]
                self._body_length = None
            else:
                return bodies

    def _read_header(self) -> bool:
        """Consume one header block; False when it is not complete yet."""
        end = self._buffer.find(HEADER_END)
        if end < 0:
            if len(self._buffer) > MAX_HEADER_BYTES:
                logger.warning("skipped %d bytes that are no message header", len(self._buffer))
                del self._buffer[: -len(HEADER_END)]  # keep what may start a header
            return False
        header = bytes(self._buffer[:end])
        del self._buffer[: end + len(HEADER_END)]
        self._body_length = content_length(header)
        if self._body_length is None:
            logger.warning("skipped a message header without a valid Content-Length: %r", header)
        return True


def content_length(header: bytes) -> int | None:
    """The last valid Content-Length of a header block, if any."""
    for match in reversed(list(CONTENT_LENGTH.finditer(header))):
        value = match.group(1).strip()
        if value.isdigit():
            return int(value)
    return None


def read_bodies(read: Callable[[], bytes], deliver: Callable[[bytes | None], bool]) -> None:
    """Blocking: cut what ``read`` returns into bodies, then ``None`` at the end of input.

    Stops as soon as ``deliver`` says nobody listens any more.
    """
    framer = Framer()
    try:
        while data := read():
            for body in framer.feed(data):
                if not deliver(body):
                    return
    except OSError as error:
        logger.info("stopped reading the client: %s", error)
    deliver(None)


def dispatch(protocol: JsonRPCProtocol, body: bytes) -> None:
    """Decode one body and hand it to the protocol. A body that is no message is
    skipped and answered as JSON-RPC says (its id unknown: null): -32700 when it is not
    JSON, -32600 when it is JSON but no request, notification or response."""
    try:
        message = json.loads(body, object_hook=protocol.structure_message)
    except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, nested too deep
        logger.warning("skipped a message that is not JSON: %s", error)
        _refuse(protocol, JsonRpcParseError("the message is not JSON"))
        return
    except JsonRpcException as error:  # a response or notification pygls cannot decode
        logger.warning("skipped a message that is not valid JSON-RPC: %s", error)
        return
    if not hasattr(message, "jsonrpc"):  # a JSON value, but no JSON-RPC message
        logger.warning("skipped a message that is not JSON-RPC: %.200r", message)
        _refuse(protocol, JsonRpcInvalidRequest("the message is not a JSON-RPC message"))
        return
    try:
        protocol.handle_message(message)
    except Exception:
        logger.exception("could not handle a message")


def _refuse(protocol: JsonRPCProtocol, error: JsonRpcException) -> None:
    # A plain dict: pygls' serialiser would drop the null id that JSON-RPC asks for.
    message = {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": error.code, "message": error.message},
    }
    protocol._send_data(message)


async def serve(protocol: JsonRPCProtocol, stdin_fd: int) -> None:
    """Handle the client's messages until its input ends (or ``exit`` raises SystemExit)."""
    loop = asyncio.get_running_loop()
    bodies: asyncio.Queue[bytes | None] = asyncio.Queue()

    def deliver(body: bytes | None) -> bool:
        try:
            loop.call_soon_threadsafe(bodies.put_nowait, body)
        except RuntimeError:  # the loop is closed: the server has exited
            return False
        return True

    # A daemon thread reading the descriptor itself: a thread blocked in a read must not
    # keep the process alive after ``exit``, and holds no lock of sys.stdin that the
    # interpreter would wait for when it shuts down.
    reader = threading.Thread(
        target=read_bodies,
        args=(lambda: os.read(stdin_fd, CHUNK_BYTES), deliver),
        name="streamlit-lsp stdin",
        daemon=True,
    )
    reader.start()
    while (body := await bodies.get()) is not None:
        dispatch(protocol, body)


def serve_stdio(server: JsonRPCServer, stdin: BinaryIO, stdout: Any) -> int:
    """Run the server on stdio; the process's exit code (LSP's, after ``exit``)."""
    server.protocol.set_writer(StdoutWriter(stdout))
    try:
        asyncio.run(serve(server.protocol, stdin.fileno()))
    except SystemExit as stop:  # the exit notification: 0 after shutdown, else 1
        return stop.code if isinstance(stop.code, int) else 1
    finally:
        # Not ``server.shutdown()``: it waits for the worker threads, and a type
        # inference a hover started (jedi cannot be interrupted) may run on for seconds
        # after the client asked us to exit.
        for name in ("_thread_pool", "extraction_thread"):
            workers = getattr(server, name, None)
            if workers is not None:
                workers.shutdown(wait=False, cancel_futures=True)
    return 0
