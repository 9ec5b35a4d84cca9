"""The analysis as the server keeps it: one index over the workspace roots.

Edits update one file's facts; everything derived (apps, the run simulation, the
diagnostics, the key occurrences) is a *snapshot* computed on demand from the index and
cached until the index changes again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from streamlit_lsp import kept_analysis
from streamlit_lsp.analysis.answers import Answers
from streamlit_lsp.analysis.bulk import index_paths
from streamlit_lsp.analysis.index import (
    PreparedBuffer,
    WorkspaceIndex,
    iter_python_files,
    walk_reaches,
)
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.analysis.program import Program
from streamlit_lsp.checker import configured, run_rules
from streamlit_lsp.config import Config, apply_editor_settings, load_config
from streamlit_lsp.diagnostics import Diagnostic

logger = logging.getLogger(__name__)

# Snapshots replaced and not let go yet (a burst of edits that never lets an analysis
# finish makes one per request that needs fresh facts): the oldest go beyond this.
RETIRED_KEPT = 4


class Snapshot:
    """Everything derived from one state of the index; each part computed on first use."""

    def __init__(self, generation: int, model: Model, engine: Engine) -> None:
        self.generation = generation
        self.model = model
        self._engine = engine
        # Completion items as JSON by (key, workspace folder, key used in the file),
        # and the ranked keys by (file, kind of completion, what was typed): the same
        # on every keystroke until the next analysis.
        self.completion_items: dict[tuple[str, Path | None, bool], dict[str, Any]] = {}
        self.completion_ranked: dict[tuple[Path, str, str], list[str]] = {}

    @cached_property
    def answers(self) -> Answers:
        return Answers(self.model)

    @cached_property
    def diagnostics(self) -> dict[Path, list[Diagnostic]]:
        return self._engine.diagnose(run_rules(self.model))

    def diagnostics_of(self, path: Path) -> list[Diagnostic]:
        """One file's diagnostics: only the apps holding it are analysed (when the
        whole workspace has not been already)."""
        if "diagnostics" in self.__dict__:
            return self.diagnostics.get(path, [])
        apps = self.model.program.apps_of(path)
        found = [item for item in run_rules(self.model, apps) if item.path == path]
        return self._engine.diagnose(found).get(path, [])


class Engine:
    def __init__(self, roots: list[Path]) -> None:
        self.roots = [root.resolve() for root in roots]
        self.index = WorkspaceIndex(self.roots)
        self.configs: dict[Path, Config] = {}
        self.editor_settings: Mapping[str, Any] | None = None
        self.config_messages: list[str] = []
        self._snapshot: Snapshot | None = None
        # Snapshots replaced since the last ``forget_unasked``, let go there.
        self._retired: list[Snapshot] = []
        # The latest model, kept across configuration changes: its per-app results do
        # not depend on configuration (applied to the findings afterwards).
        self._model: Model | None = None
        # Where the findings of this workspace's analysis are kept between starts
        # (``kept_analysis``), and whether the next snapshot should take them from there.
        self.kept_analysis: Path | None = None
        self._restore_pending = False
        self._kept_discovery_taken = False
        # What was read from there, its discovery taken, until the snapshot takes its
        # findings.
        self._kept: kept_analysis.KeptAnalysis | None = None
        self.reload_configs()

    # ----------------------------------------------------------------- config

    def reload_configs(self, editor_settings: Mapping[str, Any] | None = None) -> None:
        """pyproject.toml of each root, with the editor's settings laid over it."""
        if editor_settings is not None:
            self.editor_settings = editor_settings
        self.config_messages = []
        self._loose_configs: dict[Path, Config] = {}
        for root in self.roots:
            config, problems = load_config(root)
            config, editor_problems = apply_editor_settings(config, self.editor_settings)
            self.configs[root] = config
            for problem in [*problems, *editor_problems]:
                self.config_messages.append(f"{problem.path}: {problem.message}")
        self._snapshot = None

    def config_for(self, path: Path) -> Config:
        best: Config | None = None
        for root, config in self.configs.items():
            inside = path.is_relative_to(config.root) or path.is_relative_to(root)
            if inside and (best is None or len(str(config.root)) > len(str(best.root))):
                best = config
        if best is not None:
            return best
        # A file outside every root (or an editor with no workspace folder): the
        # editor's settings still apply to it.
        folder = path.parent
        if folder not in self._loose_configs:
            config, _ = apply_editor_settings(Config(root=folder), self.editor_settings)
            self._loose_configs[folder] = config
        return self._loose_configs[folder]

    # ---------------------------------------------------------------- updates

    def workspace_files(self, roots: list[Path] | None = None) -> Iterator[Path]:
        """The Python files of the workspace folders (or of some of them)."""
        for root in self.roots if roots is None else roots:
            if root.is_dir():
                yield from iter_python_files(root, self.config_for(root).is_excluded)

    def walk_reaches(self, path: Path) -> bool:
        """Whether ``path``, a file or folder the editor's watcher reported, is one the
        walk of the workspace folders goes into or takes (``workspace_files``)."""
        return any(
            walk_reaches(root, path, self.config_for(root).is_excluded) for root in self.roots
        )

    def set_roots(self, roots: list[Path]) -> list[Path]:
        """New workspace folders; returns those added (their files are not indexed yet)."""
        resolved = list(dict.fromkeys(root.resolve() for root in roots))
        added = [root for root in resolved if root not in self.roots]
        self.roots = resolved
        self.index.set_roots(resolved)
        self.configs = {}
        self.reload_configs()
        return added

    def index_file(self, path: Path) -> None:
        """Index a file found on disk (cheap prefilter first, facts cache when set)."""
        index_paths(self.index, [path], workers=1)

    def set_text(self, path: Path, text: str) -> bool:
        """An editor buffer: while it does not parse, its last good facts stay."""
        return self.index.set_text(path, text, keep_last_good=True)

    def set_buffer(self, path: Path, prepared: PreparedBuffer) -> bool:
        """An editor buffer extracted elsewhere (``prepare_buffer``), as ``set_text``."""
        return self.index.set_buffer(path, prepared)

    def reload(self, path: Path) -> bool:
        if not path.exists():
            return self.index.remove(path)
        return self.index.load(path)

    def remove(self, path: Path) -> bool:
        return self.index.remove(path)

    # -------------------------------------------------------------- snapshot

    @property
    def snapshot_missing(self) -> bool:
        return self._snapshot is None

    def snapshot(self) -> Snapshot:
        generation = self.index.generation
        if self._snapshot is not None and self._snapshot.generation == generation:
            return self._snapshot
        # Finds the apps now (this may read imported files from disk) and keeps the
        # results of every app whose files did not change since the previous snapshot.
        program = self._program()
        self._take_kept_discovery(program)
        model = Model(program, previous=self._model)
        model.apps  # noqa: B018 - discovery may index imported files: before the stamp below
        if self._restore_pending:
            self._restore_pending = False
            if self._kept is not None:
                restored = kept_analysis.take_findings(self._kept, model)
                logger.info("findings of %d apps taken from the last start", restored)
            self._kept = None
        self._model = model
        # The snapshot replaced is let go later (``forget_unasked``): freeing what it
        # built (answers, completion lists) took a millisecond of each edit's latency.
        if self._snapshot is not None:
            self._retired.append(self._snapshot)
            del self._retired[:-RETIRED_KEPT]
        self._snapshot = Snapshot(self.index.generation, model, self)
        return self._snapshot

    def keep_analysis_at(self, where: Path) -> None:
        """Findings of this workspace are kept at ``where``: the next discovery takes
        what it found for unchanged files there, and the next snapshot the findings of
        unchanged apps (``keep_analysis`` writes them)."""
        self.kept_analysis = where
        self._restore_pending = True
        self._kept_discovery_taken = False

    def _take_kept_discovery(self, program: Program) -> None:
        """Before the first discovery after ``keep_analysis_at``: take the kept one."""
        if not self._restore_pending or self._kept_discovery_taken:
            return
        self._kept_discovery_taken = True
        if self.kept_analysis is not None:
            kept = kept_analysis.load(self.kept_analysis)
            if kept is not None and kept_analysis.take_discovery(kept, program):
                self._kept = kept

    def keep_analysis(self) -> None:
        """Keep the latest model's findings for the next start (see ``keep_analysis_at``)."""
        if self.kept_analysis is not None and self._model is not None:
            kept = kept_analysis.keep(self._model, self.kept_analysis)
            logger.info("findings of %d apps kept for the next start", kept)

    def forget_unasked(self) -> None:
        """Let the latest model drop the results no model asked for lately, when that
        is due (``Model.forget_unasked``): for a moment nobody waits on."""
        self._retired.clear()
        if self._model is not None:
            self._model.forget_unasked()

    def discovery_steps(self) -> Iterator[None]:
        """Find the apps of the next snapshot a step at a time (``Program.discovery_steps``);
        nothing to do when the snapshot is current."""
        if self._snapshot is None or self._snapshot.generation != self.index.generation:
            program = self._program()
            self._take_kept_discovery(program)
            yield from program.discovery_steps()

    def _program(self) -> Program:
        entrypoints = [path for config in self.configs.values() for path in config.entrypoints]
        return Program(self.index, entrypoints=entrypoints)

    def diagnose(self, findings: list[Diagnostic]) -> dict[Path, list[Diagnostic]]:
        """Findings by file, with each file's configuration and noqa applied."""
        diagnostics: dict[Path, list[Diagnostic]] = {}
        seen: set[Diagnostic] = set()
        for finding in findings:
            config = self.config_for(finding.path)
            if config.is_excluded(finding.path):
                continue
            item = configured(finding, config, self.index)
            if item is not None and item not in seen:
                seen.add(item)
                diagnostics.setdefault(item.path, []).append(item)
        for bucket in diagnostics.values():
            bucket.sort(key=Diagnostic.sort_key)
        return diagnostics
