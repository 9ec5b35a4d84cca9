"""The apps' findings of a workspace's last whole analysis, kept on disk for the next
start of the server, or the next ``check`` of the folder.

The first analysis after a start walks every run of every app (4 to 5 s for 2,000
files) and, most days, finds what the last start found: the files did not change. So
the findings of each app are kept with what they were computed from: the digest of
every file read, and what module resolution saw (the Python entries of each folder it
looked in, and the paths it found missing). At the next start, an app discovered the
same (the same entry, runs, scripts and files) whose files all have the same digests
takes its findings from here instead of being walked again, provided resolution would
still see what it saw; anything else is analysed as usual. The findings are kept before
the configuration is applied (it is applied to them afterwards), and a change to the
tool (any of its source files) starts afresh.

What discovery found is kept the same way: each file's answers (is it a Streamlit
script? which files does it import or name as a page?) with the file's digest, and
each app with the digests of the files it was found from and the modification time of
its ``pages/`` folder. A start takes the answers of unchanged files and the apps found
from unchanged files, so it finds the apps without unpickling every file's facts; it
asks again only what changed.

Only findings are kept, not the walks they came from: an app that is edited later is
walked then, as after any change. Anything wrong with the file (missing, damaged,
written by another version) means nothing is taken from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from streamlit_lsp.analysis.facts_cache import read_kept, workspace_name, write_kept
from streamlit_lsp.analysis.index import WorkspaceIndex
from streamlit_lsp.analysis.model import FINDINGS, Model
from streamlit_lsp.analysis.program import App, Program
from streamlit_lsp.diagnostics import Diagnostic

_FORMAT: Final = 2
_FOLDER: Final = "analysis"

# An app as discovery finds it: entry, kind, runs, files, scripts (``App``'s fields; the
# app itself caches a hash that is only good in the process that made it).
AppShape = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class AppFindings:
    shape: AppShape
    findings: tuple[Diagnostic, ...]
    # Every file the findings were computed from, with the digest of its text then.
    reads: tuple[tuple[Path, str], ...]


@dataclass(frozen=True, slots=True)
class CandidateSeen:
    """What discovery asked of one file: is it a Streamlit script, which files does it
    name (imports, pages: those are not entry points)."""

    path: Path
    digest: str
    is_script: bool
    names: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class AppFound:
    """An app as discovery found it, and what from: the files it read (with their
    digests) and the modification time of the app's ``pages/`` folder."""

    shape: AppShape
    basis: tuple[tuple[Path, str], ...]
    pages_listing: int | None


@dataclass(frozen=True, slots=True)
class KeptAnalysis:
    layout: LayoutSeen
    # The folders of the workspace's entry scripts, where imports are also resolved.
    entry_folders: tuple[Path, ...]
    apps: tuple[AppFindings, ...]
    # Discovery's answers: a start takes them for unchanged files, and finds the apps
    # without unpickling every file's facts (0.9 s of a warm start of 2,000 files).
    candidates: tuple[CandidateSeen, ...]
    found: tuple[AppFound, ...]


@dataclass(frozen=True, slots=True)
class LayoutSeen:
    """What module resolution looked at: the entries of each folder it listed that a
    module or package could be (``*.py``, names without a dot), and the paths it found
    missing."""

    folders: tuple[tuple[str, frozenset[str]], ...]
    missing: frozenset[str]

    @classmethod
    def of(cls, index: WorkspaceIndex) -> LayoutSeen:
        folders = tuple(
            (folder, _importable(names)) for folder, names in sorted(index.listings.items())
        )
        return cls(folders, frozenset(index.missing_paths))

    def still_holds(self) -> bool:
        """Would resolution see the same now?"""
        for folder, names in self.folders:
            try:
                with os.scandir(folder) as entries:
                    now = _importable(entry.name for entry in entries)
            except OSError:
                now = frozenset()
            if now != names:
                return False
        return not any(os.path.exists(path) for path in self.missing)


def _importable(names: Iterable[str]) -> frozenset[str]:
    """The names a module or package could be imported from."""
    return frozenset(name for name in names if name.endswith(".py") or "." not in name)


def location(cache_root: Path, roots: tuple[Path, ...]) -> Path:
    """Where the analysis of the workspace with these folders is kept."""
    return cache_root / _FOLDER / _tool_salt() / workspace_name(roots)


def _tool_salt() -> str:
    """Changes with any source file of the tool (rules included) and with Python."""
    from streamlit_lsp import __version__

    hasher = hashlib.blake2b(digest_size=8)
    hasher.update(f"{__version__}|{_FORMAT}|{sys.version}".encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            hasher.update(source.read_bytes())
    return hasher.hexdigest()


def keep(model: Model, where: Path) -> int:
    """Write what discovery found and the findings ``model`` holds for its apps; how
    many apps' findings were kept."""
    program = model.program
    index = program.index
    apps = []
    found = []
    for app in model.apps:
        basis = program.discovery_basis(app)
        if basis is not None:
            paths, pages_listing = basis
            digests = _digests(index, paths)
            if digests is not None:
                found.append(AppFound(_shape(app), digests, pages_listing))
        held = model.held((FINDINGS, app))
        if held is None:
            continue
        findings, read = held
        digests = _digests(index, read)
        if digests is not None:
            apps.append(AppFindings(_shape(app), tuple(findings), digests))  # type: ignore[arg-type]
    candidates = tuple(
        CandidateSeen(path, digest, is_script, names)
        for path, (is_script, names) in program.candidate_values().items()
        if (digest := index.digest(path)) is not None
    )
    kept = KeptAnalysis(
        LayoutSeen.of(index), program.entry_folders, tuple(apps), candidates, tuple(found)
    )
    if not write_kept(where, _FORMAT, kept):
        return 0
    return len(apps)


def _digests(index: WorkspaceIndex, paths: Iterable[Path]) -> tuple[tuple[Path, str], ...] | None:
    """Each path with the digest of its text now; None when one is gone."""
    pairs = []
    for path in paths:
        digest = index.digest(path)
        if digest is None:
            return None
        pairs.append((path, digest))
    return tuple(pairs)


def restore(model: Model, where: Path) -> int:
    """Take what the last run kept at ``where`` for what is as it was (``load``,
    ``take_discovery``, ``take_findings``); how many apps' findings were taken. Call
    before anything asks for the model's apps."""
    kept = load(where)
    if kept is None or not take_discovery(kept, model.program):
        return 0
    return take_findings(kept, model)


def load(where: Path) -> KeptAnalysis | None:
    """What the last run kept, if module resolution would see what it saw then."""
    kept = read_kept(where, _FORMAT)
    if not isinstance(kept, KeptAnalysis) or not kept.layout.still_holds():
        return None
    return kept


def take_discovery(kept: KeptAnalysis, program: Program) -> bool:
    """Before discovery: take the layout resolution saw, each unchanged file's answers
    to discovery, and each app found from unchanged files as it was found. False when
    the apps' folders are not what they were (nothing more may be taken then)."""
    index = program.index
    index.seed_layout(kept.layout.folders, kept.layout.missing)
    for seen in kept.candidates:
        # A module that does not mention Streamlit is indexed when an app imports it:
        # read now (it is read to compare its app's files anyway), before the entry
        # points are found, so its answers are taken with the others'.
        indexed = index.digest(seen.path) is not None or (
            not seen.is_script and index.indexes(seen.path)
        )
        if indexed and index.digest(seen.path) == seen.digest:
            program.adopt_candidate(seen.path, (seen.is_script, seen.names))
    if kept.entry_folders != program.entry_folders:
        return False
    for found in kept.found:
        if _unchanged(index, found.basis):
            app = App(*found.shape)  # type: ignore[arg-type]
            program.adopt_app(app, _paths(found.basis), found.pages_listing)
    return True


def take_findings(kept: KeptAnalysis, model: Model) -> int:
    """Lend ``model`` the findings of each app found as it was, its files unchanged
    (after ``take_discovery``); how many."""
    index = model.program.index
    current = {_shape(app): app for app in model.apps}
    taken = 0
    for entry in kept.apps:
        app = current.get(entry.shape)
        if app is None or not _unchanged(index, entry.reads):
            continue
        model.lend((FINDINGS, app), list(entry.findings), _paths(entry.reads))
        taken += 1
    return taken


def _paths(pairs: tuple[tuple[Path, str], ...]) -> tuple[Path, ...]:
    return tuple(path for path, _ in pairs)


def _shape(app: App) -> AppShape:
    return (app.entry, app.kind, app.runs, app.files, app.scripts)


def _unchanged(index: WorkspaceIndex, reads: tuple[tuple[Path, str], ...]) -> bool:
    for path, digest in reads:
        # A helper module that does not mention Streamlit is indexed when an app needs it.
        if not index.indexes(path) or index.digest(path) != digest:
            return False
    return True
