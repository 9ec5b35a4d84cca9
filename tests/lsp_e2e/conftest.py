"""A real LSP client (pytest-lsp) talking to ``python -m streamlit_lsp serve`` over stdio.

Every test runs twice: with VS Code's capabilities (UTF-16 positions, pushed
diagnostics) and with Neovim's (UTF-8 positions, pulled diagnostics).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

WORKSPACES = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces"
SERVER = [sys.executable, "-m", "streamlit_lsp", "serve"]


# A server command whose stderr goes to the file named by its first argument (fd 2 is
# redirected before anything runs, so a crash's traceback lands there too): tests read
# it, and a traceback there fails them.
STDERR_WRAPPER = (
    "import os, sys\n"
    "fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)\n"
    "os.dup2(fd, 2)\n"
    "from streamlit_lsp.cli import main\n"
    "sys.exit(main(['serve']))\n"
)


def recording_client(
    record: Callable[[LanguageClient, lsp.PublishDiagnosticsParams], None],
) -> LanguageClient:
    """pytest-lsp's client that also hands every publishDiagnostics to ``record`` (after
    keeping the latest per document, as pytest-lsp does) and accepts registrations."""
    client = LanguageClient(converter_factory=default_converter)

    def publish(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        record(client, params)

    def register(client: LanguageClient, params: lsp.RegistrationParams) -> None:
        return None

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            lsp.CLIENT_REGISTER_CAPABILITY: register,
        },
    )
    return client


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the negotiated position encoding (a lone surrogate, which
    fuzzed text may hold, counts as one unit)."""
    if encoding == lsp.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == lsp.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def probe_line_ends(client: LanguageClient, uri: str, count: int) -> Awaitable[Any]:
    """A request whose answer tells where the server thinks each of ``count`` lines
    ends: the ``# noqa`` quick fix for a diagnostic on a line goes at its end, so a
    probe diagnostic per line gets one fix per line (read them with ``line_fixes``)."""
    probes = [
        lsp.Diagnostic(
            range=lsp.Range(
                start=lsp.Position(line=number, character=0),
                end=lsp.Position(line=number, character=0),
            ),
            message="probe",
            code="ST999",
            source="streamlit-lsp",
        )
        for number in range(count)
    ]
    start = lsp.Position(line=0, character=0)
    return client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=start, end=start),
            context=lsp.CodeActionContext(diagnostics=probes),
        )
    )


def line_fixes(uri: str, actions: Any) -> dict[int, lsp.TextEdit]:
    """Line number -> the ``# noqa`` fix's edit, which starts where the server ends the
    line (client units), from the answer to ``probe_line_ends``."""
    fixes: dict[int, lsp.TextEdit] = {}
    for action in actions or []:
        assert isinstance(action, lsp.CodeAction) and action.edit and action.edit.changes
        (edit,) = action.edit.changes[uri]
        fixes[edit.range.start.line] = edit
    return fixes


async def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the server")
        await asyncio.sleep(0.05)


def completion_edit(
    result: lsp.CompletionList | list[lsp.CompletionItem] | None, item: lsp.CompletionItem
) -> lsp.TextEdit | None:
    """The edit accepting ``item`` makes, as a client applies it: the item's own text
    edit, else the list's default edit range (LSP 3.17) with the item's text."""
    if isinstance(item.text_edit, lsp.TextEdit):
        return item.text_edit
    defaults = result.item_defaults if isinstance(result, lsp.CompletionList) else None
    edit_range = defaults.edit_range if defaults is not None else None
    if isinstance(edit_range, lsp.Range):
        return lsp.TextEdit(range=edit_range, new_text=item.text_edit_text or item.label)
    return None


def indexed(client: LanguageClient) -> bool:
    return any(
        isinstance(report, lsp.WorkDoneProgressEnd)
        for reports in client.progress_reports.values()
        for report in reports
    )


@pytest_lsp.fixture(
    params=["visual-studio-code", "neovim"],
    config=ClientServerConfig(server_command=SERVER),
)
async def client(request, lsp_client: LanguageClient, tmp_path: Path):
    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    lsp_client.workspace_path = workspace  # type: ignore[attr-defined]
    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def _register(params: lsp.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    result = await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=from_fs_path(str(workspace)),
            workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(workspace)), name="shop")],
        )
    )
    lsp_client.server_capabilities = result.capabilities  # type: ignore[attr-defined]
    lsp_client.encoding = result.capabilities.position_encoding or lsp.PositionEncodingKind.Utf16  # type: ignore[attr-defined]
    await wait_until(lambda: indexed(lsp_client))
    yield
    await lsp_client.shutdown_session()
