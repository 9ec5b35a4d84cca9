"""Incremental edits applied on LSP lines, in every position encoding, never raising.

The end-to-end check is ``lsp_e2e/test_fuzz.py``; these pin the rules one by one.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from streamlit_lsp.lsp.documents import LspTextDocument, apply_change, lines_with_ends
from streamlit_lsp.lsp.positions import line_offset, line_starts, split_lines

UTF8 = lsp.PositionEncodingKind.Utf8
UTF16 = lsp.PositionEncodingKind.Utf16
UTF32 = lsp.PositionEncodingKind.Utf32


def span(start_line: int, start: int, end_line: int, end: int) -> lsp.Range:
    return lsp.Range(
        start=lsp.Position(line=start_line, character=start),
        end=lsp.Position(line=end_line, character=end),
    )


@pytest.mark.parametrize(
    "separator", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_characters_splitlines_breaks_at_are_not_line_breaks(separator: str):
    text = f'st.write("a{separator}b")\nss = 1\n'
    assert apply_change(text, span(1, 0, 1, 0), "X", UTF16) == (
        f'st.write("a{separator}b")\nXss = 1\n'
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_three_lsp_line_breaks(newline: str):
    text = f"a{newline}b{newline}c"
    assert apply_change(text, span(2, 0, 2, 1), "Z", UTF16) == f"a{newline}b{newline}Z"


@pytest.mark.parametrize(
    ("encoding", "column"), [(UTF8, 5), (UTF16, 3), (UTF32, 2)]
)  # after "a😀": 1 + 4 bytes, 1 + 2 code units, 2 code points
def test_columns_count_in_the_negotiated_encoding(encoding: str, column: int):
    assert apply_change("a😀b", span(0, column, 0, column + 1), "", encoding) == "a😀"


def test_positions_out_of_range_are_clamped():
    text = "ab\ncd"
    assert apply_change(text, span(0, 99, 0, 99), "X", UTF16) == "abX\ncd"
    assert apply_change(text, span(9, 0, 12, 3), "X", UTF16) == "ab\ncdX"
    assert apply_change(text, span(0, 1, 99, 99), "", UTF16) == "a"


def test_a_range_ending_before_its_start_only_inserts():
    assert apply_change("abcd", span(0, 3, 0, 1), "X", UTF16) == "abcXd"


def test_half_a_surrogate_pair_moves_to_the_character_start():
    assert apply_change("😀b", span(0, 1, 0, 1), "X", UTF16) == "X😀b"


def test_document_lines_are_lsp_lines():
    assert lines_with_ends("a\x0cb\r\nc\rd\n") == ["a\x0cb\r\n", "c\r", "d\n"]
    assert lines_with_ends("") == []
    document = LspTextDocument("file:///app.py", source="x = '\u2028'\ny\n")
    document.apply_change(lsp.TextDocumentContentChangePartial(range=span(1, 0, 1, 1), text="z"))
    assert document.source == "x = '\u2028'\nz\n"
    assert len(document.lines) == 2


# A text of line breaks of every kind and characters that are not breaks, so the fast
# path (no carriage return) and the general one both get exercised.
LSP_TEXT = st.lists(st.sampled_from(["a", "é", "🎈", "\n", "\r", "\r\n", "\f", "\u2028"])).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@given(LSP_TEXT)
def test_line_splitting_agrees_with_the_lsp_definition(text: str):
    reference = re.split(r"\r\n|\r|\n", text)
    assert split_lines(text) == reference
    starts = line_starts(text)
    assert [line_offset(text, reference, number) for number in range(len(reference))] == starts
    assert all(text.startswith(line, start) for line, start in zip(reference, starts, strict=True))


@settings(max_examples=300, deadline=None)
@given(LSP_TEXT, st.integers(0, 6), st.integers(0, 8), st.integers(0, 6), st.integers(0, 8))
def test_an_edit_replaces_what_the_reference_offsets_say(
    text: str, start_line: int, start_column: int, end_line: int, end_column: int
):
    """apply_change against offsets computed from the regular expression's lines."""
    lines = re.split(r"\r\n|\r|\n", text)
    starts = [0, *(match.end() for match in re.finditer(r"\r\n|\r|\n", text))]

    def offset(line: int, column: int) -> int:  # UTF-32: a column is a code point
        if line >= len(lines):
            return len(text)
        return starts[line] + min(column, len(lines[line]))

    change = lsp.Range(
        start=lsp.Position(line=start_line, character=start_column),
        end=lsp.Position(line=end_line, character=end_column),
    )
    start = offset(start_line, start_column)
    end = max(start, offset(end_line, end_column))
    expected = text[:start] + "X" + text[end:]
    assert apply_change(text, change, "X", lsp.PositionEncodingKind.Utf32) == expected


# Texts and changes without carriage returns (lines spliced from the last ones) and
# with them (split anew).
LF_PIECES = ["a", "é", "🎈", "\n", "\n\n", "\f", "\u2028"]
CR_PIECES = [*LF_PIECES, "\r", "\r\n"]


@settings(max_examples=400, deadline=None)
@given(st.booleans(), st.sampled_from([UTF8, UTF16, UTF32]), st.data())
def test_a_document_s_lines_follow_its_edits(
    carriage_returns: bool, encoding: str, data: st.DataObject
):
    """The lines an edited document keeps (spliced from the last ones where the edit
    left them) are the lines of its text, edit after edit."""
    pieces = st.lists(st.sampled_from(CR_PIECES if carriage_returns else LF_PIECES))
    text = data.draw(pieces.map("".join))
    document = LspTextDocument("file:///app.py", source=text)
    document.lines_kept_from = 0  # (kept for large buffers only: here for every one)
    document.position_codec.encoding = encoding  # type: ignore[misc]
    expected = text
    for _ in range(data.draw(st.integers(1, 8))):
        numbers = [data.draw(st.integers(0, limit)) for limit in (6, 8, 6, 8)]
        change = span(*numbers)
        new_text = data.draw(pieces.map("".join))
        assert document.split_lines() == split_lines(document.source)
        expected = apply_change(expected, change, new_text, encoding)
        document.apply_change(lsp.TextDocumentContentChangePartial(range=change, text=new_text))
        assert document.source == expected
        assert document.split_lines() == split_lines(expected)


def test_only_a_large_buffer_keeps_its_lines():
    """Splitting a small buffer takes microseconds: its lines are not kept beside it
    (200 open buffers would hold their text twice)."""
    small = LspTextDocument("file:///small.py", source="a = 1\nb = 2\n")
    large = LspTextDocument("file:///large.py", source="x = 1\n" * 10_000)
    for document in (small, large):
        change = lsp.TextDocumentContentChangePartial(range=span(1, 0, 1, 1), text="y")
        document.apply_change(change)
        assert document.split_lines() == split_lines(document.source)
    assert small._kept_lines is None
    assert large._kept_lines is not None and large._kept_lines[0] is large.source
