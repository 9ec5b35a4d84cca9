"""The apps' findings of a workspace's last whole analysis, kept on disk for the next
start of the server.

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
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.analysis.program import App
from streamlit_lsp.checker import FINDINGS
from streamlit_lsp.diagnostics import Diagnostic

_FORMAT: Final = 1
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
class KeptAnalysis:
    layout: LayoutSeen
    # The folders of the workspace's entry scripts, where imports are also resolved.
    entry_folders: tuple[Path, ...]
    apps: tuple[AppFindings, ...]


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
    """Write the findings ``model`` holds for its apps; how many apps were kept."""
    index = model.program.index
    apps = []
    for app in model.apps:
        held = model.held((FINDINGS, app))
        if held is None:
            continue
        findings, paths = held
        digests = [index.digest(path) for path in paths]
        if None in digests:
            continue  # a file read then is gone
        reads = tuple(zip(paths, digests, strict=True))
        apps.append(AppFindings(_shape(app), tuple(findings), reads))  # type: ignore[arg-type]
    kept = KeptAnalysis(LayoutSeen.of(index), model.program.entry_folders, tuple(apps))
    if not write_kept(where, _FORMAT, kept):
        return 0
    return len(apps)


def restore(model: Model, where: Path) -> int:
    """Lend ``model`` the kept findings of every app that is as it was; how many."""
    kept = _read(where)
    if kept is None or kept.entry_folders != model.program.entry_folders:
        return 0
    if not kept.layout.still_holds():
        return 0
    index = model.program.index
    current = {_shape(app): app for app in model.apps}
    restored = 0
    for entry in kept.apps:
        app = current.get(entry.shape)
        if app is None or not _unchanged(index, entry.reads):
            continue
        model.lend((FINDINGS, app), list(entry.findings), tuple(path for path, _ in entry.reads))
        restored += 1
    return restored


def _shape(app: App) -> AppShape:
    return (app.entry, app.kind, app.runs, app.files, app.scripts)


def _unchanged(index: WorkspaceIndex, reads: tuple[tuple[Path, str], ...]) -> bool:
    for path, digest in reads:
        # A helper module that does not mention Streamlit is indexed when an app needs it.
        if index.ensure(path) is None or index.digest(path) != digest:
            return False
    return True


def _read(where: Path) -> KeptAnalysis | None:
    kept = read_kept(where, _FORMAT)
    return kept if isinstance(kept, KeptAnalysis) else None
