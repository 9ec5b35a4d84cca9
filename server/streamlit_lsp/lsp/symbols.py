"""Document symbols (the keys a file touches) and workspace symbols (search keys)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from streamlit_lsp.analysis import state_map
from streamlit_lsp.lsp.positions import Converter
from streamlit_lsp.lsp.server import StreamlitLanguageServer

STATE_MAP = "streamlit-lsp/stateMap"


def register(server: StreamlitLanguageServer) -> None:
    @server.feature(STATE_MAP)
    async def state_map_request(
        ls: StreamlitLanguageServer, params: object
    ) -> list[dict[str, object]]:
        """Every key with where it is initialised, read, written and bound, per page."""
        await ls.whole_workspace_indexed()
        roots = ls.ensure_engine().roots
        return state_map.to_json(
            state_map.build_map(ls.snapshot().model), roots[0] if roots else None
        )

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(
        ls: StreamlitLanguageServer, params: lsp.DocumentSymbolParams
    ) -> list[lsp.DocumentSymbol] | None:
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return None
        converter = ls.converter(path)
        answers = ls.snapshot().answers
        first: dict[str, lsp.DocumentSymbol] = {}
        for occurrence in answers.in_file(path):
            if occurrence.key in first:
                continue
            info = answers.info(occurrence.key)
            detail = "widget key" if info is not None and info.is_widget_key else "session state"
            token = converter.range(occurrence.key_span)
            first[occurrence.key] = lsp.DocumentSymbol(
                name=occurrence.key,
                kind=lsp.SymbolKind.Key,
                range=converter.range(occurrence.site_span),
                selection_range=token,
                detail=detail,
            )
        return list(first.values())

    @server.feature(lsp.WORKSPACE_SYMBOL)
    async def workspace_symbols(
        ls: StreamlitLanguageServer, params: lsp.WorkspaceSymbolParams
    ) -> list[lsp.WorkspaceSymbol] | None:
        await ls.whole_workspace_indexed()
        query = params.query.lower()
        answers = ls.snapshot().answers
        converters: dict[Path, Converter] = {}
        found = []
        for key, info in sorted(answers.keys().items()):
            if query and query not in key.lower():
                continue
            place = (info.inits or info.occurrences)[0]
            found.append(
                lsp.WorkspaceSymbol(
                    name=key,
                    kind=lsp.SymbolKind.Key,
                    location=ls.location(place.path, place.key_span, converters),
                    container_name="widget key" if info.is_widget_key else "session state",
                )
            )
        return found
