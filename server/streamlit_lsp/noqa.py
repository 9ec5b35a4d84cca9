"""Inline suppression: ``# noqa: ST001`` on the reported line silences that code.

The syntax follows ruff and flake8 so users need not learn a new one:

* ``# noqa: ST001`` or ``# noqa: ST001, ST003`` (``#noqa:ST001``, ``# NOQA: st001``, and
  codes separated by spaces are accepted too) silences exactly those codes;
* a bare ``# noqa`` (optionally followed by prose, like ``# noqa because...``) silences
  every code on the line;
* codes of other tools (``# noqa: E501``) are kept but silence nothing of ours;
* ``# noqa:`` with a colon but no code is malformed and, as in ruff, silences nothing,
  rather than silently turning into a blanket suppression;
* the directive may follow other comment text (``# type: ignore  # noqa: ST001``).

Only a real comment counts: ``"# noqa"`` inside a string literal must not hide a bug.
:func:`noqa_codes` sees one line, so it tokenizes that line alone and falls back to a
regex when the line cannot be tokenized on its own (the last line of a triple-quoted
string, an unterminated literal). :func:`noqa_map` sees the whole file and therefore also
gets lines inside multi-line strings right; prefer it when the source is at hand.
"""

from __future__ import annotations

import io
import re
import tokenize
from functools import lru_cache

__all__ = ["is_suppressed", "noqa_codes", "noqa_map"]

_CODE = r"[A-Za-z]+[0-9]+"
# "#", optional spaces, "noqa", then optionally ":" and codes separated by "," or spaces.
_DIRECTIVE = re.compile(
    rf"#\s*noqa(?![A-Za-z0-9_])(?P<colon>\s*:\s*(?P<codes>{_CODE}(?:[\s,]+{_CODE})*)?)?",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"[\s,]+")


def _parse_comment(text: str) -> frozenset[str] | None:
    """The codes named by every noqa directive in a comment; frozenset() when blanket."""
    found: set[str] = set()
    any_directive = False
    for match in _DIRECTIVE.finditer(text):
        if match.group("colon") is None:
            return frozenset()  # a bare directive silences everything
        codes = match.group("codes")
        if codes is None:
            continue  # a colon with no usable code after it: malformed, ignored
        any_directive = True
        found.update(code.upper() for code in _SEPARATOR.split(codes) if code)
    return frozenset(found) if any_directive else None


def _line_comments(line: str) -> list[str] | None:
    """The comments of one line by tokenizing it; None when tokenizing could not tell.

    A line cut out of its file may leave a bracket open (the comment is already yielded
    before the error, so it is kept) or start inside a string (nothing usable: None).
    """
    comments: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.type == tokenize.COMMENT:
                comments.append(token.string)
    except (tokenize.TokenError, SyntaxError):
        return comments or None
    return comments


@lru_cache(maxsize=4096)
def noqa_codes(line: str) -> frozenset[str] | None:
    """The codes a line's noqa comment names: None without one, frozenset() for a bare one.

    Codes are upper-cased and may include other tools' codes.
    """
    if "noqa" not in line.lower():
        return None  # the common case, without tokenizing
    line = line.splitlines()[0] if line else line
    comments = _line_comments(line)
    if comments is None:
        return _parse_comment(line)
    result: frozenset[str] | None = None
    for comment in comments:
        codes = _parse_comment(comment)
        if codes is None:
            continue
        if not codes:
            return frozenset()
        result = codes if result is None else result | codes
    return result


def is_suppressed(code: str, line: str) -> bool:
    """Whether a diagnostic ``code`` reported on ``line`` is silenced by its noqa comment."""
    codes = noqa_codes(line)
    if codes is None:
        return False
    return not codes or code.upper() in codes


def noqa_map(source: str) -> dict[int, frozenset[str]]:
    """Every noqa directive of a file: 1-based line number -> codes (frozenset() = all).

    Tokenizing the whole file puts each comment on its real line and ignores text that
    only looks like a comment inside a multi-line string. A file that does not tokenize
    (a syntax error) falls back to :func:`noqa_codes` line by line.
    """
    if "noqa" not in source.lower():
        return {}
    result: dict[int, frozenset[str]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.COMMENT:
                continue
            codes = _parse_comment(token.string)
            if codes is None:
                continue
            line = token.start[0]
            previous = result.get(line)
            if previous is not None and (not previous or not codes):
                result[line] = frozenset()
            else:
                result[line] = codes if previous is None else previous | codes
    except (tokenize.TokenError, SyntaxError):
        result = {}
        for number, text in enumerate(source.splitlines(), start=1):
            codes = noqa_codes(text)
            if codes is not None:
                result[number] = codes
    return result
