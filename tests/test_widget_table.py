"""Checks ``streamlit_lsp.analysis.widgets.WIDGETS`` against the installed Streamlit.

The widget table is the analyzer's single source of truth about keyed elements
(``shared/spec/RULES.md`` section 3). It is hand-written, so these tests make a
Streamlit upgrade a matter of reading the failures and editing the table:

1. Signatures: every public command with a ``key`` parameter (on ``st``,
   ``st.sidebar`` / ``DeltaGenerator`` and ``st.column_config``) is in the
   table and vice versa; ``params``, ``key_position``, ``DefaultParam``,
   callbacks and persistence parameters agree with ``inspect.signature``.
2. Source: the ``check_widget_policies`` / ``check_session_state_rules`` calls
   reached from each command are read with ``ast``. ``writes_allowed=False``
   must match ``readonly``/``readonly_if``, and the ``default_value=``
   expression is *evaluated* on sample arguments and compared with
   ``has_default``.
3. Table 3.2 and first-run values as unit tests of ``has_default`` /
   ``first_run_value``.
4. Runtime: small apps run under ``streamlit.testing.v1.AppTest`` confirm, per
   command, whether ``key=`` creates a session-state entry (and its first-run
   value), registers in the duplicate-key set, and refuses writes; and that the
   ST004 warning is logged exactly when ``has_default`` says so. Set
   ``STREAMLIT_LSP_SKIP_RUNTIME=1`` to skip this (slower) part.

The whole module is skipped when Streamlit is not installed: the table itself
does not need Streamlit, only its verification does.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import logging
import os
import re
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

st = pytest.importorskip(
    "streamlit", reason="the widget table is checked against an installed Streamlit"
)

from streamlit.delta_generator import DeltaGenerator  # noqa: E402

from streamlit_lsp.analysis.widgets import (  # noqa: E402
    LAYOUT_COMMANDS,
    MULTI_CONTAINER_COMMANDS,
    OMITTED,
    UNKNOWN_VALUE,
    WIDGETS,
    FirstRunValue,
    WidgetSpec,
    argument,
    first_run_value,
    has_default,
    readonly_in_call,
    registers_key_in_call,
    stores_value_in_call,
    widget_spec,
)

# Public callables that take a parameter called ``key`` but are not elements.
NOT_ELEMENTS: Mapping[str, str] = {
    "fragment": "decorator; its key is a separate fragment-key set, never in Session State",
    "get_option": "config option name",
    "set_option": "config option name",
}

# Commands that take a key but never call the widget policy checks.
NO_POLICY_CHECK: Mapping[str, str] = {
    "container": "layouts.py only registers the element id",
    "grid": "layouts.py only registers the element id",
    "pdf": "delegates to the streamlit-pdf custom component",
    "ButtonColumn": "checked by the dataframe/data_editor call, see test_button_column_source",
}

CALLBACK_PARAM = re.compile(r"^on_[a-z]+$")
PERSIST_NAMES = frozenset({"persist_state", "bind"})


# ------------------------------------------------------------------------------------
# Finding the implementation of a command
# ------------------------------------------------------------------------------------


def resolve(command: str) -> Callable[..., Any]:
    """The public callable behind ``command`` (a DeltaGenerator method, or column_config)."""
    target = getattr(DeltaGenerator, command, None)
    if target is None:
        target = getattr(st.column_config, command, None)
    assert callable(target), f"{command} is not a Streamlit command"
    return target


def signature_params(command: str) -> list[inspect.Parameter]:
    params = list(inspect.signature(resolve(command)).parameters.values())
    return [p for p in params if p.name != "self"]


def positional_names(command: str) -> tuple[str, ...]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in signature_params(command) if p.kind in kinds)


def public_keyed_commands() -> dict[str, str]:
    """Every public command whose signature has ``key``, mapped to where it was found."""
    found: dict[str, str] = {}

    def scan(owner: object, where: str) -> None:
        for name in dir(owner):
            if name.startswith("_"):
                continue
            obj = getattr(owner, name, None)
            if not callable(obj):
                continue
            try:
                sig = inspect.signature(obj)
            except (TypeError, ValueError):
                continue
            if "key" in sig.parameters:
                found.setdefault(name, where)

    scan(DeltaGenerator, "DeltaGenerator")
    scan(st.sidebar, "st.sidebar")
    scan(st, "st")
    scan(st.column_config, "st.column_config")
    return found


def _parse_function(fn: Callable[..., Any]) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(fn)))


def implementation_functions(command: str) -> list[Callable[..., Any]]:
    """The public method and the private ``self._x`` / ``self.dg._x`` helpers it calls."""
    start = inspect.unwrap(resolve(command))
    seen: list[Callable[..., Any]] = []
    queue = [start]
    while queue and len(seen) < 12:
        fn = queue.pop(0)
        if fn in seen:
            continue
        seen.append(fn)
        for node in ast.walk(_parse_function(fn)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            attr = node.func.attr
            if not attr.startswith("_") or attr.startswith("__"):
                continue
            base = node.func.value
            on_self = isinstance(base, ast.Name) and base.id == "self"
            on_dg = (
                isinstance(base, ast.Attribute)
                and base.attr == "dg"
                and isinstance(base.value, ast.Name)
                and base.value.id == "self"
            )
            if not (on_self or on_dg):
                continue
            target = getattr(DeltaGenerator, attr, None)
            if target is None or not callable(target):
                continue
            target = inspect.unwrap(target)
            if getattr(target, "__module__", "").startswith("streamlit.elements"):
                queue.append(target)
    return seen


@dataclass
class PolicyCall:
    function: str
    writes_allowed: bool
    default_value: ast.expr | None  # None: argument absent (means None)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def policy_calls(functions: Sequence[Callable[..., Any]]) -> list[PolicyCall]:
    calls: list[PolicyCall] = []
    for fn in functions:
        for node in ast.walk(_parse_function(fn)):
            if not isinstance(node, ast.Call):
                continue
            name = _called_name(node)
            if name not in ("check_widget_policies", "check_session_state_rules"):
                continue
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            if name == "check_session_state_rules":
                # (default_value, key, writes_allowed=True)
                for index, pname in enumerate(("default_value", "key", "writes_allowed")):
                    if index < len(node.args):
                        kw.setdefault(pname, node.args[index])
            writes = kw.get("writes_allowed")
            if writes is None:
                writes_allowed = True
            else:
                assert isinstance(writes, ast.Constant), (
                    f"{fn.__qualname__}: writes_allowed is not a literal: {ast.unparse(writes)}"
                )
                writes_allowed = bool(writes.value)
            calls.append(PolicyCall(fn.__qualname__, writes_allowed, kw.get("default_value")))
    return calls


def free_names(expr: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def evaluate(expr: ast.expr, name: str, value: object) -> object:
    code = compile(ast.Expression(body=expr), "<default_value>", "eval")
    return eval(code, {"__builtins__": {}}, {name: value})


SAMPLE_VALUES: tuple[object, ...] = (
    None, True, False, 0, 1, 2, 0.0, 1.5, "", "x", "min", "today", "now",
    [], [1], (), ("a",), ["a", "b"],
)  # fmt: skip


# ------------------------------------------------------------------------------------
# Reading a call snippet
# ------------------------------------------------------------------------------------


@dataclass
class Call:
    command: str
    positional: list[object] = field(default_factory=list)
    keywords: dict[str, object] = field(default_factory=dict)


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return UNKNOWN_VALUE


def target_call(snippet: str) -> Call:
    """The call in ``snippet`` that uses the key ``"k"`` (``key="k"`` or ``st.form("k")``)."""
    for node in ast.walk(ast.parse(snippet)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        call = Call(
            node.func.attr,
            [_literal(a) for a in node.args],
            {k.arg: _literal(k.value) for k in node.keywords if k.arg},
        )
        if call.keywords.get("key") == "k":
            return call
        if call.command == "form" and call.positional[:1] == ["k"]:
            return call
    raise AssertionError(f"no call with key 'k' in {snippet!r}")


def spec_of(call: Call) -> WidgetSpec:
    spec = widget_spec(call.command)
    assert spec is not None, call.command
    return spec


# ------------------------------------------------------------------------------------
# 1. The table against the signatures
# ------------------------------------------------------------------------------------


def test_every_keyed_command_is_in_the_table() -> None:
    found = public_keyed_commands()
    missing = {
        name: where
        for name, where in found.items()
        if name not in WIDGETS and name not in NOT_ELEMENTS
    }
    assert not missing, f"commands with a `key` parameter missing from WIDGETS: {missing}"


def test_every_table_command_exists_with_key() -> None:
    found = public_keyed_commands()
    stale = sorted(set(WIDGETS) - set(found))
    assert not stale, f"WIDGETS commands that no longer take `key`: {stale}"


def test_not_elements_still_exist() -> None:
    found = public_keyed_commands()
    assert set(NOT_ELEMENTS) <= set(found), set(NOT_ELEMENTS) - set(found)
    assert not set(NOT_ELEMENTS) & set(WIDGETS)


def test_widget_spec_lookup() -> None:
    assert widget_spec("slider") is WIDGETS["slider"]
    assert widget_spec("markdown") is None
    assert widget_spec("fragment") is None
    for command, spec in WIDGETS.items():
        assert spec.command == command


@pytest.mark.parametrize("command", sorted(WIDGETS))
def test_positional_params_match_signature(command: str) -> None:
    spec = WIDGETS[command]
    assert spec.params == positional_names(command)


@pytest.mark.parametrize("command", sorted(WIDGETS))
def test_key_position_matches_signature(command: str) -> None:
    spec = WIDGETS[command]
    names = positional_names(command)
    expected = names.index("key") if "key" in names else None
    assert spec.key_position == expected


@pytest.mark.parametrize("command", sorted(c for c, s in WIDGETS.items() if s.default))
def test_default_param_matches_signature(command: str) -> None:
    spec = WIDGETS[command]
    assert spec.default is not None
    params = {p.name: p for p in signature_params(command)}
    assert spec.default.name in params
    assert spec.default.position == spec.position_of(spec.default.name)
    # `implicit` means: the parameter's own default already counts as a default.
    sig_default = params[spec.default.name].default
    assert sig_default is not inspect.Parameter.empty
    omitted = has_default(spec, [], {spec.default.name: sig_default})
    assert omitted is spec.default.implicit


@pytest.mark.parametrize("command", sorted(WIDGETS))
def test_callbacks_match_signature(command: str) -> None:
    spec = WIDGETS[command]
    names = {p.name for p in signature_params(command)}
    assert set(spec.callbacks) <= names
    expected = {n for n in names if CALLBACK_PARAM.match(n)}
    assert set(spec.callbacks) == expected
    if set(spec.callbacks) - {"on_select"}:  # selection callbacks take no args/kwargs
        assert {"args", "kwargs"} <= names


@pytest.mark.parametrize("command", sorted(WIDGETS))
def test_persist_params_match_signature(command: str) -> None:
    spec = WIDGETS[command]
    names = {p.name for p in signature_params(command)}
    assert set(spec.persist_params) == names & PERSIST_NAMES


@pytest.mark.parametrize("command", sorted(WIDGETS))
def test_conditional_fields_name_real_parameters(command: str) -> None:
    spec = WIDGETS[command]
    names = {p.name for p in signature_params(command)}
    referenced = [
        p for p in (spec.stores_value_if, spec.registers_key_if, spec.readonly_if) if p is not None
    ]
    referenced += list(spec.stores_value_also_if)
    referenced += [case.param for case in spec.first_run_cases]
    assert set(referenced) <= names, set(referenced) - names


@pytest.mark.parametrize("command", sorted(WIDGETS))
def test_table_is_self_consistent(command: str) -> None:
    spec = WIDGETS[command]
    assert not (spec.stores_value and (spec.stores_value_if or spec.stores_value_also_if))
    assert not (spec.registers_key and spec.registers_key_if)
    assert not (spec.readonly and spec.readonly_if)
    if spec.is_form:
        assert not spec.registers_key and not spec.registers_key_if
    if spec.default is not None:
        assert spec.stores_value, "a default only matters for value widgets"
    for name in spec.callbacks:
        assert name.startswith("on_")


# ------------------------------------------------------------------------------------
# 2. The table against the source
# ------------------------------------------------------------------------------------


def _policy_calls_of(command: str) -> list[PolicyCall]:
    return policy_calls(implementation_functions(command))


@pytest.mark.parametrize("command", sorted(set(WIDGETS) - set(NO_POLICY_CHECK)))
def test_readonly_matches_writes_allowed(command: str) -> None:
    spec = WIDGETS[command]
    calls = _policy_calls_of(command)
    assert calls, f"no check_widget_policies call reached from st.{command}"
    refused = {c.writes_allowed for c in calls} == {False}
    allowed = {c.writes_allowed for c in calls} == {True}
    assert refused or allowed, f"mixed writes_allowed in {calls}"
    assert refused == (spec.readonly or spec.readonly_if is not None), calls


@pytest.mark.parametrize("command", sorted(NO_POLICY_CHECK))
def test_commands_without_policy_checks(command: str) -> None:
    if command == "ButtonColumn":
        return  # see test_button_column_source
    assert _policy_calls_of(command) == []
    spec = WIDGETS[command]
    assert not spec.readonly and spec.readonly_if is None and spec.default is None


def test_button_column_source() -> None:
    from streamlit.elements.lib import column_config_utils

    fn = column_config_utils.register_button_column_widgets
    calls = policy_calls([fn])
    assert [c.writes_allowed for c in calls] == [False]
    assert WIDGETS["ButtonColumn"].readonly
    for command in ("dataframe", "data_editor"):
        source = "".join(inspect.getsource(f) for f in implementation_functions(command))
        assert "register_button_column_widgets(" in source, command


# Default expressions that use a local variable instead of the parameter, with a
# check that the local is derived from the parameter the way the table says.
HAND_CHECKED_DEFAULTS: Mapping[str, Callable[[str], bool]] = {
    # button_group.py: `_default = default; if default is not None and len(default) == 0:
    # _default = None` (where `default` is the list of default indices).
    "pills": lambda src: bool(
        re.search(r"_default\s*=\s*default\b", src)
        and re.search(r"len\(default\)\s*==\s*0", src)
        and re.search(r"_default\s*=\s*None", src)
    ),
    "segmented_control": lambda src: bool(
        re.search(r"_default\s*=\s*default\b", src)
        and re.search(r"len\(default\)\s*==\s*0", src)
        and re.search(r"_default\s*=\s*None", src)
    ),
}


@pytest.mark.parametrize("command", sorted(set(WIDGETS) - set(NO_POLICY_CHECK)))
def test_default_value_expression_agrees_with_has_default(command: str) -> None:
    spec = WIDGETS[command]
    calls = _policy_calls_of(command)
    exprs = [c.default_value for c in calls]
    if spec.default is None:
        for expr in exprs:
            assert expr is None or (isinstance(expr, ast.Constant) and expr.value is None), (
                f"st.{command} passes default_value={ast.unparse(expr)}"
            )
        return
    non_none = [
        e for e in exprs if e is not None and not (isinstance(e, ast.Constant) and e.value is None)
    ]
    assert len(non_none) == 1, [ast.unparse(e) for e in non_none]
    expr = non_none[0]
    name = spec.default.name
    names = free_names(expr)
    if names != {name}:
        checker = HAND_CHECKED_DEFAULTS.get(command)
        assert checker is not None, (
            f"st.{command}: default_value={ast.unparse(expr)} uses {names}; add a hand check"
        )
        source = "".join(inspect.getsource(f) for f in implementation_functions(command))
        assert checker(source), f"st.{command}: the hand-checked default changed"
        return
    for sample in SAMPLE_VALUES:
        try:
            runtime = evaluate(expr, name, sample)
        except Exception:  # the widget would reject this value anyway
            continue
        expected = runtime is not None
        assert has_default(spec, [], {name: sample}) is expected, (
            f"st.{command}({name}={sample!r}): source gives default_value={runtime!r}"
        )


def _register_calls_guarded_by_selection(fn: Callable[..., Any]) -> list[bool]:
    """For each ``compute_and_register_element_id`` call in ``fn``: is it inside
    ``if is_selection_activated:`` (exactly that test)?"""
    results: list[bool] = []

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.Call) and _called_name(node) == "compute_and_register_element_id":
            results.append(guarded)
        if isinstance(node, ast.If):
            is_guard = isinstance(node.test, ast.Name) and node.test.id == "is_selection_activated"
            visit(node.test, guarded)
            for child in node.body:
                visit(child, guarded or is_guard)
            for child in node.orelse:
                visit(child, guarded)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(_parse_function(fn), False)
    return results


@pytest.mark.parametrize(
    "command", sorted(c for c, s in WIDGETS.items() if "on_select" in s.callbacks)
)
def test_selection_element_registration_matches_source(command: str) -> None:
    """Charts/dataframe: is the key registered only with on_select? (runs without plotly)."""
    spec = WIDGETS[command]
    guards = [
        g
        for fn in implementation_functions(command)
        for g in _register_calls_guarded_by_selection(fn)
    ]
    assert guards, f"no compute_and_register_element_id reached from st.{command}"
    only_with_selection = all(guards)
    assert only_with_selection == (spec.registers_key_if == "on_select"), guards
    assert only_with_selection != spec.registers_key


def test_layout_commands_match_source() -> None:
    container_annotation = re.compile(
        r"Container\b|Sequence\[DeltaGenerator\]|SkeletonPlaceholder|Sequence\[\w+Container\]"
    )
    detected: set[str] = set()
    for name in dir(DeltaGenerator):
        if name.startswith("_"):
            continue
        obj = getattr(DeltaGenerator, name)
        if not callable(obj):
            continue
        try:
            annotation = str(inspect.signature(obj).return_annotation)
            source = inspect.getsource(inspect.unwrap(obj))
        except (TypeError, ValueError, OSError):
            continue
        if container_annotation.search(annotation) or "._block(" in source:
            detected.add(name)
    detected.add("empty")  # returns a plain DeltaGenerator placeholder
    from streamlit.elements.lib.grid_container import GridContainer

    assert callable(GridContainer.cell)
    detected.add("cell")
    for attribute in ("sidebar", "bottom"):
        assert isinstance(getattr(st, attribute), object)
        detected.add(attribute)
    assert detected == set(LAYOUT_COMMANDS), (
        f"missing: {detected - LAYOUT_COMMANDS}, stale: {LAYOUT_COMMANDS - detected}"
    )
    assert MULTI_CONTAINER_COMMANDS <= LAYOUT_COMMANDS
    for command in MULTI_CONTAINER_COMMANDS:
        annotation = str(inspect.signature(getattr(DeltaGenerator, command)).return_annotation)
        assert annotation.startswith("Sequence["), (command, annotation)


# ------------------------------------------------------------------------------------
# 3. Table 3.2 and first-run values, as unit tests
# ------------------------------------------------------------------------------------

# (snippet, has_default) — one line per row/column of RULES.md table 3.2.
DEFAULT_ROWS: list[tuple[str, bool]] = [
    ('st.slider("s", key="k")', False),
    ('st.slider("s", value=None, key="k")', False),
    ('st.slider("s", value=5, key="k")', True),
    ('st.slider("s", 0, 100, 50, key="k")', True),
    ('st.slider("s", 0, 100, key="k")', False),
    ('st.select_slider("s", ["a", "b"], key="k")', False),
    ('st.select_slider("s", ["a", "b"], value="b", key="k")', True),
    ('st.number_input("n", key="k")', False),
    ('st.number_input("n", value="min", key="k")', False),
    ('st.number_input("n", value=None, key="k")', False),
    ('st.number_input("n", value=0, key="k")', True),
    ('st.number_input("n", value=1.0, key="k")', True),
    ('st.number_input("n", 0, 10, 3, key="k")', True),
    ('st.text_input("t", key="k")', False),
    ('st.text_input("t", "", key="k")', False),
    ('st.text_input("t", value=None, key="k")', False),
    ('st.text_input("t", value="hello", key="k")', True),
    ('st.text_area("t", key="k")', False),
    ('st.text_area("t", value="x", key="k")', True),
    ('st.checkbox("c", key="k")', False),
    ('st.checkbox("c", value=False, key="k")', False),
    ('st.checkbox("c", value=True, key="k")', True),
    ('st.checkbox("c", True, key="k")', True),
    ('st.toggle("c", key="k")', False),
    ('st.toggle("c", value=True, key="k")', True),
    ('st.radio("r", ["a", "b"], key="k")', False),
    ('st.radio("r", ["a", "b"], index=0, key="k")', False),
    ('st.radio("r", ["a", "b"], index=None, key="k")', False),
    ('st.radio("r", ["a", "b"], 1, key="k")', True),
    ('st.selectbox("s", ["a", "b"], key="k")', False),
    ('st.selectbox("s", ["a", "b"], index=0, key="k")', False),
    ('st.selectbox("s", ["a", "b"], index=None, key="k")', False),
    ('st.selectbox("s", ["a", "b"], index=1, key="k")', True),
    ('st.multiselect("m", ["a", "b"], key="k")', False),
    ('st.multiselect("m", ["a", "b"], default=None, key="k")', False),
    ('st.multiselect("m", ["a", "b"], default=[], key="k")', True),
    ('st.multiselect("m", ["a", "b"], ["a"], key="k")', True),
    ('st.pills("p", ["a", "b"], key="k")', False),
    ('st.pills("p", ["a", "b"], default=[], key="k")', False),
    ('st.pills("p", ["a", "b"], default=None, key="k")', False),
    ('st.pills("p", ["a", "b"], default="a", key="k")', True),
    ('st.pills("p", ["a", "b"], selection_mode="multi", default=["a"], key="k")', True),
    ('st.segmented_control("p", ["a", "b"], key="k")', False),
    ('st.segmented_control("p", ["a", "b"], default=[], key="k")', False),
    ('st.segmented_control("p", ["a", "b"], default="b", key="k")', True),
    ('st.color_picker("c", key="k")', False),
    ('st.color_picker("c", "#ff0000", key="k")', True),
    ('st.date_input("d", key="k")', False),
    ('st.date_input("d", value="today", key="k")', False),
    ('st.date_input("d", value=None, key="k")', False),
    ('st.date_input("d", value="2024-01-01", key="k")', True),
    ('st.time_input("t", key="k")', False),
    ('st.time_input("t", value="now", key="k")', False),
    ('st.time_input("t", value="12:30", key="k")', True),
    ('st.datetime_input("t", key="k")', False),
    ('st.datetime_input("t", value="now", key="k")', False),
    ('st.datetime_input("t", value="2024-01-01 12:30", key="k")', True),
    ('st.feedback(key="k")', False),
    ('st.feedback("stars", key="k", default=2)', True),
    ('st.feedback(key="k", default=0)', True),
    ('st.pagination(5, key="k")', True),
    ('st.pagination(5, default=1, key="k")', True),
    ('st.pagination(5, default=3, key="k")', True),
    ('st.button("b", key="k")', False),
    ('st.file_uploader("f", key="k")', False),
    ('st.camera_input("c", key="k")', False),
    ('st.audio_input("a", key="k")', False),
    ('st.chat_input(key="k")', False),
    ('st.data_editor(pd.DataFrame({"a": [1]}), key="k")', False),
    ('st.menu_button("m", ["a"], key="k")', False),
    ('st.tabs(["a", "b"], key="k", on_change="rerun")', False),
    ('st.expander("e", True, key="k", on_change="rerun")', False),
    ('st.popover("p", key="k", on_change="rerun")', False),
    ('st.dataframe(pd.DataFrame({"a": [1]}), key="k", on_select="rerun")', False),
]


@pytest.mark.parametrize(("snippet", "expected"), DEFAULT_ROWS)
def test_has_default_table_3_2(snippet: str, expected: bool) -> None:
    call = target_call(snippet)
    assert has_default(spec_of(call), call.positional, call.keywords) is expected


def test_has_default_unknowns() -> None:
    slider = WIDGETS["slider"]
    assert has_default(slider, ["s"], {"value": UNKNOWN_VALUE}) is None
    assert has_default(slider, ["s", 0, 10, UNKNOWN_VALUE], {}) is None
    assert has_default(slider, ["s", 0, 10], {}, star_args=True) is None
    assert has_default(slider, ["s"], {}, star_kwargs=True) is None
    assert has_default(slider, ["s", 0, 10, 5, None, None, "k"], {}) is True
    assert has_default(WIDGETS["button"], ["b"], {"value": UNKNOWN_VALUE}) is False
    # pagination's default may come from a variable; it still cannot be omitted-neutral
    assert has_default(WIDGETS["pagination"], [5], {}) is True
    assert has_default(WIDGETS["pagination"], [5], {"default": None}) is False


def test_neutral_comparisons_follow_the_source() -> None:
    # checkbox: `value is False` -> 0 is a default; selectbox: `index == 0` -> False is not.
    assert has_default(WIDGETS["checkbox"], ["c"], {"value": 0}) is True
    assert has_default(WIDGETS["selectbox"], ["s", ["a"]], {"index": False}) is False
    assert has_default(WIDGETS["selectbox"], ["s", ["a"]], {"index": True}) is True
    assert has_default(WIDGETS["pills"], ["p", ["a"]], {"default": ()}) is False
    assert has_default(WIDGETS["multiselect"], ["m", ["a"]], {"default": ()}) is True


# (snippet, first-run value)
FIRST_RUN_ROWS: list[tuple[str, FirstRunValue]] = [
    ('st.slider("s", key="k")', FirstRunValue.UNKNOWN),
    ('st.select_slider("s", ["a", "b"], key="k")', FirstRunValue.UNKNOWN),
    ('st.number_input("n", key="k")', FirstRunValue.UNKNOWN),
    ('st.number_input("n", value=None, key="k")', FirstRunValue.NONE),
    ('st.text_input("t", key="k")', FirstRunValue.EMPTY),
    ('st.text_input("t", value="x", key="k")', FirstRunValue.UNKNOWN),
    ('st.text_input("t", value=None, key="k")', FirstRunValue.NONE),
    ('st.text_area("t", key="k")', FirstRunValue.EMPTY),
    ('st.checkbox("c", key="k")', FirstRunValue.FALSE),
    ('st.checkbox("c", value=True, key="k")', FirstRunValue.UNKNOWN),
    ('st.checkbox("c", value=False, key="k")', FirstRunValue.FALSE),
    ('st.toggle("c", key="k")', FirstRunValue.FALSE),
    ('st.radio("r", ["a", "b"], key="k")', FirstRunValue.UNKNOWN),
    ('st.radio("r", ["a", "b"], index=None, key="k")', FirstRunValue.NONE),
    ('st.selectbox("s", ["a", "b"], key="k")', FirstRunValue.UNKNOWN),
    ('st.selectbox("s", ["a", "b"], None, key="k")', FirstRunValue.NONE),
    ('st.selectbox("s", ["a", "b"], index=1, key="k")', FirstRunValue.UNKNOWN),
    ('st.multiselect("m", ["a", "b"], key="k")', FirstRunValue.EMPTY),
    ('st.multiselect("m", ["a", "b"], default=[], key="k")', FirstRunValue.EMPTY),
    ('st.multiselect("m", ["a", "b"], default=["a"], key="k")', FirstRunValue.UNKNOWN),
    ('st.pills("p", ["a", "b"], key="k")', FirstRunValue.NONE),
    ('st.pills("p", ["a", "b"], default="a", key="k")', FirstRunValue.UNKNOWN),
    ('st.pills("p", ["a", "b"], selection_mode="multi", key="k")', FirstRunValue.EMPTY),
    ('st.segmented_control("p", ["a", "b"], key="k")', FirstRunValue.NONE),
    ('st.segmented_control("p", ["a"], selection_mode="multi", key="k")', FirstRunValue.EMPTY),
    ('st.color_picker("c", key="k")', FirstRunValue.UNKNOWN),
    ('st.date_input("d", key="k")', FirstRunValue.UNKNOWN),
    ('st.date_input("d", value=None, key="k")', FirstRunValue.NONE),
    ('st.time_input("t", value=None, key="k")', FirstRunValue.NONE),
    ('st.datetime_input("t", None, key="k")', FirstRunValue.NONE),
    ('st.feedback(key="k")', FirstRunValue.NONE),
    ('st.feedback(key="k", default=1)', FirstRunValue.UNKNOWN),
    ('st.pagination(5, key="k")', FirstRunValue.UNKNOWN),
    ('st.chat_input(key="k")', FirstRunValue.NONE),
    ('st.file_uploader("f", key="k")', FirstRunValue.NONE),
    ('st.file_uploader("f", accept_multiple_files=True, key="k")', FirstRunValue.EMPTY),
    ('st.file_uploader("f", accept_multiple_files="directory", key="k")', FirstRunValue.EMPTY),
    ('st.camera_input("c", key="k")', FirstRunValue.NONE),
    ('st.audio_input("a", key="k")', FirstRunValue.NONE),
    ('st.button("b", key="k")', FirstRunValue.FALSE),
    ('st.download_button("d", "data", key="k")', FirstRunValue.FALSE),
    ('st.link_button("l", "https://example.com", key="k", on_click="rerun")', FirstRunValue.FALSE),
    ('with st.form("f"):\n    st.form_submit_button("s", key="k")', FirstRunValue.FALSE),
    ('st.menu_button("m", ["a"], key="k")', FirstRunValue.NONE),
    ('st.expander("e", key="k", on_change="rerun")', FirstRunValue.FALSE),
    ('st.expander("e", True, key="k", on_change="rerun")', FirstRunValue.UNKNOWN),
    ('st.popover("p", key="k", on_change="rerun")', FirstRunValue.FALSE),
    ('st.tabs(["a", "b"], key="k", on_change="rerun")', FirstRunValue.UNKNOWN),
]


@pytest.mark.parametrize(("snippet", "expected"), FIRST_RUN_ROWS)
def test_first_run_value(snippet: str, expected: FirstRunValue) -> None:
    call = target_call(snippet)
    assert first_run_value(spec_of(call), call.positional, call.keywords) is expected


def test_first_run_value_unknown_arguments() -> None:
    assert (
        first_run_value(WIDGETS["selectbox"], ["s", ["a"]], {"index": UNKNOWN_VALUE})
        is FirstRunValue.UNKNOWN
    )
    assert (
        first_run_value(WIDGETS["pills"], ["p", ["a"]], {"selection_mode": UNKNOWN_VALUE})
        is FirstRunValue.UNKNOWN
    )
    assert first_run_value(WIDGETS["button"], ["b"], {}, star_kwargs=True) is FirstRunValue.FALSE


def test_argument_binding() -> None:
    button = WIDGETS["button"]
    assert argument(button, "on_click", ["b", "k", None, "cb"], {}) == "cb"
    assert argument(button, "key", ["b", "k"], {}) == "k"
    assert argument(button, "on_click", ["b"], {}) is OMITTED
    assert argument(button, "on_click", ["b"], {}, star_args=True) is UNKNOWN_VALUE
    assert argument(WIDGETS["form"], "key", ["frm"], {}) == "frm"


def test_condition_helpers() -> None:
    chart = WIDGETS["altair_chart"]
    assert stores_value_in_call(chart, ["c"], {}) is False
    assert stores_value_in_call(chart, ["c"], {"on_select": "ignore"}) is False
    assert stores_value_in_call(chart, ["c"], {"on_select": "rerun"}) is True
    assert stores_value_in_call(chart, ["c"], {"on_select": UNKNOWN_VALUE}) is None
    assert readonly_in_call(chart, ["c"], {"on_select": "rerun"}) is True
    assert registers_key_in_call(chart, ["c"], {}) is False
    assert registers_key_in_call(WIDGETS["plotly_chart"], ["c"], {}) is True
    tabs = WIDGETS["tabs"]
    assert stores_value_in_call(tabs, [["a"]], {"bind": "query-params"}) is True
    assert stores_value_in_call(tabs, [["a"]], {"bind": None}) is False
    assert registers_key_in_call(tabs, [["a"]], {}) is True
    link = WIDGETS["link_button"]
    assert stores_value_in_call(link, ["l", "u"], {}) is False
    assert stores_value_in_call(link, ["l", "u"], {"on_click": UNKNOWN_VALUE}) is None
    assert readonly_in_call(link, ["l", "u"], {}) is True
    form = WIDGETS["form"]
    assert form.is_form and registers_key_in_call(form, ["f"], {}) is False


# ------------------------------------------------------------------------------------
# 4. Runtime agreement under AppTest
# ------------------------------------------------------------------------------------

runtime = pytest.mark.skipif(
    os.environ.get("STREAMLIT_LSP_SKIP_RUNTIME") == "1",
    reason="STREAMLIT_LSP_SKIP_RUNTIME=1",
)

PRELUDE = "import streamlit as st\nimport pandas as pd\n"
_DF = 'pd.DataFrame({"a": [1]})'
_ALTAIR = (
    'alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a")'
    ".add_params(alt.selection_point())"
)
_VEGA = (
    '{"mark": "point", "params": [{"name": "p", "select": "point"}], '
    '"data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}'
)
_DECK = (
    'pdk.Deck(layers=[pdk.Layer("ScatterplotLayer", data=[{"p": [0, 0]}], '
    'get_position="p", pickable=True, id="l")])'
)
_ECHARTS = (
    '{"xAxis": {"type": "category", "data": ["a"]}, "yAxis": {"type": "value"}, '
    '"series": [{"type": "bar", "data": [1], "selectedMode": "single"}]}'
)
_PLOTLY = "go.Figure(go.Scatter(x=[1], y=[1]))"

# (snippet, extra imports / module needed or None)
VARIANTS: list[tuple[str, str | None]] = [
    ('st.slider("s", key="k")', None),
    ('st.select_slider("s", ["a", "b"], key="k")', None),
    ('st.number_input("n", key="k")', None),
    ('st.text_input("t", key="k")', None),
    ('st.text_area("t", key="k")', None),
    ('st.checkbox("c", key="k")', None),
    ('st.toggle("c", key="k")', None),
    ('st.radio("r", ["a", "b"], key="k")', None),
    ('st.selectbox("s", ["a", "b"], key="k")', None),
    ('st.multiselect("m", ["a", "b"], key="k")', None),
    ('st.pills("p", ["a", "b"], key="k")', None),
    ('st.pills("p", ["a", "b"], selection_mode="multi", key="k")', None),
    ('st.segmented_control("p", ["a", "b"], key="k")', None),
    ('st.color_picker("c", key="k")', None),
    ('st.date_input("d", key="k")', None),
    ('st.date_input("d", value=None, key="k")', None),
    ('st.time_input("t", key="k")', None),
    ('st.datetime_input("t", key="k")', None),
    ('st.feedback(key="k")', None),
    ('st.pagination(5, key="k")', None),
    ('st.chat_input(key="k")', None),
    (f'st.data_editor({_DF}, key="k")', None),
    ('st.file_uploader("f", key="k")', None),
    ('st.file_uploader("f", accept_multiple_files=True, key="k")', None),
    ('st.camera_input("c", key="k")', None),
    ('st.audio_input("a", key="k")', None),
    ('st.button("b", key="k")', None),
    ('st.download_button("d", "data", key="k")', None),
    ('st.link_button("l", "https://example.com", key="k")', None),
    ('st.link_button("l", "https://example.com", key="k", on_click="rerun")', None),
    ('with st.form("f"):\n    st.form_submit_button("s", key="k")', None),
    ('st.menu_button("m", ["a"], key="k")', None),
    ('st.container(key="k")', None),
    ('st.grid(key="k")', None),
    ('st.expander("e", key="k")', None),
    ('st.expander("e", key="k", on_change="rerun")', None),
    ('st.expander("e", True, key="k", on_change="rerun")', None),
    ('st.expander("e", key="k", bind="query-params")', None),
    ('st.tabs(["a", "b"], key="k")', None),
    ('st.tabs(["a", "b"], key="k", on_change="rerun")', None),
    ('st.tabs(["a", "b"], key="k", bind="query-params")', None),
    ('st.popover("p", key="k")', None),
    ('st.popover("p", key="k", on_change="rerun")', None),
    ('with st.form("k"):\n    st.form_submit_button()', None),
    (f'st.dataframe({_DF}, key="k")', None),
    (f'st.dataframe({_DF}, key="k", on_select="rerun")', None),
    (f'st.altair_chart({_ALTAIR}, key="k")', "altair as alt"),
    (f'st.altair_chart({_ALTAIR}, key="k", on_select="rerun")', "altair as alt"),
    (f'st.vega_lite_chart({_VEGA}, key="k")', None),
    (f'st.vega_lite_chart({_VEGA}, key="k", on_select="rerun")', None),
    (f'st.pydeck_chart({_DECK}, key="k")', "pydeck as pdk"),
    (f'st.pydeck_chart({_DECK}, key="k", on_select="rerun")', "pydeck as pdk"),
    (f'st.echarts_chart({_ECHARTS}, key="k")', None),
    (f'st.echarts_chart({_ECHARTS}, key="k", on_select="rerun")', None),
    (f'st.plotly_chart({_PLOTLY}, key="k")', "plotly.graph_objects as go"),
    (f'st.plotly_chart({_PLOTLY}, key="k", on_select="rerun")', "plotly.graph_objects as go"),
    ('st.pdf(b"%PDF-1.4", key="k")', "streamlit_pdf"),
    (
        'st.dataframe(pd.DataFrame({"a": ["x"]}), '
        'column_config={"a": st.column_config.ButtonColumn("a", key="k")})',
        None,
    ),
]


def _variant_id(variant: tuple[str, str | None]) -> str:
    return variant[0].replace("\n", " ")[:70]


def _script(snippet: str, needs: str | None, before: str = "") -> str:
    imports = f"import {needs}\n" if needs else ""
    return PRELUDE + imports + before + snippet + "\n"


def _run(script: str) -> Any:
    from streamlit.testing.v1 import AppTest

    return AppTest.from_string(script).run(timeout=60)


def _exception_types(at: Any) -> list[str]:
    return [str(e.proto.type).rsplit(".", 1)[-1] for e in at.exception]


def _classify_runtime(value: object) -> FirstRunValue:
    if value is False:
        return FirstRunValue.FALSE
    if value is None:
        return FirstRunValue.NONE
    if isinstance(value, (str, list, tuple)) and len(value) == 0:
        return FirstRunValue.EMPTY
    return FirstRunValue.UNKNOWN


def _need(needs: str | None) -> None:
    if needs:
        module = needs.split(" ")[0]
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(f"{module} is not installed")


def test_every_command_has_a_runtime_variant() -> None:
    covered = {target_call(snippet).command for snippet, _ in VARIANTS}
    assert covered == set(WIDGETS), set(WIDGETS) ^ covered


@runtime
@pytest.mark.parametrize("variant", VARIANTS, ids=_variant_id)
def test_runtime_stores_value_and_first_run(variant: tuple[str, str | None]) -> None:
    snippet, needs = variant
    _need(needs)
    call = target_call(snippet)
    spec = spec_of(call)
    stores = stores_value_in_call(spec, call.positional, call.keywords)
    assert stores is not None
    at = _run(_script(snippet, needs))
    assert _exception_types(at) == [], [e.message for e in at.exception]
    assert ("k" in at.session_state) is stores
    if stores:
        expected = first_run_value(spec, call.positional, call.keywords)
        assert _classify_runtime(at.session_state["k"]) is expected, at.session_state["k"]


@runtime
@pytest.mark.parametrize("variant", VARIANTS, ids=_variant_id)
def test_runtime_duplicate_key_registration(variant: tuple[str, str | None]) -> None:
    snippet, needs = variant
    _need(needs)
    call = target_call(snippet)
    registers = registers_key_in_call(spec_of(call), call.positional, call.keywords)
    assert registers is not None
    at = _run(_script(snippet, needs, before='st.container(key="k")\n'))
    duplicate = "StreamlitDuplicateElementKey" in _exception_types(at)
    assert duplicate is registers, [e.message for e in at.exception]


@runtime
@pytest.mark.parametrize("variant", VARIANTS, ids=_variant_id)
def test_runtime_readonly(variant: tuple[str, str | None]) -> None:
    snippet, needs = variant
    _need(needs)
    call = target_call(snippet)
    readonly = readonly_in_call(spec_of(call), call.positional, call.keywords)
    assert readonly is not None
    at = _run(_script(snippet, needs, before='st.session_state["k"] = None\n'))
    refused = "StreamlitValueAssignmentNotAllowedError" in _exception_types(at)
    assert refused is readonly, [e.message for e in at.exception]


@runtime
def test_runtime_form_keys_are_a_separate_set() -> None:
    twice = 'with st.form("k"):\n    st.form_submit_button()\n' * 2
    at = _run(PRELUDE + twice)
    assert "StreamlitDuplicateElementKey" in _exception_types(at)
    assert WIDGETS["form"].is_form


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def policy_log() -> Iterator[_Capture]:
    from streamlit.elements.lib import policies

    logger = logging.getLogger(policies.__name__)
    handler = _Capture()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@runtime
@pytest.mark.parametrize(("snippet", "expected"), DEFAULT_ROWS)
def test_runtime_st004_warning(
    snippet: str, expected: bool, policy_log: _Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.elements.lib import policies

    # The warning is logged once per process; reset the flag so each row is observable.
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    _run(_script(snippet, None, before='st.session_state["k"] = None\n'))
    warned = any("created with a default value" in m for m in policy_log.messages)
    assert warned is expected, policy_log.messages
