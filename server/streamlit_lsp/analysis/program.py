"""The program: apps found in the indexed files, and cross-file resolution.

An *app* is what ``streamlit run ENTRY`` executes. Its *runs* are the scripts a single
rerun executes (RULES.md section 1, "A run, in order"):

* a single-file app: the entry script;
* a ``pages/`` folder beside the entry (MPA v1): each page, entry included, runs alone;
  a user may open any page first by URL;
* ``st.navigation``: the entry script runs before every page, which runs where the
  entry calls ``.run()``.

Every file belongs to the apps that execute or import it. Keys written through names
imported from other modules, and functions called across modules, are resolved here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

from streamlit_lsp.analysis.facts import (
    ChoiceKey,
    ConstantRef,
    DynamicKey,
    FileFacts,
    FunctionFacts,
    FunctionRef,
    ImportedKey,
    Key,
    LiteralKey,
    ParamKey,
)
from streamlit_lsp.analysis.index import WorkspaceIndex, canonical, importer_folder
from streamlit_lsp.diagnostics import Span
from streamlit_lsp.records import record

MAX_REEXPORT_DEPTH = 8
# Files whose candidacy as an entry point is found between pauses (``discovery_steps``):
# about 25 ms on the 2-core development machine.
DISCOVERY_STEP_FILES = 100


class _Recorder:
    """The files read while a recording is active (``Program.recording``)."""

    __slots__ = ("_merged", "paths")

    def __init__(self, paths: set[Path]) -> None:
        self.paths = paths
        # The collections already added, by identity, each kept so its id stays its
        # own: a walk replays the same cached resolution's files thousands of times,
        # and hashing each path again was 6% of an analysis.
        self._merged: dict[int, Collection[Path]] = {}

    def add_all(self, paths: tuple[Path, ...] | frozenset[Path]) -> None:
        if id(paths) not in self._merged:
            self._merged[id(paths)] = paths
            self.paths.update(paths)


@record
class KeySet:
    """What a key expression can be at run time: known names and/or a pattern."""

    names: frozenset[str] = frozenset()
    # A regular expression runtime values match; "" when nothing unknown is possible.
    pattern: str = ""

    @property
    def dynamic(self) -> bool:
        return bool(self.pattern)

    def could_be(self, name: str) -> bool:
        if name in self.names:
            return True
        return bool(self.pattern) and re.fullmatch(self.pattern, name, re.DOTALL) is not None


ANY_KEY = KeySet(pattern=".*")


@dataclass(frozen=True, slots=True)
class PageTarget:
    """A page of a navigation app: a script, or a function (``st.Page(callable)``)."""

    path: Path
    function: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.function}" if self.function else self.path.name


@dataclass(frozen=True, slots=True)
class Run:
    """One kind of rerun of an app: the script that starts it and the page it shows."""

    script: Path
    page: PageTarget | None = None

    @property
    def label(self) -> str:
        return self.page.label if self.page else self.script.name


@dataclass(frozen=True)
class App:
    entry: Path
    kind: str  # "single", "pages", "navigation"
    runs: tuple[Run, ...]
    files: frozenset[Path]
    scripts: frozenset[Path]  # entry and page scripts: re-executed every run

    def __hash__(self) -> int:
        # Computed once: an app is part of the key of every result kept for it.
        try:
            return self._hash  # type: ignore[has-type]
        except AttributeError:
            value = hash((self.entry, self.kind, self.runs, self.files, self.scripts))
            object.__setattr__(self, "_hash", value)
            return value

    def rank(self, path: Path) -> int:
        """Entry first, then pages, then helper modules: where a human looks first."""
        if path == self.entry:
            return 0
        return 1 if path in self.scripts else 2


@dataclass(slots=True)
class KeptCandidates:
    """The entry-point candidates as found (``Program._candidates``), with what they were
    found from: the module layout, the files, the configured entry points, and what
    each file says about itself (a Streamlit script? which files does it name?) as of
    ``generation``."""

    layout: int
    paths: tuple[Path, ...]
    configured: tuple[Path, ...]
    generation: int
    values: dict[Path, tuple[bool, tuple[Path, ...]]]
    found: tuple[Path, ...]
    # The folders of ``found`` and their hash (``Program.entry_folders``), made once.
    folders: tuple[Path, ...] = ()
    folders_hash: int = 0

    def __post_init__(self) -> None:
        self.folders = _folders_of(self.found)
        self.folders_hash = hash(self.folders)

    def holds(
        self,
        index: WorkspaceIndex,
        configured: tuple[Path, ...] | None,
        candidate: Callable[[Path], tuple[bool, tuple[Path, ...]]],
    ) -> bool:
        """Still the candidates of ``index`` (``configured`` None: not compared). Only
        the files changed since ``generation`` are asked again."""
        if self.layout != index.layout_generation or self.paths is not index.paths:
            return False
        if configured is not None and configured != self.configured:
            return False
        values = self.values
        for path in index.changed_since(self.generation):
            if candidate(path) != values.get(path):
                return False
        self.generation = index.generation
        return True


def _folders_of(entries: Iterable[Path]) -> tuple[Path, ...]:
    return tuple(sorted({entry.parent for entry in entries}))


def _entry_points(
    values: dict[Path, tuple[bool, tuple[Path, ...]]], configured: tuple[Path, ...]
) -> tuple[Path, ...]:
    """The entry points among files, from what each says about itself: Streamlit
    scripts that no other file imports or names as a page, and the configured ones."""
    streamlit_files = [path for path, (is_script, _) in values.items() if is_script]
    not_entries = {named for _, names in values.values() for named in names}
    # Folders holding a Streamlit script (a file that is not indexed is not one).
    script_folders = {path.parent for path in streamlit_files}
    for path in streamlit_files:
        if path.parent.name == "pages" and path.parent.parent in script_folders:
            not_entries.add(path)
    found = [path for path in streamlit_files if path not in not_entries]
    return tuple(sorted({*configured, *found}))


@dataclass(slots=True)
class KeptApp:
    """An app as found (see ``Program._app``), with what it was found from: ``token``
    (the module layout, the apps' folders, the listing of its ``pages/`` folder), and
    the stamps of the files it was built from, which still held at ``generation``."""

    app: App
    token: tuple[int, int, int | None]
    stamps: dict[Path, int | None]
    generation: int
    # Beside the entry script, as a string: stat'ed for every app on every edit.
    pages_folder: str
    # The facts of those files then, where discovery read them (not for an app taken
    # from an earlier run): a file whose facts changed since only where discovery does
    # not look (``discovery_view``) leaves the app as it was.
    facts: dict[Path, FileFacts] = field(default_factory=dict)

    def holds(self, index: WorkspaceIndex, folders_hash: int) -> bool:
        """Whether the app is still the one found. Only the files changed since
        ``generation`` are compared (an edit used to compare every file of every app);
        most edits change facts discovery does not read, which is cheaper to tell than
        to find the app again (a millisecond for a dozen files, on every keystroke)."""
        token = self.token
        if index.creations_reported:
            # A page added or removed is a layout change then: no stat of the folder.
            if token[0] != index.layout_generation or token[1] != folders_hash:
                return False
        elif _app_token(index, folders_hash, self.pages_folder) != token:
            return False
        stamps = self.stamps
        for path in index.changed_since(self.generation):
            if path not in stamps:
                continue
            stamp = index.stamp(path)
            if stamp == stamps[path]:
                continue
            then, now = self.facts.get(path), index.facts(path)
            if then is None or now is None or discovery_view(then) != discovery_view(now):
                return False
            stamps[path], self.facts[path] = stamp, now
        self.generation = index.generation
        return True


@dataclass(slots=True)
class KeptDiscovery:
    """Every app as discovery last found them (``Program.apps``), for the entry
    candidates ``entries``, with the entry scripts of the apps that read each file.

    Kept only where the editor reports created and deleted files
    (``WorkspaceIndex.creations_reported``): what an app depends on besides its files
    (the layout, the apps' folders) is then the same for every app, so an edit asks
    only the apps that read a file changed since whether they still hold, not each of
    the workspace's apps (3 ms of every edit in 2,000 files, 180 apps)."""

    entries: tuple[Path, ...]
    apps: tuple[App, ...]
    layout: int
    folders_hash: int
    generation: int
    # The kept apps these were, by entry: one rebuilt since (elsewhere) is not these.
    kept: dict[Path, KeptApp]
    readers: dict[Path, tuple[Path, ...]]

    @classmethod
    def of(
        cls,
        index: WorkspaceIndex,
        entries: tuple[Path, ...],
        apps: Sequence[App],
        folders_hash: int,
    ) -> KeptDiscovery | None:
        kept: dict[Path, KeptApp] = {}
        readers: dict[Path, list[Path]] = {}
        if len(entries) != len(apps):
            return None
        for entry, app in zip(entries, apps, strict=True):
            found = index.apps.get(entry)
            if not isinstance(found, KeptApp) or found.app is not app:
                return None
            if found.token[:2] != (index.layout_generation, folders_hash):
                return None  # (the layout changed while the apps were found)
            kept[entry] = found
            for path in found.stamps:
                readers.setdefault(path, []).append(entry)
        # From the oldest check on: a server finds the apps between requests, and an
        # edit meanwhile changes files some apps were checked against before it.
        checked = min((found.generation for found in kept.values()), default=index.generation)
        return cls(
            entries,
            tuple(apps),
            index.layout_generation,
            folders_hash,
            checked,
            kept,
            {path: tuple(entries) for path, entries in readers.items()},
        )

    def holds(self, index: WorkspaceIndex, entries: tuple[Path, ...], folders_hash: int) -> bool:
        """Still the apps of ``index`` for ``entries`` (the candidates' own tuple)."""
        if (
            not index.creations_reported
            or entries is not self.entries
            or self.layout != index.layout_generation
            or self.folders_hash != folders_hash
        ):
            return False
        apps = index.apps
        for path in index.changed_since(self.generation):
            for entry in self.readers.get(path, ()):
                kept = self.kept[entry]
                if apps.get(entry) is not kept or not kept.holds(index, folders_hash):
                    return False
        self.generation = index.generation
        return True


def discovery_view(facts: FileFacts) -> tuple[object, ...]:
    """What finding an app reads of a file's facts: its imports, the pages it names,
    and what resolving a function named as a page reads (functions, star imports,
    re-exports); positions left out, so a line typed above them changes nothing."""
    return (
        facts.has_navigation,
        tuple((fact.module, fact.name, fact.level) for fact in facts.imports),
        tuple((page.target, page.is_callable, page.in_navigation) for page in facts.pages),
        tuple(function.qualname for function in facts.functions),
        facts.star_imports,
        facts.reexports,
    )


def _app_token(
    index: WorkspaceIndex, folders_hash: int, pages_folder: str
) -> tuple[int, int, int | None]:
    """What an app depends on besides its files: the module layout, the apps' folders
    (``sys.path``), and the listing of its ``pages/`` folder (its mtime changes when a
    page is added or removed)."""
    try:
        listing: int | None = os.stat(pages_folder).st_mtime_ns
    except OSError:
        listing = None
    return (index.layout_generation, folders_hash, listing)


@dataclass
class Program:
    """A read-only view of the index with apps and resolution, built per analysis."""

    index: WorkspaceIndex
    entrypoints: Sequence[Path] = ()
    # Restrict entry discovery to these files (``check file.py``); None: every file.
    only_entries: Sequence[Path] | None = None
    # The index's kept candidates these are, once found (None: found otherwise).
    _candidates_from: KeptCandidates | None = field(default=None, init=False, repr=False)
    # A resolved function, and the files read to resolve it (replayed into recorders).
    _function_cache: dict[
        tuple[Path, FunctionRef], tuple[tuple[Path, FunctionFacts] | None, tuple[Path, ...]]
    ] = field(default_factory=dict)
    # The files read for a cached resolution, shared by the resolutions that read one
    # file alone (most: 11,000 of them in 2,000 files, a set each took 2.4 MB).
    _one_file_read: dict[Path, tuple[Path]] = field(default_factory=dict)
    _module_cache: dict[tuple[Path, str, int], Path | None] = field(default_factory=dict)
    # A page script's path as a file names it (its folder, the target), links resolved:
    # asked when the file's candidacy is found and again when its app is built.
    _page_paths: dict[tuple[Path, str], Path] = field(default_factory=dict)
    # Sets collecting every file whose facts are read while they are active (see
    # ``recording``): what a cached per-app result depends on.
    _recorders: list[_Recorder] = field(default_factory=list)
    _literal_keys: dict[str, KeySet] = field(default_factory=dict)
    # The other keys' resolutions, by the identity of the key fact (the walks ask for
    # the same one on every run of every page; hashing a fact is slower), each with
    # the fact (its identity is only its own while it lives), the file it was
    # resolved for, and the files read to resolve it (replayed).
    _resolved_keys: dict[int, tuple[Key, Path, KeySet, tuple[Path, ...]]] = field(
        default_factory=dict
    )

    # ------------------------------------------------------------ resolution

    def facts(self, path: Path) -> FileFacts | None:
        for recorder in self._recorders:
            recorder.paths.add(path)
        return self.index.facts(path)

    def note_reads(self, paths: tuple[Path, ...] | frozenset[Path]) -> None:
        """Count ``paths`` as read (a cached result computed from them is used)."""
        for recorder in self._recorders:
            recorder.add_all(paths)

    @contextmanager
    def recording(self, reads: set[Path]) -> Iterator[set[Path]]:
        """Add to ``reads`` every file whose facts are read inside the ``with`` block."""
        self._recorders.append(_Recorder(reads))
        try:
            yield reads
        finally:
            self._recorders.pop()  # recordings nest: the innermost ends first

    def module_path(self, importer: Path, module: str, level: int) -> Path | None:
        cache_key = (importer, module, level)
        if cache_key not in self._module_cache:
            self._module_cache[cache_key] = self.index.resolve_module(
                module, level, importer, self.entry_folders
            )
        return self._module_cache[cache_key]

    @cached_property
    def entry_folders(self) -> tuple[Path, ...]:
        """``streamlit run`` puts the entry script's folder on ``sys.path``: pages in a
        subfolder import the app's modules from there."""
        kept = self._kept_candidates
        return kept.folders if kept is not None else _folders_of(self._entry_candidates())

    @cached_property
    def entry_folders_hash(self) -> int:
        """``hash(entry_folders)``, once: a tuple does not keep its hash, and each app's
        token and every memo compare it (hundreds of paths hashed each time)."""
        kept = self._kept_candidates
        return kept.folders_hash if kept is not None else hash(self.entry_folders)

    @property
    def _kept_candidates(self) -> KeptCandidates | None:
        """The index's kept candidates when they are this program's (their folders are
        made once, not on every edit)."""
        self._entry_candidates()  # (finds them, and whether they are the kept ones)
        return self._candidates_from

    def resolve_key(
        self, path: Path, key: Key, bindings: dict[str, KeySet] | None = None
    ) -> KeySet:
        """The runtime keys a key expression in ``path`` can be. (Asked for every
        access of every walk and key table, 180,000 times in 2,000 files: classes are
        compared, not ``isinstance``, and paths by identity first.)"""
        kind = key.__class__
        if kind is LiteralKey:
            return self._literal(key.value)  # type: ignore[union-attr]
        if kind is ParamKey:
            if bindings is not None and key.name in bindings:  # type: ignore[union-attr]
                return bindings[key.name]  # type: ignore[union-attr]
            return ANY_KEY
        known = self._resolved_keys.get(id(key))
        if known is not None and known[0] is key and (known[1] is path or known[1] == path):
            if known[3]:
                self.note_reads(known[3])
            return known[2]
        with self.recording(set()) as reads:
            if isinstance(key, ChoiceKey):
                keys = KeySet(frozenset(key.values))
            elif isinstance(key, DynamicKey):
                keys = KeySet(pattern=key.pattern or ".*")
            else:
                keys = self._resolve_imported(path, key, 0)
        self._resolved_keys[id(key)] = (key, path, keys, self._kept_reads(reads))
        return keys

    def _literal(self, name: str) -> KeySet:
        """One KeySet per key name, a literal or a constant's: the key tables hold one
        per access (a set each took 2.2 MB in 2,000 files for the constants alone)."""
        keys = self._literal_keys.get(name)
        if keys is None:
            keys = self._literal_keys[name] = KeySet(frozenset({name}))
        return keys

    def _resolve_imported(self, path: Path, key: ImportedKey, depth: int) -> KeySet:
        if depth > MAX_REEXPORT_DEPTH:
            return ANY_KEY
        target = self.module_path(path, key.module, key.level)
        if target is None and len(key.path) > 1:
            # import pkg; pkg.keys.COUNT -> module pkg.keys, name COUNT
            submodule = f"{key.module}.{key.path[0]}" if key.module else key.path[0]
            return self._resolve_imported(
                path, ImportedKey(submodule, key.path[1:], key.level, key.collection), depth + 1
            )
        facts = self.facts(target) if target is not None else None
        if target is None or facts is None:
            return ANY_KEY
        dotted = ".".join(key.path)
        if key.collection:
            for name, keys in facts.key_collections:
                if name == dotted:
                    return KeySet(frozenset(keys))
        else:
            for name, value in facts.constants:
                if name == dotted:
                    return self._literal(value)
        for name, reexport in facts.reexports:
            if name == key.path[0]:
                forwarded = ImportedKey(
                    reexport.module, (*reexport.path, *key.path[1:]), reexport.level, key.collection
                )
                return self._resolve_imported(target, forwarded, depth + 1)
        # from pkg import keys (a submodule), keys.COUNT
        if len(key.path) > 1:
            submodule = f"{key.module}.{key.path[0]}" if key.module else key.path[0]
            return self._resolve_imported(
                path, ImportedKey(submodule, key.path[1:], key.level, key.collection), depth + 1
            )
        return ANY_KEY

    def constant_site(
        self, path: Path, ref: ConstantRef, depth: int = 0
    ) -> tuple[Path, Span] | None:
        """Where a constant's string literal is written (following re-exports)."""
        if depth > MAX_REEXPORT_DEPTH:
            return None
        target = path if ref.module is None else self.module_path(path, ref.module, ref.level)
        facts = self.facts(target) if target is not None else None
        if target is None or facts is None:
            return None
        for name, span in facts.constant_spans:
            if name == ref.name:
                return target, span
        head, _, rest = ref.name.partition(".")
        for name, reexport in facts.reexports:
            if name == head:
                forwarded = ".".join([*reexport.path, *([rest] if rest else [])])
                return self.constant_site(
                    target, ConstantRef(forwarded, reexport.module, reexport.level), depth + 1
                )
        return None

    def resolve_function(self, path: Path, ref: FunctionRef) -> tuple[Path, FunctionFacts] | None:
        cache_key = (path, ref)
        cached = self._function_cache.get(cache_key)
        if cached is not None:
            result, reads = cached
            self.note_reads(reads)
            return result
        with self.recording(set()) as reads:
            result = self._resolve_function(path, ref, 0)
        self._function_cache[cache_key] = (result, self._kept_reads(reads))
        return result

    def _kept_reads(self, reads: set[Path]) -> tuple[Path, ...]:
        if len(reads) != 1:
            return tuple(reads)
        (path,) = reads
        kept = self._one_file_read.get(path)
        if kept is None:
            kept = self._one_file_read[path] = (path,)
        return kept

    def _resolve_function(
        self, path: Path, ref: FunctionRef, depth: int
    ) -> tuple[Path, FunctionFacts] | None:
        if depth > MAX_REEXPORT_DEPTH:
            return None
        if ref.module is None:
            facts = self.facts(path)
            function = facts.function(ref.name) if facts is not None else None
            if function is not None:
                return path, function
            for module, level in facts.star_imports if facts is not None else ():
                found = self._resolve_function(
                    path, FunctionRef(ref.name, module, level), depth + 1
                )
                if found is not None:
                    return found
            return None
        target = self.module_path(path, ref.module, ref.level)
        if target is None:
            # from pkg import helpers; helpers.init() was recorded as module "pkg.helpers";
            # it may also be a class: from pkg import Helpers; Helpers.init()
            module, _, owner = ref.module.rpartition(".")
            if owner:
                return self._resolve_function(
                    path, FunctionRef(f"{owner}.{ref.name}", module or None, ref.level), depth + 1
                )
            return None
        facts = self.facts(target)
        if facts is None:
            return None
        function = facts.function(ref.name)
        if function is not None:
            return target, function
        head = ref.name.split(".")[0]
        for name, reexport in facts.reexports:
            if name == head:
                rest = ref.name.split(".")[1:]
                forwarded = FunctionRef(
                    ".".join([*reexport.path, *rest]), reexport.module, reexport.level
                )
                return self._resolve_function(target, forwarded, depth + 1)
        return None

    # ------------------------------------------------------------- the apps

    @cached_property
    def apps(self) -> tuple[App, ...]:
        return tuple(self._discover_apps())

    def apps_of(self, path: Path) -> list[App]:
        return [app for app in self.apps if path in app.files]

    # ---------------------------------------------- discovery kept from an earlier run

    def candidate_values(self) -> dict[Path, tuple[bool, tuple[Path, ...]]]:
        """What each indexed file says about itself: whether it is a Streamlit script,
        and the files it names (imports or pages), which are not entry points."""
        return {path: self._candidate(path) for path in self.index.paths}

    def adopt_candidate(self, path: Path, value: tuple[bool, tuple[Path, ...]]) -> None:
        """Take what ``path`` said about itself in an earlier run (``candidate_values``):
        the caller found its text and the module layout the same."""
        self.index.derived(path, ("candidate",), lambda: value)

    def discovery_basis(self, app: App) -> tuple[tuple[Path, ...], int | None] | None:
        """What discovery found ``app`` from: the files it read, and the modification
        time of the app's ``pages/`` folder (None: no such folder); None when this
        program did not find the app."""
        kept = self.index.apps.get(app.entry)
        if not isinstance(kept, KeptApp) or (kept.app is not app and kept.app != app):
            return None
        return tuple(kept.stamps), kept.token[2]

    def adopt_app(self, app: App, basis: Iterable[Path], listing: int | None) -> bool:
        """Take ``app`` as an earlier run's discovery found it (``discovery_basis``), the
        files it was found from being unchanged (the caller compared them), unless its
        ``pages/`` folder changed since; whether it was taken."""
        pages_folder = os.path.join(app.entry.parent, "pages")
        token = _app_token(self.index, self.entry_folders_hash, pages_folder)
        if token[2] != listing:
            return False
        index = self.index
        stamps = {path: index.stamp(path) for path in basis}
        index.apps[app.entry] = KeptApp(app, token, stamps, index.generation, pages_folder)
        return True

    # ------------------------------------------------------------ imports

    def _imports_of(self, path: Path, extra_bases: tuple[Path, ...] = ()) -> tuple[Path, ...]:
        """The workspace files ``path`` imports (kept by the index until it changes)."""
        return self.index.derived(
            path, ("imports", extra_bases), partial(self._find_imports, path, extra_bases)
        )

    def _find_imports(self, path: Path, extra_bases: tuple[Path, ...]) -> tuple[Path, ...]:
        facts = self.facts(path)
        if facts is None:
            return ()
        found = []
        resolve, folder = self.index.resolve_module, importer_folder(path)
        for fact in facts.imports:
            if fact.module.split(".")[0] == "streamlit":
                continue
            target = resolve(fact.module, fact.level, path, extra_bases, folder)
            if target is None and fact.name is not None:
                # from package import module
                submodule = f"{fact.module}.{fact.name}" if fact.module else fact.name
                target = resolve(submodule, fact.level, path, extra_bases, folder)
            if target is not None and target != path:
                found.append(target)
        return tuple(found)

    def _closure(self, scripts: Iterable[Path], entry: Path) -> frozenset[Path]:
        seen: set[Path] = set()
        stack = list(scripts)
        while stack:
            path = stack.pop()
            if path in seen:
                continue
            seen.add(path)
            if not self.index.indexes(path):
                continue
            stack.extend(self._imports_of(path, (entry.parent,)))
        return frozenset(seen)

    def _page_scripts(self, entry: Path) -> list[Path]:
        """The ``pages/`` folder beside the entry, as Streamlit lists it (on disk: a page
        need not mention Streamlit to be one)."""
        folder = entry.parent / "pages"
        try:
            listing = sorted(os.scandir(folder), key=lambda item: item.name)
        except OSError:
            return []
        pages = []
        for item in listing:
            if not item.name.endswith(".py") or item.name.startswith(("_", ".")):
                continue
            try:
                if not item.is_file():
                    continue
                # The folder is resolved already; only a link needs resolving.
                candidate = Path(item.path).resolve() if item.is_symlink() else Path(item.path)
            except OSError:
                continue
            if self.index.indexes(candidate):
                pages.append(self.index.own(candidate))
        return pages

    def _navigation_pages(self, entry: Path) -> list[PageTarget]:
        facts = self.facts(entry)
        if facts is None:
            return []
        targets = []
        for page in facts.pages:
            if not page.in_navigation:
                continue
            if page.is_callable:
                module, _, name = page.target.rpartition(":")
                if module:
                    resolved = self.resolve_function(entry, FunctionRef(name, module))
                else:
                    resolved = self.resolve_function(entry, FunctionRef(name))
                if resolved is not None:
                    targets.append(PageTarget(resolved[0], resolved[1].qualname))
                continue
            candidate = self._page_path(entry, page.target)
            if self.index.indexes(candidate):
                targets.append(PageTarget(self.index.own(candidate)))
        unique: dict[PageTarget, None] = dict.fromkeys(targets)
        return list(unique)

    def _discover_apps(self) -> list[App]:
        kept = self._kept_discovery()
        if kept is not None:
            return list(kept.apps)
        apps = [self._app(entry) for entry in self._entry_candidates()]
        self._keep_discovery(apps)
        return apps

    def _kept_discovery(self) -> KeptDiscovery | None:
        """The apps as last found, when they still hold (see ``KeptDiscovery``)."""
        self._entry_candidates()  # (finds ``_candidates_from``: what they were found for)
        kept, source = self.index.discovered, self._candidates_from
        if (
            isinstance(kept, KeptDiscovery)
            and source is not None
            and kept.holds(self.index, source.found, self.entry_folders_hash)
        ):
            return kept
        return None

    def _keep_discovery(self, apps: Sequence[App]) -> None:
        source = self._candidates_from
        if self.index.creations_reported and source is not None:
            self.index.discovered = KeptDiscovery.of(
                self.index, source.found, apps, self.entry_folders_hash
            )

    def discovery_steps(self, files_per_step: int = DISCOVERY_STEP_FILES) -> Iterator[None]:
        """The work of finding the apps (``apps``), yielding between steps: a hundred
        files' candidacy as entry points, then each app. Its results are kept in the index (per file,
        per app), so the ``apps`` of a later program over the same files only assembles
        them. A server takes these steps between requests: 2,000 files take about 0.5 s,
        too long to keep a completion waiting."""
        kept = self.index.candidates
        if not (isinstance(kept, KeptCandidates) and kept.holds(self.index, None, self._candidate)):
            for number, path in enumerate(self.index.paths, start=1):
                self._candidate(path)
                if number % files_per_step == 0:
                    yield None
        if self._kept_discovery() is not None:
            return
        apps = []
        for entry in self._entry_candidates():
            apps.append(self._app(entry))
            yield None
        self._keep_discovery(apps)

    def _app(self, entry: Path) -> App:
        """The app ``entry`` runs, kept by the index while nothing it was built from
        changed: the files it holds, what its pages folder lists, the module layout."""
        kept = self.index.apps.get(entry)
        if isinstance(kept, KeptApp) and kept.holds(self.index, self.entry_folders_hash):
            return kept.app
        pages_folder = os.path.join(entry.parent, "pages")
        token = _app_token(self.index, self.entry_folders_hash, pages_folder)
        with self.recording(set()) as reads:
            app = self._build_app(entry)
        if isinstance(kept, KeptApp) and kept.app == app:
            # The same app (an edit inside one of its files): keep the one object, so the
            # results keyed by it are found by identity, not by comparing every field.
            app = kept.app
        read = reads | app.files
        stamps = {path: self.index.stamp(path) for path in read}
        loaded = self.index.loaded_facts
        facts = {path: found for path in read if (found := loaded(path)) is not None}
        self.index.apps[entry] = KeptApp(
            app, token, stamps, self.index.generation, pages_folder, facts
        )
        return app

    def _build_app(self, entry: Path) -> App:
        facts = self.facts(entry)
        navigation = (
            self._navigation_pages(entry) if facts is not None and facts.has_navigation else []
        )
        page_scripts = [] if navigation else self._page_scripts(entry)
        if navigation:
            runs = tuple(Run(entry, page) for page in navigation)
            scripts = {entry, *(page.path for page in navigation if page.function is None)}
            kind = "navigation"
        elif page_scripts:
            runs = (Run(entry), *(Run(page) for page in page_scripts))
            scripts = {entry, *page_scripts}
            kind = "pages"
        else:
            runs = (Run(entry),)
            scripts = {entry}
            kind = "single"
        roots = {*scripts, *(page.path for page in navigation)}
        files = self._closure(roots, entry)
        return App(entry, kind, runs, files, frozenset(scripts))

    def _entry_candidates(self) -> list[Path]:
        return self._candidates

    @cached_property
    def _candidates(self) -> list[Path]:
        configured = tuple(
            path.resolve() for path in self.entrypoints if self.index.indexes(path.resolve())
        )
        if self.only_entries is not None:
            return sorted({*configured, *(path.resolve() for path in self.only_entries)})
        index = self.index
        kept = index.candidates
        if isinstance(kept, KeptCandidates) and kept.holds(index, configured, self._candidate):
            # An edit that changed no file's candidacy (most edits): what each file says
            # about itself is compared for the files changed since, not for all of them
            # (18 ms on 2,000 files, on every edit).
            self._candidates_from = kept
            return list(kept.found)
        values = {path: self._candidate(path) for path in index.paths}
        found = _entry_points(values, configured)
        self._candidates_from = index.candidates = KeptCandidates(
            index.layout_generation, index.paths, configured, index.generation, values, found
        )
        return list(found)

    def _candidate(self, path: Path) -> tuple[bool, tuple[Path, ...]]:
        """Whether ``path`` is a Streamlit script, and the files it names (kept by the
        index until the file or the layout changes)."""
        return self.index.derived(path, ("candidate",), partial(self._as_candidate, path))

    def _as_candidate(self, path: Path) -> tuple[bool, tuple[Path, ...]]:
        """Whether ``path`` is a Streamlit script, and the files it names (imports or
        pages): those are not entry points."""
        return self._is_streamlit_script(path), tuple(self._scripts_named_by(path))

    def _scripts_named_by(self, path: Path) -> list[Path]:
        """Files ``path`` imports or names as a page: those are not entry points."""
        facts = self.facts(path)
        if facts is None:
            return []
        named = list(self._imports_of(path))
        for page in facts.pages:
            if not page.is_callable:
                named.append(self._page_path(path, page.target))
        return named

    def _page_path(self, naming: Path, target: str) -> Path:
        key = (naming.parent, target)
        found = self._page_paths.get(key)
        if found is None:
            found = self._page_paths[key] = canonical(naming.parent / target)
        return found

    def _is_streamlit_script(self, path: Path) -> bool:
        facts = self.facts(path)
        return facts is not None and facts.uses_streamlit and facts.parse_error is None
