"""Extraction by top-level statement (``incremental.BufferExtraction``): edit after
edit, the facts equal those of a whole extraction of the same text, while most of the
file's statements are not extracted again.

The fixture page (``fixtures/incremental/page.py``) has statements that read what
others define: a constant, a key collection used above its definition, a navigation
object, an alias, a lambda callback (whose name holds its position), two statements
on one line, a decorated function.
"""

from __future__ import annotations

import logging
import random
import re
from pathlib import Path

import pytest

from generated import generate
from labelled import OWN_FIXTURES, shared_fixtures
from random_edits import random_edit
from streamlit_lsp.analysis import incremental
from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts import AccessKind, LiteralKey
from streamlit_lsp.analysis.incremental import BufferExtraction, ExtractionReport, RecentBuffers
from streamlit_lsp.analysis.index import prepare_buffer

PAGE = OWN_FIXTURES / "incremental" / "page.py"


def _page() -> list[str]:
    return PAGE.read_text(encoding="utf-8").split("\n")


def _line_of(lines: list[str], start: str) -> int:
    return next(number for number, line in enumerate(lines) if line.startswith(start))


def _same_as_whole(extraction: BufferExtraction, text: str) -> ExtractionReport:
    assert extraction.update(text) == extract(text, being_typed=True)
    return extraction.report


def _opened(lines: list[str]) -> BufferExtraction:
    extraction = BufferExtraction()
    _same_as_whole(extraction, "\n".join(lines))
    assert not extraction.report.by_statement
    return extraction


def test_an_edit_inside_one_statement_extracts_that_statement_only() -> None:
    lines = _page()
    extraction = _opened(lines)
    at = _line_of(lines, "st.write(ss[COUNT]")
    lines[at] = 'st.write(ss[COUNT], ss[IMPORTED_KEY], ss["typed"])'
    report = _same_as_whole(extraction, "\n".join(lines))
    assert report.by_statement
    assert report.extracted == 1
    assert report.reused > 10


def test_a_changed_constant_takes_the_statements_that_name_it_along() -> None:
    lines = _page()
    extraction = _opened(lines)
    lines[_line_of(lines, "COUNT = ")] = 'COUNT = "total"'
    text = "\n".join(lines)
    report = _same_as_whole(extraction, text)
    assert report.by_statement
    # The constant, and bump, panel (its lambda) and the write that read it.
    assert report.extracted == 4
    bump = extraction.update(text).function("bump")
    assert bump is not None
    keys = [node.key for node in bump.body if getattr(node, "kind", None) is AccessKind.AUGMENT]
    assert keys == [LiteralKey("total")]


def test_a_line_added_moves_every_later_fact_and_the_names_made_from_positions() -> None:
    lines = _page()
    extraction = _opened(lines)
    # Every statement below moves; only the key collection DEFAULTS (whose literals
    # init writes at their positions) and init itself are extracted again.
    lines.insert(_line_of(lines, "@st.fragment"), "# a comment line")
    report = _same_as_whole(extraction, "\n".join(lines))
    assert report.by_statement and report.extracted == 2
    lines.insert(_line_of(lines, "ss = "), 'st.session_state["first"] = 1\n')
    text = "\n".join(lines)
    report = _same_as_whole(extraction, text)
    # The new statement, and the two key collections below it with init.
    assert report.by_statement and report.extracted == 4
    lambdas = [
        item.qualname for item in extraction.update(text).functions if "lambda" in item.qualname
    ]
    assert lambdas and all(re.search(r"<lambda:\d+:\d+>", name) for name in lambdas)
    # And back: the lines removed move them up again.
    _same_as_whole(extraction, PAGE.read_text(encoding="utf-8"))


def test_a_key_collection_moved_takes_its_users_above_it_along() -> None:
    """``init`` (above) writes the keys of ``DEFAULTS`` (below) at the positions of
    their literals: when those move, ``init`` is extracted again."""
    lines = _page()
    extraction = _opened(lines)
    lines.insert(_line_of(lines, "DEFAULTS = "), "st.divider()")
    report = _same_as_whole(extraction, "\n".join(lines))
    assert report.by_statement
    assert report.extracted == 3  # the new line, DEFAULTS and init


def test_what_a_statement_writes_to_the_module_scope_reaches_the_statements_after_it() -> None:
    lines = _page()
    extraction = _opened(lines)
    at = _line_of(lines, "nav = ")
    lines[at] = "nav = make_navigation()"
    report = _same_as_whole(extraction, "\n".join(lines))
    assert report.by_statement and report.extracted == 2  # nav = ... and nav.run()
    lines[at] = 'nav = st.navigation([st.Page("pages/other.py")])'
    assert _same_as_whole(extraction, "\n".join(lines)).extracted == 2


def test_a_module_scope_write_taken_away_reaches_the_statements_after_it() -> None:
    """With ``nav`` bound twice, no module-wide table tells the edit of its first
    binding: what the old statement wrote to the module's scope does."""
    lines = [*_page(), "nav = make_navigation()"]
    extraction = _opened(lines)
    lines[_line_of(lines, "nav = st.navigation")] = "nav = make_navigation()"
    report = _same_as_whole(extraction, "\n".join(lines))
    assert report.by_statement and report.extracted == 3  # every statement naming nav


def test_a_star_import_added_or_removed_goes_the_whole_way() -> None:
    """Any unresolved call (``show_footer()``) may come from a star import: every
    statement reads whether there is one."""
    lines = _page()
    extraction = _opened(lines)
    lines.insert(_line_of(lines, "ss = "), "from helpers import *")
    assert not _same_as_whole(extraction, "\n".join(lines)).by_statement
    lines.insert(_line_of(lines, "COUNT = "), "# the star import stays")
    assert _same_as_whole(extraction, "\n".join(lines)).by_statement
    del lines[_line_of(lines, "from helpers import *")]
    assert not _same_as_whole(extraction, "\n".join(lines)).by_statement


def test_statements_sharing_a_line_are_extracted_together() -> None:
    lines = _page()
    extraction = _opened(lines)
    at = _line_of(lines, "init(); bump")
    lines[at] = "init(); bump(st.session_state, 2)"
    report = _same_as_whole(extraction, "\n".join(lines))
    assert report.by_statement and report.extracted == 2


@pytest.mark.parametrize(
    ("before", "inserted"),
    [
        ("def bump", "@st.cache_data"),  # a decorator joins the function after it
        ("@st.fragment", "    st.write(state)"),  # a line indented into bump's body
        ("for label, callback", "else:"),  # the if above gets an else
        ("nav.run()", "x = ("),  # a bracket the rest of the file would close
    ],
)
def test_an_edit_the_changed_lines_cannot_take_alone_goes_the_whole_way(
    before: str, inserted: str
) -> None:
    lines = _page()
    extraction = _opened(lines)
    lines.insert(_line_of(lines, before), inserted)
    report = _same_as_whole(extraction, "\n".join(lines))
    assert not report.by_statement


def test_a_syntax_error_while_typing_then_its_fix() -> None:
    lines = _page()
    extraction = _opened(lines)
    at = _line_of(lines, "panel()")
    lines[at] = "st.session_state["
    assert extraction.update("\n".join(lines)).parse_error is not None
    assert extraction.report == ExtractionReport(False, 0, 0)
    lines[at] = 'st.session_state["typed"]'
    # Compared with the last version that parsed.
    report = _same_as_whole(extraction, "\n".join(lines))
    assert report.by_statement and report.extracted == 1


def test_a_version_that_does_not_parse_stands_in_by_statement() -> None:
    """While a line does not parse, the buffer's facts are those of the file with that
    line made ``pass`` (``prepare_buffer``): made by statement from the last version, so
    the statements around it keep their facts, and so does the version after it."""
    lines = _page()
    extraction = _opened(lines)
    at = _line_of(lines, "panel()")
    before = extraction.update("\n".join(lines))
    lines[at] = "st.session_state["
    prepared = prepare_buffer("\n".join(lines), None, extraction)
    assert prepared.facts.parse_error is not None
    repaired = [*lines[:at], "pass", *lines[at + 1 :]]
    assert prepared.repaired == extract("\n".join(repaired), being_typed=True)
    assert extraction.report.by_statement and extraction.report.extracted == 1
    assert prepared.repaired is not None
    kept = {id(node) for node in before.body}
    assert sum(id(node) in kept for node in prepared.repaired.body) >= len(before.body) - 2
    lines[at] = 'st.session_state["typed"]'
    report = _same_as_whole(extraction, "\n".join(lines))
    assert report.by_statement and report.extracted == 1


def test_line_breaks_and_identifiers_beyond_ascii() -> None:
    lines = _page()
    lines.insert(_line_of(lines, "COUNT = "), 'café = "cafe_key"')
    extraction = _opened([line + "\r" for line in lines[:-1]] + lines[-1:])
    crlf = [line + "\r" for line in lines[:-1]] + lines[-1:]
    # "ｃａｆé" is the same identifier as "café" once normalised (NFKC).
    crlf.insert(_line_of(crlf, "nav.run()"), "st.write(ss[ｃａｆé])\r")
    report = _same_as_whole(extraction, "\n".join(crlf))
    assert report.by_statement
    crlf[_line_of(crlf, "café = ")] = 'café = "renamed"\r'
    report = _same_as_whole(extraction, "\n".join(crlf))
    assert report.by_statement and report.extracted == 2


def test_a_fault_of_the_shortcut_costs_the_buffer_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    lines = _page()
    extraction = _opened(lines)

    def broken(old: object, new: object) -> set[str]:
        raise ValueError("a bug")

    monkeypatch.setattr(incremental, "_changed_names", broken)
    lines[_line_of(lines, "panel()")] = "panel()  # edited"
    with caplog.at_level(logging.ERROR):
        facts = extraction.update("\n".join(lines))
    monkeypatch.undo()
    assert facts == extract("\n".join(lines), being_typed=True)
    assert "extraction by statement failed" in caplog.text
    lines[_line_of(lines, "panel()")] = "panel()"
    _same_as_whole(extraction, "\n".join(lines))


def test_only_the_buffers_edited_last_are_kept_within_a_line_budget() -> None:
    page = PAGE.read_text(encoding="utf-8")  # 49 lines
    buffers = RecentBuffers(lines=120)
    first = buffers.of("a")
    first.update(page)
    buffers.of("b").update(page)
    buffers.trim()
    assert buffers.of("a") is first  # now the one edited last
    buffers.of("c").update(page)
    buffers.trim()  # "b" was edited longest ago
    assert len(buffers) == 2 and buffers.of("a") is first
    buffers.forget("a")
    assert buffers.of("a") is not first
    huge = RecentBuffers(lines=10)
    kept = huge.of("big")
    kept.update(page)
    huge.trim()
    assert huge.of("big") is kept  # the buffer edited last stays, whatever its size


# ------------------------------------------------------------------ random edits


def _corpus(tmp_path: Path) -> list[Path]:
    generated = tmp_path / "generated"
    manifest = generate(generated, 60, seed=3)
    big = [generated / page["path"] for page in manifest["big_pages"].values()]
    fixtures = sorted(shared_fixtures().rglob("*.py")) + sorted(OWN_FIXTURES.rglob("*.py"))
    return [*fixtures, *big]


def test_random_edits_of_every_fixture_give_the_facts_of_a_whole_extraction(
    tmp_path: Path,
) -> None:
    rng = random.Random(5)
    edits = parsed = by_statement = reused = extracted = 0
    for path in _corpus(tmp_path):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.split("\n")
        words = sorted(set(re.findall(r"[A-Za-z_]\w*", text))) or ["x"]
        extraction = BufferExtraction()
        _same_as_whole(extraction, text)
        for _ in range(8):
            edited = random_edit(lines, words, rng)
            edited_text = "\n".join(edited)
            facts = extraction.update(edited_text)
            assert facts == extract(edited_text, being_typed=True), (path, edited_text)
            edits += 1
            if extraction.report.by_statement:
                by_statement += 1
                reused += extraction.report.reused
                extracted += extraction.report.extracted
            if facts.parse_error is None:
                parsed += 1
                lines = edited
    assert edits > 1000
    # Most edits that leave the file valid are taken by statement (the others join
    # the code around them: an indented line, an else:), and most statements are then
    # reused. Edits that leave it invalid go the whole way, which reports the error.
    assert by_statement > 0.8 * parsed
    assert reused > 5 * extracted
