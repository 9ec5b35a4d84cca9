"""``check``: analyse the apps under some paths and return their diagnostics.

The engine's one entry point for batch use (the CLI, CI, tests). It reads files, builds
the index and the model, runs every rule, then applies configuration: selected codes,
per-file ignores, severities, ``# noqa`` comments and excluded files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial as partial_call
from pathlib import Path

from streamlit_lsp import kept_analysis
from streamlit_lsp.analysis.bulk import index_paths
from streamlit_lsp.analysis.collector import collector_paused
from streamlit_lsp.analysis.facts_cache import FactsCache
from streamlit_lsp.analysis.index import WorkspaceIndex, iter_python_files
from streamlit_lsp.analysis.model import FINDINGS, Model
from streamlit_lsp.analysis.program import App, Program
from streamlit_lsp.config import Config, ConfigProblem, load_config
from streamlit_lsp.deepstack import call_with_deep_stack
from streamlit_lsp.diagnostics import Diagnostic
from streamlit_lsp.forked import map_forked, usable_cores
from streamlit_lsp.rules import RULES, Rule

logger = logging.getLogger(__name__)

# Below this many apps, forking copies of the process to analyse them is not worth its
# cost (an app takes about 30 ms to analyse: 5.2 s for the benchmark's 182 apps).
FORK_MIN_APPS = 8


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Human-readable messages about files that could not be analysed, config problems.
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0


def check_paths(paths: Sequence[Path], config: Config | None = None) -> CheckResult:
    """Analyse each path: a folder is a workspace, a ``.py`` file its own entry point."""
    result = CheckResult()
    for target in paths:
        target = target.resolve()
        if not target.exists():
            result.problems.append(f"{target}: no such file or folder")
            continue
        effective = config
        if effective is None:
            effective, config_problems = load_config(target)
            result.problems.extend(_describe_config_problem(problem) for problem in config_problems)
        partial = call_with_deep_stack(partial_call(_check_target, target, effective))
        result.diagnostics.extend(partial.diagnostics)
        result.problems.extend(partial.problems)
        result.files_checked += partial.files_checked
    result.diagnostics = _unique_sorted(result.diagnostics)
    return result


def _describe_config_problem(problem: ConfigProblem) -> str:
    return f"{problem.path}: {problem.message}"


def build_model(target: Path, config: Config | None = None) -> Model:
    """Index a folder (a workspace) or a file (its own entry point) and model its apps."""
    config = config if config is not None else load_config(target)[0]
    cache = FactsCache.from_environment()
    if target.is_dir():
        index = WorkspaceIndex([target], cache=cache)
        files = list(iter_python_files(target, config.is_excluded))
        index_paths(index, files, whole_workspace=True)
        program = Program(index, entrypoints=config.entrypoints)
    else:
        index = WorkspaceIndex([target.parent], cache=cache)
        index.load(target)
        program = Program(index, entrypoints=config.entrypoints, only_entries=[target])
    return Model(program)


def _check_target(target: Path, config: Config) -> CheckResult:
    result = CheckResult()
    model = build_model(target, config)
    program = model.program
    index = program.index
    kept = _kept_analysis_location(index) if target.is_dir() else None
    # The collector off while the apps are found and analysed: the walks make millions of
    # short-lived objects (freed as they go) and full collections were 7% of the analysis;
    # a cycle left is collected once it is back on.
    with collector_paused(freeze=False):
        if kept is not None:
            restored = kept_analysis.restore(model, kept)
            logger.info("findings of %d apps taken from the last run", restored)
        diagnostics = run_rules(model, processes=usable_cores())
    if kept is not None:
        kept_analysis.keep(model, kept)
    if target.is_dir():
        reported = {path for path in index.paths if path.is_relative_to(target)}
    else:
        reported = {target, *(path for app in program.apps for path in app.files)}
    reported = {path for path in reported if not config.is_excluded(path)}
    result.diagnostics = list(apply_config(diagnostics, config, index, reported))
    result.problems = [
        f"{problem.message}"
        for problem in index.problems
        if problem.path in reported or target.is_dir()
    ]
    result.files_checked = len(reported)
    return result


def _kept_analysis_location(index: WorkspaceIndex) -> Path | None:
    """Where the findings of a folder's apps are kept from one run to the next (with the
    facts, in the cache folder); None when the cache is off. A folder's next ``check``
    (or the server's next start on it) analyses only the apps that changed since."""
    cache = index.cache
    if cache is None or cache.disabled:
        return None
    return kept_analysis.location(cache.root, index.roots)


def run_rules(
    model: Model, apps: Iterable[App] | None = None, *, processes: int = 1
) -> list[Diagnostic]:
    """Every rule's diagnostics; a rule that fails is logged and skipped, never fatal.

    App rules run one app at a time and their findings are kept with the app's results
    (``Model.memo``): a model built over an earlier one recomputes only the apps
    whose files changed. A finding two apps share (a helper module both import) is
    reported once, as the first app in discovery order words it. ``apps``: only the
    findings of those apps (and of the workspace rules). ``processes``: apps whose
    findings are not at hand are analysed in this process and forked copies of it
    (``forked``), for a one-off run such as ``check``; their findings are kept in the
    model as if found here.
    """
    found: list[Diagnostic] = []
    seen: set[tuple[str, Path, object, str | None]] = set()

    def add(items: Iterable[Diagnostic]) -> None:
        for item in items:
            identity = (item.code, item.path, item.span, item.key)
            if identity not in seen:
                seen.add(identity)
                found.append(item)

    for rule in RULES.values():
        if rule.scope == "workspace":
            add(_run_rule(rule, model))
    chosen = tuple(model.apps if apps is None else apps)
    # Apps whose findings are at hand (kept from the last run) need no copy of the process.
    pending = [app for app in chosen if not model.ready((FINDINGS, app))]
    if processes > 1 and len(pending) >= FORK_MIN_APPS:
        found_apart = map_forked(partial_call(_findings_and_reads, model), pending, processes)
        for app, held in zip(pending, found_apart, strict=True):
            if held is not None:
                model.adopt((FINDINGS, app), *held)
    for app in chosen:
        add(app_findings(model, app))
    return found


def app_findings(model: Model, app: App) -> list[Diagnostic]:
    """The app rules' findings for one app (computed once, kept with the app)."""
    return model.memo((FINDINGS, app), partial_call(_app_diagnostics, model, app))


def _findings_and_reads(model: Model, app: App) -> tuple[object, tuple[Path, ...]] | None:
    """``app_findings``, with the files they were computed from (in a forked copy)."""
    app_findings(model, app)
    return model.held((FINDINGS, app))


def _app_diagnostics(model: Model, app: App) -> list[Diagnostic]:
    scoped = model.scoped(app)
    return [
        item for rule in RULES.values() if rule.scope == "app" for item in _run_rule(rule, scoped)
    ]


def _run_rule(rule: Rule, model: Model) -> list[Diagnostic]:
    try:
        return list(rule.check(model))
    except RecursionError:
        logger.warning("%s skipped: the code is too deeply nested to analyse", rule.code)
    except Exception:
        logger.exception("internal error in rule %s; its diagnostics are skipped", rule.code)
    return []


def apply_config(
    diagnostics: Iterable[Diagnostic], config: Config, index: WorkspaceIndex, reported: set[Path]
) -> Iterable[Diagnostic]:
    for item in diagnostics:
        if item.path in reported:
            shown = configured(item, config, index)
            if shown is not None:
                yield shown


def configured(item: Diagnostic, config: Config, index: WorkspaceIndex) -> Diagnostic | None:
    """``item`` as the configuration shows it: None when its rule is off for its file or
    a ``# noqa`` comment on its line suppresses it, else with the configured severity.
    (``check`` and the language server both show findings through this.)"""
    if not config.rule_enabled(item.code, item.path):
        return None
    facts = index.facts(item.path)
    if facts is not None and _suppressed(item, facts.noqa):
        return None
    severity = config.severity_for(item.code, item.severity)
    return item if severity is item.severity else replace(item, severity=severity)


def _suppressed(item: Diagnostic, noqa: tuple[tuple[int, frozenset[str]], ...]) -> bool:
    for line, codes in noqa:
        if line == item.span.line:
            return not codes or item.code in codes
    return False


def _unique_sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.code, d.path, d.span, d.key): d for d in diagnostics}
    return sorted(unique.values(), key=Diagnostic.sort_key)
