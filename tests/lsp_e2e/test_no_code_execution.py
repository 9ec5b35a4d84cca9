"""The analysis reads code and never runs it: not while indexing, hovering, completing or checking."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import WORKSPACES, indexed, wait_until

MARKER = Path(
    os.environ.setdefault("STREAMLIT_LSP_MARKER", str(Path(os.getcwd()) / ".trap-marker"))
)
SERVER = [sys.executable, "-m", "streamlit_lsp", "serve"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def trapped(lsp_client: LanguageClient, tmp_path: Path):
    shutil.copytree(WORKSPACES / "trap", tmp_path / "trap")
    lsp_client.root = tmp_path / "trap"  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=from_fs_path(str(tmp_path / "trap")),
        )
    )
    await wait_until(lambda: indexed(lsp_client))
    yield
    await lsp_client.shutdown_session()


async def test_index_hover_completion_and_check_never_import_workspace_code(
    trapped: LanguageClient,
):
    client = trapped
    MARKER.unlink(missing_ok=True)
    root: Path = client.root  # type: ignore[attr-defined]
    app = from_fs_path(str(root / "app.py"))
    text = (root / "app.py").read_text(encoding="utf-8")
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=app, language_id="python", version=1, text=text + "st.session_state.\n"
            )
        )
    )
    for _ in range(3):  # hover asks jedi for the type of evil.make_settings()
        await client.text_document_hover_async(
            lsp.HoverParams(
                text_document=lsp.TextDocumentIdentifier(uri=app),
                position=lsp.Position(line=5, character=30),
            )
        )
    await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=app),
            position=lsp.Position(line=6, character=17),
        )
    )
    completed = subprocess.run(
        [sys.executable, "-m", "streamlit_lsp", "check", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode in (0, 1), completed.stderr
    assert not MARKER.exists(), "workspace code was executed"
