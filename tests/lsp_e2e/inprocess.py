"""The real server in a thread of the test process, spoken to over two OS pipes.

In-process so that many short sessions (one per fixture app) do not pay an interpreter
start-up and cattrs' generation of (un)structuring code for the protocol types each
(about a second of CPU a session): both sides reuse one converter each, built by pygls'
own ``default_converter``. Everything from the JSON-RPC framing up is the real server
(``create_server()``), and the server object is at hand (``client.server``) for tests
that look at what it keeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
from collections.abc import AsyncIterator

import cattrs
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import make_test_lsp_client


@functools.cache
def _converter(side: str) -> cattrs.Converter:
    return default_converter()


@contextlib.asynccontextmanager
async def connected_client() -> AsyncIterator[LanguageClient]:
    """pytest-lsp's client and a fresh server (``create_server()``) in a thread of this
    process, talking JSON-RPC over two OS pipes as over stdio.

    Should the server lose the client anyway, its "client gone" exit (``os._exit``)
    would end the test run, so here it raises instead.
    """
    from pygls.io_ import run_async

    from streamlit_lsp.lsp import server as server_module

    client_to_server, server_to_client = os.pipe(), os.pipe()
    server = server_module.create_server()
    server.protocol._converter = _converter("server")
    # Buffered: pygls reads a message's body with one ``read(n)``, which a raw pipe
    # answers short when the body is larger than the pipe holds (64 KB).
    server_stdin = os.fdopen(client_to_server[0], "rb")
    server_stdout = os.fdopen(server_to_client[1], "wb", buffering=0)
    thread = threading.Thread(
        target=server.start_io, args=(server_stdin, server_stdout), daemon=True
    )
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    read_transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(server_to_client[0], "rb")
    )
    write_transport, write_protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, os.fdopen(client_to_server[1], "wb")
    )
    writer = asyncio.StreamWriter(write_transport, write_protocol, None, loop)
    client = make_test_lsp_client()
    client.server = server  # type: ignore[attr-defined]
    client.protocol._converter = _converter("client")
    client.protocol.set_writer(writer)
    connection = asyncio.ensure_future(
        run_async(
            stop_event=client._stop_event,
            reader=reader,
            protocol=client.protocol,
            logger=logging.getLogger(__name__),
            error_handler=client.report_server_error,
        )
    )

    def client_gone() -> None:
        raise AssertionError("the server lost its client")

    original_client_gone = server_module.client_gone
    server_module.client_gone = client_gone
    thread.start()
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 10)
        write_transport.close()  # end of input: the server's reader stops
        await asyncio.to_thread(thread.join, 10)
        assert not thread.is_alive(), "the server did not stop"
        server.extraction_thread.shutdown(wait=True)  # as ``serve_stdio`` does
        client._stop_event.set()
        connection.cancel()
        with contextlib.suppress(BaseException):
            await connection
        read_transport.close()
        server_stdin.close()
        server_stdout.close()
        server_module.client_gone = original_client_gone
