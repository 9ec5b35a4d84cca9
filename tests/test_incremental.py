"""A model built over an earlier one lends its per-app results: they must never go stale.

After any sequence of edits, file creations and deletions, the findings (and the key
occurrences editor features use) of a model that reused its predecessor's results must
equal those of a model computed from nothing over the same index. And the reuse must be
real: an edit to one app leaves every other app's analysis untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spies import calls_of
from streamlit_lsp.analysis import flow
from streamlit_lsp.analysis import model as model_module
from streamlit_lsp.analysis import program as program_module
from streamlit_lsp.analysis.answers import Answers
from streamlit_lsp.analysis.flow import Trace
from streamlit_lsp.analysis.index import WorkspaceIndex, iter_python_files
from streamlit_lsp.analysis.model import SWEEP_EVERY, Model
from streamlit_lsp.analysis.program import Program
from streamlit_lsp.checker import run_rules

CASES = Path(__file__).parent / "fixtures" / "cases"
INCREMENTAL = Path(__file__).parent / "fixtures" / "incremental"
# Apps of several shapes: single files, helper modules, pages/, st.navigation.
APPS = [
    "101_st001_subscript_read.py",
    "124_neg_init_helper_import",
    "132_st002_helper_called_before_init",
    "137_st002_pages_dir_plain_key",
    "138_neg_navigation_init_before_run",
    "142_st003_helper_write",
]
# Lines an edit appends: they add and remove keys, imports, widgets and mistakes.
LINES = [
    "import streamlit as st",
    "st.session_state.counter = 0",
    "st.write(st.session_state.counter)",
    "st.write(st.session_state['shared'])",
    "st.session_state.setdefault('shared', 1)",
    "st.text_input('Name', key='shared')",
    "st.button('Go', key='counter')",
    "from helpers import init_state",
    "import state",
    "def later():\n    st.session_state.late = 1",
    "st.write(st.session_state.late)",
    "if 'counter' not in st.session_state:\n    st.session_state.counter = 1",
    "x = (",  # does not parse
    # Keys passed to a helper's parameter (the parameter bindings of the key table).
    "def show(k):\n    st.write(st.session_state[k])",
    "show('counter')",
    "show('elsewhere')",
    "import budget_state",
]


def _workspace(tmp: Path) -> Path:
    for name in APPS:
        source = CASES / name
        target = tmp / source.stem
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.mkdir()
            shutil.copy(source, target / "app.py")
    return tmp


def _findings(model: Model) -> list[tuple[object, ...]]:
    return sorted(
        (item.code, str(item.path), item.span, item.key, item.message, item.related)
        for item in run_rules(model)
    )


def _occurrences(model: Model) -> list[tuple[object, ...]]:
    answers = Answers(model)
    return sorted(
        (key, str(occurrence.path), occurrence.key_span, occurrence.role.value)
        for key, info in answers.keys().items()
        for occurrence in info.occurrences
    )


def _index(root: Path) -> WorkspaceIndex:
    index = WorkspaceIndex([root])
    for path in iter_python_files(root):
        index.load(path)
    return index


edit = st.tuples(
    st.sampled_from(["append", "restore", "delete_line", "remove", "create"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(LINES),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=st.lists(edit, min_size=1, max_size=12), reported=st.booleans())
def test_reused_results_equal_results_from_nothing(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, int, str]], reported: bool
) -> None:
    """``reported``: the editor reports files created and deleted, as a server's
    watcher does (discovery then relies on the report, not on the pages/ folders)."""
    root = _workspace(tmp_path_factory.mktemp("ws"))
    originals = {path: path.read_text() for path in iter_python_files(root)}
    index = _index(root)
    index.creations_reported = reported
    model = Model(Program(index))
    _findings(model)
    for action, number, line in edits:
        paths = sorted(originals)
        path = paths[number % len(paths)]
        if action == "remove":
            path.unlink(missing_ok=True)
            index.remove(path)
        else:
            text = path.read_text() if path.exists() else originals[path]
            if action == "append":
                text = f"{text.rstrip()}\n{line}\n"
            elif action == "restore":
                text = originals[path]
            elif action == "delete_line":
                lines = text.splitlines()
                if lines:
                    del lines[number % len(lines)]
                text = "\n".join(lines) + "\n"
            elif action == "create":
                path = path.parent / f"extra_{number % 3}.py"
                originals.setdefault(path, "")
                text = f"{line}\n"
                if reported and not path.exists():
                    index.forget_missing()  # the server's answer to the watcher's report
            path.write_text(text)
            index.set_text(path, text)
        model = Model(Program(index), previous=model)
        fresh = Model(Program(index))
        # Discovery keeps what it found in the index: the apps must be those an index
        # read afresh from the same files finds.
        assert model.apps == Model(Program(_index(root))).apps
        assert _findings(model) == _findings(fresh)
        assert _occurrences(model) == _occurrences(fresh)


def test_an_edit_recomputes_only_the_apps_that_read_the_file(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    index = _index(root)
    before = Model(Program(index))
    run_rules(before)
    edited = root / "137_st002_pages_dir_plain_key" / "app.py"
    index.set_text(edited, edited.read_text() + "\nst.session_state.extra = 1\n")
    after = Model(Program(index), previous=before)
    run_rules(after)
    for app in after.apps:
        reused = after.analysis(app) is before.analysis(app)
        assert reused == (edited not in app.files), app.entry


def test_an_edit_rewalks_only_the_runs_that_read_the_file(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    index = _index(root)
    before = Model(Program(index))
    run_rules(before)
    app = next(app for app in before.apps if app.kind == "pages")
    page = next(run.script for run in app.runs if run.script != app.entry)
    index.set_text(page, page.read_text() + "\nst.session_state.extra = 1\n")
    after = Model(Program(index), previous=before)
    new_app = next(candidate for candidate in after.apps if candidate.entry == app.entry)
    old_runs = before.analysis(app).any_run
    new_runs = after.analysis(new_app).any_run
    for run, trace in new_runs.items():
        assert (trace is old_runs[run]) == (run.script != page), run.label


def test_rules_look_again_only_at_the_runs_walked_again(tmp_path: Path) -> None:
    """What the rules find in one run's trace alone (ST008's candidates: the keys each
    run reads the value of, its value-keeping widgets by key; ST001's, ST004's and
    ST005's) is kept
    with the trace: an edit of one page finds it anew for its runs only, and still
    reports what a model from nothing reports."""
    root = tmp_path / "app"
    shutil.copytree(CASES / "191_st008_pages_dir_guarded", root)
    index = _index(root)
    before = Model(Program(index))
    assert [item.code for item in run_rules(before)] == ["ST008", "ST008"]
    charts = root / "pages" / "2_Charts.py"
    index.set_text(charts, charts.read_text() + 'st.write(ss.get("station"))\n')
    after = Model(Program(index), previous=before)
    assert _findings(after) == _findings(Model(Program(index)))
    assert [item.code for item in run_rules(after)] == ["ST008"] * 3
    (app,) = before.apps
    old_runs, new_runs = before.analysis(app).any_run, after.analysis(after.apps[0]).any_run
    for run, trace in new_runs.items():
        # Derived once per trace, kept with it (ST008's as cached properties).
        assert {"value_read_keys", "stored_widget_keys"} <= trace.__dict__.keys(), run.label
        assert trace.derived is not None
        assert {"ST004", "ST005"} <= set(trace.derived)
        assert ("ST001" in trace.derived) == bool(trace.raising_reads)
        kept = trace.derived is old_runs[run].derived
        assert kept == (run.script != charts), run.label


def test_a_trace_extended_finds_what_it_derives_anew(tmp_path: Path) -> None:
    """What a trace derives from its lists (kept with it) follows what it is extended
    with: the code no run reaches, and a first run, are traces assembled so."""
    root = tmp_path / "app"
    shutil.copytree(CASES / "191_st008_pages_dir_guarded", root)
    model = Model(Program(_index(root)))
    traces = list(model.analysis(model.apps[0]).any_run.values())
    assembled = Trace()
    for trace in traces:
        # Derived (and kept) before each extension.
        _ = (assembled.raising_reads, assembled.value_read_keys, assembled.stored_widget_keys)
        assembled.extend(trace)
    whole = Trace(
        reads=[read for trace in traces for read in trace.reads],
        widgets=[seen for trace in traces for seen in trace.widgets],
    )
    assert assembled.raising_reads == whole.raising_reads
    assert assembled.value_read_keys == whole.value_read_keys
    assert assembled.stored_widget_keys == whole.stored_widget_keys
    assembled.derive("count", lambda trace: len(trace.reads))
    assembled.extend(traces[0])
    assert assembled.derive("count", lambda trace: len(trace.reads)) == len(whole.reads) + len(
        traces[0].reads
    )


def test_an_app_analysed_in_steps_is_not_assembled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server walks an edited app a step at a time, pausing in between; the
    analysis the steps assemble is the app's, kept as if ``analysis`` had made it,
    unless a file it read changed during a pause."""
    root = _workspace(tmp_path)
    index = _index(root)
    model = Model(Program(index))
    assembled = calls_of(monkeypatch, model_module, "analyse_app")
    app = next(app for app in model.apps if app.kind == "pages")
    steps = list(model.analysis_steps(app))
    assert len(steps) >= 2
    analysis = model.analysis(app)
    assert assembled == []
    assert analysis == Model(Program(index)).analysis(app)
    page = next(run.script for run in app.runs if run.script != app.entry)
    held = model.held(("analysis", app))
    assert held is not None and page in held[1]  # the files read, recorded step by step

    index.set_text(page, page.read_text() + "\nst.session_state.extra = 1\n")
    later = Model(Program(index), previous=model)
    steps = later.analysis_steps(app)
    next(steps)  # the entry script's run is walked
    entry_text = app.entry.read_text() + "\nst.write(st.session_state['never_set'])\n"
    index.set_text(app.entry, entry_text)
    list(steps)  # the entry changed during a pause: what the steps made is not kept,
    # so the model of the index as it is now (the server's next) does not take it.
    now = Model(Program(index), previous=later)
    assert now.analysis(app) == Model(Program(index)).analysis(app)


def test_the_walk_of_code_no_run_reaches_walks_again_only_the_files_an_edit_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code no run reaches (a helper no page calls, a page's functions nothing
    calls) is walked alone, file by file: an edit walks again the files it changed and
    takes the other files' parts of the last walk, with the findings and the trace of
    a walk from nothing."""
    root = tmp_path / "app"
    shutil.copytree(INCREMENTAL / "standalone_app", root)
    index = _index(root)
    model = Model(Program(index))
    assert [(item.code, item.key) for item in run_rules(model)] == [("ST001", "report")]
    entry, helpers = root / "app.py", root / "helpers.py"
    walked = calls_of(monkeypatch, flow, "_walk_file_alone")
    text = entry.read_text()

    def edit(path: Path, new_text: str) -> set[str]:
        nonlocal model
        walked.clear()
        index.set_text(path, new_text)
        model = Model(Program(index), previous=model)
        found = _findings(model)
        names = {call[2].name for call in walked}
        fresh = Model(Program(index))
        assert found == _findings(fresh)
        (app,) = model.apps
        standalone = model.analysis(app).standalone
        assert standalone == fresh.analysis(app).standalone
        assert standalone.entered == fresh.analysis(app).standalone.entered
        return names

    # A read typed in the page, whose functions its run enters: nothing else is walked.
    assert edit(entry, text + 'st.write(st.session_state["typed"])\n') == {"app.py"}
    assert {item.key for item in run_rules(model)} == {"report", "typed"}
    # A function nothing calls, typed in the page: walked, the helper's part kept.
    later = text + 'def later():\n    st.write(st.session_state["late"])\n'
    assert edit(entry, later) == {"app.py"}
    assert {read.key for read in model.analysis(model.apps[0]).standalone.reads} == {
        "report",
        "late",
    }
    # It calls the helper's function: the helper's part is walked again after it, as
    # the function is entered now.
    calls = "from helpers import export\n" + later + "    export()\n"
    assert edit(entry, calls) == {"app.py", "helpers.py"}
    # The call taken out: the helper's function is walked alone again.
    assert edit(entry, later) == {"app.py", "helpers.py"}
    # The helper edited: its part walked again; the page's walk does not read it.
    renamed = helpers.read_text().replace('"report"', '"summary"')
    assert edit(helpers, renamed) == {"helpers.py"}
    assert {item.key for item in run_rules(model)} >= {"summary", "late"}


def test_the_index_and_the_apps_name_each_file_with_one_object(tmp_path: Path) -> None:
    """Kept results are looked up by the paths they read, a hundred times an edit: an
    equal copy of a path is compared part by part, the same object by identity. An
    edit that names its file with a copy keeps the index's object, and the apps found
    name their files, pages included, with the index's objects."""
    root = _workspace(tmp_path)
    index = _index(root)
    app = next(app for app in Model(Program(index)).apps if app.kind == "pages")
    page = next(run.script for run in app.runs if run.script != app.entry)
    owned = index.own(Path(str(page)))
    assert owned is index.own(page) and owned is not Path(str(page))
    index.set_text(Path(str(page)), page.read_text() + "\nst.session_state.extra = 1\n")
    assert index.own(Path(str(page))) is owned
    for app in Model(Program(index)).apps:
        named = [*app.files, *app.scripts, *(run.script for run in app.runs)]
        assert all(index.own(path) is path for path in named), app.entry


def test_an_edit_that_keeps_the_patterns_of_computed_keys_keeps_their_answers(
    tmp_path: Path,
) -> None:
    """Whether a key fully matches a pattern of the app's computed keys (``f"seat_{i}"``)
    is kept with the patterns: an edit leaves them as they were, and the app's new key
    table takes the answers over; a computed key added makes new ones."""
    root = tmp_path / "app"
    root.mkdir()
    shutil.copy(CASES / "127_neg_dynamic_keys.py", root / "app.py")
    entry = root / "app.py"
    text = entry.read_text()
    index = _index(root)
    model = Model(Program(index))
    assert run_rules(model) == []
    matcher = model.keys(model.apps[0])._index.initialising.matcher
    assert matcher is not None and matcher.matches("seat_12") and not matcher.matches("x")

    index.set_text(entry, text + 'st.write(ss["seat_9"], ss["typed"])\n')
    model = Model(Program(index), previous=model)
    assert model.keys(model.apps[0])._index.initialising.matcher is matcher
    assert _findings(model) == _findings(Model(Program(index)))
    assert [item.key for item in run_rules(model)] == ["typed"]

    index.set_text(entry, text + 'ss[f"row_{SEATS}"] = 1\nst.write(ss["row_2"], ss["typed"])\n')
    model = Model(Program(index), previous=model)
    group = model.keys(model.apps[0])._index.initialising
    assert group.matcher is not matcher and group.matcher is not None
    assert _findings(model) == _findings(Model(Program(index)))
    assert [item.key for item in run_rules(model)] == ["typed"]


def test_results_of_an_app_left_alone_for_long_are_still_reused(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    index = _index(root)
    model = Model(Program(index))
    run_rules(model)
    app = next(app for app in model.apps if app.kind == "pages")
    first = model.analysis(app).any_run
    # Many analyses that only ask for the app's findings (kept whole), while other apps
    # change: the walks those findings came from must be kept all along.
    elsewhere = root / "101_st001_subscript_read" / "app.py"
    for number in range(3 * SWEEP_EVERY):
        index.set_text(elsewhere, elsewhere.read_text() + f"\nx_{number} = 1\n")
        model = Model(Program(index), previous=model)
        run_rules(model)
        model.forget_unasked()
    page = next(run.script for run in app.runs if run.script != app.entry)
    index.set_text(page, page.read_text() + "\nst.session_state.extra = 1\n")
    model = Model(Program(index), previous=model)
    current = next(candidate for candidate in model.apps if candidate.entry == app.entry)
    for run, trace in model.analysis(current).any_run.items():
        assert (trace is first[run]) == (run.script != page), run.label


def _parts(key: object) -> set[object]:
    """Everything a memo key is made of (keys are nested tuples of apps, runs, paths)."""
    if isinstance(key, tuple | frozenset):
        return {part for item in key for part in _parts(item)}
    return {key}


def test_results_no_model_asks_for_are_let_go(tmp_path: Path) -> None:
    """A server builds a model per burst of edits: the results of an app that is gone
    (and of its files) must not stay in memory for the server's lifetime, while the
    results, inner ones included, of the apps still asked for stay."""
    root = _workspace(tmp_path)
    index = _index(root)
    model = Model(Program(index))
    run_rules(model)
    gone = next(app for app in model.apps if app.kind == "pages")
    for path in gone.files:
        path.unlink()
        index.remove(path)
    for _ in range(2 * SWEEP_EVERY):
        model = Model(Program(index), previous=model)
        run_rules(model)
        model.forget_unasked()
    held = {**model._previous, **model._memos}
    assert not [key for key in held if _parts(key) & {gone, *gone.files}]
    for app in model.apps:
        analysis = model.analysis(app)
        kept = {**model._previous, **model._memos}
        walks = [key for key in kept if key[0] == "any_run" and key[1] == app]
        assert len(walks) == len(app.runs), app.entry
        assert model.analysis(app) is analysis


def test_discovery_in_steps_leaves_the_next_program_only_assembling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server finds the apps a step at a time between requests: what the steps found
    is kept in the index, so the program built after them finds the same apps without
    doing the work again."""
    root = _workspace(tmp_path)
    expected = Program(_index(root)).apps
    index = _index(root)
    steps = list(Program(index).discovery_steps(files_per_step=2))
    assert len(steps) > len(index.paths) // 2  # pauses between files and between apps
    calls: list[str] = []
    for name in ("_as_candidate", "_build_app"):
        original = getattr(Program, name)
        monkeypatch.setattr(
            Program,
            name,
            lambda self, *args, name=name, original=original: (
                calls.append(name) or original(self, *args)
            ),
        )
    assert Program(index).apps == expected
    assert calls == []


def test_after_an_edit_discovery_asks_only_the_edited_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a file is an entry point, and whether an app is still the one found, is
    asked again of the files changed since, not of every file (an edit of a 2,000-file
    workspace spent 25 ms going over them, each answer kept or not)."""
    root = _workspace(tmp_path)
    index = _index(root)
    Program(index).apps  # noqa: B018 - discovery, kept in the index
    page = root.resolve() / "137_st002_pages_dir_plain_key" / "pages" / "1_Checkout.py"
    page.write_text(page.read_text() + "\nst.session_state.extra = 1\n")
    index.set_text(page, page.read_text())
    asked: list[Path] = []
    stamped: list[Path] = []
    derived, stamp = index.derived, index.stamp
    monkeypatch.setattr(
        index,
        "derived",
        lambda path, key, make: (
            (key == ("candidate",) and asked.append(path)) or derived(path, key, make)
        ),
    )
    monkeypatch.setattr(index, "stamp", lambda path: stamped.append(path) or stamp(path))
    apps = Program(index).apps
    assert asked == [page]
    app = next(app for app in apps if page in app.files)
    # Only the edited app is built again, and it reads its own files only.
    assert set(stamped) <= app.files | {page}
    monkeypatch.undo()
    assert apps == Program(_index(root)).apps


def test_an_edit_discovery_does_not_read_keeps_the_app_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most edits change what a page does, not what it imports or names as a page: the
    app is not found again (a millisecond of every keystroke), and it is the very object
    found before, which the results kept for it are keyed by. An edit that adds an
    import is found again, with the imported file."""
    root = _workspace(tmp_path)
    index = _index(root)
    before = {app.entry: app for app in Program(index).apps}
    page = root.resolve() / "137_st002_pages_dir_plain_key" / "pages" / "1_Checkout.py"
    built: list[Path] = []
    original = Program._build_app
    monkeypatch.setattr(
        Program, "_build_app", lambda self, entry: built.append(entry) or original(self, entry)
    )
    # Lines typed above the imports too: positions are not what discovery reads.
    page.write_text("\n\nst.session_state.extra = 1\n" + page.read_text())
    index.set_text(page, page.read_text())
    after = {app.entry: app for app in Program(index).apps}
    assert built == []
    assert all(after[entry] is app for entry, app in before.items())

    helper = root.resolve() / "124_neg_init_helper_import" / "budget_state.py"
    shutil.copy(helper, page.parent.parent / "budget_state.py")
    index.load(page.parent.parent / "budget_state.py")
    page.write_text("import budget_state\n" + page.read_text())
    index.set_text(page, page.read_text())
    app = next(app for app in Program(index).apps if page in app.files)
    assert page.parent.parent / "budget_state.py" in app.files
    assert app.entry in built
    monkeypatch.undo()
    assert Program(index).apps == Program(_index(root)).apps


def test_where_creations_are_reported_an_edit_asks_only_the_apps_that_read_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the editor reports files created and deleted (a server's watcher), an edit
    asks whether an app still holds only of the apps that read the edited file, and
    stats no pages/ folder: each app's check and stat was 3 ms of every edit in a
    2,000-file workspace of 180 apps. A page added then is found from the report."""
    root = _workspace(tmp_path)
    index = _index(root)
    index.creations_reported = True
    before = Program(index).apps
    page = root.resolve() / "137_st002_pages_dir_plain_key" / "pages" / "1_Checkout.py"
    page.write_text(page.read_text() + "\nst.session_state.extra = 1\n")
    index.set_text(page, page.read_text())
    asked = calls_of(monkeypatch, program_module.KeptApp, "holds")
    listed = calls_of(monkeypatch, program_module, "_app_token")
    after = Program(index).apps
    assert [kept.app.entry for kept, *_ in asked] == [page.parent.parent / "app.py"]
    assert listed == []
    assert len(after) == len(before)
    assert all(now is then for now, then in zip(after, before, strict=True))

    added = page.parent / "2_Added.py"
    added.write_text("import streamlit as st\n\nst.write(st.session_state.added)\n")
    index.forget_missing()  # the server's answer to the watcher's report
    app = next(app for app in Program(index).apps if page in app.files)
    assert added in app.files
    monkeypatch.undo()
    assert Program(index).apps == Program(_index(root)).apps


def test_where_creations_are_not_reported_a_pages_folder_is_looked_at(tmp_path: Path) -> None:
    """Without a watcher (``check``, an editor that watches no files), a page written to
    a pages/ folder is found from the folder's listing at the next discovery."""
    root = _workspace(tmp_path)
    index = _index(root)
    Program(index).apps  # noqa: B018 - discovery, kept in the index
    pages = root.resolve() / "137_st002_pages_dir_plain_key" / "pages"
    added = pages / "2_Added.py"
    added.write_text("import streamlit as st\n\nst.write(st.session_state.added)\n")
    app = next(app for app in Program(index).apps if pages / "1_Checkout.py" in app.files)
    assert added in app.files


def test_parameter_bindings_are_merged_again_only_when_a_call_changes(tmp_path: Path) -> None:
    """The keys each call passes to a helper's parameters are merged per app; an edit
    that passes no new key takes the last merge, one that does is merged again and
    its findings follow."""
    app_file = tmp_path / "app.py"
    app_file.write_text(
        "import streamlit as st\n"
        "from helpers import show\n"
        "st.session_state.setdefault('shown', 0)\n"
        "show('shown')\n"
    )
    (tmp_path / "helpers.py").write_text(
        "import streamlit as st\n\n\ndef show(key):\n    st.write(st.session_state[key])\n"
    )
    index = _index(tmp_path)
    model = Model(Program(index))
    assert _findings(model) == []
    (app,) = model.apps
    merged = model._line.bindings[app.entry]

    index.set_text(app_file, app_file.read_text() + "st.write('unrelated')\n")
    model = Model(Program(index), previous=model)
    assert _findings(model) == []
    assert model._line.bindings[app.entry] is merged

    index.set_text(app_file, app_file.read_text() + "show('never_set')\n")
    model = Model(Program(index), previous=model)
    findings = _findings(model)
    assert model._line.bindings[app.entry] is not merged
    assert [(code, key) for code, _, _, key, *_ in findings] == [("ST001", "never_set")]
    assert findings == _findings(Model(Program(index)))
