"""Inline ``# noqa`` suppression.

The cases are the spellings people actually write (copied habits from flake8 and ruff)
and the traps: a ``# noqa`` inside a string literal is data, not a directive, and
another tool's codes must not silence ours.
"""

from __future__ import annotations

import pytest

from streamlit_lsp.noqa import is_suppressed, noqa_codes, noqa_map

ALL: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x = 1", None),
        ("", None),
        ("x = 1  # noqa", ALL),
        ("x = 1  # NOQA", ALL),
        ("x = 1  #noqa", ALL),
        ("x = 1  # NoQa", ALL),
        ("x = 1  # noqa because the launcher sets it", ALL),
        ("    # noqa", ALL),
        ("x = 1  # noqa: ST001", frozenset({"ST001"})),
        ("x = 1  #noqa:ST001", frozenset({"ST001"})),
        ("x = 1  # noqa : ST001", frozenset({"ST001"})),
        ("x = 1  # NOQA: st001", frozenset({"ST001"})),
        ("x = 1  # noqa: ST001, ST003", frozenset({"ST001", "ST003"})),
        ("x = 1  # noqa:ST001,ST003", frozenset({"ST001", "ST003"})),
        ("x = 1  # noqa: ST001 ST003", frozenset({"ST001", "ST003"})),
        ("x = 1  # noqa: ST001 -- set by the launcher", frozenset({"ST001"})),
        ("x = 1  # noqa: E501", frozenset({"E501"})),
        ("x = 1  # noqa: E501, ST002", frozenset({"E501", "ST002"})),
        ("x = 1  # type: ignore  # noqa: ST002", frozenset({"ST002"})),
        ("x = 1  # noqa: ST001\n", frozenset({"ST001"})),
        ("x = 1  # noqa:", None),  # a colon without codes is malformed: nothing silenced
        ("x = 1  # noqa: -", None),
        ("x = 1  # this is not a noqa", None),
        ("x = 1  # noqanything", None),
        ("x = 'a # noqa'", None),  # inside a string literal
        ('x = "# noqa: ST001"', None),
        ('x = "# noqa"  # see ticket', None),
        ('x = "# noqa"  # noqa: ST003', frozenset({"ST003"})),
        ("st.write(f'{x} # noqa')", None),  # inside an f-string
        ('st.write(f"{x}")  # noqa: ST004', frozenset({"ST004"})),
        ("foo(a,  # noqa: ST001", frozenset({"ST001"})),  # an open bracket
        (")  # noqa: ST006", frozenset({"ST006"})),  # a closing bracket
        ('"""  # noqa: ST004', frozenset({"ST004"})),  # the end of a triple-quoted string
        ("st.session_state['n'] += 1  # noqa: ST001", frozenset({"ST001"})),
    ],
)
def test_noqa_codes(line: str, expected: frozenset[str] | None) -> None:
    assert noqa_codes(line) == expected


@pytest.mark.parametrize(
    ("code", "line", "suppressed"),
    [
        ("ST001", "x = st.session_state.a  # noqa: ST001", True),
        ("ST003", "x = st.session_state.a  # noqa: ST001", False),
        ("ST003", "x = st.session_state.a  # noqa: ST001, ST003", True),
        ("ST009", "x = st.session_state.a  # noqa", True),
        ("ST001", "x = st.session_state.a  # noqa: E501", False),  # foreign codes only
        ("ST001", "x = st.session_state.a", False),
        ("ST001", "x = st.session_state['# noqa']", False),
        ("st001", "x = st.session_state.a  # noqa: ST001", True),
        ("ST00", "x = st.session_state.a  # noqa: ST001", False),  # exact codes, no prefixes
        ("ST001", "x = st.session_state.a  # noqa: ST00", False),
    ],
)
def test_is_suppressed(code: str, line: str, suppressed: bool) -> None:
    assert is_suppressed(code, line) is suppressed


def test_noqa_map_uses_real_comments_only() -> None:
    source = (
        "import streamlit as st\n"
        '"""Module doc.\n'
        "    # noqa: ST001\n"  # inside the docstring: text, not a comment
        '"""\n'
        "st.session_state.a  # noqa: ST001\n"
        "st.session_state.b\n"
        "st.session_state.c = (  # noqa\n"
        "    1\n"
        ")  # noqa: ST002, E501\n"
    )
    assert noqa_map(source) == {
        5: frozenset({"ST001"}),
        7: frozenset(),
        9: frozenset({"ST002", "E501"}),
    }


def test_noqa_map_without_directives_is_empty() -> None:
    assert noqa_map("import streamlit as st\nst.write('hi')  # a comment\n") == {}


def test_noqa_map_falls_back_line_by_line_on_syntax_errors() -> None:
    source = "x = (\n    st.session_state.a  # noqa: ST001\n"  # never closed
    assert noqa_map(source) == {2: frozenset({"ST001"})}
    unterminated = "s = '''\nst.session_state.a  # noqa: ST003\n"
    # The file cannot be tokenized; per line, the comment-looking text is taken.
    assert noqa_map(unterminated) == {2: frozenset({"ST003"})}


def test_noqa_map_agrees_with_noqa_codes_on_ordinary_lines() -> None:
    lines = [
        "a = 1  # noqa: ST001",
        "b = 2  # NOQA",
        "c = '# noqa'",
        "d = 4  # noqa: E501",
    ]
    mapped = noqa_map("\n".join(lines) + "\n")
    for number, line in enumerate(lines, start=1):
        assert mapped.get(number) == noqa_codes(line)
