"""Settings: initializationOptions, workspace/configuration and its changes, inlay hints."""

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
async def configured(lsp_client: LanguageClient, tmp_path: Path):
    """VS Code-like client started with initializationOptions and answering configuration."""
    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    lsp_client.workspace_path = workspace  # type: ignore[attr-defined]
    lsp_client.set_configuration({"inlayHints": True, "ignore": ["ST001"]}, section="streamlitLsp")
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=from_fs_path(str(workspace)),
            workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(workspace)), name="shop")],
            initialization_options={"streamlitLsp": {"select": ["ST00"], "inlayHints": "yes"}},
        )
    )
    await wait_until(lambda: indexed(lsp_client))
    yield
    await lsp_client.shutdown_session()


def _uri(client: LanguageClient, relative: str) -> str:
    return from_fs_path(str(client.workspace_path / relative)) or ""  # type: ignore[attr-defined]


async def test_settings_from_configuration_override_and_are_validated(configured: LanguageClient):
    client = configured
    app = _uri(client, "app.py")
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=app,
                language_id="python",
                version=1,
                text=(client.workspace_path / "app.py").read_text(encoding="utf-8"),  # type: ignore[attr-defined]
            )
        )
    )
    # ST001 is ignored by the workspace configuration: the file's only problem disappears.
    await wait_until(lambda: app in client.diagnostics and not client.diagnostics[app])
    # The bad initializationOptions value was reported once, in the log.
    assert any("inlayHints" in message.message for message in client.log_messages)

    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=lsp.TextDocumentIdentifier(uri=app),
            range=lsp.Range(
                start=lsp.Position(line=0, character=0), end=lsp.Position(line=20, character=0)
            ),
        )
    )
    assert [(hint.position.line, hint.label) for hint in hints] == [(6, ": list"), (9, ": str")]

    # Changing the settings: ST001 comes back.
    client.set_configuration({"inlayHints": False}, section="streamlitLsp")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await wait_until(lambda: [d.code for d in client.diagnostics.get(app, [])] == ["ST001"])


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def folderless(lsp_client: LanguageClient, tmp_path: Path):
    """An editor that opens a single file: no root, no workspace folder."""
    lsp_client.workspace_path = tmp_path  # type: ignore[attr-defined]

    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def _register(params: lsp.RegistrationParams) -> None:
        pass  # the watched-files registration: nothing to watch here

    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"streamlitLsp": {"ignore": ["ST009"]}},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_settings_apply_to_a_file_opened_without_a_workspace(folderless: LanguageClient):
    client = folderless
    app = _uri(client, "app.py")
    text = (
        "import streamlit as st\n"
        "st.session_state.never_read = 1\n"  # ST009, ignored by the settings
        "st.write(st.session_state.missing)\n"  # ST001, still reported
    )
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=app, language_id="python", version=1, text=text)
        )
    )
    await wait_until(lambda: bool(client.diagnostics.get(app)))
    assert [d.code for d in client.diagnostics[app]] == ["ST001"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def just_started(lsp_client: LanguageClient, tmp_path: Path):
    """A client that asks before the start-up indexing can have finished."""
    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    lsp_client.workspace_path = workspace  # type: ignore[attr-defined]

    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def _register(params: lsp.RegistrationParams) -> None:
        pass

    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=from_fs_path(str(workspace)),
            workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(workspace)), name="shop")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_workspace_wide_answers_wait_for_the_start_up_index(just_started: LanguageClient):
    client = just_started
    app = _uri(client, "app.py")
    where = lsp.Position(line=6, character=50)  # st.session_state.cart, read in app.py
    references = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=lsp.TextDocumentIdentifier(uri=app),
            position=where,
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    # Every file, including state.py where the key is initialised.
    assert references is not None
    assert {r.uri.rsplit("/", 1)[-1] for r in references} >= {"app.py", "state.py"}
    edit = await client.text_document_rename_async(
        lsp.RenameParams(
            text_document=lsp.TextDocumentIdentifier(uri=app), position=where, new_name="basket"
        )
    )
    assert edit is not None and edit.changes is not None
    assert {uri.rsplit("/", 1)[-1] for uri in edit.changes} >= {"app.py", "state.py"}
