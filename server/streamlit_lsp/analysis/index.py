"""The workspace index: every file's facts, updated one file at a time.

The index owns no analysis beyond extraction: it maps paths to ``FileFacts`` (extracting
on demand and again only when a file's text changes), and resolves module names to
files the way Streamlit's ``sys.path`` does (the importing file's folder, the entry
script's folder, the workspace roots). Files outside the workspace (site-packages) are
never read.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import os
import re
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts import FileFacts, ParseError
from streamlit_lsp.analysis.facts_cache import FactsCache, StoredFacts
from streamlit_lsp.analysis.incremental import BufferExtraction
from streamlit_lsp.analysis.source import SourceError, read_source

logger = logging.getLogger(__name__)

# Folders that never hold a user's app code.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        ".venv",
        "venv",
        "env",
        ".env",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        "dist",
        "build",
        ".eggs",
    }
)


@dataclass(frozen=True)
class Problem:
    """A file the analysis had to skip, with a message for a human."""

    path: Path
    message: str


@dataclass(slots=True, eq=False)
class IndexedFile:
    """What the index holds for one file. Replaced as a whole when the file changes;
    only ``content`` changes in place, from a cache entry to the facts it holds."""

    path: Path
    digest: str
    # The facts, or their cache entry until they are first asked for: a warm start
    # reads every entry and unpickles each when the analysis needs that file.
    content: FileFacts | StoredFacts
    # The index generation that produced the facts: analyses cached per app compare the
    # stamps of the files they read to know whether they still hold.
    stamp: int
    # The current text does not parse but the facts are the last good ones (an editor
    # buffer mid-typing): the error is reported, the rest of the analysis stays.
    current_error: ParseError | None = None

    @property
    def facts_parse(self) -> bool:
        """The text the facts are of parses (known without unpickling an entry)."""
        content = self.content
        if isinstance(content, StoredFacts):
            return content.parses
        return content.parse_error is None


def _load_stored(
    path: Path, digest: str, stored: StoredFacts, cache: FactsCache | None
) -> FileFacts:
    """The facts of a cache entry; when it cannot be unpickled, the file's facts
    extracted afresh (and written over the entry, when the file still has that text)."""
    facts = stored.load()
    if facts is not None:
        return facts
    logger.warning("%s: its cached facts cannot be read; extracting it again", path)
    try:
        text = read_source(path)
    except SourceError as error:
        # The file went, or became unreadable, since it was indexed: the file watcher's
        # event follows and updates the index. Until then it counts as an empty file.
        logger.warning("%s", error)
        return FileFacts(uses_streamlit=False)
    facts = extract(text)
    if cache is not None and _digest(text) == digest:
        cache.put(digest, facts)
    return facts


T = TypeVar("T")

_LINES = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class PreparedBuffer:
    """What an editor buffer's text yields, before it is indexed (``set_buffer``)."""

    digest: str
    facts: FileFacts
    # For a text that does not parse: its facts with the line in error left out, when
    # that parses (the user is typing that line; the rest of the file still counts).
    repaired: FileFacts | None = None


def prepare_buffer(
    text: str, digest: str | None = None, extraction: BufferExtraction | None = None
) -> PreparedBuffer:
    """The facts of an editor buffer's text. It reads nothing but ``text`` (and the
    buffer's ``extraction``, which makes them from the last version's by statement), so
    another thread may prepare a buffer while the index answers questions (the server
    keeps answering requests while a large page is extracted)."""
    digest = digest if digest is not None else _digest(text)
    facts = extraction.update(text) if extraction is not None else extract(text, being_typed=True)
    if facts.parse_error is None:
        return PreparedBuffer(digest, facts)
    repaired = _without_line_in_error(text, facts.parse_error, extraction)
    return PreparedBuffer(digest, facts, repaired)


def _without_line_in_error(
    text: str, error: ParseError, extraction: BufferExtraction | None = None
) -> FileFacts | None:
    """The facts of ``text`` with the line in error replaced by ``pass``, if it parses.
    With the buffer's ``extraction``, they are made by statement from its last version
    (which they then succeed): the statements the user is not typing in keep their
    facts, and what is computed from them is kept too (a 5,000-line page's pause mid-
    expression took a whole extraction and a whole walk)."""
    lines = _LINES.split(text)
    number = error.span.line - 1
    if not 0 <= number < len(lines):
        return None
    line = lines[number]
    indent = line[: len(line) - len(line.lstrip())]
    lines[number] = f"{indent}pass" if line.strip() else line
    source = "\n".join(lines)
    if extraction is not None:
        repaired = extraction.update(source)
    else:
        repaired = extract(source, being_typed=True)
    if repaired.parse_error is None and not repaired.opaque:
        return repaired
    return None


def canonical(path: Path) -> Path:
    """The path with links resolved; as given (made absolute) when it cannot be, as in a
    symlink loop (RuntimeError before Python 3.13, OSError after)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def importer_folder(importer: Path) -> str:
    """The folder of an importing file as resolution keys it: an interned string, one
    object per folder rather than a path per call."""
    return sys.intern(os.path.dirname(importer))


def text_digest(text: str) -> str:
    """The key of a text's facts (in the index and in the facts cache)."""
    return _digest(text)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class WorkspaceIndex:
    """Facts of every known file; the one mutable piece of the analysis."""

    def __init__(self, roots: Sequence[Path] = (), cache: FactsCache | None = None) -> None:
        # Facts of files read from disk, kept between runs (None: always extract).
        self.cache = cache
        self.roots: tuple[Path, ...] = tuple(canonical(root) for root in roots)
        self._root_texts = tuple(str(root) for root in self.roots)
        self._files: dict[Path, IndexedFile] = {}
        # Each file's stamp, in the order the stamps were given (a file moves to the end
        # when its facts change): the files changed since a generation are at the end.
        self._stamps: dict[Path, int] = {}
        # The files whose current text does not parse (ST000 runs after every edit).
        self._unparsed: set[Path] = set()
        self._problems: dict[Path, Problem] = {}
        # Paths looked up on disk and found missing, so imports of third-party modules
        # are not re-probed on every resolution.
        # (As strings: thousands of third-party module probes, a path object costs
        # several times its string.)
        self._missing: set[str] = set()
        self.generation = 0
        self._sorted_paths: tuple[Path, ...] = ()
        # Bumped when a file appears where resolution looked and found nothing, or a
        # known file goes away: only then can a module name resolve differently. Edits
        # to a file's text never change it, so resolutions stay cached across edits.
        self.layout_generation = 0
        self._resolved: dict[tuple[str, int, str, int], Path | None] = {}
        # The extra folders resolution is asked to search, by a small number: a cache key
        # holding the folders themselves (one per app of the workspace) would hash them
        # all on every lookup. The last tuple asked about is recognised by identity.
        self._bases_numbers: dict[tuple[Path, ...], int] = {}
        self._last_bases: tuple[tuple[Path, ...], int] | None = None
        # The names in folders resolution looked into (one directory listing each, not
        # a probe per module and folder): a name missing there cannot be imported from
        # there. Cleared with the missing probes; files indexed since add their names.
        self._listings: dict[str, set[str]] = {}
        # Apps as discovery last found them, by entry script; ``Program`` checks that
        # what each was found from is unchanged before using it.
        self.apps: dict[Path, object] = {}
        # All of them as last found, with the apps that read each file (``Program``'s):
        # an edit checks the apps that read the files changed since, not every app.
        self.discovered: object | None = None
        # Whether the editor reports files created and deleted (a file watcher), each
        # then a layout change: an app's ``pages/`` folder need not be stat'ed on every
        # edit to learn that its listing changed.
        self.creations_reported = False
        # The entry-point candidates as discovery last found them (``Program``'s), kept
        # while the files and what each says about itself are unchanged.
        self.candidates: object | None = None
        # Values derived from one file's facts and the module layout (see ``derived``),
        # by file: each with the stamp it was derived from.
        self._derived: dict[Path, dict[Hashable, tuple[int | None, object]]] = {}

    # ------------------------------------------------------------------ updates

    def set_text(
        self, path: Path, text: str, keep_last_good: bool = False, from_disk: bool = False
    ) -> bool:
        """Index ``text`` as the content of ``path``; True when the facts changed.

        With ``keep_last_good`` (an editor buffer), text that does not parse keeps the
        previous good facts and only records the error, so the diagnostics of the rest
        of the file do not flicker away while the user is typing. Only texts read
        ``from_disk`` use the facts cache: a buffer being typed changes every keystroke.
        """
        return self._set_text(self.own(canonical(path)), text, keep_last_good, from_disk)

    def _set_text(self, path: Path, text: str, keep_last_good: bool, from_disk: bool) -> bool:
        """``set_text`` of a path made canonical already."""
        digest = _digest(text)
        current = self._files.get(path)
        if current is not None and current.digest == digest:
            return False
        if keep_last_good:
            return self.set_buffer(path, prepare_buffer(text, digest))
        cache = self.cache if from_disk else None
        # A cache entry is unpickled when its facts are first asked for, as at a start.
        facts: FileFacts | StoredFacts | None = (
            cache.get_stored(digest) if cache is not None else None
        )
        if facts is None:
            facts = extract(text)
            if cache is not None:
                cache.put(digest, facts)
        self.generation += 1
        self._store(IndexedFile(path, digest, facts, self.generation))
        self._known(path)
        return True

    def _store(self, indexed: IndexedFile) -> None:
        path = indexed.path
        self._files[path] = indexed
        if indexed.current_error is not None or not indexed.facts_parse:
            self._unparsed.add(path)
        else:
            self._unparsed.discard(path)
        if self._stamps.get(path) != indexed.stamp:
            self._stamps.pop(path, None)
            self._stamps[path] = indexed.stamp

    def _forget(self, path: Path) -> bool:
        """Drop the facts of ``path``; whether it had any."""
        self._stamps.pop(path, None)
        self._unparsed.discard(path)
        return self._files.pop(path, None) is not None

    def _known(self, path: Path) -> None:
        """``path`` is indexed now: if resolution looked for it before and did not find
        it (missing, or unreadable then), names may resolve differently."""
        was_unknown = self._problems.pop(path, None) is not None or str(path) in self._missing
        if was_unknown:
            self._missing.discard(str(path))
            self._layout_changed()
        if self._listings:  # (none while a workspace is first indexed)
            self._add_to_listings(path)

    def _add_to_listings(self, path: Path) -> None:
        """An editor's unsaved buffer is no entry of its folder's listing: add its name,
        and its folders' names, to the listings read, so resolution still looks there."""
        child = path
        for folder in path.parents:
            names = self._listings.get(str(folder))
            if names is not None and child.name not in names:
                names.add(child.name)
                self._layout_changed()
            child = folder

    def set_buffer(self, path: Path, prepared: PreparedBuffer) -> bool:
        """Index an editor buffer's text from its ``prepare_buffer``; True when the facts
        changed. While the text does not parse, the facts without the line in error
        stand in, or else the last good ones; the error is kept for ST000 either way."""
        path = self.own(canonical(path))
        current = self._files.get(path)
        if current is not None and current.digest == prepared.digest:
            return False
        self.generation += 1
        digest, facts, error = prepared.digest, prepared.facts, prepared.facts.parse_error
        if error is None:
            indexed = IndexedFile(path, digest, facts, self.generation)
        elif prepared.repaired is not None:
            indexed = IndexedFile(path, digest, prepared.repaired, self.generation, error)
        elif current is not None and current.facts_parse:
            indexed = IndexedFile(path, digest, current.content, current.stamp, error)
        else:
            indexed = IndexedFile(path, digest, facts, self.generation)
        self._store(indexed)
        self._known(path)
        return True

    def load(self, path: Path) -> bool:
        """(Re)read ``path`` from disk; a file that cannot be read becomes a problem."""
        path = self.own(canonical(path))
        try:
            text = read_source(path)
        except SourceError as error:
            removed = self._forget(path)
            self._problems[path] = Problem(path, str(error))
            self.generation += 1
            if removed:
                self._layout_changed()
            return removed
        return self._set_text(path, text, keep_last_good=False, from_disk=True)

    def set_facts(
        self,
        path: Path,
        digest: str,
        facts: FileFacts | StoredFacts,
        unless_newer_than: int | None = None,
    ) -> bool:
        """Index facts extracted elsewhere (bulk indexing), or their cache entry, for a
        file's text on disk; ``path`` is resolved already. ``unless_newer_than``: the
        generation at which the text was read; facts indexed for the file since then
        are of a later text, and stay."""
        path = self.own(path)
        current = self._files.get(path)
        if current is not None and current.digest == digest:
            return False
        if (
            current is not None
            and unless_newer_than is not None
            and current.stamp > unless_newer_than
        ):
            return False
        self.generation += 1
        self._store(IndexedFile(path, digest, facts, self.generation))
        self._known(path)
        return True

    def has_digest(self, path: Path, digest: str) -> bool:
        """Is ``path`` indexed with the text of this digest already?"""
        current = self._files.get(path)
        return current is not None and current.digest == digest

    def report_problem(self, path: Path, message: str) -> None:
        """Record that ``path`` cannot be analysed (and forget any facts it had)."""
        path = canonical(path)
        if self._forget(path):
            self._layout_changed()
        self._problems[path] = Problem(path, message)
        self.generation += 1

    def remove(self, path: Path) -> bool:
        path = canonical(path)
        self._problems.pop(path, None)
        self._derived.pop(path, None)
        if not self._forget(path):
            return False
        self.generation += 1
        self._layout_changed()
        return True

    def set_roots(self, roots: Sequence[Path]) -> None:
        """The workspace folders changed: files of folders no longer open are forgotten
        (unless another folder holds them), and resolution starts afresh."""
        self.roots = tuple(canonical(root) for root in roots)
        self._root_texts = tuple(str(root) for root in self.roots)
        for path in [path for path in self._files if not self._within_roots(path)]:
            self.remove(path)
        self._layout_changed()

    def forget_missing(self) -> None:
        """Files may have appeared or gone (the editor's watcher said so): what module
        resolution found missing, and the folders it listed, are looked at again, and
        the apps are found again, by the next snapshot even if no file's facts changed
        (a page deleted while open in the editor stays indexed, and leaves its app)."""
        self._missing.clear()
        self._listings.clear()
        self._layout_changed()
        self.generation += 1

    def _layout_changed(self) -> None:
        self.layout_generation += 1
        self._resolved.clear()
        self._derived.clear()
        self._sorted_paths = ()

    # ------------------------------------------------------------------ queries

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every indexed file, sorted (kept: sorting thousands of paths on every edit
        costs more than the edit's analysis)."""
        # A removal resets the list (``_layout_changed``); an addition makes it shorter
        # than the index; an edit leaves the same files.
        if len(self._sorted_paths) != len(self._files):
            self._sorted_paths = tuple(sorted(self._files))
        return self._sorted_paths

    def paths_under(self, folder: Path) -> list[Path]:
        """The indexed files inside ``folder``, at any depth (a folder that may be gone)."""
        folder = canonical(folder)
        paths = self.paths
        # Sorted by their parts: the files under a folder follow it, together.
        found = []
        for path in paths[bisect.bisect_right(paths, folder) :]:
            if not path.is_relative_to(folder):
                break
            found.append(path)
        return found

    @property
    def problems(self) -> list[Problem]:
        return [self._problems[path] for path in sorted(self._problems)]

    def facts(self, path: Path) -> FileFacts | None:
        entry = self._files.get(path)
        if entry is None:
            return None
        content = entry.content
        if isinstance(content, StoredFacts):
            content = self._unstore(entry, content)
        return content

    def loaded_facts(self, path: Path) -> FileFacts | None:
        """``facts(path)`` when they are in memory; None when they are not indexed, or
        still in the cache (a warm start's: not unpickled just to be looked at)."""
        entry = self._files.get(path)
        if entry is None or isinstance(entry.content, StoredFacts):
            return None
        return entry.content

    def _unstore(self, entry: IndexedFile, stored: StoredFacts) -> FileFacts:
        """The facts of an entry read from the cache (warm start), first asked for now:
        kept in its place, under the same stamp (they are the same facts)."""
        facts = entry.content = _load_stored(entry.path, entry.digest, stored, self.cache)
        if facts.parse_error is None and entry.current_error is None:
            self._unparsed.discard(entry.path)  # (an entry whose header was wrong)
        elif facts.parse_error is not None:
            self._unparsed.add(entry.path)
        return facts

    def digest(self, path: Path) -> str | None:
        """The digest of the text the facts of ``path`` are of (None: not indexed)."""
        entry = self._files.get(path)
        return entry.digest if entry is not None else None

    @property
    def listings(self) -> dict[str, set[str]]:
        """The folders module resolution listed so far, with their entries as it saw
        them (an editor's unsaved buffer among them)."""
        return self._listings

    @property
    def missing_paths(self) -> frozenset[str]:
        """The paths module resolution looked for and found missing."""
        return frozenset(self._missing)

    def derived(self, path: Path, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, a value computed from the facts of ``path`` and the module layout
        only (what a file imports, say), kept until either changes."""
        stamp = self.stamp(path)
        values = self._derived.setdefault(path, {})
        cached = values.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]  # type: ignore[return-value]
        value = make()
        values[key] = (stamp, value)
        return value

    def changed_since(self, generation: int) -> list[Path]:
        """The files whose facts changed after ``generation``, most recent first (files
        removed since are not listed: a removal changes the layout)."""
        changed = []
        for path, stamp in reversed(self._stamps.items()):
            if stamp <= generation:
                break
            changed.append(path)
        return changed

    def own(self, path: Path) -> Path:
        """The index's own object for ``path`` when it is indexed (else ``path``).
        Results keep the paths they read and are looked up by them a hundred times an
        edit: an equal copy is compared part by part (``PurePath.__eq__``, in Python),
        the same object by identity. So the index keeps one object per file, and what
        names its files (discovery) takes it from here."""
        indexed = self._files.get(path)
        return path if indexed is None else indexed.path

    def stamp(self, path: Path) -> int | None:
        """Changes whenever the facts of ``path`` change (None: not indexed)."""
        return self._stamps.get(path)

    def stamps(self, paths: Iterable[Path]) -> tuple[int | None, ...]:
        """``stamp`` of each of ``paths``: what a kept result compares its own with, a
        hundred times an edit (so without a call per path)."""
        return tuple(map(self._stamps.get, paths))

    @property
    def unparsed_paths(self) -> list[Path]:
        """The indexed files whose current text does not parse, sorted."""
        return sorted(self._unparsed)

    def parse_error(self, path: Path) -> ParseError | None:
        """The syntax error of the file's current text, if any."""
        entry = self._files.get(path)
        if entry is None:
            return None
        if entry.current_error is not None or entry.facts_parse:
            return entry.current_error
        facts = self.facts(path)
        return facts.parse_error if facts is not None else None

    def ensure(self, path: Path) -> FileFacts | None:
        """Facts of ``path``, reading it from disk the first time it is needed."""
        return self.facts(path) if self.indexes(path) else None

    def indexes(self, path: Path) -> bool:
        """Whether ``path`` is indexed, reading it from disk the first time it is asked
        about: ``ensure`` without the facts (the facts of a warm start's files are
        unpickled only when the analysis reads them, not when resolution finds them)."""
        if path in self._files:
            return True
        if str(path) in self._missing or path in self._problems:
            return False
        if not path.is_file():
            self._missing.add(str(path))
            return False
        self.load(path)
        return path in self._files

    def seed_layout(
        self, listings: Iterable[tuple[str, Iterable[str]]], missing: Iterable[str]
    ) -> None:
        """Take what an earlier run's resolution saw of the disk, checked to hold now:
        the names in folders it listed (those a module could be), the paths it found
        missing. Resolution then sees what it would have found by looking, and what
        this run saw includes it (``kept_analysis`` keeps it for the next)."""
        for folder, names in listings:
            self._listings.setdefault(folder, set(names))
        self._missing.update(missing)

    def resolve_module(
        self,
        module: str,
        level: int,
        importer: Path,
        extra_bases: Iterable[Path] = (),
        folder: str | None = None,
    ) -> Path | None:
        """The workspace file a module name refers to from ``importer``, if any.
        ``folder``: ``importer_folder(importer)``, when the caller resolves several of
        its imports (43,000 resolutions find the apps of 2,000 files)."""
        bases_key = tuple(extra_bases)
        cache_key = (
            module,
            level,
            folder if folder is not None else importer_folder(importer),
            self._bases_number(extra_bases),
        )
        if cache_key in self._resolved:
            return self._resolved[cache_key]
        layout = self.layout_generation
        found = self._resolve_module(module, level, importer, bases_key, cache_key[2])
        if found is not None and found in self._files:
            found = self._files[found].path  # the index's own object, not an equal copy
        if layout == self.layout_generation:  # else a probe changed what is known
            self._resolved[cache_key] = found
        return found

    def _bases_number(self, bases: Iterable[Path]) -> int:
        last = self._last_bases
        if last is not None and last[0] is bases:
            return last[1]
        frozen = bases if isinstance(bases, tuple) else tuple(bases)
        number = self._bases_numbers.setdefault(frozen, len(self._bases_numbers))
        self._last_bases = (frozen, number)
        return number

    def _may_hold(self, key: str, name: str) -> bool:
        """Could the folder ``key`` hold module or package ``name``? False only when its
        listing (read once) has neither ``name.py`` nor ``name`` and no indexed file
        says so."""
        names = self._listings.get(key)
        if names is None:
            try:
                with os.scandir(key) as entries:
                    names = {entry.name for entry in entries}
            except OSError:
                names = set()
            self._listings[key] = names
        return name in names or f"{name}.py" in names

    def _resolve_module(
        self, module: str, level: int, importer: Path, extra_bases: tuple[Path, ...], folder: str
    ) -> Path | None:
        parts = [part for part in module.split(".") if part]
        if level == 0 and parts:
            # Most imports name third-party modules, which no folder searched holds:
            # told from the folders' listings, by their names, before any path is made.
            first = parts[0]
            folders = (folder, *map(str, extra_bases), *self._root_texts)
            if not any(self._may_hold(text, first) for text in folders):
                return None
        if level > 0:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            bases: list[Path] = [base]
        else:
            bases = [importer.parent, *extra_bases, *self.roots]
        seen: set[Path] = set()
        for base in bases:
            if base in seen:
                continue
            seen.add(base)
            if not parts:
                candidate = base / "__init__.py"
                if self.indexes(candidate):
                    return candidate
                continue
            if not self._may_hold(str(base), parts[0]):
                continue  # most imports name third-party modules: no probe per folder
            target = base.joinpath(*parts)
            for candidate in (target.with_suffix(".py"), target / "__init__.py"):
                if self._within_roots(candidate) and self.indexes(candidate):
                    return candidate
        return None

    def _within_roots(self, path: Path) -> bool:
        if not self.roots:
            return True
        # A string test: this runs for every import of every file (pathlib is slow here).
        text = str(path)
        return any(text == root or text.startswith(root + os.sep) for root in self._root_texts)


def iter_python_files(root: Path, is_excluded: object = None) -> Iterator[Path]:
    """Python files under ``root``, skipping virtualenvs, caches and symlink loops."""
    excluded = is_excluded if callable(is_excluded) else (lambda path: False)
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            stat = folder.stat()
        except OSError:
            continue
        identity = (stat.st_dev, stat.st_ino)
        if identity in visited:
            continue  # a symlink loop, or the same folder reached twice
        visited.add(identity)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    if not _walk_skips_folder(path, excluded):
                        stack.append(path)
                elif entry.name.endswith(".py") and entry.is_file() and not excluded(path):
                    yield path
            except OSError:
                continue


def walk_reaches(root: Path, path: Path, is_excluded: Callable[[Path], bool]) -> bool:
    """Whether the walk of ``root`` (``iter_python_files``) would go into the folder
    ``path`` or take the file ``path``: it lies under ``root``, under no skipped, hidden
    or virtualenv folder, and is not excluded. For what the editor's watcher reports:
    a package installed into the workspace's virtualenv is not the user's code."""
    if path == root or not path.is_relative_to(root):
        return False
    folder = root
    for name in path.relative_to(root).parts[:-1]:
        folder = folder / name
        if _walk_skips_folder(folder, is_excluded):
            return False
    if path.suffix != ".py":
        return not _walk_skips_folder(path, is_excluded)
    return not is_excluded(path)


def _walk_skips_folder(folder: Path, is_excluded: Callable[[Path], bool]) -> bool:
    """A folder the workspace's walk does not go into: a cache or tool folder, a hidden
    one, an excluded one, or a virtualenv."""
    name = folder.name
    if name in SKIPPED_DIRS or name.startswith(".") or is_excluded(folder):
        return True
    return (folder / "pyvenv.cfg").exists()
