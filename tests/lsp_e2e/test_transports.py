"""``serve --tcp`` and ``serve --ws``: the same server on 127.0.0.1, speaking JSON-RPC."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(tmp_path: Path, *arguments: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit_lsp", "serve", *arguments],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )


def initialize(root: Path) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}},
    }


def connect(port: int, deadline: float = 20.0) -> socket.socket:
    end = time.monotonic() + deadline
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def read_message(connection: socket.socket) -> dict[str, object]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(4096)
    header, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in header.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    while len(body) < length:
        body += connection.recv(4096)
    return json.loads(body[:length])


def test_tcp_server_answers_on_loopback(tmp_path: Path):
    port = free_port()
    server = start(tmp_path, "--tcp", "--port", str(port))
    try:
        with connect(port) as connection:
            body = json.dumps(initialize(tmp_path)).encode()
            connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            reply = read_message(connection)
            assert reply["id"] == 1
            assert reply["result"]["serverInfo"]["name"] == "streamlit-lsp"  # type: ignore[index]
            assert server.poll() is None
    finally:
        server.kill()
        server.wait(timeout=10)


def test_websocket_server_answers_on_loopback(tmp_path: Path):
    websockets = pytest.importorskip("websockets")
    port = free_port()
    server = start(tmp_path, "--ws", "--port", str(port))

    async def exchange() -> dict[str, object]:
        end = time.monotonic() + 20
        while True:
            try:
                async with websockets.connect(f"ws://127.0.0.1:{port}") as socket_client:
                    await socket_client.send(json.dumps(initialize(tmp_path)))
                    return json.loads(await asyncio.wait_for(socket_client.recv(), 20))
            except OSError:
                if time.monotonic() > end:
                    raise
                await asyncio.sleep(0.1)

    try:
        reply = asyncio.run(exchange())
        assert reply["result"]["serverInfo"]["name"] == "streamlit-lsp"  # type: ignore[index]
    finally:
        server.kill()
        server.wait(timeout=10)


def test_network_transports_bind_to_loopback_by_default():
    from streamlit_lsp.cli import _parser

    arguments = _parser().parse_args(["serve", "--tcp"])
    assert arguments.host == "127.0.0.1"
