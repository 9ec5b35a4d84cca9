"""Answers for editor features: where each key occurs, what is known about it.

Pure queries over a ``Model``: the language server translates these to protocol types,
nothing here knows about LSP. Spans are code points (see ``diagnostics.Span``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path

from streamlit_lsp.analysis.facts import Access, AccessKind, WidgetCall
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.analysis.program import App, Program
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


@dataclass(frozen=True)
class Group:
    """The key occurrences of one app (or of one file no app holds), indexed both ways.

    Built once and kept with the app's results: after an edit, only the groups of the
    apps that read the edited file are built again, and the answers merge the groups a
    question needs, never the whole workspace up front.
    """

    by_key: dict[str, tuple[Occurrence, ...]]
    by_path: dict[Path, tuple[Occurrence, ...]]

    @classmethod
    def of(cls, occurrences: list[Occurrence]) -> Group:
        by_key: dict[str, list[Occurrence]] = {}
        by_path: dict[Path, list[Occurrence]] = {}
        for occurrence in occurrences:
            by_key.setdefault(occurrence.key, []).append(occurrence)
            by_path.setdefault(occurrence.path, []).append(occurrence)
        return cls(
            {key: tuple(found) for key, found in by_key.items()},
            {path: tuple(found) for path, found in by_path.items()},
        )


class Answers:
    """Key occurrences of every indexed file, as of one model."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._infos: dict[str, KeyInfo | None] = {}
        self._all: dict[str, KeyInfo] | None = None
        # keys_for, by the apps a file belongs to (every file of an app sees the same).
        self._visible: dict[tuple[Path, ...], dict[str, KeyInfo]] = {}

    def _app_group(self, app: App) -> Group:
        return self.model.memo(("occurrences", app), partial(_app_group, self.model, app))

    def _file_group(self, path: Path) -> Group:
        program = self.model.program
        return self.model.memo(("occurrences", path), partial(_file_group, program, path))

    @cached_property
    def _groups(self) -> list[Group]:
        """Every group: each app's, and each file's that no app holds."""
        groups = [self._app_group(app) for app in self.model.apps]
        covered = {path for app in self.model.apps for path in app.files}
        groups.extend(
            self._file_group(path) for path in self.model.program.index.paths if path not in covered
        )
        return groups

    def _groups_of(self, path: Path) -> list[Group]:
        """The groups that can hold occurrences in ``path`` (built only when asked: a
        completion needs its own app, not the whole workspace)."""
        apps = self.model.program.apps_of(path)
        return [self._app_group(app) for app in apps] if apps else [self._file_group(path)]

    # ---------------------------------------------------------------- queries

    def keys(self) -> dict[str, KeyInfo]:
        """Every key of the workspace."""
        if self._all is None:
            names = sorted({key for group in self._groups for key in group.by_key})
            self._all = {key: info for key in names if (info := self.info(key)) is not None}
        return self._all

    def info(self, key: str) -> KeyInfo | None:
        if key not in self._infos:
            found = _merged(group.by_key.get(key, ()) for group in self._groups)
            self._infos[key] = KeyInfo(key, found) if found else None
        return self._infos[key]

    def in_file(self, path: Path) -> list[Occurrence]:
        found = _merged(group.by_path.get(path, ()) for group in self._groups_of(path))
        return sorted(found, key=lambda o: o.key_span)

    def at(self, path: Path, line: int, column: int) -> Occurrence | None:
        """The key token under a position (1-based line, code-point column)."""
        for occurrence in self.in_file(path):
            if occurrence.key_span.contains(line, column):
                return occurrence
        return None

    def keys_for(self, path: Path) -> dict[str, KeyInfo]:
        """Keys of the apps ``path`` belongs to, each with its occurrences in those apps
        (else every key of the workspace): what completion offers in that file."""
        apps = self.model.program.apps_of(path)
        if not apps:
            return self.keys()
        entries = tuple(app.entry for app in apps)
        if entries not in self._visible:
            groups = [self._app_group(app) for app in apps]
            names = sorted({key for group in groups for key in group.by_key})
            self._visible[entries] = {
                key: KeyInfo(key, _merged(group.by_key.get(key, ()) for group in groups))
                for key in names
            }
        return self._visible[entries]

    def pages_using(self, key: str) -> list[str]:
        info = self.info(key)
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


Entry = tuple[Path, "Access | WidgetCall", frozenset[str]]


def _merged(lists: Iterable[tuple[Occurrence, ...]]) -> list[Occurrence]:
    """Occurrences from several groups, each place once (a module two apps import is
    in both groups), in file and position order."""
    seen: set[tuple[Path, Span, str]] = set()
    found = []
    for occurrences in lists:
        for occurrence in occurrences:
            identity = (occurrence.path, occurrence.key_span, occurrence.key)
            if identity not in seen:
                seen.add(identity)
                found.append(occurrence)
    found.sort(key=lambda o: (str(o.path), o.key_span))
    return found


def _app_group(model: Model, app: App) -> Group:
    """Every key occurrence in the app's files, keys resolved as the app resolves them."""
    table = model.keys(app)
    entries: list[Entry] = [(item.path, item.access, item.keys.names) for item in table.accesses]
    entries.extend((item.path, item.widget, item.keys.names) for item in table.widgets)
    return Group.of(_occurrences(model.program, entries))


def _file_group(program: Program, path: Path) -> Group:
    """A file no app runs or imports: its keys resolved on their own."""
    facts = program.facts(path)
    if facts is None:
        return Group({}, {})
    entries: list[Entry] = [
        (path, access, program.resolve_key(path, access.key).names) for access in facts.accesses
    ]
    entries.extend(
        (path, widget, program.resolve_key(path, widget.key).names)
        for widget in facts.widgets
        if widget.key is not None
    )
    return Group.of(_occurrences(program, entries))


def _occurrences(program: Program, entries: list[Entry]) -> list[Occurrence]:
    found = []
    for path, item, names in entries:
        for key in sorted(names):
            occurrence = _occurrence(path, item, key)
            if occurrence is None:
                continue
            if item.key_constant is not None:
                site = program.constant_site(path, item.key_constant)
                occurrence = replace(occurrence, constant_site=site)
            found.append(occurrence)
    return found
