"""The language server end to end, through a real client, as an editor user sees it."""

from __future__ import annotations

import asyncio
import gc
import shutil
import sys
import threading
from pathlib import Path

import pytest
from inprocess import connected_client
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import SERVER, WORKSPACES, completion_edit, recording_client, units, wait_until
from streamlit_lsp.analysis.facts import FileFacts
from streamlit_lsp.analysis.facts_cache import FactsCache
from streamlit_lsp.analysis.incremental import BufferExtraction, ExtractionReport
from streamlit_lsp.analysis.index import text_digest
from streamlit_lsp.lsp.server import StreamlitLanguageServer


def ws(client: LanguageClient) -> Path:
    return client.workspace_path  # type: ignore[attr-defined]


def uri(client: LanguageClient, relative: str) -> str:
    return from_fs_path(str(ws(client) / relative)) or ""


def open_doc(client: LanguageClient, relative: str, text: str | None = None) -> str:
    path = ws(client) / relative
    if text is None:
        text = path.read_text(encoding="utf-8")
    document_uri = uri(client, relative)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=document_uri, language_id="python", version=1, text=text
            )
        )
    )
    return document_uri


def open_doc_at(client: LanguageClient, path: Path, text: str) -> str:
    document_uri = from_fs_path(str(path)) or ""
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=document_uri, language_id="python", version=1, text=text
            )
        )
    )
    return document_uri


def replace_all(client: LanguageClient, document_uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=document_uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics(client: LanguageClient, document_uri: str) -> list[lsp.Diagnostic]:
    """What the editor shows for a file, pulled or pushed as the client negotiated."""
    if (
        client.capabilities.text_document
        and client.capabilities.text_document.diagnostic is not None
    ):
        report = await client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=document_uri))
        )
        return list(report.items)
    return list(client.diagnostics.get(document_uri, []))


async def codes_eventually(
    client: LanguageClient, document_uri: str, expected: set[str]
) -> list[lsp.Diagnostic]:
    found: list[lsp.Diagnostic] = []

    async def check() -> bool:
        nonlocal found
        found = await diagnostics(client, document_uri)
        return {f"{d.code}:{d.range.start.line}" for d in found} == expected

    deadline = 40
    for _ in range(deadline * 10):
        if await check():
            return found
        await _sleep()
    raise AssertionError(
        f"expected {expected}, got {[(d.code, d.range.start.line, d.message) for d in found]}"
    )


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.1)


def position(client: LanguageClient, relative: str, line: int, before: str) -> lsp.Position:
    """The client position right after ``before`` on a 0-based line of a workspace file."""
    text = (ws(client) / relative).read_text(encoding="utf-8").splitlines()[line]
    column = text.index(before) + len(before)
    return lsp.Position(line=line, character=units(text[:column], client.encoding))  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ tests


async def test_capabilities_and_encoding(client: LanguageClient):
    capabilities = client.server_capabilities  # type: ignore[attr-defined]
    assert capabilities is not None
    assert set(capabilities.completion_provider.trigger_characters) == {".", '"', "'", "["}
    assert client.encoding in (lsp.PositionEncodingKind.Utf16, lsp.PositionEncodingKind.Utf8)  # type: ignore[attr-defined]


async def test_diagnostics_of_open_and_closed_files(client: LanguageClient):
    app = open_doc(client, "app.py")
    found = await codes_eventually(client, app, {"ST001:10"})
    assert "total" in found[0].message
    assert found[0].source == "streamlit-lsp"
    assert found[0].code_description is not None
    docs = Path(found[0].code_description.href.removeprefix("file://")).read_text(encoding="utf-8")
    assert docs.startswith("# ST001 uninitialized-key")
    assert found[0].data["key"] == "total"
    page = open_doc(client, "pages/1_Profile.py")
    await codes_eventually(client, page, {"ST001:7"})


async def test_fixing_the_init_in_a_helper_clears_the_page(client: LanguageClient):
    page = open_doc(client, "pages/1_Profile.py")
    await codes_eventually(client, page, {"ST001:7"})
    state = open_doc(client, "state.py")
    fixed = (ws(client) / "state.py").read_text(
        encoding="utf-8"
    ) + '    st.session_state.setdefault("carts", [])\n'
    replace_all(client, state, fixed, 2)
    await codes_eventually(client, page, set())


async def test_files_not_open_show_their_problems_under_every_client(client: LanguageClient):
    # A push client gets them pushed; a client that pulls only open documents (Neovim
    # 0.11) gets them pushed too, until it pulls the workspace (VS Code does).
    page = uri(client, "pages/1_Profile.py")
    await wait_until(lambda: bool(client.diagnostics.get(page)))
    assert [(d.code, d.range.start.line) for d in client.diagnostics[page]] == [("ST001", 7)]
    if client.capabilities.text_document and client.capabilities.text_document.diagnostic:
        # Opened, the file is pulled: the pushed copy is withdrawn (no duplicates).
        open_doc(client, "pages/1_Profile.py")
        await wait_until(lambda: not client.diagnostics.get(page))
        await codes_eventually(client, page, {"ST001:7"})
        # Pulling the workspace takes over the files not open as well.
        report = await client.workspace_diagnostic_async(
            lsp.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        assert any(item.uri == page for item in report.items)
        await wait_until(lambda: not any(client.diagnostics.values()))


async def test_diagnostics_stay_while_the_user_types_invalid_code(client: LanguageClient):
    app = open_doc(client, "app.py")
    await codes_eventually(client, app, {"ST001:10"})
    text = (ws(client) / "app.py").read_text(encoding="utf-8")
    replace_all(client, app, text + "st.session_state[\n", 2)
    found = await codes_eventually(client, app, {"ST001:10", "ST000:11"})
    assert any(d.code == "ST000" for d in found)


async def test_edits_of_a_constant_and_of_the_lines_above_reach_its_reads(client: LanguageClient):
    """The server extracts a buffer's next version by statement: a read elsewhere in
    the file follows the constant it names, and its position the lines added above."""
    lines = [
        "import streamlit as st",
        "",
        "from state import init_state",
        "",
        'KEY = "first_key"',
        "init_state()",
        "st.write(st.session_state[KEY])",
        "",
    ]
    app = open_doc(client, "app.py", "\n".join(lines))
    found = await codes_eventually(client, app, {"ST001:6"})
    assert "first_key" in found[0].message
    lines[4] = 'KEY = "second_key"'
    replace_all(client, app, "\n".join(lines), 2)
    for _ in range(400):  # the same code and line: wait for the message to change
        found = await diagnostics(client, app)
        if found and "second_key" in found[0].message:
            break
        await _sleep()
    assert [(d.code, d.range.start.line) for d in found] == [("ST001", 6)]
    assert "second_key" in found[0].message
    lines.insert(2, "# a comment")
    replace_all(client, app, "\n".join(lines), 3)
    found = await codes_eventually(client, app, {"ST001:7"})
    assert "second_key" in found[0].message


async def test_attribute_completion_after_emoji(client: LanguageClient):
    text = (ws(client) / "app.py").read_text(encoding="utf-8")
    line = 'st.write("🛍️ café"); st.session_state.'
    document = open_doc(client, "app.py", text + line + "\n")
    line_number = len(text.splitlines())
    cursor = lsp.Position(line=line_number, character=units(line, client.encoding))  # type: ignore[attr-defined]
    result = await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=document), position=cursor
        )
    )
    assert result is not None
    items = {item.label: item for item in result.items}
    assert {"cart", "user_name", "discount"} <= set(items)
    assert items["cart"].detail == "list = [] · state.py:7"
    assert items["user_name"].detail.startswith("st.text_input · pages/1_Profile.py:6")
    assert completion_edit(result, items["cart"]).range.start == cursor
    list_capabilities = client.capabilities.text_document.completion.completion_list  # type: ignore[union-attr]
    if list_capabilities is not None and "editRange" in (list_capabilities.item_defaults or ()):
        # The range is sent once for the list, not with each of up to a hundred items.
        assert result.item_defaults is not None
        assert items["cart"].text_edit is None
    else:
        assert result.item_defaults is None
        assert items["cart"].text_edit is not None


async def _complete_after(
    client: LanguageClient, text: str, typed: str, ready: str
) -> lsp.CompletionList:
    """Completion at the end of ``typed`` (a new last line), once the answer offers the
    key ``ready``: completion answers from facts a few keystrokes old, by design."""
    document = open_doc(client, "app.py", text + typed + "\n")
    cursor = lsp.Position(line=len(text.splitlines()), character=units(typed, client.encoding))  # type: ignore[attr-defined]
    for _ in range(200):
        result = await client.text_document_completion_async(
            lsp.CompletionParams(
                text_document=lsp.TextDocumentIdentifier(uri=document), position=cursor
            )
        )
        assert isinstance(result, lsp.CompletionList)
        if any(item.label == ready for item in result.items):
            return result
        await _sleep()
    raise AssertionError(f"{ready} never offered")


async def test_a_long_key_list_is_capped_and_narrows_as_the_user_types(client: LanguageClient):
    text = (ws(client) / "app.py").read_text(encoding="utf-8")
    text += "".join(f'st.session_state.setdefault("bulk_{n:03}", {n})\n' for n in range(150))
    everything = await _complete_after(client, text, "st.session_state.", "bulk_000")
    assert everything.is_incomplete and len(everything.items) == 100
    narrowed = await _complete_after(client, text, "st.session_state.bulk_14", "bulk_140")
    assert not narrowed.is_incomplete
    assert sorted(item.label for item in narrowed.items) == [f"bulk_14{n}" for n in range(10)]


async def test_completion_documentation_is_resolved_for_the_chosen_item(client: LanguageClient):
    text = (ws(client) / "app.py").read_text(encoding="utf-8")
    result = await _complete_after(client, text, "st.session_state.ca", "cart")
    item = next(item for item in result.items if item.label == "cart")
    assert item.documentation is None  # sent only when the editor shows the item
    resolved = await client.completion_item_resolve_async(item)
    assert resolved.documentation is not None
    assert "**`cart`**" in resolved.documentation.value  # type: ignore[union-attr]
    assert "Initial value: `list = []`" in resolved.documentation.value  # type: ignore[union-attr]


async def test_string_completion_inside_brackets_and_get(client: LanguageClient):
    text = (ws(client) / "app.py").read_text(encoding="utf-8")
    for typed in ('ss["us', "ss.get('us"):
        document = open_doc(client, "app.py", text + typed + "\n")
        line_number = len(text.splitlines())
        cursor = lsp.Position(line=line_number, character=units(typed, client.encoding))  # type: ignore[attr-defined]
        result = await client.text_document_completion_async(
            lsp.CompletionParams(
                text_document=lsp.TextDocumentIdentifier(uri=document), position=cursor
            )
        )
        assert result is not None
        item = next(item for item in result.items if item.label == "user_name")
        edit = completion_edit(result, item)
        assert edit.new_text == "user_name"
        assert edit.range.start.character == cursor.character - 2


async def test_definition_jumps_to_the_initialisation_across_files(client: LanguageClient):
    open_doc(client, "app.py")
    result = await client.text_document_definition_async(
        lsp.DefinitionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(client, "app.py")),
            position=position(client, "app.py", 6, "st.session_state.ca"),
        )
    )
    assert result, "no definition"
    assert result[0].uri == uri(client, "state.py")
    assert result[0].range.start.line == 6


async def test_references_and_rename(client: LanguageClient):
    open_doc(client, "app.py")
    where = position(client, "app.py", 9, "ss['user")
    references = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(client, "app.py")),
            position=where,
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert {(r.uri.rsplit("/", 1)[-1], r.range.start.line) for r in references} == {
        ("app.py", 8),
        ("app.py", 9),
        ("state.py", 7),
        ("1_Profile.py", 5),
    }
    edit = await client.text_document_rename_async(
        lsp.RenameParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(client, "app.py")),
            position=where,
            new_name="display name",
        )
    )
    assert edit is not None and edit.changes
    renamed = apply(ws(client), edit, client.encoding)  # type: ignore[attr-defined]
    assert (
        "ss['display name']" in renamed["app.py"] and 'ss.get("display name")' in renamed["app.py"]
    )
    assert 'setdefault("display name", "")' in renamed["state.py"]
    assert 'key="display name"' in renamed["pages/1_Profile.py"]


async def test_rename_of_a_key_held_by_a_constant_changes_the_constant_value(
    client: LanguageClient,
):
    open_doc(client, "pages/1_Profile.py")
    edit = await client.text_document_rename_async(
        lsp.RenameParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(client, "pages/1_Profile.py")),
            position=position(client, "pages/1_Profile.py", 6, "session_state.disc"),
            new_name="rebate",
        )
    )
    renamed = apply(ws(client), edit, client.encoding)  # type: ignore[attr-defined]
    # The constant's value changes, its name and its uses stay.
    assert renamed["keys.py"] == 'DISCOUNT = "rebate"\n'
    assert "st.session_state.rebate" in renamed["pages/1_Profile.py"]
    assert "state.py" not in renamed  # setdefault(DISCOUNT, ...) needs no edit


async def test_rename_to_an_existing_key_is_refused(client: LanguageClient):
    open_doc(client, "app.py")
    with pytest.raises(JsonRpcException) as refusal:
        await client.text_document_rename_async(
            lsp.RenameParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri(client, "app.py")),
                position=position(client, "app.py", 6, "st.session_state.ca"),
                new_name="user_name",
            )
        )
    assert "already" in str(refusal.value)


async def test_hover_on_a_widget_key(client: LanguageClient):
    open_doc(client, "app.py")
    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(client, "app.py")),
            position=position(client, "app.py", 8, 'ss.get("user'),
        )
    )
    assert hover is not None
    assert "st.text_input" in hover.contents.value
    assert "state.py:8" in hover.contents.value


async def test_document_and_workspace_symbols(client: LanguageClient):
    open_doc(client, "app.py")
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(client, "app.py"))
        )
    )
    assert [symbol.name for symbol in symbols] == ["cart", "user_name", "total"]
    found = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="disc"))
    assert [symbol.name for symbol in found] == ["discount"]


async def test_quick_fixes_for_a_misspelled_key(client: LanguageClient):
    page = open_doc(client, "pages/1_Profile.py")
    found = await codes_eventually(client, page, {"ST001:7"})
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=page),
            range=found[0].range,
            context=lsp.CodeActionContext(diagnostics=found),
        )
    )
    titles = [action.title for action in actions]
    assert "Did you mean 'cart'?" in titles
    fix = next(action for action in actions if action.title == "Did you mean 'cart'?")
    fixed = apply(ws(client), fix.edit, client.encoding)["pages/1_Profile.py"]  # type: ignore[attr-defined]
    assert "st.session_state.cart)" in fixed
    noqa = next(action for action in actions if "noqa" in action.title)
    assert "# noqa: ST001" in apply(ws(client), noqa.edit, client.encoding)["pages/1_Profile.py"]  # type: ignore[attr-defined]


async def test_the_init_quick_fix_uses_the_value_the_app_writes(client: LanguageClient):
    text = (
        "import streamlit as st\n"
        "\n"
        "st.metric('Clicks', st.session_state.clicks)\n"
        "st.session_state.clicks = 0\n"
    )
    (ws(client) / "counter.py").write_text(text, encoding="utf-8")
    document = open_doc(client, "counter.py")
    found = await codes_eventually(client, document, {"ST002:2"})
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=document),
            range=found[0].range,
            context=lsp.CodeActionContext(diagnostics=found),
        )
    )
    init = next(action for action in actions if action.title.startswith("Initialise"))
    assert init.title == "Initialise 'clicks' to 0 at the top of the entry script"
    fixed = apply(ws(client), init.edit, client.encoding)["counter.py"]  # type: ignore[attr-defined]
    # Before the read, with the value the app writes: later code sees the same 0.
    assert fixed.splitlines()[1] == "st.session_state.setdefault('clicks', 0)"


async def test_requests_for_unknown_documents_and_positions(client: LanguageClient):
    outside = "file:///nowhere/else.py"
    assert (
        await client.text_document_hover_async(
            lsp.HoverParams(
                text_document=lsp.TextDocumentIdentifier(uri=outside),
                position=lsp.Position(line=0, character=0),
            )
        )
        is None
    )
    open_doc(client, "app.py")
    past_end = lsp.Position(line=999, character=999)
    assert (
        await client.text_document_definition_async(
            lsp.DefinitionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri(client, "app.py")),
                position=past_end,
            )
        )
        is None
    )
    completion = await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(client, "app.py")), position=past_end
        )
    )
    assert completion is None or completion.items == []


def code_points(line: str, client_units: int, encoding: str) -> int:
    """The string index of a client column on ``line``."""
    for index in range(len(line) + 1):
        if units(line[:index], encoding) >= client_units:
            return index
    return len(line)


def apply(root: Path, edit: lsp.WorkspaceEdit, encoding: str) -> dict[str, str]:
    """Apply a WorkspaceEdit to the files on disk (read-only: returns the new texts)."""
    results = {}
    for document_uri, edits in (edit.changes or {}).items():
        path = Path(document_uri.removeprefix("file://"))
        lines = path.read_text(encoding="utf-8").split("\n")
        for change in sorted(
            edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
        ):
            start, end = change.range.start, change.range.end
            head = lines[start.line][: code_points(lines[start.line], start.character, encoding)]
            tail = lines[end.line][code_points(lines[end.line], end.character, encoding) :]
            lines[start.line : end.line + 1] = (head + change.new_text + tail).split("\n")
        results[path.relative_to(root).as_posix()] = "\n".join(lines)
    return results


async def test_session_state_map_request(client: LanguageClient):
    result = await client.protocol.send_request_async("streamlit-lsp/stateMap", {})
    by_key = {entry["key"]: entry for entry in result}
    assert by_key["user_name"]["widget"] == "text_input"
    assert by_key["user_name"]["pages"]["1_Profile.py"]["widget"] == ["pages/1_Profile.py:6"]
    assert by_key["cart"]["pages"]["app.py"]["init"] == ["state.py:7"]


async def test_quick_fix_drops_a_conflicting_default(client: LanguageClient):
    text = (
        "import streamlit as st\n\n"
        'st.session_state.setdefault("volume", 30)\n'
        'st.slider("🔊 Volume", 0, 100, value=50, key="volume")\n'
    )
    document = open_doc(client, "volume.py", text)
    found = await codes_eventually(client, document, {"ST004:3"})
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=document),
            range=found[0].range,
            context=lsp.CodeActionContext(diagnostics=found),
        )
    )
    fix = next(action for action in actions if action.title.startswith("Drop the widget's default"))
    (ws(client) / "volume.py").write_text(text, encoding="utf-8")
    fixed = apply(ws(client), fix.edit, client.encoding)["volume.py"]  # type: ignore[attr-defined]
    assert 'st.slider("🔊 Volume", 0, 100, key="volume")' in fixed
    replace_all(client, document, fixed, 2)
    await codes_eventually(client, document, set())


async def test_workspace_diagnostics_list_every_file_with_problems(client: LanguageClient):
    report = await client.workspace_diagnostic_async(
        lsp.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    by_file = {item.uri.rsplit("/", 1)[-1]: [d.code for d in item.items] for item in report.items}
    assert by_file == {"app.py": ["ST001"], "1_Profile.py": ["ST001"]}


async def test_workspace_diagnostics_clear_a_file_fixed_elsewhere_or_deleted(
    client: LanguageClient,
):
    """A client keeps a file's problems until a workspace report names the file again
    (VS Code does): a page fixed by an edit of another file, and an app deleted, are
    named with no problems in the next report, and left out after that."""

    async def report() -> dict[str, list[str]]:
        found = await client.workspace_diagnostic_async(
            lsp.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        return {item.uri.rsplit("/", 1)[-1]: [d.code for d in item.items] for item in found.items}

    assert await report() == {"app.py": ["ST001"], "1_Profile.py": ["ST001"]}
    state = open_doc(client, "state.py")
    fixed = (ws(client) / "state.py").read_text(
        encoding="utf-8"
    ) + '    st.session_state.setdefault("carts", [])\n'
    replace_all(client, state, fixed, 2)
    for _ in range(400):
        found = await report()
        if found.get("1_Profile.py") == []:
            break
        await _sleep()
    assert found == {"app.py": ["ST001"], "1_Profile.py": []}
    (ws(client) / "app.py").unlink()
    report_on_disk(client, "app.py", lsp.FileChangeType.Deleted)
    for _ in range(400):
        found = await report()
        if found.get("app.py") == []:
            break
        await _sleep()
    assert found == {"app.py": []}
    assert await report() == {}


async def test_files_changed_on_disk_are_picked_up(client: LanguageClient):
    page = ws(client) / "pages" / "1_Profile.py"
    page_uri = uri(client, "pages/1_Profile.py")
    open_doc(client, "app.py")
    (ws(client) / "state.py").write_text(
        (ws(client) / "state.py").read_text(encoding="utf-8")
        + '    st.session_state.setdefault("carts", [])\n',
        encoding="utf-8",
    )
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=uri(client, "state.py"), type=lsp.FileChangeType.Changed)]
        )
    )
    assert page.exists()
    await codes_eventually(client, page_uri, set())


def report_on_disk(client: LanguageClient, relative: str, change: lsp.FileChangeType) -> None:
    """What the editor's file watcher says of a file created, changed or deleted."""
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=uri(client, relative), type=change)]
        )
    )


@pytest.mark.parametrize("opened", [False, True], ids=["closed", "open"])
async def test_a_page_created_or_deleted_on_disk_joins_or_leaves_its_app(
    client: LanguageClient, opened: bool
):
    """A page written to the app's pages/ folder runs in the app: it initialises the
    ``total`` the entry script reads, so the read is no longer of a key nothing
    initialises (ST001) but of one read before the page runs (ST002). Deleted, the page
    leaves the app. The
    server learns of both from the watcher's report alone, also while the page is open
    in the editor (a new file saved from the editor is open when it is reported)."""
    app_uri = open_doc(client, "app.py")
    await codes_eventually(client, app_uri, {"ST001:10"})
    relative = "pages/2_Totals.py"
    text = "import streamlit as st\n\nst.session_state.total = 0\n"
    if opened:
        open_doc(client, relative, text)
    (ws(client) / relative).write_text(text, encoding="utf-8")
    report_on_disk(client, relative, lsp.FileChangeType.Created)
    await codes_eventually(client, app_uri, {"ST002:10"})
    (ws(client) / relative).unlink()
    report_on_disk(client, relative, lsp.FileChangeType.Deleted)
    await codes_eventually(client, app_uri, {"ST001:10"})


async def test_a_pages_folder_removed_whole_takes_its_pages_out_of_the_app(
    client: LanguageClient,
):
    """A pages/ folder removed whole (a checkout, a move) may be reported as the folder
    alone: its pages leave the app, and their diagnostics go with the files."""
    app_uri = open_doc(client, "app.py")
    page_uri = uri(client, "pages/1_Profile.py")
    await codes_eventually(client, page_uri, {"ST001:7"})
    (ws(client) / "pages" / "2_Totals.py").write_text(
        "import streamlit as st\n\nst.session_state.total = 0\n", encoding="utf-8"
    )
    report_on_disk(client, "pages/2_Totals.py", lsp.FileChangeType.Created)
    await codes_eventually(client, app_uri, {"ST002:10"})
    shutil.rmtree(ws(client) / "pages")
    report_on_disk(client, "pages", lsp.FileChangeType.Deleted)
    await codes_eventually(client, app_uri, {"ST001:10"})
    await codes_eventually(client, page_uri, set())


def client_capabilities_allow_watching(client: LanguageClient) -> bool:
    workspace = client.capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    return bool(watched is not None and watched.dynamic_registration)


def app_importing_totals(client: LanguageClient, package: str) -> str:
    """The shop's app with the ``total`` it reads initialised by a module of
    ``package`` (``init_totals()``, line 7): the read is line 12."""
    lines = (ws(client) / "app.py").read_text(encoding="utf-8").split("\n")
    lines.insert(3, f"from {package}.totals import init_totals")
    lines.insert(7, "init_totals()")
    return "\n".join(lines)


TOTALS = "import streamlit as st\n\n\ndef init_totals():\n    st.session_state.total = 0\n"


async def test_a_folder_made_moved_or_removed_whole_is_followed(client: LanguageClient):
    """A folder that appears or goes away whole (a checkout, a move, a rename) may be
    reported as the folder alone. The modules in it are then found where they are:
    the app's read of ``total`` is initialised by a module of the folder while the
    folder is there, and is of a key nothing initialises once it moved away."""
    app_uri = open_doc(client, "app.py", app_importing_totals(client, "lib"))
    await codes_eventually(client, app_uri, {"ST001:12"})  # no lib/ yet
    (ws(client) / "lib").mkdir()
    (ws(client) / "lib" / "totals.py").write_text(TOTALS, encoding="utf-8")
    report_on_disk(client, "lib", lsp.FileChangeType.Created)
    await codes_eventually(client, app_uri, set())
    shutil.move(ws(client) / "lib", ws(client) / "lib2")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[
                lsp.FileEvent(uri=uri(client, "lib"), type=lsp.FileChangeType.Deleted),
                lsp.FileEvent(uri=uri(client, "lib2"), type=lsp.FileChangeType.Created),
            ]
        )
    )
    await codes_eventually(client, app_uri, {"ST001:12"})
    # The folder's files are indexed where they are now: the workspace's keys.
    found = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="total"))
    assert [(symbol.name, symbol.location.uri) for symbol in found] == [
        ("total", uri(client, "lib2/totals.py"))
    ]


async def test_the_watchers_cover_python_files_configuration_and_folders(
    client: LanguageClient,
):
    """What the server asks the editor to watch: every creation and deletion (a folder
    made or removed whole may be reported alone), changes of Python files, and the
    configuration."""
    dynamic = client_capabilities_allow_watching(client)
    registrations = [
        registration
        for registration in client.registrations  # type: ignore[attr-defined]
        if registration.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
    ]
    if not dynamic:
        assert registrations == []
        return
    (registration,) = registrations
    options = registration.register_options
    watchers = options["watchers"] if isinstance(options, dict) else options.watchers
    seen = {
        (watcher["globPattern"], watcher.get("kind"))
        if isinstance(watcher, dict)
        else (watcher.glob_pattern, watcher.kind)
        for watcher in watchers
    }
    assert seen == {
        ("**/*", int(lsp.WatchKind.Create | lsp.WatchKind.Delete)),
        ("**/*.py", int(lsp.WatchKind.Change)),
        ("**/pyproject.toml", None),
    }


async def test_many_files_reported_at_once_are_indexed_as_a_batch(client: LanguageClient):
    """A checkout or a pull reports many files in one notification: they are indexed as
    a batch (more than ``RELOADED_AT_ONCE``), one gone again before it is read among
    them."""
    changes = []
    for number in range(12):
        relative = f"batch_{number}.py"
        text = f"import streamlit as st\n\nst.session_state.batch_key_{number} = 1\n"
        (ws(client) / relative).write_text(text, encoding="utf-8")
        changes.append(lsp.FileEvent(uri=uri(client, relative), type=lsp.FileChangeType.Created))
    changes.append(lsp.FileEvent(uri=uri(client, "gone.py"), type=lsp.FileChangeType.Created))
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=changes))
    expected = {f"batch_key_{number}" for number in range(12)}
    names: set[str] = set()
    for _ in range(400):
        found = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="batch_key"))
        names = {symbol.name for symbol in found or []}
        if names == expected:
            break
        await _sleep()
    assert names == expected


async def test_files_written_into_a_virtualenv_are_not_indexed(client: LanguageClient):
    """Installing packages into a virtualenv inside the workspace makes the watcher
    report their files: they are not the user's code, as the workspace's own walk
    skips them. A file of the workspace reported with them is indexed."""
    venv = ws(client) / "env311"
    package = venv / "lib" / "python3.11" / "site-packages" / "vendored"
    package.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    vendored = "import streamlit as st\n\nst.session_state.vendored_key = 1\n"
    (package / "app.py").write_text(vendored, encoding="utf-8")
    own = "import streamlit as st\n\nst.session_state.own_key = 1\n"
    (ws(client) / "own.py").write_text(own, encoding="utf-8")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[
                lsp.FileEvent(uri=uri(client, "env311"), type=lsp.FileChangeType.Created),
                lsp.FileEvent(
                    uri=from_fs_path(str(package / "app.py")) or "",
                    type=lsp.FileChangeType.Created,
                ),
                lsp.FileEvent(uri=uri(client, "own.py"), type=lsp.FileChangeType.Created),
            ]
        )
    )

    # The events are handled in order: once the workspace's file is indexed, the
    # virtualenv's would be too.
    names: set[str] = set()
    for _ in range(400):
        found = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="_key"))
        names = {symbol.name for symbol in found or []}
        if "own_key" in names:
            break
        await _sleep()
    assert names == {"own_key"}


async def test_hover_infers_the_type_of_a_computed_initial_value(client: LanguageClient):
    text = (
        "import streamlit as st\n\n\n"
        "def load_history() -> list[str]:\n"
        '    return ["🌍 hello"]\n\n\n'
        "st.session_state.history = load_history()\n"
        "st.write(st.session_state.history)\n"
    )
    document = open_doc(client, "history.py", text)
    where = lsp.Position(line=8, character=units("st.write(st.session_state.hist", client.encoding))  # type: ignore[attr-defined]
    shown = ""
    # jedi answers within the hover's time limit once it has warmed up: ask until it has.
    for _ in range(100):
        hover = await client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=document), position=where)
        )
        shown = hover.contents.value if hover is not None else ""
        if "(inferred)" in shown:
            break
        await _sleep()
    assert "`list (inferred)`" in shown


async def test_a_key_that_is_not_an_identifier_completes_as_a_subscript(client: LanguageClient):
    text = 'import streamlit as st\n\nst.session_state["my key"] = 1\nst.session_state.\n'
    document = open_doc(client, "spaces.py", text)
    cursor = lsp.Position(line=3, character=len("st.session_state."))
    result = None
    for _ in range(50):  # the new file's facts are extracted after the edit burst
        result = await client.text_document_completion_async(
            lsp.CompletionParams(
                text_document=lsp.TextDocumentIdentifier(uri=document), position=cursor
            )
        )
        if result is not None and any(item.label == "my key" for item in result.items):
            break
        await _sleep()
    item = next(item for item in result.items if item.label == "my key")
    edit = completion_edit(result, item)
    assert edit.new_text == "['my key']"
    assert edit.range.start == lsp.Position(line=3, character=len("st.session_state"))


async def test_pyproject_changes_are_picked_up(client: LanguageClient):
    app = open_doc(client, "app.py")
    await codes_eventually(client, app, {"ST001:10"})
    (ws(client) / "pyproject.toml").write_text(
        '[tool.streamlit-lsp]\nignore = ["ST001"]\n', encoding="utf-8"
    )
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[
                lsp.FileEvent(uri=uri(client, "pyproject.toml"), type=lsp.FileChangeType.Created)
            ]
        )
    )
    await codes_eventually(client, app, set())


async def test_edits_to_a_file_whose_name_needs_escaping(client: LanguageClient):
    name = "pages/2_📊 Stats.py"
    broken = "import streamlit as st\n\nst.write(st.session_state.stats)\n"
    (ws(client) / name).write_text(broken, encoding="utf-8")
    document = open_doc(client, name, broken)
    await codes_eventually(client, document, {"ST001:2"})
    fixed = 'import streamlit as st\n\nst.session_state.setdefault("stats", {})\nst.write(st.session_state.stats)\n'
    replace_all(client, document, fixed, 2)
    await codes_eventually(client, document, set())


def _child_processes(pid: int) -> list[str]:
    found: list[str] = []
    if not Path(f"/proc/{pid}/task/{pid}/children").exists():
        pytest.skip("this kernel does not list a task's children in /proc")
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.extend((task / "children").read_text().split())
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_the_workers_started_with_the_server_are_gone_after_the_first_index(
    client: LanguageClient,
):
    """The server starts extraction workers with itself, for the workspace's first index;
    the small workspace here does not need them, and they must not linger after it (nor
    the helper process multiprocessing starts beside them). They are stopped on a thread
    as the index ends: the index does not wait for them to exit."""
    pid = client._server.pid  # type: ignore[attr-defined]
    # The fixture waited for the end of indexing.
    await wait_until(lambda: _child_processes(pid) == [], timeout=20)


async def initialize_in_process(client: LanguageClient, workspace: Path, preset: str) -> None:
    """Start an in-process session (``connected_client``) on ``workspace`` as ``preset``."""
    client.feature(lsp.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    uri = from_fs_path(str(workspace)) or ""
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities(preset),
            root_uri=uri,
            workspace_folders=[lsp.WorkspaceFolder(uri=uri, name=workspace.name)],
        )
    )


@pytest.mark.parametrize("refused", [False, True], ids=["taken", "refused"])
async def test_discovery_relies_on_the_watcher_once_the_client_took_its_registration(
    tmp_path: Path, refused: bool
):
    """A client that took the file watchers' registration reports every file created
    and deleted: discovery then stops looking at each app's pages/ folder on every
    edit. One that refused it (an error answer) does not, and the folders are looked
    at still."""
    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    try:
        async with connected_client() as client:

            def register(params: lsp.RegistrationParams) -> None:
                if refused:
                    raise RuntimeError("this client watches no files")

            client.feature(lsp.CLIENT_REGISTER_CAPABILITY)(register)
            await _initialize_on(client, workspace)
            await wait_until(lambda: bool(client.diagnostics))
            index = client.server.engine.index  # type: ignore[attr-defined]
            assert index.creations_reported is not refused
    finally:
        gc.unfreeze()  # (the server in this process froze its first analysis)


async def test_the_first_analysis_is_kept_out_of_the_collectors_scans(tmp_path: Path):
    """After the first whole-workspace analysis, what it keeps (the apps' walks) is out of
    the garbage collector's scans: a full collection on 2,000 files paused the server
    0.13-0.15 s, on keystrokes."""
    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    try:
        async with connected_client() as client:
            await initialize_in_process(client, workspace, "visual-studio-code")
            await wait_until(lambda: bool(client.diagnostics))
            server = client.server  # type: ignore[attr-defined]
            await wait_until(lambda: server._analysis_frozen)
            model = server.engine._model
            assert gc.is_tracked(model)
            scanned = (item for generation in (0, 1, 2) for item in gc.get_objects(generation))
            assert not any(item is model for item in scanned)
    finally:
        gc.unfreeze()  # this test process's own objects are scanned again


async def test_a_restart_takes_the_findings_of_unchanged_apps_from_the_last_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analysed_apps: list[Path]
):
    """The first analysis after a start walks every app; the next start of the server
    on the same files shows the same diagnostics without walking any of them."""
    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    monkeypatch.setenv("STREAMLIT_LSP_CACHE_DIR", str(tmp_path / "cache"))
    analysed = analysed_apps

    async def session() -> dict[str, list[lsp.Diagnostic]]:
        async with connected_client() as client:
            await initialize_in_process(client, workspace, "neovim")
            server = client.server  # type: ignore[attr-defined]
            await wait_until(lambda: server._analysis_frozen)  # published, and kept
            return dict(client.diagnostics)

    try:
        first = await session()
        assert analysed == [workspace / "app.py"] and any(first.values())
        analysed.clear()
        second = await session()
        assert analysed == []
        assert second == first
    finally:
        gc.unfreeze()  # the servers in this process froze their first analyses


def streamlit_digests(workspace: Path) -> set[str]:
    """The digests of the workspace's files that mention Streamlit (the start-up index
    extracts them all)."""
    texts = (path.read_text(encoding="utf-8") for path in workspace.rglob("*.py"))
    return {text_digest(text) for text in texts if "streamlit" in text}


async def test_the_start_up_index_stores_its_cache_entries_once_the_analysis_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The user waits for the first diagnostics; the facts cache is for the next start.
    The entries of the files the start-up index extracted are stored after the first
    analysis is published, all of them, with no shutdown needed."""
    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    monkeypatch.setenv("STREAMLIT_LSP_CACHE_DIR", str(tmp_path / "cache"))
    events: list[str] = []
    publish_all, write_deferred = StreamlitLanguageServer.publish_all, FactsCache.write_deferred

    def published(self: StreamlitLanguageServer) -> None:
        events.append("published")
        publish_all(self)

    def written(self: FactsCache, seconds: float | None = None) -> bool:
        events.append("stored")
        return write_deferred(self, seconds)

    monkeypatch.setattr(StreamlitLanguageServer, "publish_all", published)
    monkeypatch.setattr(FactsCache, "write_deferred", written)
    try:
        async with connected_client() as client:
            await initialize_in_process(client, workspace, "visual-studio-code")
            server = client.server  # type: ignore[attr-defined]
            await wait_until(lambda: "stored" in events and not server.engine.index.cache.deferred)
            assert events.index("published") < events.index("stored")
            later = FactsCache(tmp_path / "cache")  # another process's view of the folder
            digests = streamlit_digests(workspace)
            assert digests and all(later.get_stored(digest) for digest in digests)
    finally:
        gc.unfreeze()  # the server in this process froze its first analysis


async def test_cache_entries_still_to_store_at_shutdown_are_stored_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A server asked to shut down before it had a moment for its deferred cache
    entries stores them as it shuts down."""
    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    monkeypatch.setenv("STREAMLIT_LSP_CACHE_DIR", str(tmp_path / "cache"))

    async def never(self: StreamlitLanguageServer) -> None:
        return None  # no idle moment: everything is left for the shutdown

    monkeypatch.setattr(StreamlitLanguageServer, "_write_deferred_cache", never)
    digests = streamlit_digests(workspace)
    later = FactsCache(tmp_path / "cache")
    try:
        async with connected_client() as client:
            await initialize_in_process(client, workspace, "visual-studio-code")
            server = client.server  # type: ignore[attr-defined]
            await wait_until(lambda: server._analysis_frozen)
            assert server.engine.index.cache.deferred >= len(digests) > 0
            assert not any(later.get_stored(digest) for digest in digests)
        # (The session ended with a shutdown request.)
        assert all(later.get_stored(digest) for digest in digests)
    finally:
        gc.unfreeze()  # the server in this process froze its first analysis


async def test_results_are_let_go_after_edits_are_published(tmp_path: Path):
    """A server builds a model per burst of edits and must not keep every result it
    ever computed: the results no model asked for lately are let go every few models.
    The server does it after an edit's diagnostics are out (it looks at every kept
    result: 34 ms on 2,000 files), so nothing a model builds does it any more; so it
    lets go of the snapshots replaced."""
    from streamlit_lsp.analysis.model import SWEEP_EVERY

    workspace = tmp_path / "shop"
    shutil.copytree(WORKSPACES / "shop", workspace)
    try:
        async with connected_client() as client:
            await initialize_in_process(client, workspace, "neovim")
            await wait_until(lambda: bool(client.diagnostics))
            server = client.server  # type: ignore[attr-defined]
            page = workspace / "app.py"
            document = from_fs_path(str(page)) or ""
            text = page.read_text(encoding="utf-8")
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    text_document=lsp.TextDocumentItem(
                        uri=document, language_id="python", version=1, text=text
                    )
                )
            )
            ages = []
            for number in range(SWEEP_EVERY + 2):
                before = server.engine._model._age
                edited = text + f'st.session_state["edit_{number}"] = 1\n'
                replace_all(client, document, edited, number + 2)
                # Each edit analysed and published (a new model) before the next.
                await wait_until(
                    lambda before=before: (
                        server.engine._model._age > before
                        and server._refreshing is not None
                        and server._refreshing.done()
                    )
                )
                ages.append(server.engine._model._line.age)
                # The snapshots replaced on the way are let go once it is published too
                # (not while the user waits for the diagnostics).
                assert server.engine._retired == []
            assert ages[0] == 0 and ages[-1] >= SWEEP_EVERY
    finally:
        gc.unfreeze()  # the server in this process froze its first analysis


async def test_a_completion_is_answered_while_a_large_page_is_analysed(tmp_path: Path):
    """An edited buffer is extracted on a thread of its own, and its app walked a run at
    a time: a completion asked for while a large page is analysed after an edit is
    answered at once, before that page's new diagnostics, not after them. (The edit
    changes the page's first and last lines: all of it is extracted again, and a key
    written at the top changes the state of every line below, so no part of the last
    walk is taken: most of a second. An edit of the last line alone now takes less
    than the wait below.)"""
    workspace, text = _page_workspace(tmp_path, 5_000)
    events: list[str] = []

    def record(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
        if any("never_set" in item.message for item in params.diagnostics):
            events.append("diagnostics")

    config = ClientServerConfig(
        server_command=SERVER, client_factory=lambda: recording_client(record)
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    try:
        document = await _open_large_page(client, workspace, text)
        first, rest = text.split("\n", 1)
        edited = f'{first}\nst.session_state["early"] = 1\n{rest}'
        replace_all(client, document, edited + 'late = st.session_state["never_set"]\n', 2)
        await asyncio.sleep(0.2)  # the edit's analysis is under way
        answer = await client.text_document_completion_async(
            lsp.CompletionParams(
                text_document=lsp.TextDocumentIdentifier(uri=document),
                position=lsp.Position(line=3, character=len("total = st.session_state.")),
            )
        )
        events.append("completion")
        assert isinstance(answer, lsp.CompletionList)
        assert "count" in {item.label for item in answer.items}
        await wait_until(lambda: "diagnostics" in events, timeout=120)
        assert events == ["completion", "diagnostics"]
    finally:
        await asyncio.wait_for(client.shutdown_session(), 30)
        await asyncio.wait_for(client.stop(), 10)


async def _initialize_on(client: LanguageClient, workspace: Path) -> None:
    """A session on ``workspace``, with VS Code's capabilities."""
    root = from_fs_path(str(workspace)) or ""
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root,
            workspace_folders=[lsp.WorkspaceFolder(uri=root, name=workspace.name)],
        )
    )


def _buffer_updates(
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[str, str, ExtractionReport]]:
    """Every version a buffer's extraction takes from now on: (thread, text, report)."""
    updates: list[tuple[str, str, ExtractionReport]] = []
    original = BufferExtraction.update

    def recording(self: BufferExtraction, source: str) -> FileFacts:
        facts = original(self, source)
        updates.append((threading.current_thread().name, source, self.report))
        return facts

    monkeypatch.setattr(BufferExtraction, "update", recording)
    return updates


async def _diagnostics_naming(client: LanguageClient, document: str, key: str) -> bool:
    """Whether the document's diagnostics come to name ``key`` (waited for)."""
    for _ in range(300):
        if any(key in item.message for item in await diagnostics(client, document)):
            return True
        await _sleep()
    return False


async def _open_large_page(client: LanguageClient, workspace: Path, text: str) -> str:
    """Initialise a session on ``workspace`` (VS Code's capabilities), open its
    ``app.py`` with ``text`` and wait for its first diagnostics; its URI."""
    await _initialize_on(client, workspace)
    document = from_fs_path(str(workspace / "app.py")) or ""
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=document, language_id="python", version=1, text=text
            )
        )
    )
    await wait_until(lambda: document in client.diagnostics, timeout=120)
    return document


def _page_workspace(tmp_path: Path, lines: int) -> tuple[Path, str]:
    """A workspace of one ``app.py`` of about ``lines`` lines (``_large_page``)."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    text = _large_page(lines)
    (workspace / "app.py").write_text(text, encoding="utf-8")
    return workspace, text


def _large_page(lines: int) -> str:
    return (
        "\n".join(
            [
                "import streamlit as st",
                'st.session_state.setdefault("count", 0)',
                "total = st.session_state.count",
                *(
                    f'value_{n} = st.session_state.get("count", {n}) + st.slider("s{n}", key="s{n}")'
                    for n in range(lines)
                ),
            ]
        )
        + "\n"
    )


async def test_a_request_during_the_extraction_of_an_edit_waits_for_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A request that needs the edited buffer's facts (document symbols) while the edit
    is being extracted on the server's extraction thread gets the new facts, by waiting
    for that extraction: the buffer is not extracted a second time beside it."""
    workspace, text = _page_workspace(tmp_path, 5_000)  # extracted in about 0.7 s
    updates = _buffer_updates(monkeypatch)
    # A line at the top that only a whole extraction takes (not one by statement).
    edited = "from __future__ import annotations\n" + text
    edited += 'mark = st.session_state["marker_key"]\n'
    try:
        async with connected_client() as client:
            client.feature(lsp.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
            document = await _open_large_page(client, workspace, text)
            await asyncio.sleep(0.3)  # quiet: the edit is analysed at once (no debounce)
            replace_all(client, document, edited, 2)
            await asyncio.sleep(0.35)  # the extraction thread is on it
            symbols = await client.text_document_document_symbol_async(
                lsp.DocumentSymbolParams(text_document=lsp.TextDocumentIdentifier(uri=document))
            )
            assert "marker_key" in {symbol.name for symbol in symbols or []}
            extracted = [thread for thread, source, _ in updates if "marker_key" in source]
            assert len(extracted) == 1 and extracted[0].startswith("streamlit-lsp-extract")
    finally:
        gc.unfreeze()  # the server in this process froze its first analysis


async def test_a_large_buffer_opened_is_ready_to_be_extracted_by_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Opened as it is on disk, a large page is extracted in the background: its first
    edit is then taken by statement, not by a whole extraction on the first keystroke."""
    workspace, text = _page_workspace(tmp_path, 1_000)
    updates = _buffer_updates(monkeypatch)
    try:
        async with connected_client() as client:
            client.feature(lsp.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
            await _initialize_on(client, workspace)
            server = client.server  # type: ignore[attr-defined]
            # Polled: the event belongs to the server's loop (another thread), and an
            # await from this loop is not woken by its ``set`` (the run hung, under load).
            await wait_until(
                lambda: server.indexing_done is not None and server.indexing_done.is_set()
            )
            document = open_doc_at(client, workspace / "app.py", text)
            await wait_until(lambda: len(updates) == 1)  # the one made when it opened
            assert not updates[0][2].by_statement
            replace_all(client, document, text + 'mark = st.session_state["never_set"]\n', 2)
            assert await _diagnostics_naming(client, document, "never_set")
            reports = [report for _, _, report in updates]
            assert [report.by_statement for report in reports] == [False, True]
            assert reports[1].extracted == 1
            # A buffer this large is extracted off the event loop, edits included.
            assert all(thread.startswith("streamlit-lsp-extract") for thread, _, _ in updates)
    finally:
        gc.unfreeze()  # the server in this process froze its first analysis


async def test_a_small_buffer_is_extracted_on_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A small page's edit is extracted where it is analysed, without the hop to the
    extraction thread and back (about a millisecond, more than the extraction of the
    edit), and by statement all the same."""
    workspace, text = _page_workspace(tmp_path, 60)
    updates = _buffer_updates(monkeypatch)
    try:
        async with connected_client() as client:
            client.feature(lsp.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
            document = await _open_large_page(client, workspace, text)
            for version, key in enumerate(["first_key", "second_key"], start=2):
                await asyncio.sleep(0.3)  # quiet: the edit is analysed at once
                edited = text + f'mark = st.session_state["{key}"]\n'
                replace_all(client, document, edited, version)
                assert await _diagnostics_naming(client, document, key)
            edits = [(thread, report) for thread, source, report in updates if "_key" in source]
            assert [report.by_statement for _, report in edits] == [True, True]
            assert not [thread for thread, _ in edits if thread.startswith("streamlit-lsp")]
    finally:
        gc.unfreeze()  # the server in this process froze its first analysis
