"""The server's wiring that needs no client: the JSON results sent as they are, and
the resolved paths kept by URI."""

from __future__ import annotations

import json
from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from streamlit_lsp.lsp.server import StreamlitLanguageServer
from streamlit_lsp.lsp.wire import WireJson, make_converter


def test_a_wire_result_is_sent_as_it_is() -> None:
    converter = make_converter()
    result = WireJson(isIncomplete=False, items=[{"label": "count", "kind": 6}])
    sent = converter.unstructure(lsp.CompletionResponse(id=7, result=result))
    assert sent["result"] is result
    assert json.loads(json.dumps(sent)) == {
        "id": 7,
        "jsonrpc": "2.0",
        "result": {"isIncomplete": False, "items": [{"label": "count", "kind": 6}]},
    }
    # And the client reads it as the protocol's own type.
    structured = converter.structure(sent["result"], lsp.CompletionList)
    assert structured.items[0].kind == lsp.CompletionItemKind.Variable


def test_lsprotocol_results_are_unchanged() -> None:
    converter = make_converter()
    item = lsp.CompletionItem(label="count", sort_text="0count")
    assert converter.unstructure(item) == {"label": "count", "sortText": "0count"}


def test_resolved_paths_are_forgotten_when_files_change(tmp_path: Path) -> None:
    first = tmp_path / "first.py"
    second = tmp_path / "second.py"
    first.write_text("", encoding="utf-8")
    second.write_text("", encoding="utf-8")
    link = tmp_path / "app.py"
    link.symlink_to(first)
    server = StreamlitLanguageServer()
    uri = from_fs_path(str(link))
    assert uri is not None
    assert server.path_of(uri) == first.resolve()
    link.unlink()
    link.symlink_to(second)
    assert server.path_of(uri) == first.resolve()  # kept until files are said to change
    server.forget_resolved()
    assert server.path_of(uri) == second.resolve()
    assert server.path_of("untitled:Untitled-1") is None


def test_completion_is_prepared_for_open_documents_after_an_analysis(tmp_path: Path) -> None:
    """What the first completion in a new analysis needs is built before it is asked."""
    from streamlit_lsp.lsp import completion
    from streamlit_lsp.lsp.engine import Engine

    app = tmp_path / "app.py"
    app.write_text(
        "import streamlit as st\n"
        "st.session_state.setdefault('count', 0)\n"
        "st.text_input('Name', key='name')\n"
        "st.write(st.session_state.count)\n",
        encoding="utf-8",
    )
    server = StreamlitLanguageServer()
    completion.register(server)
    engine = server.engine = Engine([tmp_path])
    engine.index_file(app)
    snapshot = engine.snapshot()
    for prepare in server.answer_preparers:
        prepare(server, snapshot, app.resolve())
    ranked = snapshot.completion_ranked[(app.resolve(), "attribute", "")]
    assert ranked == ["count", "name"]
    assert snapshot.completion_ranked[(app.resolve(), "string", "")] == ranked
    item = snapshot.completion_items[("count", tmp_path.resolve(), True)]
    assert item["label"] == "count" and item["sortText"] == "0count"
    assert item["kind"] == lsp.CompletionItemKind.Variable.value
