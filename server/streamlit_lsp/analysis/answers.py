"""Answers for editor features: where each key occurs, what is known about it.

Pure queries over a ``Model``: the language server translates these to protocol types,
nothing here knows about LSP. Spans are code points (see ``diagnostics.Span``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path

from streamlit_lsp.analysis.facts import Access, AccessKind, WidgetCall
from streamlit_lsp.analysis.model import FileKeys, Model
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
    """What the workspace knows about one key (hover, completion, symbols).

    Built once per key and model; the views by role are computed on first use and kept
    (completion reads them for up to a hundred keys on every keystroke).
    """

    key: str
    occurrences: Sequence[Occurrence] = ()

    @cached_property
    def inits(self) -> list[Occurrence]:
        return [
            o for o in self.occurrences if o.role in (Role.INIT, Role.WIDGET) and self._stores(o)
        ]

    @cached_property
    def widgets(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.role is Role.WIDGET]

    @cached_property
    def readers(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.role in (Role.READ, Role.CHECK, Role.WRITE)]

    @cached_property
    def writers(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.role in (Role.INIT, Role.WRITE, Role.DELETE)]

    @cached_property
    def is_widget_key(self) -> bool:
        return any(o.widget is not None and o.widget.stores_value for o in self.widgets)

    @cached_property
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
        """Each key's occurrences in file and position order, each file's in position
        order: sorted once here, so a question about one group only looks them up."""
        occurrences = sorted(occurrences, key=_place)
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
        self._in_file: dict[Path, tuple[Occurrence, ...]] = {}
        self._by_line: dict[Path, dict[int, list[Occurrence]]] = {}
        self._keys_in_file: dict[Path, frozenset[str]] = {}

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

    def in_file(self, path: Path) -> tuple[Occurrence, ...]:
        """The key occurrences in ``path``, in position order."""
        if path not in self._in_file:
            groups = self._groups_of(path)
            if len(groups) == 1:  # the common case: already in order, nothing to merge
                self._in_file[path] = groups[0].by_path.get(path, ())
            else:
                self._in_file[path] = tuple(_merged(g.by_path.get(path, ()) for g in groups))
        return self._in_file[path]

    def keys_in_file(self, path: Path) -> frozenset[str]:
        """The keys named in ``path``."""
        if path not in self._keys_in_file:
            self._keys_in_file[path] = frozenset(o.key for o in self.in_file(path))
        return self._keys_in_file[path]

    def on_line(self, path: Path, line: int) -> list[Occurrence]:
        """The occurrences in ``path`` whose key token covers any of ``line`` (1-based)."""
        if path not in self._by_line:
            by_line: dict[int, list[Occurrence]] = {}
            for occurrence in self.in_file(path):
                span = occurrence.key_span
                for covered in range(span.line, span.end_line + 1):
                    by_line.setdefault(covered, []).append(occurrence)
            self._by_line[path] = by_line
        return self._by_line[path].get(line, [])

    def touching(self, path: Path, line: int, column: int) -> list[Occurrence]:
        """Every occurrence whose key token holds a position (1-based line, code-point
        column), in position order."""
        return [o for o in self.on_line(path, line) if o.key_span.contains(line, column)]

    def at(self, path: Path, line: int, column: int) -> Occurrence | None:
        """The key token under a position (1-based line, code-point column)."""
        found = self.touching(path, line, column)
        return found[0] if found else None

    def keys_for(self, path: Path) -> dict[str, KeyInfo]:
        """Keys of the apps ``path`` belongs to, each with its occurrences in those apps
        (else every key of the workspace): what completion offers in that file."""
        apps = self.model.program.apps_of(path)
        if not apps:
            return self.keys()
        entries = tuple(app.entry for app in apps)
        if entries not in self._visible:
            groups = [self._app_group(app) for app in apps]
            if len(groups) == 1:  # the common case: each key's occurrences as they are
                by_key = groups[0].by_key
                self._visible[entries] = {key: KeyInfo(key, by_key[key]) for key in sorted(by_key)}
            else:
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


def _place(occurrence: Occurrence) -> tuple[str, int, int, int, int]:
    """Sort key: file, then position (plain tuples: comparing spans field by field
    through the dataclass is several times slower)."""
    span = occurrence.key_span
    return (str(occurrence.path), span.line, span.column, span.end_line, span.end_column)


def _merged(lists: Iterable[tuple[Occurrence, ...]]) -> list[Occurrence]:
    """Occurrences from several groups, each place once (a module two apps import is
    in both groups), in file and position order."""
    lists = [occurrences for occurrences in lists if occurrences]
    if len(lists) == 1:  # one group: already in order and without repeats
        return list(lists[0])
    seen: set[tuple[Path, Span, str]] = set()
    found = []
    for occurrences in lists:
        for occurrence in occurrences:
            identity = (occurrence.path, occurrence.key_span, occurrence.key)
            if identity not in seen:
                seen.add(identity)
                found.append(occurrence)
    found.sort(key=_place)
    return found


def _app_group(model: Model, app: App) -> Group:
    """Every key occurrence in the app's files, keys resolved as the app resolves them.

    Built from one group per file, each kept as long as that file's part of the key
    table: after an edit, only the edited file's occurrences are found again, and the
    app's group is a merge of the files' (no sort over the whole app).
    """
    table = model.keys(app)
    parts = [
        model.memo(("occurrences of", memo_key), partial(_part_group, model.program, keys, reads))
        for memo_key, keys, reads in table.files
    ]
    parts.sort(key=lambda part: str(next(iter(part.by_path), "")))
    by_key: dict[str, list[tuple[Occurrence, ...]]] = {}
    by_path: dict[Path, tuple[Occurrence, ...]] = {}
    for part in parts:
        by_path.update(part.by_path)
        for key, found in part.by_key.items():
            by_key.setdefault(key, []).append(found)
    return Group(
        {key: lists[0] if len(lists) == 1 else sum(lists, ()) for key, lists in by_key.items()},
        by_path,
    )


def _part_group(program: Program, keys: FileKeys, reads: tuple[Path, ...]) -> Group:
    """The key occurrences of one file's part of a key table. ``reads``: the files the
    part was computed from, counted as read here, so the group holds exactly as long."""
    program.note_reads(reads)
    entries: list[Entry] = [(item.path, item.access, item.keys.names) for item in keys.accesses]
    entries.extend((item.path, item.widget, item.keys.names) for item in keys.widgets)
    return Group.of(_occurrences(program, entries))


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
