"""Hover on a key: what it is, where it gets its value, who reads and writes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from streamlit_lsp.analysis.answers import KeyInfo, Occurrence, Role
from streamlit_lsp.analysis.facts import Syntax
from streamlit_lsp.lsp.navigation import occurrence_at
from streamlit_lsp.lsp.server import StreamlitLanguageServer
from streamlit_lsp.lsp.types import infer_type
from streamlit_lsp.rules import RULES


def _link(occurrence: Occurrence, root: Path | None) -> str:
    name = occurrence.path.name
    if root is not None and occurrence.path.is_relative_to(root):
        name = occurrence.path.relative_to(root).as_posix()
    uri = from_fs_path(str(occurrence.path)) or ""
    return f"[{name}:{occurrence.key_span.line}]({uri}#L{occurrence.key_span.line})"


def hover_markdown(
    info: KeyInfo, pages: list[str], root: Path | None, inferred: str | None = None
) -> str:
    lines = [f"### `st.session_state[{info.key!r}]`"]
    widgets = [o for o in info.widgets if o.widget is not None]
    if widgets:
        widget = widgets[0].widget
        assert widget is not None
        kind = "widget key" if widget.stores_value else "element key (stores no value)"
        detail = f"**{kind}** of `st.{widget.command}`"
        if widget.label:
            detail += f" labelled {widget.label!r}"
        lines.append(detail)
        facts = []
        if widget.readonly:
            facts.append("read-only: cannot be set through Session State")
        if widget.has_default:
            facts.append("created with a default value")
        if widget.persists:
            facts.append("kept across pages")
        callbacks = [callback.function.name for callback in widget.callbacks]
        if callbacks:
            facts.append("callbacks: " + ", ".join(f"`{name}`" for name in callbacks))
        if facts:
            lines.append("; ".join(facts))
    else:
        shown = info.value or (inferred and f"{inferred} (inferred)")
        lines.append("**session-state variable**" + (f": `{shown}`" if shown else ""))
    if info.inits:
        lines.append("Initialised at " + ", ".join(_link(o, root) for o in info.inits[:8]))
    else:
        lines.append("Never initialised in this workspace")
    lines.append(f"{len(info.readers)} read(s), {len(info.writers)} write(s)")
    if pages:
        lines.append("Pages: " + ", ".join(pages))
    return "\n\n".join(lines)


def register(server: StreamlitLanguageServer) -> None:
    register_inlay_hints(server)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: StreamlitLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return None
        occurrence = occurrence_at(ls, params.text_document.uri, params.position)
        snapshot = ls.snapshot()
        converter = ls.converter(path)
        if occurrence is None:
            return _rule_hover(ls, path, params.position, converter)
        info = snapshot.answers.info(occurrence.key)
        if info is None:
            return None
        root = next((r for r in ls.ensure_engine().roots if path.is_relative_to(r)), None)
        inferred = (
            await _inferred_type(ls, info, root) if not info.value and not info.widgets else None
        )
        value = hover_markdown(info, snapshot.answers.pages_using(info.key), root, inferred)
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=value),
            range=converter.range(occurrence.key_span),
        )


INFERENCE_SECONDS = 1.5


async def _inferred_type(
    ls: StreamlitLanguageServer, info: KeyInfo, root: Path | None
) -> str | None:
    """jedi's type for the first non-literal initial value, if it answers in time."""
    site = next(
        (o for o in info.inits if o.access is not None and o.access.value_span is not None), None
    )
    if site is None or site.access is None or site.access.value_span is None:
        return None
    text = ls.text_of(site.path)
    if text is None:
        return None
    span = site.access.value_span
    converter = ls.converter(site.path)
    if span.line != span.end_line:
        return None
    expression = converter.line(span.line - 1)[span.column : span.end_column]
    loop = asyncio.get_running_loop()
    job = loop.run_in_executor(ls.thread_pool, infer_type, site.path, text, expression, root)
    try:
        return await asyncio.wait_for(asyncio.shield(job), INFERENCE_SECONDS)
    except asyncio.TimeoutError:
        return None  # the inference finishes in the background; jedi caches it for next time


def _rule_hover(
    ls: StreamlitLanguageServer, path: Path, position: lsp.Position, converter: object
) -> lsp.Hover | None:
    """On a ``# noqa: ST001`` code: the rule's documentation."""
    line_number, column = converter.position(position)  # type: ignore[attr-defined]
    line = converter.line(line_number - 1)  # type: ignore[attr-defined]
    start = column
    while start > 0 and line[start - 1].isalnum():
        start -= 1
    end = column
    while end < len(line) and line[end].isalnum():
        end += 1
    rule = RULES.get(line[start:end].upper())
    if rule is None or "noqa" not in line[:start].lower():
        return None
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=rule.documentation())
    )


def register_inlay_hints(server: StreamlitLanguageServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT)
    def inlay_hints(
        ls: StreamlitLanguageServer, params: lsp.InlayHintParams
    ) -> list[lsp.InlayHint] | None:
        """Opt-in (``inlayHints``): the type of the initial value after each read."""
        if not ls.settings.inlay_hints:
            return []
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return None
        answers = ls.snapshot().answers
        converter = ls.converter(path)
        first = params.range.start.line + 1
        last = params.range.end.line + 1
        hints = []
        for occurrence in answers.in_file(path):
            if occurrence.role is not Role.READ or not first <= occurrence.key_span.line <= last:
                continue
            access = occurrence.access
            if access is None or access.syntax not in (Syntax.ATTRIBUTE, Syntax.SUBSCRIPT):
                continue
            info = answers.info(occurrence.key)
            value = info.value if info is not None else None
            if not value:
                continue
            end = converter.range(access.span).end
            hints.append(
                lsp.InlayHint(
                    position=end, label=f": {value.split(' = ')[0]}", kind=lsp.InlayHintKind.Type
                )
            )
        return hints
