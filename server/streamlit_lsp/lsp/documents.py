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

from streamlit_lsp.lsp.positions import Converter, line_offset, line_starts


def apply_change(text: str, range_: lsp.Range, new_text: str, encoding: str) -> str:
    """``text`` with ``range_`` (client units) replaced by ``new_text``.

    Past the end of a line means its end, past the last line the end of the text (as
    the LSP specification says); a range ending before it starts only inserts.
    """
    converter = Converter.for_text(text, encoding)
    start = _offset(text, converter, range_.start)
    end = max(start, _offset(text, converter, range_.end))
    return text[:start] + new_text + text[end:]


def _offset(text: str, converter: Converter, position: lsp.Position) -> int:
    line, column = converter.position(position)
    return line_offset(text, converter.lines, line - 1) + column


def lines_with_ends(text: str) -> list[str]:
    """LSP lines, each with its line break, like ``str.splitlines(keepends=True)``."""
    starts = line_starts(text)
    ends = [*starts[1:], len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True) if start < end]


class LspTextDocument(TextDocument):
    """A pygls document whose lines and edits follow LSP's line breaks."""

    @property
    def lines(self) -> Sequence[str]:
        # pygls' own helpers (offset_at_position, word_at_position...) index these.
        return tuple(lines_with_ends(self.source))

    def _apply_incremental_change(self, change: lsp.TextDocumentContentChangePartial) -> None:
        encoding = self.position_codec.encoding or lsp.PositionEncodingKind.Utf16
        self._source = apply_change(self.source, change.range, change.text, encoding)


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
