"""The server's wiring that needs no client: the JSON results sent as they are, the
resolved paths kept by URI, and work on the event loop yielding to it by time slice."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from streamlit_lsp.lsp import server
from streamlit_lsp.lsp.server import StreamlitLanguageServer, TimeSlices
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


def test_whether_a_file_can_be_indexed_is_kept_until_files_change(tmp_path: Path) -> None:
    """Every keystroke asks whether the buffer's file can be indexed (not in a symlink
    loop): resolving it is a system call per folder, so the answer is kept as resolved
    paths are."""
    page = tmp_path / "page.py"
    page.write_text("", encoding="utf-8")
    server = StreamlitLanguageServer()
    assert server.indexable(page)
    page.unlink()
    page.symlink_to(page)  # a loop now
    assert server.indexable(page)  # kept until files are said to change
    server.forget_resolved()
    assert not server.indexable(page)


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


def test_work_in_steps_yields_to_the_loop_once_a_slice_has_run(monkeypatch) -> None:
    """Steps of work yield to the event loop only once a slice has run: short work runs
    straight through (a turn of the loop per step was most of a small edit's walks),
    long work still lets a request in every slice."""
    clock = [0.0]
    monkeypatch.setattr(server.time, "monotonic", lambda: clock[0])

    async def steps(durations: list[float]) -> list[str]:
        order: list[str] = []

        async def other() -> None:  # a request that arrived meanwhile
            order.append("other")

        slices = TimeSlices()
        waiting = asyncio.ensure_future(other())
        for number, duration in enumerate(durations):
            clock[0] += duration
            order.append(f"step {number}")
            await slices.pause()
        await waiting
        return order

    slice_ = server.SLICE_SECONDS
    short = asyncio.run(steps([slice_ / 10] * 5))
    assert short == ["step 0", "step 1", "step 2", "step 3", "step 4", "other"]
    long = asyncio.run(steps([slice_ * 0.6, slice_ * 0.6, slice_ * 3, slice_ * 0.1]))
    assert long == ["step 0", "step 1", "other", "step 2", "step 3"]
