"""Definition, references, highlights and rename of session-state keys."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path

from streamlit_lsp.analysis.answers import Occurrence, Role
from streamlit_lsp.analysis.facts import Syntax
from streamlit_lsp.diagnostics import Span
from streamlit_lsp.lsp.positions import Converter
from streamlit_lsp.lsp.server import StreamlitLanguageServer


def occurrence_at(
    ls: StreamlitLanguageServer, uri: str, position: lsp.Position
) -> Occurrence | None:
    path = ls.path_of(uri)
    if path is None:
        return None
    line, column = ls.converter(path).position(position)
    return ls.snapshot().answers.at(path, line, column)


def _locations(ls: StreamlitLanguageServer, occurrences: list[Occurrence]) -> list[lsp.Location]:
    converters: dict[Path, Converter] = {}
    return [ls.location(o.path, o.key_span, converters) for o in occurrences]


class RenameRefused(JsonRpcException):
    """A rename that cannot be done safely; the editor shows the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message, code=lsp.LSPErrorCodes.RequestFailed.value)


def rename_edits(
    ls: StreamlitLanguageServer, key: str, new_key: str
) -> dict[str, list[lsp.TextEdit]]:
    """Every edit renaming ``key`` to ``new_key``, or a refusal that says why."""
    answers = ls.snapshot().answers
    info = answers.info(key)
    if info is None:
        raise RenameRefused(f"{key!r} is not a session-state key this workspace uses")
    if not new_key:
        raise RenameRefused("A session-state key cannot be empty")
    if answers.info(new_key) is not None and new_key != key:
        raise RenameRefused(
            f"{new_key!r} is already a session-state key: renaming would merge two keys"
        )
    blockers = [o for o in info.occurrences if not o.literal and o.constant_site is None]
    if blockers:
        where = ", ".join(f"{o.path.name}:{o.key_span.line}" for o in blockers[:5])
        raise RenameRefused(
            f"{key!r} is also named through a parameter or computed key ({where}); "
            "rename it there by hand"
        )
    dynamic = _dynamic_matches(ls, key)
    if dynamic:
        where = ", ".join(dynamic[:5])
        raise RenameRefused(
            f"computed keys may also produce {key!r} ({where}): renaming would miss them"
        )
    edits: dict[str, list[lsp.TextEdit]] = {}
    converters: dict[Path, Converter] = {}
    done: set[tuple[Path, Span]] = set()
    for occurrence in info.occurrences:
        if occurrence.literal:
            path, span = occurrence.path, occurrence.key_span
            place = (path, span)
        else:
            # A key held by a constant: its value changes, the constant's name stays.
            path, span = occurrence.constant_site  # type: ignore[misc]
            place = (path, span)
            occurrence = Occurrence(key, path, span, span, occurrence.role, True)
        if place in done:
            continue
        done.add(place)
        converter = converters.setdefault(path, ls.converter(path))
        uri = from_fs_path(str(path)) or str(path)
        edits.setdefault(uri, []).append(_edit(occurrence, new_key, converter))
    return edits


def _dynamic_matches(ls: StreamlitLanguageServer, key: str) -> list[str]:
    table_places = []
    model = ls.snapshot().model
    for app in model.apps:
        for entry in model.keys(app).accesses:
            if entry.keys.dynamic and entry.keys.pattern != ".*" and entry.keys.could_be(key):
                table_places.append(f"{entry.path.name}:{entry.access.span.line}")
    return sorted(set(table_places))


def _edit(occurrence: Occurrence, new_key: str, converter: Converter) -> lsp.TextEdit:
    access = occurrence.access
    span = occurrence.key_span
    token_range = converter.range(span)
    if access is not None and access.syntax is Syntax.ATTRIBUTE:
        if new_key.isidentifier():
            return lsp.TextEdit(range=token_range, new_text=new_key)
        # ss.old -> ss["new key"]: replace from the dot before the attribute.
        line_text = converter.line(span.line - 1)
        dot = line_text.rfind(".", 0, span.column)
        start = converter.to_client_column(span.line - 1, dot if dot >= 0 else span.column)
        replaced = lsp.Range(
            start=lsp.Position(line=span.line - 1, character=start), end=token_range.end
        )
        return lsp.TextEdit(range=replaced, new_text=f"[{new_key!r}]")
    if access is not None and access.syntax is Syntax.KEYWORD:
        if not new_key.isidentifier():
            raise RenameRefused(
                f"{occurrence.path.name}:{span.line} passes the key as a keyword argument "
                f"(update({occurrence.key}=...)); {new_key!r} is not a valid keyword"
            )
        return lsp.TextEdit(range=token_range, new_text=new_key)
    # A string literal: keep its quote style and any prefix.
    original = (
        converter.line(span.line - 1)[span.column : span.end_column]
        if span.line == span.end_line
        else ""
    )
    quote = next((c for c in original if c in "'\""), "'")
    prefix = original[: original.find(quote)] if quote in original else ""
    escaped = new_key.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return lsp.TextEdit(range=token_range, new_text=f"{prefix}{quote}{escaped}{quote}")


def register(server: StreamlitLanguageServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    async def definition(
        ls: StreamlitLanguageServer, params: lsp.DefinitionParams
    ) -> list[lsp.Location] | None:
        await ls.whole_workspace_indexed()
        occurrence = occurrence_at(ls, params.text_document.uri, params.position)
        if occurrence is None:
            return None
        info = ls.snapshot().answers.info(occurrence.key)
        targets = info.inits if info is not None else []
        return _locations(ls, targets) or None

    @server.feature(lsp.TEXT_DOCUMENT_DECLARATION)
    async def declaration(
        ls: StreamlitLanguageServer, params: lsp.DeclarationParams
    ) -> list[lsp.Location] | None:
        return await definition(ls, params)  # type: ignore[arg-type]

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    async def references(
        ls: StreamlitLanguageServer, params: lsp.ReferenceParams
    ) -> list[lsp.Location] | None:
        await ls.whole_workspace_indexed()
        occurrence = occurrence_at(ls, params.text_document.uri, params.position)
        if occurrence is None:
            return None
        info = ls.snapshot().answers.info(occurrence.key)
        if info is None:
            return None
        found = [
            o
            for o in info.occurrences
            if params.context.include_declaration or o.role not in (Role.INIT, Role.WIDGET)
        ]
        return _locations(ls, found) or None

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    def highlight(
        ls: StreamlitLanguageServer, params: lsp.DocumentHighlightParams
    ) -> list[lsp.DocumentHighlight] | None:
        occurrence = occurrence_at(ls, params.text_document.uri, params.position)
        if occurrence is None:
            return None
        converter = ls.converter(occurrence.path)
        answers = ls.snapshot().answers
        return [
            lsp.DocumentHighlight(
                range=converter.range(o.key_span),
                kind=lsp.DocumentHighlightKind.Write
                if o.role in (Role.INIT, Role.WRITE, Role.WIDGET)
                else lsp.DocumentHighlightKind.Read,
            )
            for o in answers.in_file(occurrence.path)
            if o.key == occurrence.key
        ]

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(
        ls: StreamlitLanguageServer, params: lsp.PrepareRenameParams
    ) -> lsp.PrepareRenamePlaceholder | None:
        await ls.whole_workspace_indexed()
        occurrence = occurrence_at(ls, params.text_document.uri, params.position)
        if occurrence is None:
            return None
        if not occurrence.literal and occurrence.constant_site is None:
            raise RenameRefused(
                f"{occurrence.key!r} is named through a parameter or computed key here; "
                "rename it where it is spelled out"
            )
        converter = ls.converter(occurrence.path)
        return lsp.PrepareRenamePlaceholder(
            range=converter.range(occurrence.key_span), placeholder=occurrence.key
        )

    @server.feature(lsp.TEXT_DOCUMENT_RENAME)
    async def rename(
        ls: StreamlitLanguageServer, params: lsp.RenameParams
    ) -> lsp.WorkspaceEdit | None:
        # A rename from a partial index would leave the files not indexed yet unchanged.
        await ls.whole_workspace_indexed()
        occurrence = occurrence_at(ls, params.text_document.uri, params.position)
        if occurrence is None:
            return None
        return lsp.WorkspaceEdit(changes=rename_edits(ls, occurrence.key, params.new_name))
