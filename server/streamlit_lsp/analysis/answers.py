"""Answers for editor features: where each key occurs, what is known about it.

Pure queries over a ``Model``: the language server translates these to protocol types,
nothing here knows about LSP. Spans are code points (see ``diagnostics.Span``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from pathlib import Path

from streamlit_lsp.analysis.facts import Access, AccessKind, WidgetCall
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Span


class Role(enum.Enum):
    INIT = "init"  # assignment, setdefault, update: gives the key a value
    WRITE = "write"  # += (reads and writes)
    READ = "read"
    CHECK = "check"  # "k" in ss, hasattr
    DELETE = "delete"
    WIDGET = "widget"  # key= of an element


ROLE_OF_KIND = {
    AccessKind.WRITE: Role.INIT,
    AccessKind.SETDEFAULT: Role.INIT,
    AccessKind.AUGMENT: Role.WRITE,
    AccessKind.READ: Role.READ,
    AccessKind.SAFE_READ: Role.READ,
    AccessKind.POP: Role.READ,
    AccessKind.CONTAINS: Role.CHECK,
    AccessKind.DELETE: Role.DELETE,
}


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a key is named: the token itself (``key_span``) and its whole site."""

    key: str
    path: Path
    key_span: Span
    site_span: Span
    role: Role
    # True when the key is spelled out here (a literal or attribute name), so a rename
    # can edit the token; False when it comes from a constant or a parameter.
    literal: bool
    access: Access | None = None
    widget: WidgetCall | None = None
    # Where the constant holding the key is defined (its string literal), when a
    # constant names the key here: a rename edits that literal instead of this token.
    constant_site: tuple[Path, Span] | None = None


@dataclass
class KeyInfo:
    """What the workspace knows about one key (hover, completion, symbols)."""

    key: str
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def inits(self) -> list[Occurrence]:
        return [
            o for o in self.occurrences if o.role in (Role.INIT, Role.WIDGET) and self._stores(o)
        ]

    @property
    def widgets(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.role is Role.WIDGET]

    @property
    def readers(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.role in (Role.READ, Role.CHECK, Role.WRITE)]

    @property
    def writers(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.role in (Role.INIT, Role.WRITE, Role.DELETE)]

    @property
    def is_widget_key(self) -> bool:
        return any(o.widget is not None and o.widget.stores_value for o in self.widgets)

    @property
    def value(self) -> str | None:
        """The first literal value written (``int = 0``)."""
        for occurrence in self.inits:
            if occurrence.access is not None and occurrence.access.value:
                return occurrence.access.value
        return None

    @staticmethod
    def _stores(occurrence: Occurrence) -> bool:
        return occurrence.widget is None or occurrence.widget.stores_value


class Answers:
    """Key occurrences of every indexed file, computed once per model."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._by_key: dict[str, KeyInfo] = {}
        self._by_path: dict[Path, list[Occurrence]] = {}
        self._collect()

    def _collect(self) -> None:
        program = self.model.program
        seen: set[tuple[Path, Span, str]] = set()
        tables = [self.model.keys(app) for app in self.model.apps]
        entries: list[tuple[Path, Access | WidgetCall, frozenset[str]]] = []
        for table in tables:
            entries.extend((item.path, item.access, item.keys.names) for item in table.accesses)
            entries.extend((item.path, item.widget, item.keys.names) for item in table.widgets)
        covered = {path for app in self.model.apps for path in app.files}
        for path in program.index.paths:
            if path in covered:
                continue
            facts = program.facts(path)
            if facts is None:
                continue
            for access in facts.accesses:
                entries.append((path, access, program.resolve_key(path, access.key).names))
            for widget in facts.widgets:
                if widget.key is not None:
                    entries.append((path, widget, program.resolve_key(path, widget.key).names))
        for path, item, names in entries:
            for key in sorted(names):
                occurrence = _occurrence(path, item, key)
                if occurrence is None:
                    continue
                if item.key_constant is not None:
                    site = program.constant_site(path, item.key_constant)
                    occurrence = replace(occurrence, constant_site=site)
                identity = (path, occurrence.key_span, key)
                if identity in seen:
                    continue
                seen.add(identity)
                self._by_key.setdefault(key, KeyInfo(key)).occurrences.append(occurrence)
                self._by_path.setdefault(path, []).append(occurrence)
        for info in self._by_key.values():
            info.occurrences.sort(key=lambda o: (str(o.path), o.key_span))

    # ---------------------------------------------------------------- queries

    def keys(self) -> dict[str, KeyInfo]:
        return self._by_key

    def info(self, key: str) -> KeyInfo | None:
        return self._by_key.get(key)

    def in_file(self, path: Path) -> list[Occurrence]:
        return sorted(self._by_path.get(path, []), key=lambda o: o.key_span)

    def at(self, path: Path, line: int, column: int) -> Occurrence | None:
        """The key token under a position (1-based line, code-point column)."""
        for occurrence in self._by_path.get(path, []):
            if occurrence.key_span.contains(line, column):
                return occurrence
        return None

    def keys_for(self, path: Path) -> dict[str, KeyInfo]:
        """Keys visible from ``path``: those of the apps it belongs to (else all)."""
        apps = self.model.program.apps_of(path)
        if not apps:
            return dict(self._by_key)
        files = {file for app in apps for file in app.files}
        return {
            key: info
            for key, info in self._by_key.items()
            if any(occurrence.path in files for occurrence in info.occurrences)
        }

    def pages_using(self, key: str) -> list[str]:
        info = self._by_key.get(key)
        if info is None:
            return []
        labels = []
        for app in self.model.apps:
            for run in app.runs:
                scripts = {run.script, *([run.page.path] if run.page else [])}
                if any(o.path in scripts for o in info.occurrences):
                    labels.append(run.label)
        return sorted(set(labels))


def _occurrence(path: Path, item: Access | WidgetCall, key: str) -> Occurrence | None:
    if isinstance(item, WidgetCall):
        if item.key_span is None:
            return None
        literal = item.key_literal
        return Occurrence(key, path, item.key_span, item.span, Role.WIDGET, literal, widget=item)
    if item.key_span is None:
        return None
    literal = item.key_literal
    return Occurrence(
        key, path, item.key_span, item.span, ROLE_OF_KIND[item.kind], literal, access=item
    )
