"""The only place where analysis positions meet client positions.

The analysis counts columns in Unicode code points on lines split at ``\\r\\n``, ``\\r``
and ``\\n`` (what the LSP specification and Python's tokenizer call a line). Clients
count in the negotiated encoding: UTF-16 code units (the default), UTF-8 bytes or
UTF-32 code points. pygls' own ``TextDocument.lines`` splits on more characters (form
feed, U+2028...), so conversions here never go through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types as lsp

from streamlit_lsp.analysis.source import LINE_BREAK, split_lines
from streamlit_lsp.diagnostics import Span


def line_starts(text: str) -> list[int]:
    """The string offset where each line of ``split_lines(text)`` starts."""
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def line_offset(text: str, lines: list[str], line: int) -> int:
    """The string offset where ``lines[line]`` (``split_lines(text)``) starts."""
    if "\r" not in text:  # every break is one character: the lengths add up
        return sum(map(len, lines[:line])) + line
    return line_starts(text)[line]


def _units(character: str, encoding: str) -> int:
    if encoding == lsp.PositionEncodingKind.Utf8:
        return len(character.encode("utf-8", "surrogatepass"))
    if encoding == lsp.PositionEncodingKind.Utf32:
        return 1
    return 2 if ord(character) > 0xFFFF else 1


@dataclass
class Converter:
    """Converts between code points and client units for one text."""

    lines: list[str]
    encoding: str = lsp.PositionEncodingKind.Utf16

    @classmethod
    def for_text(cls, text: str, encoding: str) -> Converter:
        return cls(split_lines(text), encoding)

    def line(self, number: int) -> str:
        """A 0-based line ('' past the end)."""
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def to_client_column(self, line: int, column: int) -> int:
        """Client units of a code-point column, clamped to the line's end."""
        text = self.line(line)
        column = max(0, min(column, len(text)))
        if self.encoding == lsp.PositionEncodingKind.Utf32 or text.isascii():
            return column
        return sum(_units(character, self.encoding) for character in text[:column])

    def from_client_column(self, line: int, units: int) -> int:
        """Code-point column of a client column; past the end clamps to the line's end,
        and a position inside a character (half a surrogate pair) moves to its start."""
        text = self.line(line)
        if self.encoding == lsp.PositionEncodingKind.Utf32 or text.isascii():
            return max(0, min(units, len(text)))
        consumed = 0
        for index, character in enumerate(text):
            width = _units(character, self.encoding)
            if consumed + width > units:
                return index
            consumed += width
        return len(text)

    def position(self, client: lsp.Position) -> tuple[int, int]:
        """(1-based line, code-point column) of a client position, clamped to the text."""
        line = max(0, min(client.line, len(self.lines) - 1))
        column = (
            self.from_client_column(line, client.character)
            if client.line < len(self.lines)
            else len(self.line(line))
        )
        return line + 1, column

    def range(self, span: Span) -> lsp.Range:
        """A client range, always inside the text (facts a few edits old may point past
        its end while the buffer does not parse), and never ending before it starts."""
        last = max(len(self.lines) - 1, 0)
        start_line = min(max(span.line - 1, 0), last)
        end_line = min(max(span.end_line - 1, start_line), last)
        start = self.to_client_column(start_line, span.column)
        end = self.to_client_column(end_line, span.end_column)
        if end_line == start_line and end < start:
            end = start
        return lsp.Range(
            start=lsp.Position(line=start_line, character=start),
            end=lsp.Position(line=end_line, character=end),
        )
