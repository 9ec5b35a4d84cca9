"""A run's walk resumed after an edit of its script (``walk_resume``), its callbacks'
walks taken by callback, and the edited file's part of the key table made from its last
version's by statement: edit after edit, the traces, key tables and findings equal
those of a model computed from nothing, while most walks start past the top of the
script and stop before its end.

The edits come through ``BufferExtraction``, as the server's do: the statements an edit
did not touch keep their facts (the very objects), which is what a walk resumes on.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from generated import generate
from random_edits import random_edit
from streamlit_lsp.analysis import flow
from streamlit_lsp.analysis.incremental import BufferExtraction
from streamlit_lsp.analysis.index import (
    PreparedBuffer,
    WorkspaceIndex,
    iter_python_files,
    prepare_buffer,
)
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.analysis.program import App, Program
from streamlit_lsp.analysis.walk_resume import CallbackWalks, Resumption
from streamlit_lsp.checker import run_rules


class Walks:
    """What the walks of scripts did: where each started, and whether it met the last;
    the same for the pages of ``st.navigation`` runs walked keeping checkpoints."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[int] = []  # the statement each walk started at (0: the top)
        self.spliced = 0
        self.pages_started: list[int] = []
        self.paused = False  # (while a test walks for reference)
        walk_script, spliced = flow.Walker.walk_script, flow.Walker._spliced
        walk_body = flow.Walker._walk_body

        def record_body(walker: flow.Walker, *args: object) -> object:
            _frame, _facts, _state, resumption, exits = args
            if exits is not None and not self.paused:  # (a script's is recorded below)
                start = 0 if resumption is None else resumption.checkpoint.index  # type: ignore[attr-defined]
                self.pages_started.append(start)
            return walk_body(walker, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(flow.Walker, "_walk_body", record_body)

        def record_start(
            walker: flow.Walker, run: object, resumption: Resumption | None = None
        ) -> object:
            self.started.append(0 if resumption is None else resumption.checkpoint.index)
            return walk_script(walker, run, resumption)  # type: ignore[arg-type]

        def record_splice(walker: flow.Walker, *args: object) -> object:
            self.spliced += 1
            return spliced(walker, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(flow.Walker, "walk_script", record_start)
        monkeypatch.setattr(flow.Walker, "_spliced", record_splice)


def _callback_walks_taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each callback's walk was taken from the last one, from now on."""
    taken: list[bool] = []
    kept_walk = CallbackWalks.kept_walk

    def record(walks: CallbackWalks, *args: object) -> object:
        found = kept_walk(walks, *args)  # type: ignore[arg-type]
        taken.append(found is not None)
        return found

    monkeypatch.setattr(CallbackWalks, "kept_walk", record)
    return taken


def _index(root: Path) -> WorkspaceIndex:
    index = WorkspaceIndex([root])
    for path in iter_python_files(root):
        index.load(path)
    return index


def _findings(model: Model) -> list[tuple[object, ...]]:
    return sorted(
        (item.code, str(item.path), item.span, item.key, item.message, item.related)
        for item in run_rules(model)
    )


def _app_of(model: Model, path: Path) -> App:
    return next(app for app in model.apps if path in app.scripts)


def _assert_same_walks(model: Model, path: Path) -> None:
    """The edited page's app analysed over the last model equals it analysed afresh:
    its walks, and its key table (made from the last version's by statement too)."""
    fresh = Model(Program(model.program.index))
    app, fresh_app = _app_of(model, path), _app_of(fresh, path)
    ours, theirs = model.analysis(app), fresh.analysis(fresh_app)
    assert ours.any_run == theirs.any_run
    assert ours.first_run == theirs.first_run
    assert ours.callbacks == theirs.callbacks
    assert ours.standalone == theirs.standalone
    table, fresh_table = model.keys(app), fresh.keys(fresh_app)
    assert table.accesses == fresh_table.accesses
    assert table.widgets == fresh_table.widgets
    assert table.parts == fresh_table.parts


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("generated")
    return root, generate(root, 40, seed=11)


def _edit(
    index: WorkspaceIndex, extraction: BufferExtraction, path: Path, lines: list[str]
) -> None:
    index.set_buffer(path, prepare_buffer("\n".join(lines), None, extraction))


def _random_session(
    root: Path,
    path: Path,
    rng: random.Random,
    edits: int,
    check: Callable[[Model, Path], None] | None = None,
) -> None:
    """``edits`` random edits of ``path`` in a fresh index of ``root``, each analysed over
    the last model and checked against a model from nothing (and by ``check``)."""
    index = _index(root)
    lines = path.read_text(encoding="utf-8").split("\n")
    words = sorted(set(re.findall(r"[A-Za-z_]\w*", "\n".join(lines))))
    extraction = BufferExtraction()
    _edit(index, extraction, path, lines)
    model = Model(Program(index))
    run_rules(model)
    for _ in range(edits):
        edited = random_edit(lines, words, rng)
        model, _ = _checked_edit(index, extraction, path, edited, model)
        if check is not None:
            check(model, path)
        if index.parse_error(path) is None:
            lines = edited


def test_random_edits_of_big_pages_walk_as_a_model_from_nothing(
    workspace: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, manifest = workspace
    walks = Walks(monkeypatch)
    rng = random.Random(7)
    for page in manifest["big_pages"].values():
        if page["lines"] <= 1000:  # (the 5,000-line page: seconds per model from nothing)
            _random_session(root, (root / page["path"]).resolve(), rng, 25)
    # Most walks of the edited pages start past the top, and some meet the last walk
    # before the end (an edit that moves no line). (Here: 40 and 15 of 53.)
    resumed = [start for start in walks.started if start > 0]
    assert len(resumed) > 0.6 * len(walks.started)
    assert walks.spliced > 0.2 * len(walks.started)


def test_random_edits_of_a_navigation_entry_walk_as_a_model_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry that runs its pages through ``st.navigation``: each run's walk goes
    through a page (``PageRun``) between the entry's checkpoints."""
    (tmp_path / "first.py").write_text(
        "import streamlit as st\n"
        'st.session_state.setdefault("seen", 0)\n'
        'st.write(st.session_state["shared"])\n'
    )
    (tmp_path / "second.py").write_text(
        'import streamlit as st\nst.text_input("Name", key="shared")\n'
    )
    entry = tmp_path / "app.py"
    entry.write_text(
        "\n".join(
            [
                "import streamlit as st",
                *_statements(30),
                'st.session_state.setdefault("shared", "")',
                'pg = st.navigation([st.Page("first.py"), st.Page("second.py")])',
                "pg.run()",
                'st.write(st.session_state["seen"])',
                *_statements(20),
            ]
        )
    )
    walks = Walks(monkeypatch)
    _random_session(tmp_path, entry.resolve(), random.Random(3), 40)
    assert [start for start in walks.started if start > 0]


def _navigation_page(count: int) -> list[str]:
    """A long page with what a page's walk carries through: exits (``st.stop()``, a
    ``raise``) in branches, a function called with keys, widgets, writes and reads
    further down."""
    lines = [
        "import streamlit as st",
        "def show(k):",
        "    st.write(st.session_state[k])",
        'st.session_state.setdefault("a", 0)',
    ]
    for number in range(count):
        if number % 7 == 3:
            lines += [f'if st.session_state.get("stop{number}"):', "    st.stop()"]
        elif number % 23 == 10 and number > count // 2:  # (past most edits' meeting point)
            lines += [f'if st.session_state.get("bad{number}"):', '    raise ValueError("bad")']
        elif number % 11 == 5:
            lines.append('show("a")')
        elif number % 13 == 6:
            lines.append(f'st.text_input("Field {number}", key="w{number}")')
        elif number % 17 == 8:
            lines.append(f'st.session_state["x{number}"] = {number}')
        elif number % 19 == 9:
            lines.append(f'st.write(st.session_state["x{number - 1}"])')
        else:
            lines.append(f'st.write(st.session_state.get("k{number}"))')
    return lines


# Where an entry runs its navigation page: at the top level, in a branch, in a function,
# and twice (in two branches: the walk then keeps no checkpoints in the page).
ENTRY_RUNS = {
    "top": ["pg.run()"],
    "branch": ['if st.session_state.get("ready", True):', "    pg.run()"],
    "function": ["def main():", "    pg.run()", "main()"],
    "twice": ['if st.session_state.get("ready"):', "    pg.run()", "else:", "    pg.run()"],
    # The page's exits reach the handler: its state is the page's where it raised.
    "try": ["try:", "    pg.run()", "except ValueError:", '    st.write(st.session_state["x25"])'],
}


def _assert_page_walk_kept(model: Model, page: Path) -> None:
    """What each walk through ``page`` kept of it equals what a walk from the top keeps:
    where the page's part began and ended, and the exits it took (which no trace shows:
    the next walk that meets this one past the edit takes them from here)."""
    app = _app_of(model, page)
    for run, trace in model.analysis(app).any_run.items():
        if run.page is None or run.page.path != page or trace.page_walk is None:
            continue
        fresh = flow._rewalk_page(
            model.program, app, run, flow.Mode.ANY_RUN, flow.Trace(), frozenset({page})
        )
        assert fresh is not None and fresh.page_walk is not None
        assert fresh == trace
        kept, expected = trace.page_walk, fresh.page_walk
        assert kept.start_lengths == expected.start_lengths
        assert kept.end_lengths == expected.end_lengths
        assert kept.end_state == expected.end_state
        assert kept.end_exits == expected.end_exits


@pytest.mark.parametrize("shape", ENTRY_RUNS)
def test_random_edits_of_a_navigation_page_walk_as_a_model_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """The page an ``st.navigation`` entry runs, edited at random: each run's walk
    takes the entry again up to ``pg.run()``, resumes the page from a checkpoint, and
    walks on through the entry after it; the walks and findings equal a model's from
    nothing, edit after edit."""
    page = tmp_path / "big.py"
    page.write_text("\n".join(_navigation_page(150)))
    (tmp_path / "other.py").write_text('import streamlit as st\nst.session_state["x25"] = 0\n')
    (tmp_path / "app.py").write_text(
        "\n".join(
            [
                "import streamlit as st",
                *_statements(10),
                'pg = st.navigation([st.Page("big.py"), st.Page("other.py")])',
                *ENTRY_RUNS[shape],
                # Reached only where the page took no exit.
                'st.write(st.session_state["a"], st.session_state["w6"])',
                *_statements(5),
            ]
        )
    )
    walks = Walks(monkeypatch)

    def check(model: Model, path: Path) -> None:
        walks.paused = True
        _assert_page_walk_kept(model, path)
        walks.paused = False

    _random_session(tmp_path, page.resolve(), random.Random(5), 30, check)
    resumed = [start for start in walks.pages_started if start > 0]
    if shape == "twice":
        assert resumed == []
    else:
        # Most walks of the page resume past its top, and some meet the last walk.
        assert len(resumed) > 0.5 * len(walks.pages_started)
        assert walks.spliced > 0


def test_an_edit_of_a_navigation_page_walks_about_one_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read typed in the middle of a long navigation page: the page's walk resumes
    an interval above it and meets the last walk an interval below."""
    lines = ["import streamlit as st", *_statements(200)]
    page = tmp_path / "big.py"
    page.write_text("\n".join(lines))
    (tmp_path / "app.py").write_text(
        'import streamlit as st\npg = st.navigation([st.Page("big.py")])\npg.run()\n'
    )
    index = _index(tmp_path)
    extraction = BufferExtraction()
    page = page.resolve()
    _edit(index, extraction, page, lines)
    model = Model(Program(index))
    run_rules(model)
    walks = Walks(monkeypatch)
    for number, key in enumerate(["typed", "typed_again", "never_set"]):
        lines[100] = f'st.write(st.session_state["{key}"])'
        model, findings = _checked_edit(index, extraction, page, lines, model)
        assert [found[3] for found in findings if found[0] == "ST001"] == [key]
        if number:  # the first walk after an edit keeps the checkpoints
            assert 80 <= walks.pages_started[-1] <= 100
    assert walks.spliced >= 2


def _page_model(
    tmp_path: Path, text: str, name: str = "app.py"
) -> tuple[WorkspaceIndex, Path, BufferExtraction, Model]:
    """A page ``name`` with ``text`` in ``tmp_path`` (beside what is there), indexed
    through a ``BufferExtraction`` as the server's buffers are, and its first model,
    analysed."""
    page = (tmp_path / name).resolve()
    page.write_text(text, encoding="utf-8")
    index = _index(tmp_path)
    extraction = BufferExtraction()
    _edit(index, extraction, page, text.split("\n"))
    model = Model(Program(index))
    run_rules(model)
    return index, page, extraction, model


def _checked_edit(
    index: WorkspaceIndex,
    extraction: BufferExtraction,
    page: Path,
    lines: list[str],
    model: Model,
) -> tuple[Model, list[tuple[object, ...]]]:
    """The page as ``lines`` now, analysed over ``model``: its findings, walks and key
    table equal a model's from nothing (asserted); the new model and its findings."""
    _edit(index, extraction, page, lines)
    model = Model(Program(index), previous=model)
    findings = _findings(model)
    assert findings == _findings(Model(Program(index)))
    _assert_same_walks(model, page)
    return model, findings


def _edited_twice(
    index: WorkspaceIndex,
    extraction: BufferExtraction,
    page: Path,
    lines: list[str],
    model: Model,
) -> Model:
    """The page's last line edited twice, each version analysed: what is kept of an
    edited page (its walks' checkpoints, its key table's parts) is kept from then on."""
    for number in range(2):
        lines[-1] = f'st.write(st.session_state.get("edit_{number}"))'
        _edit(index, extraction, page, lines)
        model = Model(Program(index), previous=model)
        run_rules(model)
    return model


def _statements(count: int) -> list[str]:
    return [f'st.write(st.session_state.get("k{number}"))' for number in range(count)]


def test_an_edit_in_the_middle_walks_about_one_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["import streamlit as st", "st.session_state.setdefault('shown', 0)", *_statements(200)]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    walks = Walks(monkeypatch)
    for number, key in enumerate(["typed", "typed_again", "never_set"]):
        lines[100] = f'st.write(st.session_state["{key}"])'
        model, findings = _checked_edit(index, extraction, page, lines, model)
        assert [found[3] for found in findings if found[0] == "ST001"] == [key]
        if number:  # the first re-walk after an edit keeps the checkpoints
            assert 80 <= walks.started[-1] <= 100
    assert walks.spliced >= 2


def test_a_function_of_the_page_edited_restarts_the_walk_above_its_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A function of the page, called twice: what the walk sees after each call
    depends on its body, so an edit of the body resumes above the first call, and the
    walk does not take the last walk's trace before it is past the second."""
    lines = [
        "import streamlit as st",
        "def show():",
        '    st.write(st.session_state.get("k"))',
        *_statements(40),
        "show()",
        *_statements(120),
        "show()",
        *_statements(40),
    ]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    call = lines.index("show()")
    walks = Walks(monkeypatch)
    for key in ["first", "second", "third"]:
        lines[-1] = f'st.write(st.session_state.get("{key}"))'  # keeps checkpoints fresh
        _edit(index, extraction, page, lines)
        model = Model(Program(index), previous=model)
        run_rules(model)
        lines[2] = f'    st.write(st.session_state["{key}_missing"])'
        model, findings = _checked_edit(index, extraction, page, lines, model)
        assert f"{key}_missing" in {found[3] for found in findings}
        assert walks.started[-1] < call - 1  # statement numbers: the def is statement 1


def test_an_edit_of_another_file_walks_the_page_from_the_top(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "helpers.py").write_text(
        "import streamlit as st\n\n\ndef init():\n    st.session_state.count = 0\n"
    )
    lines = ["import streamlit as st", "from helpers import init", "init()", *_statements(100)]
    lines.append("st.write(st.session_state.count)")
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    lines[50] = 'st.write(st.session_state.get("typed"))'
    _edit(index, extraction, page, lines)
    model = Model(Program(index), previous=model)
    run_rules(model)
    walks = Walks(monkeypatch)
    helpers = (tmp_path / "helpers.py").resolve()
    index.set_text(helpers, "import streamlit as st\n\n\ndef init():\n    pass\n")
    model = Model(Program(index), previous=model)
    findings = _findings(model)
    assert findings == _findings(Model(Program(index)))
    assert "count" in {found[3] for found in findings}
    assert walks.started == []  # walked as any run is, keeping nothing


def test_a_walk_meets_the_last_one_only_where_their_states_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write typed in the middle changes the state every statement below sees: a read
    further down, unguarded before, is guarded now. The walk must not take the rest of
    the last walk's trace at the next checkpoint, whose state it no longer shares."""
    lines = ["import streamlit as st", *_statements(200)]
    lines[150] = 'st.write(st.session_state["late"])'
    lines[190] = 'st.session_state["late"] = 1'
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    before = _findings(model)
    assert [(found[0], found[3]) for found in before] == [("ST002", "late")]
    walks = Walks(monkeypatch)
    for text in ['st.write("typed")', 'st.session_state["late"] = 0']:
        lines[100] = text
        model, findings = _checked_edit(index, extraction, page, lines, model)
    assert findings == []  # the read is after a write now
    assert walks.started[-1] > 0


def test_checkpoints_taken_from_the_last_walk_count_this_walk_s_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that adds a read meets the last walk further down and takes its
    checkpoints from there: their places in the trace move by that read, or the walk
    resumed at one of them by the next edit starts from the wrong prefix."""
    lines = ["import streamlit as st", *_statements(200)]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    walks = Walks(monkeypatch)
    edits = [
        (60, 'st.write(st.session_state.get("a"))'),  # keeps the checkpoints
        (60, 'st.write(st.session_state.get("a"), st.session_state.get("b"))'),
        (170, 'st.write(st.session_state["never_set"])'),
    ]
    for at, text in edits:
        lines[at] = text
        model, _ = _checked_edit(index, extraction, page, lines, model)
    assert walks.spliced >= 2
    assert walks.started[-1] > 150


def test_statements_pasted_get_checkpoints_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checkpoints of a resumed walk fall where the last walk's did (where the two
    may meet), and also within the statements an edit added: an edit in the middle of
    a long paste resumes near it, not at the paste's start."""
    lines = ["import streamlit as st", *_statements(200)]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    walks = Walks(monkeypatch)
    lines[150] = 'st.write("typed")'  # keeps the checkpoints
    _edit(index, extraction, page, lines)
    model = Model(Program(index), previous=model)
    run_rules(model)
    pasted = [f'st.write(st.session_state.get("pasted_{number}"))' for number in range(120)]
    lines[100:100] = pasted
    _edit(index, extraction, page, lines)
    model = Model(Program(index), previous=model)
    run_rules(model)
    lines[200] = 'st.write(st.session_state["never_set"])'
    _edit(index, extraction, page, lines)
    model = Model(Program(index), previous=model)
    assert _findings(model) == _findings(Model(Program(index)))
    _assert_same_walks(model, page)
    assert 180 <= walks.started[-1] <= 200


def test_a_parameter_renamed_binds_the_keys_its_calls_pass_anew(tmp_path: Path) -> None:
    """A call's keys are bound to the parameters of the function it resolves to: when
    the page's function changes (a parameter renamed), the calls that did not change
    are bound again, not taken from the last version's key table."""
    lines = [
        "import streamlit as st",
        "def show(key):",
        "    st.write(st.session_state[key])",
        'st.session_state.setdefault("shown", 0)',
        'show("shown")',
        *_statements(50),
    ]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    for number, (header, body) in enumerate(
        [
            ("def show(key):", "    st.write(st.session_state[key])"),
            ("def show(other):", "    st.write(st.session_state[key])"),
            ("def show(other):", "    st.write(st.session_state[other])"),
        ]
    ):
        lines[1], lines[2] = header, body
        lines[-1] = f'st.write(st.session_state.get("edit_{number}"))'
        model, _ = _checked_edit(index, extraction, page, lines, model)


def test_a_key_constant_changed_in_another_file_reaches_the_edited_page(
    tmp_path: Path,
) -> None:
    """The page's statements are taken from its last version's key table only while no
    other file changed: a key constant imported from a module resolves anew."""
    (tmp_path / "keys.py").write_text('COUNT = "count"\n')
    lines = [
        "import streamlit as st",
        "from keys import COUNT",
        "st.write(st.session_state[COUNT])",
        *_statements(50),
    ]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    model = _edited_twice(index, extraction, page, lines, model)
    index.set_text((tmp_path / "keys.py").resolve(), 'COUNT = "total"\n')
    model = Model(Program(index), previous=model)
    findings = _findings(model)
    assert findings == _findings(Model(Program(index)))
    assert [(found[0], found[3]) for found in findings] == [("ST001", "total")]
    _assert_same_walks(model, page)


def test_a_call_kept_as_it_was_is_bound_to_the_parameters_its_function_has_now(
    tmp_path: Path,
) -> None:
    """A call statement kept (the same object) while the function it resolves to in
    the page changed: its keys are bound to that function's parameters as they are now.
    (``BufferExtraction`` extracts such a call again when its text names the function;
    the key table does not count on it.)"""
    lines = [
        "import streamlit as st",
        "def show(key):",
        "    st.write(st.session_state[key])",
        'show("shown")',
        *_statements(20),
    ]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    model = _edited_twice(index, extraction, page, lines, model)
    facts = index.facts(page)
    assert facts is not None
    (show,) = facts.functions
    renamed = replace(show, params=("other",))
    index.set_buffer(page, PreparedBuffer("renamed", replace(facts, functions=(renamed,))))
    model = Model(Program(index), previous=model)
    fresh = Model(Program(index))
    assert model.keys(_app_of(model, page)).accesses == fresh.keys(_app_of(fresh, page)).accesses
    ((_, passed_to, parameter, _),) = model._line.bindings[page].passed[0]
    assert (passed_to, parameter) == ("show", "other")


def test_a_run_s_callbacks_are_walked_again_only_where_their_code_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The callbacks a page registers are walked each from nothing: once the page is
    edited, a callback whose call and function (and what it enters of the page) are as
    they were is taken from the last walk of the run's callbacks."""
    lines = [
        "import streamlit as st",
        "def save():",
        '    st.session_state["saved"] = st.session_state.get("draft")',
        "def clear():",
        "    forget()",
        "def forget():",
        '    st.session_state["draft"] = ""',
        'st.text_input("Draft", key="draft")',
        'st.button("Save", on_click=save)',
        'st.button("Clear", on_click=clear)',
        *_statements(30),
    ]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines))
    taken = _callback_walks_taken(monkeypatch)
    model = _edited_twice(index, extraction, page, lines, model)
    assert taken[-2:] == [True, True]  # the second edit takes both walks
    lines[2] = '    st.write(st.session_state["never_set"])'
    model, findings = _checked_edit(index, extraction, page, lines, model)
    assert taken[-2:] == [False, True]  # save changed, clear did not
    assert ("ST001", "never_set") in {(found[0], found[3]) for found in findings}
    lines[6] = '    st.write(st.session_state["never_set_either"])'
    model, findings = _checked_edit(index, extraction, page, lines, model)
    assert taken[-2:] == [True, False]  # clear is the same, but what it calls is not
    assert ("ST001", "never_set_either") in {(found[0], found[3]) for found in findings}


def test_callbacks_of_a_navigation_page_are_taken_after_an_edit_of_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page an ``st.navigation`` entry runs is not the run's script; its callbacks'
    walks are kept all the same when it alone is edited."""
    (tmp_path / "app.py").write_text(
        'import streamlit as st\npg = st.navigation([st.Page("page.py")])\npg.run()\n'
    )
    lines = [
        "import streamlit as st",
        "def save():",
        '    st.session_state["saved"] = st.session_state.get("draft")',
        'st.text_input("Draft", key="draft")',
        'st.button("Save", on_click=save)',
        *_statements(10),
    ]
    index, page, extraction, model = _page_model(tmp_path, "\n".join(lines), "page.py")
    taken = _callback_walks_taken(monkeypatch)
    for number in range(3):
        lines[-1] = f'st.write(st.session_state.get("edit_{number}"))'
        _edit(index, extraction, page, lines)
        model = Model(Program(index), previous=model)
        assert _findings(model) == _findings(Model(Program(index)))
    assert taken[-1] is True
