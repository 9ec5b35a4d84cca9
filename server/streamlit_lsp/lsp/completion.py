"""Completion of session-state keys on the line being typed.

The line may not parse (the user is mid-expression), so the context is read from the
line's text before the cursor, and the keys come from the last good facts of the
workspace: no parse on the completion path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Set
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.capabilities import get_capability

from streamlit_lsp.analysis.answers import KeyInfo, Role
from streamlit_lsp.lsp import wire
from streamlit_lsp.lsp.engine import Snapshot
from streamlit_lsp.lsp.positions import Converter
from streamlit_lsp.lsp.server import StreamlitLanguageServer
from streamlit_lsp.lsp.wire import WireJson

IDENTIFIER = r"[^\W\d]\w*"
# What can stand before the key: st.session_state, streamlit.session_state, an alias.
RECEIVER = rf"(?P<receiver>{IDENTIFIER}(?:\.{IDENTIFIER})*)"

ATTRIBUTE = re.compile(rf"{RECEIVER}\s*\.\s*(?P<partial>\w*)$")
SUBSCRIPT = re.compile(rf"{RECEIVER}\s*\[\s*(?P<quote>['\"])(?P<partial>[^'\"\\]*)$")
METHOD = re.compile(
    rf"{RECEIVER}\s*\.\s*(?:get|setdefault|pop)\s*\(\s*(?P<quote>['\"])(?P<partial>[^'\"\\]*)$"
)
MEMBERSHIP_PREFIX = re.compile(r"(?P<quote>['\"])(?P<partial>[^'\"\\]*)$")
MEMBERSHIP_SUFFIX = re.compile(rf"^[^'\"\\]*['\"]\s+(?:not\s+)?in\s+{RECEIVER}")
WIDGET_KEY = re.compile(r"\bkey\s*=\s*(?P<quote>['\"])(?P<partial>[^'\"\\]*)$")


@dataclass(frozen=True)
class Context:
    kind: str  # "attribute", "string", "widget_key"
    partial: str
    start: int  # code-point column where the replaced text starts
    dot: int | None = None  # column of the "." before an attribute (for ["key"] edits)


def _is_state(receiver: str, streamlit_names: set[str], state_names: set[str]) -> bool:
    parts = receiver.split(".")
    if len(parts) == 1:
        return parts[0] in state_names
    return parts[-1] == "session_state" and parts[0] in streamlit_names


def find_context(
    before: str, after: str, streamlit_names: set[str], state_names: set[str]
) -> Context | None:
    """Which kind of key completion, if any, the text around the cursor asks for."""
    column = len(before)
    for pattern in (SUBSCRIPT, METHOD):
        match = pattern.search(before)
        if match and _is_state(match["receiver"], streamlit_names, state_names):
            return Context("string", match["partial"], column - len(match["partial"]))
    match = WIDGET_KEY.search(before)
    if match:
        return Context("widget_key", match["partial"], column - len(match["partial"]))
    match = MEMBERSHIP_PREFIX.search(before)
    if match:
        suffix = MEMBERSHIP_SUFFIX.match(after)
        if suffix and _is_state(suffix["receiver"], streamlit_names, state_names):
            return Context("string", match["partial"], column - len(match["partial"]))
    match = ATTRIBUTE.search(before)
    if match and _is_state(match["receiver"], streamlit_names, state_names):
        partial = match["partial"]
        dot = before.rindex(".", 0, column - len(partial))
        return Context("attribute", partial, column - len(partial), dot)
    return None


def _detail(info: KeyInfo, ls_root: Path | None) -> str:
    widgets = [o for o in info.widgets if o.widget is not None and o.widget.stores_value]
    place = widgets[0] if widgets else (info.inits[0] if info.inits else None)
    where = ""
    if place is not None:
        where = f"{_relative(place.path, ls_root)}:{place.key_span.line}"
    if widgets:
        command = widgets[0].widget.command if widgets[0].widget else "widget"
        return f"st.{command} · {where}"
    value = info.value or "state"
    return f"{value} · {where}" if where else value


def _relative(path: Path, root: Path | None) -> str:
    """``path`` from ``root`` in POSIX form (its name alone outside it); string work,
    not ``Path.relative_to``, which costs more than the rest of a completion item."""
    name = path.name
    if root is None:
        return name
    folder = str(root).rstrip(os.sep) + os.sep
    full = str(path)
    return full[len(folder) :].replace(os.sep, "/") if full.startswith(folder) else name


def _documentation(info: KeyInfo) -> str:
    lines = [f"**`{info.key}`**"]
    if info.is_widget_key:
        widget = info.widgets[0].widget
        if widget is not None:
            lines.append(
                f"Widget key of `st.{widget.command}`"
                + (f" ({widget.label!r})" if widget.label else "")
            )
    elif info.value:
        lines.append(f"Initial value: `{info.value}`")
    lines.append(
        f"{len(info.inits)} initialisation(s), {len([o for o in info.occurrences if o.role is Role.READ])} read(s)"
    )
    return "\n\n".join(lines)


# A list this long is already more than anyone reads; past it the list is marked
# incomplete, and the client asks again as the user types more of the key.
MAX_ITEMS = 100


def register(server: StreamlitLanguageServer) -> None:
    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=[".", '"', "'", "["], resolve_provider=True),
    )
    def completion(ls: StreamlitLanguageServer, params: lsp.CompletionParams) -> WireJson | None:
        """A ``CompletionList``, as JSON (``wire``: this runs on every keystroke)."""
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return None
        text = ls.text_of(path)
        if text is None:
            return None
        converter = ls.converter(path)
        line_number, column = converter.position(params.position)
        line = converter.line(line_number - 1)
        before, after = line[:column], line[column:]
        snapshot = ls.snapshot(fresh=False)
        facts = snapshot.model.program.facts(path)
        streamlit_names = {"st", "streamlit", *(facts.streamlit_aliases if facts else ())}
        state_names = {"session_state", *(facts.state_aliases if facts else ())}
        context = find_context(before, after, streamlit_names, state_names)
        if context is None:
            return None
        keys = snapshot.answers.keys_for(path)
        if context.kind == "widget_key":
            # Keys some code reads but no widget binds yet: what a new widget would serve.
            keys = {key: info for key, info in keys.items() if not info.widgets and info.readers}
        # The token being typed is a key occurrence too once the buffer was analysed:
        # "bul" is no key to offer while the user types "bulk_140".
        typed = snapshot.answers.touching(path, line_number, column)
        only_typed = {
            o.key
            for o in typed
            if o.key in keys and all(other in typed for other in keys[o.key].occurrences)
        }
        if only_typed:
            keys = {key: info for key, info in keys.items() if key not in only_typed}
        here: Set[str] = snapshot.answers.keys_in_file(path)
        if typed:
            in_file = snapshot.answers.in_file(path)
            here = {o.key for o in in_file if o not in typed}
            ranked = _ranked(keys, context.partial, here)
        else:
            ranked = _ranked_in(snapshot, path, context.kind, context.partial, keys, here)
        root = _root_of(ls, path)
        edit_range = _EditRange(converter, line_number - 1, column, context)
        # A client that takes a default edit range (LSP 3.17) gets it once for the list:
        # most items then carry only their label.
        shared_range = _takes_default_edit_range(ls)
        items = [
            _item(key, keys[key], context, edit_range, key in here, root, snapshot, shared_range)
            for key in ranked[:MAX_ITEMS]
        ]
        result = WireJson(isIncomplete=len(ranked) > MAX_ITEMS, items=items)
        if shared_range:
            result["itemDefaults"] = {"editRange": edit_range.typed}
        return result

    server.answer_preparers.append(_prepare)

    @server.feature(lsp.COMPLETION_ITEM_RESOLVE)
    def resolve(ls: StreamlitLanguageServer, item: lsp.CompletionItem) -> lsp.CompletionItem:
        """The documentation, built only for the item the user is looking at."""
        key = item.data.get("key") if isinstance(item.data, dict) else None
        info = ls.snapshot(fresh=False).answers.info(key) if isinstance(key, str) else None
        if info is not None:
            item.documentation = lsp.MarkupContent(
                kind=lsp.MarkupKind.Markdown, value=_documentation(info)
            )
        return item


def _prepare(ls: StreamlitLanguageServer, snapshot: Snapshot, path: Path) -> None:
    """After an analysis, for an open document: what a completion at a trigger (``.``,
    ``["``) needs, the ranking and the items, so the first one in the new snapshot
    is as fast as the others."""
    keys = snapshot.answers.keys_for(path)
    here = snapshot.answers.keys_in_file(path)
    root = _root_of(ls, path)
    # Both triggers offer every key of the app: one ranking serves them.
    ranked = _ranked_in(snapshot, path, "attribute", "", keys, here)
    snapshot.completion_ranked.setdefault((path, "string", ""), ranked)
    for key in ranked[:MAX_ITEMS]:
        _shared_item(snapshot, key, keys[key], key in here, root)


def _root_of(ls: StreamlitLanguageServer, path: Path) -> Path | None:
    return next((r for r in ls.ensure_engine().roots if path.is_relative_to(r)), None)


def _ranked_in(
    snapshot: Snapshot,
    path: Path,
    kind: str,
    partial: str,
    keys: dict[str, KeyInfo],
    here: Set[str],
) -> list[str]:
    """``_ranked`` with nothing analysed under the cursor: it depends on the snapshot,
    the file, the kind of completion and what was typed only, and is asked for again on
    every keystroke of a word the client filters itself."""
    memo = (path, kind, partial)
    ranked = snapshot.completion_ranked.get(memo)
    if ranked is None:
        ranked = snapshot.completion_ranked[memo] = _ranked(keys, partial, here)
    return ranked


def _ranked(keys: dict[str, KeyInfo], partial: str, here: Set[str]) -> list[str]:
    """Matching keys, best first: this file's keys, then those starting with what was
    typed, then those containing it; by name within each group.

    ``keys`` come in name order (``Answers`` lists them so, and filtering keeps it):
    four buckets filled in that order rank them without a sort on the keystroke path.
    """
    buckets: tuple[list[str], ...] = ([], [], [], [])
    for key in keys:
        if partial in key:
            buckets[(key not in here) * 2 + (not key.startswith(partial))].append(key)
    return [key for bucket in buckets for key in bucket]


@dataclass
class _EditRange:
    """The range an item replaces, in the client's units (shared by every item)."""

    converter: Converter
    line: int
    column: int
    context: Context

    @cached_property
    def typed(self) -> dict[str, dict[str, int]]:
        return self._from(self.context.start)

    @cached_property
    def from_dot(self) -> dict[str, dict[str, int]]:
        return self._from(self.context.dot if self.context.dot is not None else self.context.start)

    def _from(self, start: int) -> dict[str, dict[str, int]]:
        to_client = self.converter.to_client_column
        return wire.range_of(
            self.line, to_client(self.line, start), to_client(self.line, self.column)
        )


def _takes_default_edit_range(ls: StreamlitLanguageServer) -> bool:
    defaults = get_capability(
        ls.client_capabilities, "text_document.completion.completion_list.item_defaults", None
    )
    return bool(defaults) and "editRange" in defaults


def _item(
    key: str,
    info: KeyInfo,
    context: Context,
    edit_range: _EditRange,
    in_file: bool,
    root: Path | None,
    snapshot: Snapshot,
    shared_range: bool,
) -> dict[str, Any]:
    """One item, as JSON (``wire``): the part every completion of this key shares is
    built once per snapshot; an edit, when the item needs its own, is added here."""
    shared = _shared_item(snapshot, key, info, in_file, root)
    if context.kind == "attribute" and not key.isidentifier():
        # ss.my key is not Python: offer ss["my key"] instead, replacing from the dot.
        return {**shared, "textEdit": wire.text_edit(edit_range.from_dot, f"[{key!r}]")}
    if shared_range:
        return shared  # the list's default range, replaced by the label
    return {**shared, "textEdit": wire.text_edit(edit_range.typed, key)}


def _shared_item(
    snapshot: Snapshot, key: str, info: KeyInfo, in_file: bool, root: Path | None
) -> dict[str, Any]:
    shared = snapshot.completion_items.get((key, root, in_file))
    if shared is None:
        kind = (
            lsp.CompletionItemKind.Field if info.is_widget_key else lsp.CompletionItemKind.Variable
        )
        shared = snapshot.completion_items[(key, root, in_file)] = {
            "label": key,
            "kind": kind.value,
            "detail": _detail(info, root),
            "sortText": ("0" if in_file else "1") + key,
            "data": {"key": key},
        }
    return shared
