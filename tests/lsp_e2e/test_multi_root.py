"""Two workspace folders, two apps: each is analysed, and keys do not leak between them."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import WORKSPACES, indexed, wait_until

SERVER = [sys.executable, "-m", "streamlit_lsp", "serve"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def two_roots(lsp_client: LanguageClient, tmp_path: Path):
    folders = []
    for name in ("shop", "garden"):
        shutil.copytree(WORKSPACES / name, tmp_path / name)
        folders.append(lsp.WorkspaceFolder(uri=from_fs_path(str(tmp_path / name)), name=name))
    lsp_client.root = tmp_path  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), workspace_folders=folders
        )
    )
    await wait_until(lambda: indexed(lsp_client))
    yield
    await lsp_client.shutdown_session()


async def test_each_root_is_analysed_and_keys_stay_in_their_app(two_roots: LanguageClient):
    client = two_roots
    root: Path = client.root  # type: ignore[attr-defined]
    garden = from_fs_path(str(root / "garden" / "garden.py"))
    shop = from_fs_path(str(root / "shop" / "app.py"))
    await wait_until(lambda: garden in client.diagnostics and shop in client.diagnostics)
    assert ["water" in d.message for d in client.diagnostics[garden]] == [True]
    assert ["total" in d.message for d in client.diagnostics[shop]] == [True]

    text = (root / "garden" / "garden.py").read_text(encoding="utf-8") + "st.session_state.\n"
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=garden, language_id="python", version=1, text=text
            )
        )
    )
    result = await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=garden),
            position=lsp.Position(line=4, character=len("st.session_state.")),
        )
    )
    labels = {item.label for item in result.items}
    assert "plants" in labels and "water" in labels
    assert "cart" not in labels  # the shop's key, another app


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def one_root(lsp_client: LanguageClient, tmp_path: Path):
    for name in ("shop", "garden"):
        shutil.copytree(WORKSPACES / name, tmp_path / name)
    lsp_client.root = tmp_path  # type: ignore[attr-defined]
    shop = lsp.WorkspaceFolder(uri=from_fs_path(str(tmp_path / "shop")), name="shop")
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), workspace_folders=[shop]
        )
    )
    await wait_until(lambda: indexed(lsp_client))
    yield
    await lsp_client.shutdown_session()


async def test_folders_added_and_removed_while_running(one_root: LanguageClient):
    client = one_root
    root: Path = client.root  # type: ignore[attr-defined]
    garden_uri = from_fs_path(str(root / "garden"))
    shop_uri = from_fs_path(str(root / "shop"))
    garden = from_fs_path(str(root / "garden" / "garden.py"))
    shop = from_fs_path(str(root / "shop" / "app.py"))
    await wait_until(lambda: bool(client.diagnostics.get(shop)))
    assert garden not in client.diagnostics

    client.workspace_did_change_workspace_folders(
        lsp.DidChangeWorkspaceFoldersParams(
            event=lsp.WorkspaceFoldersChangeEvent(
                added=[lsp.WorkspaceFolder(uri=garden_uri, name="garden")], removed=[]
            )
        )
    )
    await wait_until(lambda: bool(client.diagnostics.get(garden)))
    assert ["water" in d.message for d in client.diagnostics[garden]] == [True]

    client.workspace_did_change_workspace_folders(
        lsp.DidChangeWorkspaceFoldersParams(
            event=lsp.WorkspaceFoldersChangeEvent(
                added=[], removed=[lsp.WorkspaceFolder(uri=shop_uri, name="shop")]
            )
        )
    )
    # The shop is no longer open: its problems leave the Problems panel.
    await wait_until(lambda: shop in client.diagnostics and not client.diagnostics[shop])
    assert client.diagnostics[garden]
