"""Open documents kept exactly as the editor keeps them.

pygls applies an incremental ``didChange`` through ``TextDocument.lines``, which is
``str.splitlines``: it also ends a line at a form feed, a vertical tab, ``\\x1c``-``\\x1e``,
U+0085, U+2028 and U+2029. LSP lines end only at ``\\r\\n``, ``\\r`` and ``\\n``, so after
such a character pygls edits the wrong place and the server's copy of the buffer silently
diverges from the editor's. Here changes are applied on LSP lines in the negotiated
position encoding (the same ``Converter`` every answer uses), and a position out of range
is clamped to the text: a bad change never raises and never loses text.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types as lsp
from pygls.workspace import TextDocument, Workspace

from streamlit_lsp.analysis.source import split_lines
from streamlit_lsp.lsp.positions import Converter, line_offset, line_starts


def apply_change(text: str, range_: lsp.Range, new_text: str, encoding: str) -> str:
    """``text`` with ``range_`` (client units) replaced by ``new_text``.

    Past the end of a line means its end, past the last line the end of the text (as
    the LSP specification says); a range ending before it starts only inserts.
    """
    return changed_lines(text, split_lines(text), range_, new_text, encoding)[0]


def changed_lines(
    text: str, lines: list[str], range_: lsp.Range, new_text: str, encoding: str
) -> tuple[str, list[str]]:
    """``apply_change``, given ``text``'s lines (``split_lines``), with the new text's
    lines: those the change did not touch are taken from ``lines`` (a keystroke in a
    5,000-line buffer split it whole twice, a millisecond of every completion), unless
    a carriage return could make a line break span the change (split anew then)."""
    converter = Converter(lines, encoding)
    start_line, start_column = converter.position(range_.start)
    end_line, end_column = converter.position(range_.end)
    start = line_offset(text, lines, start_line - 1) + start_column
    end = line_offset(text, lines, end_line - 1) + end_column
    if end < start:  # only inserts
        end, end_line, end_column = start, start_line, start_column
    changed = text[:start] + new_text + text[end:]
    if "\r" in text or "\r" in new_text:
        return changed, split_lines(changed)
    head = lines[start_line - 1][:start_column]
    tail = lines[end_line - 1][end_column:]
    middle = (head + new_text + tail).split("\n")
    return changed, [*lines[: start_line - 1], *middle, *lines[end_line:]]


def lines_with_ends(text: str) -> list[str]:
    """LSP lines, each with its line break, like ``str.splitlines(keepends=True)``."""
    starts = line_starts(text)
    ends = [*starts[1:], len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True) if start < end]


class LspTextDocument(TextDocument):
    """A pygls document whose lines and edits follow LSP's line breaks."""

    # The text's lines (``split_lines``), with the text they are of: kept for a buffer
    # of this many characters or more only. A smaller one splits in microseconds, and
    # keeping the lines of every open buffer would double what the buffers hold.
    lines_kept_from = 32_768
    _kept_lines: tuple[str, list[str]] | None = None

    @property
    def lines(self) -> Sequence[str]:
        # pygls' own helpers (offset_at_position, word_at_position...) index these.
        return tuple(lines_with_ends(self.source))

    def split_lines(self) -> list[str]:
        """``split_lines(self.source)``: every answer about the buffer converts its
        positions through these, and an edit makes the next from them (never change
        the list: it is shared)."""
        source = self.source
        kept = self._kept_lines
        if kept is not None and kept[0] is source:
            return kept[1]
        lines = split_lines(source)
        self._keep_lines(source, lines)
        return lines

    def _keep_lines(self, text: str, lines: list[str]) -> None:
        self._kept_lines = (text, lines) if len(text) >= self.lines_kept_from else None

    def _apply_incremental_change(self, change: lsp.TextDocumentContentChangePartial) -> None:
        encoding = self.position_codec.encoding or lsp.PositionEncodingKind.Utf16
        text, lines = changed_lines(
            self.source, self.split_lines(), change.range, change.text, encoding
        )
        self._source = text
        self._keep_lines(text, lines)


class LspWorkspace(Workspace):
    """pygls' workspace, holding ``LspTextDocument``s."""

    @classmethod
    def like(cls, workspace: Workspace) -> LspWorkspace:
        """The same folders, sync kind and encoding as ``workspace`` (no documents)."""
        return cls(
            workspace.root_uri,
            workspace._sync_kind,  # pygls keeps it private; it is the server's setting
            list(workspace.folders.values()),
            workspace.position_encoding,
        )

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        # pygls' one factory for documents: opened ones and disk-backed ones alike.
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )
