"""Unit tests of the extraction layer: ``extract(text) -> FileFacts``.

Everything after extraction (index, run simulation, rules, server) reads facts only, so
a wrong fact here is a wrong diagnostic, a missed one, or a rename that edits the wrong
characters. These tests therefore assert on the facts themselves, with exact spans:
kinds and keys follow RULES.md section 1 (what Streamlit's ``SessionStateProxy`` does
for each spelling), widget properties follow RULES.md tables 3.1-3.3.

A bug found here is first recorded as ``xfail(strict=True)`` with a reason saying what is
wrong; the fix removes the mark. (Every bug found so far has been fixed.)
"""

from __future__ import annotations

import ast
import random
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts import (
    Access,
    AccessKind,
    BindEvent,
    Block,
    Branch,
    CallEvent,
    ChoiceKey,
    Cond,
    CondKind,
    ConstantRef,
    DynamicKey,
    Exit,
    ExitKind,
    FileFacts,
    FunctionRef,
    ImportedKey,
    Key,
    LiteralKey,
    Loop,
    LoopCount,
    Node,
    PageRef,
    PageRun,
    ParamKey,
    Syntax,
    Try,
    WidgetCall,
)
from streamlit_lsp.analysis.model import iter_nodes
from streamlit_lsp.analysis.widgets import FirstRunValue
from streamlit_lsp.deepstack import call_with_deep_stack
from streamlit_lsp.diagnostics import Span

FIXTURES = Path(__file__).parent / "fixtures" / "extract"

ST = "import streamlit as st\n"
SS = "import streamlit as st\nss = st.session_state\n"


# ----------------------------------------------------------------------------- helpers


def facts_of(source: str) -> FileFacts:
    """Extract a dedented source; a parse error is a test bug unless the test wants one."""
    facts = extract(textwrap.dedent(source))
    assert facts.parse_error is None, facts.parse_error
    assert not facts.opaque
    return facts


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def where(source: str, needle: str, occurrence: int = 0) -> Span:
    """The span of the ``occurrence``-th appearance of a one-line ``needle`` in ``source``.

    Columns are code points, as the facts use; tests keep ``source`` ASCII with ``\\n``
    line breaks so this is independent of the code under test.
    """
    seen = 0
    for number, line in enumerate(textwrap.dedent(source).split("\n"), start=1):
        start = line.find(needle)
        while start >= 0:
            if seen == occurrence:
                return Span(number, start, number, start + len(needle))
            seen += 1
            start = line.find(needle, start + 1)
    raise AssertionError(f"{needle!r} not found in source")


def walk(block: Block) -> Iterator[Node]:
    """Every node of a block, depth first, in source order (the engine's own walk)."""
    yield from iter_nodes(block)  # type: ignore[misc]


def only(items: tuple[object, ...] | list[object]) -> object:
    assert len(items) == 1, items
    return items[0]


def only_access(facts: FileFacts) -> Access:
    access = only(facts.accesses)
    assert isinstance(access, Access)
    return access


def only_widget(facts: FileFacts) -> WidgetCall:
    widget = only(facts.widgets)
    assert isinstance(widget, WidgetCall)
    return widget


def summary(block: Block) -> list[object]:
    """A compact, comparable picture of a block: what happens, in order."""
    out: list[object] = []
    for node in block:
        if isinstance(node, Access):
            out.append((node.kind.name, _key_text(node.key), node.span.line))
        elif isinstance(node, WidgetCall):
            out.append(("widget", node.command, _key_text(node.key) if node.key else None))
        elif isinstance(node, Branch):
            out.append(("if", _cond_text(node.cond), summary(node.then), summary(node.orelse)))
        elif isinstance(node, Loop):
            out.append(("loop", node.count.name, summary(node.body), summary(node.orelse)))
        elif isinstance(node, Try):
            out.append(
                (
                    "try",
                    node.guards_missing_key,
                    summary(node.body),
                    [summary(handler) for handler in node.handlers],
                    summary(node.orelse),
                    summary(node.finalbody),
                )
            )
        elif isinstance(node, Exit):
            out.append(("exit", node.kind.name))
        elif isinstance(node, BindEvent):
            out.append(("bind", node.name))
        elif isinstance(node, CallEvent):
            out.append(("call", node.function.name))
        elif isinstance(node, PageRun):
            out.append(("page_run",))
    return out


def _key_text(key: Key | None) -> str:
    if isinstance(key, LiteralKey):
        return key.value
    return repr(key)


def _cond_text(cond: Cond) -> str:
    if cond.kind is CondKind.CONTAINS:
        return f"{'not ' if cond.negated else ''}in {_key_text(cond.key)}"
    if cond.kind is CondKind.KEY_VALUE:
        return f"value {_key_text(cond.key)}"
    if cond.kind is CondKind.NAME:
        return f"name {cond.name}"
    if cond.kind is CondKind.CONST:
        return f"const {cond.value}"
    if cond.operands:
        inner = ", ".join(_cond_text(operand) for operand in cond.operands)
        return f"{cond.kind.name.lower()}({inner})"
    return cond.kind.name.lower()


# ---------------------------------------------------------------------- access forms

# (statement, kind, syntax, text of the whole access, text of the key token).
ACCESS_FORMS = [
    ("ss.count", AccessKind.READ, Syntax.ATTRIBUTE, "ss.count", "count"),
    ("ss.count = 1", AccessKind.WRITE, Syntax.ATTRIBUTE, "ss.count", "count"),
    ("ss.count += 1", AccessKind.AUGMENT, Syntax.ATTRIBUTE, "ss.count", "count"),
    ("del ss.count", AccessKind.DELETE, Syntax.ATTRIBUTE, "ss.count", "count"),
    ('ss["count"]', AccessKind.READ, Syntax.SUBSCRIPT, 'ss["count"]', '"count"'),
    ('ss["count"] = []', AccessKind.WRITE, Syntax.SUBSCRIPT, 'ss["count"]', '"count"'),
    ('ss["count"] += 1', AccessKind.AUGMENT, Syntax.SUBSCRIPT, 'ss["count"]', '"count"'),
    ('del ss["count"]', AccessKind.DELETE, Syntax.SUBSCRIPT, 'ss["count"]', '"count"'),
    ('ss.get("count")', AccessKind.SAFE_READ, Syntax.CALL_ARG, 'ss.get("count")', '"count"'),
    ('ss.get("count", 0)', AccessKind.SAFE_READ, Syntax.CALL_ARG, 'ss.get("count", 0)', '"count"'),
    ('ss.pop("count")', AccessKind.POP, Syntax.CALL_ARG, 'ss.pop("count")', '"count"'),
    (
        'ss.pop("count", None)',
        AccessKind.SAFE_READ,
        Syntax.CALL_ARG,
        'ss.pop("count", None)',
        '"count"',
    ),
    (
        'ss.setdefault("count", 0)',
        AccessKind.SETDEFAULT,
        Syntax.CALL_ARG,
        'ss.setdefault("count", 0)',
        '"count"',
    ),
    ('"count" in ss', AccessKind.CONTAINS, Syntax.CONTAINS, '"count" in ss', '"count"'),
    ('"count" not in ss', AccessKind.CONTAINS, Syntax.CONTAINS, '"count" not in ss', '"count"'),
    (
        '"count" in ss.keys()',
        AccessKind.CONTAINS,
        Syntax.CONTAINS,
        '"count" in ss.keys()',
        '"count"',
    ),
    (
        'hasattr(ss, "count")',
        AccessKind.CONTAINS,
        Syntax.CALL_ARG,
        'hasattr(ss, "count")',
        '"count"',
    ),
    ('getattr(ss, "count")', AccessKind.READ, Syntax.CALL_ARG, 'getattr(ss, "count")', '"count"'),
    (
        'getattr(ss, "count", 0)',
        AccessKind.SAFE_READ,
        Syntax.CALL_ARG,
        'getattr(ss, "count", 0)',
        '"count"',
    ),
    (
        'setattr(ss, "count", 1)',
        AccessKind.WRITE,
        Syntax.CALL_ARG,
        'setattr(ss, "count", 1)',
        '"count"',
    ),
    ('delattr(ss, "count")', AccessKind.DELETE, Syntax.CALL_ARG, 'delattr(ss, "count")', '"count"'),
    ("ss.update(count=1)", AccessKind.WRITE, Syntax.KEYWORD, "ss.update(count=1)", "count"),
    (
        'ss.update({"count": 1})',
        AccessKind.WRITE,
        Syntax.DICT_KEY,
        'ss.update({"count": 1})',
        '"count"',
    ),
    (
        "ss.update(dict(count=1))",
        AccessKind.WRITE,
        Syntax.KEYWORD,
        "ss.update(dict(count=1))",
        "count",
    ),
]


@pytest.mark.parametrize(
    ("statement", "kind", "syntax", "whole", "token"),
    ACCESS_FORMS,
    ids=[form[0] for form in ACCESS_FORMS],
)
def test_every_access_form(
    statement: str, kind: AccessKind, syntax: Syntax, whole: str, token: str
) -> None:
    """One statement, one access: the kind RULES.md section 1 gives that spelling."""
    source = SS + statement + "\n"
    access = only_access(facts_of(source))
    assert access.kind is kind
    assert access.key == LiteralKey("count")
    assert access.syntax is syntax
    assert access.span == where(source, whole)
    # The key token is what rename edits: the attribute name or the literal with quotes.
    assert access.key_span == where(source, token)


def test_key_token_of_attribute_is_the_name_after_the_dot() -> None:
    source = SS + "x = ss.count\n"
    access = only_access(facts_of(source))
    assert access.key_span == Span(3, 7, 3, 12)
    assert access.span == Span(3, 4, 3, 12)


def test_pop_removes_the_key_with_or_without_a_default() -> None:
    """``pop`` deletes; only the one-argument form raises when the key is missing."""
    facts = facts_of(SS + 'ss.pop("a")\nss.pop("b", None)\nss.get("c")\n')
    a, b, c = facts.accesses
    assert (a.kind, a.removes, a.kind.raises_when_missing) == (AccessKind.POP, True, True)
    assert (b.kind, b.removes, b.kind.raises_when_missing) == (AccessKind.SAFE_READ, True, False)
    assert (c.kind, c.removes) == (AccessKind.SAFE_READ, False)


def test_pop_with_keyword_default_never_raises() -> None:
    access = only_access(facts_of(SS + 'ss.pop("k", default=None)\n'))
    assert access.kind is AccessKind.SAFE_READ
    assert access.removes


def test_get_with_keyword_default_gives_the_default_truthiness() -> None:
    facts = facts_of(SS + 'if ss.get("flag", default=True):\n    pass\n')
    branch = next(node for node in facts.body if isinstance(node, Branch))
    assert branch.cond.kind is CondKind.KEY_VALUE
    assert branch.cond.safe
    assert branch.cond.value is True


def test_written_values_and_truthiness() -> None:
    """Literal writes carry their first-run truthiness and a description for hovers."""
    facts = facts_of(SS + 'ss.a = 0\nss["b"] = [1]\nss.c = compute()\nss.setdefault("d", "x")\n')
    a, b, c, d = facts.accesses
    assert (a.written_truth, a.value) == (False, "int = 0")
    assert (b.written_truth, b.value) == (True, "list = [1]")
    assert (c.written_truth, c.value) == (None, None)
    assert (d.kind, d.written_truth, d.value) == (AccessKind.SETDEFAULT, True, "str = 'x'")


def test_keep_alive_self_copy() -> None:
    """``ss.k = ss.k`` (RULES.md section 4) is flagged; copying another key is not."""
    facts = facts_of(SS + 'ss.k = ss.k\nss["m"] = ss["m"]\nss.n = ss.k\n')
    writes = [access for access in facts.accesses if access.kind is AccessKind.WRITE]
    assert [(access.key, access.self_copy) for access in writes] == [
        (LiteralKey("k"), True),
        (LiteralKey("m"), True),
        (LiteralKey("n"), False),
    ]
    # The right-hand side is still a read, evaluated before the write.
    assert [access.kind for access in facts.accesses[:2]] == [AccessKind.READ, AccessKind.WRITE]


def test_update_writes_every_item_in_order() -> None:
    """``update`` calls ``__setitem__`` per item, in order (RULES.md section 1, ST003 case 023)."""
    source = SS + 'ss.update({"a": 1, "b": x}, c=0)\n'
    facts = facts_of(source)
    assert [(a.kind, a.key, a.syntax) for a in facts.accesses] == [
        (AccessKind.WRITE, LiteralKey("a"), Syntax.DICT_KEY),
        (AccessKind.WRITE, LiteralKey("b"), Syntax.DICT_KEY),
        (AccessKind.WRITE, LiteralKey("c"), Syntax.KEYWORD),
    ]
    keyword = where(source, "c=0")
    assert [a.key_span for a in facts.accesses] == [
        where(source, '"a"'),
        where(source, '"b"'),
        Span(keyword.line, keyword.column, keyword.line, keyword.column + 1),
    ]
    assert [a.written_truth for a in facts.accesses] == [True, None, False]
    assert {a.span for a in facts.accesses} == {where(source, 'ss.update({"a": 1, "b": x}, c=0)')}


def test_update_with_an_unpacked_literal_dict_writes_its_keys() -> None:
    """``ss.update(**{"a": 1})`` is the same call as ``ss.update({"a": 1})``."""
    source = SS + 'ss.update(**{"a": 1, "b": 2}, c=3)\n'
    facts = facts_of(source)
    assert [(a.kind, a.key) for a in facts.accesses] == [
        (AccessKind.WRITE, LiteralKey("a")),
        (AccessKind.WRITE, LiteralKey("b")),
        (AccessKind.WRITE, LiteralKey("c")),
    ]
    assert facts.accesses[0].key_span == where(source, '"a"')


def test_update_with_a_module_dict_writes_its_literal_keys() -> None:
    """The key tokens of ``update(DEFAULTS)`` are the dict's keys, where rename edits them."""
    source = SS + 'DEFAULTS = {"a": 1, "b": 2}\nss.update(DEFAULTS)\n'
    facts = facts_of(source)
    assert [(a.kind, a.key, a.syntax) for a in facts.accesses] == [
        (AccessKind.WRITE, LiteralKey("a"), Syntax.DICT_KEY),
        (AccessKind.WRITE, LiteralKey("b"), Syntax.DICT_KEY),
    ]
    assert [a.span for a in facts.accesses] == [where(source, "ss.update(DEFAULTS)")] * 2
    assert [a.key_span for a in facts.accesses] == [where(source, '"a"'), where(source, '"b"')]
    assert ("DEFAULTS", ("a", "b")) in facts.key_collections


def test_update_with_unknown_mapping_is_a_dynamic_write() -> None:
    facts = facts_of(SS + "ss.update(load())\nss.update(**extra)\n")
    assert [(a.kind, type(a.key)) for a in facts.accesses] == [
        (AccessKind.WRITE, DynamicKey),
        (AccessKind.WRITE, DynamicKey),
    ]


@pytest.mark.parametrize(
    "method", ["get", "pop", "update", "keys", "items", "values", "setdefault", "clear", "to_dict"]
)
def test_method_name_read_is_the_bound_method_not_a_key(method: str) -> None:
    """``ss.get`` finds the method before ``__getattr__``: not a read of key "get"."""
    facts = facts_of(SS + f"fn = ss.{method}\n")
    assert facts.accesses == ()


def test_method_name_write_is_a_write_of_that_key() -> None:
    """``ss.keys = 5`` goes through ``__setattr__`` and stores key "keys" (RULES.md 1)."""
    source = SS + 'ss.keys = 5\nss["keys"]\n'
    facts = facts_of(source)
    write, read = facts.accesses
    assert (write.kind, write.key, write.syntax) == (
        AccessKind.WRITE,
        LiteralKey("keys"),
        Syntax.ATTRIBUTE,
    )
    assert write.key_span == where(source, "keys")
    assert (read.kind, read.key) == (AccessKind.READ, LiteralKey("keys"))


def test_mutating_a_stored_value_reads_the_key() -> None:
    """``ss.todo.append(x)`` and ``ss.grid[0] = 1`` read the key, they do not write it."""
    facts = facts_of(SS + "ss.todo.append(1)\nss.grid[0] = 1\nss.cfg.name = 'x'\n")
    assert [(a.kind, a.key) for a in facts.accesses] == [
        (AccessKind.READ, LiteralKey("todo")),
        (AccessKind.READ, LiteralKey("grid")),
        (AccessKind.READ, LiteralKey("cfg")),
    ]


def test_tuple_and_chained_assignment_write_each_key() -> None:
    facts = facts_of(SS + "ss.a, ss.b = 1, 2\nss.c = ss.d = 0\n")
    assert [(a.kind, a.key) for a in facts.accesses] == [
        (AccessKind.WRITE, LiteralKey("a")),
        (AccessKind.WRITE, LiteralKey("b")),
        (AccessKind.WRITE, LiteralKey("c")),
        (AccessKind.WRITE, LiteralKey("d")),
    ]


def test_whole_state_uses_are_recorded() -> None:
    """Iterating or printing session state may read any key: ST009 backs off on these."""
    source = SS + "for k in ss:\n    pass\nprint(ss)\nlist(ss.items())\n"
    facts = facts_of(source)
    assert facts.accesses == ()
    assert len(facts.whole_state_reads) == 3


# --------------------------------------------------------------------- naming state


@pytest.mark.parametrize(
    ("header", "state"),
    [
        ("import streamlit as st", "st.session_state"),
        ("import streamlit as stl", "stl.session_state"),
        ("import streamlit", "streamlit.session_state"),
        ("from streamlit import session_state", "session_state"),
        ("from streamlit import session_state as ss", "ss"),
        ("import streamlit as st\nss = st.session_state", "ss"),
        ("import streamlit as st\nif True:\n    state = st.session_state", "state"),
    ],
)
def test_ways_of_naming_session_state(header: str, state: str) -> None:
    source = f"{header}\n{state}.k = 1\n"
    facts = facts_of(source)
    access = only_access(facts)
    assert (access.kind, access.key) == (AccessKind.WRITE, LiteralKey("k"))
    assert access.span == where(source, f"{state}.k")
    assert facts.uses_streamlit


def test_aliases_are_listed_for_completion() -> None:
    facts = facts_of(
        """\
        import streamlit as st
        from streamlit import session_state as S
        ss = st.session_state
        def f():
            state = st.session_state
            state.k = 1
        """
    )
    assert facts.streamlit_aliases == ("st",)
    assert facts.state_aliases == ("S", "ss", "state")


def test_alias_inside_a_function() -> None:
    source = """\
        import streamlit as st
        def f():
            state = st.session_state
            state.a = 1
        state = {}
        state["b"] = 2
        """
    facts = facts_of(source)
    access = only_access(facts)
    assert (access.kind, access.key, access.span) == (
        AccessKind.WRITE,
        LiteralKey("a"),
        where(source, "state.a"),
    )


def test_parameter_receiving_session_state_at_a_call_site() -> None:
    """``helper(st.session_state)``: the parameter aliases state inside ``helper``."""
    source = """\
        import streamlit as st
        ss = st.session_state
        def helper(s, n):
            s.a = 1
            s["b"] = n
        def by_keyword(state):
            state.c = 1
        def via_module_alias(t):
            t.d = 1
        helper(st.session_state, 2)
        by_keyword(state=st.session_state)
        via_module_alias(ss)
        """
    facts = facts_of(source)
    assert [(a.kind, a.key) for a in facts.accesses] == [
        (AccessKind.WRITE, LiteralKey("a")),
        (AccessKind.WRITE, LiteralKey("b")),
        (AccessKind.WRITE, LiteralKey("c")),
        (AccessKind.WRITE, LiteralKey("d")),
    ]
    call = next(node for node in facts.body if isinstance(node, CallEvent))
    assert call.function == FunctionRef("helper")
    assert call.state_args == (0,)


def test_parameter_never_given_session_state_is_not_state() -> None:
    facts = facts_of(
        """\
        import streamlit as st
        def helper(s):
            s.a = 1
        helper({})
        """
    )
    assert facts.accesses == ()


def test_local_variable_shadowing_an_alias_is_not_state() -> None:
    source = """\
        import streamlit as st
        ss = st.session_state
        def f():
            ss = {}
            ss["a"] = 1
            return ss.b
        def g(ss):
            ss.c = 1
        g({})
        ss.d
        """
    facts = facts_of(source)
    access = only_access(facts)
    assert (access.kind, access.key, access.span) == (
        AccessKind.READ,
        LiteralKey("d"),
        where(source, "ss.d"),
    )


def test_from_import_of_session_state_inside_a_function() -> None:
    facts = facts_of(
        """\
        def init():
            from streamlit import session_state as ss
            ss.k = 1
        """
    )
    access = only_access(facts)
    assert (access.kind, access.key) == (AccessKind.WRITE, LiteralKey("k"))


def test_parameter_receiving_a_local_alias() -> None:
    facts = facts_of(
        """\
        import streamlit as st
        def helper(s):
            s.a = 1
        def main():
            state = st.session_state
            helper(state)
        """
    )
    access = only_access(facts)
    assert (access.kind, access.key) == (AccessKind.WRITE, LiteralKey("a"))


def test_not_streamlit_at_all() -> None:
    facts = facts_of("import pandas as pd\nstate = {}\nstate['a'] = 1\nx.session_state.k\n")
    assert facts.accesses == ()
    assert not facts.uses_streamlit


# ---------------------------------------------------------------------------- keys

KEY_CASES = [
    ("", '"count"', LiteralKey("count")),
    ("", "1", LiteralKey("1")),
    ("", '"a" + "b"', LiteralKey("ab")),
    ('K = "count"\n', "K", LiteralKey("count")),
    ('K = "count"\n', 'f"{K}_x"', LiteralKey("count_x")),
    ('K = "count"\n', "str(K)", LiteralKey("count")),
    ('K = "a"\nK = "b"\n', "K", DynamicKey(None, "the variable 'K'")),
    ('class C:\n    X = "cx"\n', "C.X", LiteralKey("cx")),
    (
        'from enum import StrEnum\nclass K(StrEnum):\n    QUERY = "query"\n',
        "K.QUERY",
        LiteralKey("query"),
    ),
    (
        'import enum\nclass K(enum.StrEnum):\n    QUERY = "query"\n',
        "K.QUERY",
        LiteralKey("query"),
    ),
    (
        'from enum import Enum\nclass Legacy(str, Enum):\n    MODE = "mode"\n',
        "Legacy.MODE",
        LiteralKey("Legacy.MODE"),
    ),
    (
        'from enum import Enum\nclass Legacy(str, Enum):\n    MODE = "mode"\n',
        "Legacy.MODE.value",
        LiteralKey("mode"),
    ),
    (
        'from enum import Enum\nclass Plain(Enum):\n    P = "pval"\n',
        "Plain.P",
        LiteralKey("Plain.P"),
    ),
    (
        'from enum import StrEnum\nclass K(StrEnum):\n    QUERY = "query"\n',
        "K.QUERY.value",
        LiteralKey("query"),
    ),
    ("from keys import COUNT\n", "COUNT", ImportedKey("keys", ("COUNT",), 0)),
    ("from keys import K\n", "K.QUERY", ImportedKey("keys", ("K", "QUERY"), 0)),
    ("from keys import K\n", "K.QUERY.value", ImportedKey("keys", ("K", "QUERY", "value"), 0)),
    ("from .keys import COUNT\n", "COUNT", ImportedKey("keys", ("COUNT",), 1)),
    ("from ..up import U as UU\n", "UU", ImportedKey("up", ("U",), 2)),
    ("from . import keys\n", "keys.X", ImportedKey("", ("keys", "X"), 1)),
    ("import keys\n", "keys.X", ImportedKey("keys", ("X",), 0)),
    ("import pkg.keys as pk\n", "pk.Y", ImportedKey("pkg.keys", ("Y",), 0)),
]


@pytest.mark.parametrize(
    ("prelude", "expression", "expected"),
    KEY_CASES,
    ids=[f"{case[1]}-{index}" for index, case in enumerate(KEY_CASES)],
)
def test_module_level_keys(prelude: str, expression: str, expected: Key) -> None:
    """Keys are stringified as Streamlit does: ``str(key)`` (RULES.md section 1)."""
    source = f"{ST}{prelude}st.session_state[{expression}]\n"
    access = only_access(facts_of(source))
    assert access.key == expected
    brackets = where(source, f"[{expression}]")
    assert access.key_span == Span(
        brackets.line, brackets.column + 1, brackets.end_line, brackets.end_column - 1
    )


def test_widget_int_key_is_its_string() -> None:
    """``key=1`` and ``key="1"`` are the same key (``to_key`` is ``str``)."""
    widget = only_widget(facts_of(ST + 'st.slider("s", key=1)\n'))
    assert widget.key == LiteralKey("1")


def test_constants_table_lists_key_constants() -> None:
    facts = facts_of(
        """\
        from enum import StrEnum, Enum
        COUNT = "count"
        TWICE = "a"
        TWICE = "b"
        class K(StrEnum):
            QUERY = "query"
        class Legacy(str, Enum):
            MODE = "mode"
        """
    )
    constants = dict(facts.constants)
    assert constants["COUNT"] == "count"
    assert "TWICE" not in constants
    assert constants["K.QUERY"] == "query"
    assert constants["Legacy.MODE"] == "Legacy.MODE"
    assert constants["Legacy.MODE.value"] == "mode"


def test_keys_inside_functions() -> None:
    source = """\
        import streamlit as st
        ss = st.session_state
        def f(a, b, *rest, kw):
            local = "loc"
            twice = "t1"
            twice = "t2"
            ss[local]
            ss[twice]
            ss[a]
            ss[kw]
            ss[str(a)]
            ss[f"{local}_1"]
            ss[a.b]
        """
    facts = facts_of(source)
    assert [a.key for a in facts.accesses] == [
        LiteralKey("loc"),
        DynamicKey(None, "the variable 'twice'"),
        ParamKey(0, "a"),
        ParamKey(3, "kw"),
        ParamKey(0, "a"),
        LiteralKey("loc_1"),
        DynamicKey(None, "the attribute a.b"),
    ]
    function = facts.function("f")
    assert function is not None
    assert function.params == ("a", "b", "*rest", "kw")


@pytest.mark.parametrize(
    ("expression", "matching", "not_matching"),
    [
        ('f"item_{i}"', ["item_3", "item_", "item_a_b"], ["item", "other_3", "xitem_3"]),
        ('f"{i}_done"', ["3_done"], ["3_don", "3_done_"]),
        ('"pre_" + i + "_suf"', ["pre_x_suf"], ["pre_x", "x_suf"]),
        ('f"a.b[{i}]"', ["a.b[1]"], ["aXb[1]", "a.b1"]),
        ('f"row_{i:02d}"', ["row_01"], ["col_01"]),
        ('f"{i!r}"', ["anything", ""], []),
    ],
)
def test_dynamic_key_patterns(
    expression: str, matching: list[str], not_matching: list[str]
) -> None:
    """The pattern matches every runtime value (used with ``re.fullmatch``, DOTALL)."""
    facts = facts_of(f"{ST}def f(i):\n    st.session_state[{expression}] = 1\n")
    key = only_access(facts).key
    assert isinstance(key, DynamicKey)
    assert key.pattern is not None
    for text in matching:
        assert re.fullmatch(key.pattern, text, re.DOTALL), (key.pattern, text)
    for text in not_matching:
        assert not re.fullmatch(key.pattern, text, re.DOTALL), (key.pattern, text)


def test_loop_variables_over_literal_collections() -> None:
    """Loops over literal dicts/lists initialise every literal key (RULES.md, ST001)."""
    facts = facts_of(
        """\
        import streamlit as st
        DEFAULTS = {"a": 1, "b": 2}
        NAMES = ["c", "d"]
        for k, v in DEFAULTS.items():
            st.session_state.setdefault(k, v)
        for k in DEFAULTS:
            st.session_state[k] = 0
        for n in NAMES:
            if n not in st.session_state:
                st.session_state[n] = None
        for key, default in [("e", 1), ("f", 2)]:
            st.session_state[key] = default
        for x in {"g": 1}.keys():
            st.session_state[x]
        for y in ("h",):
            st.session_state[y]
        """
    )
    assert [(a.kind, a.key) for a in facts.accesses] == [
        (AccessKind.SETDEFAULT, ChoiceKey(("a", "b"))),
        (AccessKind.WRITE, ChoiceKey(("a", "b"))),
        (AccessKind.CONTAINS, ChoiceKey(("c", "d"))),
        (AccessKind.WRITE, ChoiceKey(("c", "d"))),
        (AccessKind.WRITE, ChoiceKey(("e", "f"))),
        (AccessKind.READ, ChoiceKey(("g",))),
        (AccessKind.READ, ChoiceKey(("h",))),
    ]


def test_loop_choice_ends_with_the_loop() -> None:
    facts = facts_of(
        """\
        import streamlit as st
        def f():
            for k in ["a", "b"]:
                st.session_state[k] = 0
            st.session_state[k]
        """
    )
    inside, after = facts.accesses
    assert inside.key == ChoiceKey(("a", "b"))
    assert isinstance(after.key, DynamicKey)


def test_loop_over_a_collection_of_an_imported_module() -> None:
    facts = facts_of(
        ST + "import keys\nfor n in keys.NAMES:\n    st.session_state.setdefault(n, 0)\n"
    )
    assert only_access(facts).key == ImportedKey("keys", ("NAMES",), 0, collection=True)


@pytest.mark.parametrize("iterable", ["DEFAULTS", "DEFAULTS.items()"])
def test_loop_over_a_from_imported_collection(iterable: str) -> None:
    facts = facts_of(
        ST
        + "from keys import DEFAULTS\n"
        + f"for k, *_ in {iterable}:\n    st.session_state.setdefault(k, 0)\n"
        + "def init():\n"
        + f"    for k, *_ in {iterable}:\n        st.session_state.setdefault(k, 0)\n"
    )
    expected = ImportedKey("keys", ("DEFAULTS",), 0, collection=True)
    assert [access.key for access in facts.accesses] == [expected, expected]


def test_imports_and_reexports_are_recorded() -> None:
    facts = facts_of("import streamlit as st\nfrom .keys import COUNT as C\nimport a.b\n")
    assert [(f.module, f.name, f.alias, f.level) for f in facts.imports] == [
        ("streamlit", None, "st", 0),
        ("keys", "COUNT", "C", 1),
        ("a.b", None, "a", 0),
    ]
    assert facts.reexports == (("C", ImportedKey("keys", ("COUNT",), 1)),)


# ------------------------------------------------------------------------ positions


def test_columns_count_code_points_after_emoji_and_accents() -> None:
    """``ast`` gives UTF-8 byte columns; facts must count code points (😀 is 4 bytes)."""
    facts = facts_of('import streamlit as st\nst.title("😀 café"); st.session_state.k\n')
    access = only_access(facts)
    assert access.span == Span(2, 20, 2, 38)
    assert access.key_span == Span(2, 37, 2, 38)


def test_non_ascii_key_literal_span() -> None:
    facts = facts_of('import streamlit as st\nst.session_state["é😀"] = 1\n')
    access = only_access(facts)
    assert access.key == LiteralKey("é😀")
    assert access.span == Span(2, 0, 2, 22)
    assert access.key_span == Span(2, 17, 2, 21)


def test_multiline_access_span() -> None:
    facts = facts_of('import streamlit as st\nst.session_state[\n  "k"\n]\n')
    access = only_access(facts)
    assert access.span == Span(2, 0, 4, 1)
    assert access.key_span == Span(3, 2, 3, 5)


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_line_breaks(newline: str) -> None:
    source = newline.join(["import streamlit as st", "x = 1", 'st.session_state["k"] = 2', ""])
    access = only_access(extract(source))
    assert access.span == Span(3, 0, 3, 21)
    assert access.key_span == Span(3, 17, 3, 20)


@pytest.mark.parametrize(
    "separator", ["\x0c", "\u2028", "\u2029", "\x85", "\x1c"], ids=["ff", "ls", "ps", "nel", "fs"]
)
def test_unicode_line_separators_inside_strings_do_not_shift_lines(separator: str) -> None:
    """Python breaks lines only at CR/LF; ``str.splitlines`` would also break here."""
    source = f'import streamlit as st\nx = "a{separator}b"\nst.session_state.k\n'
    assert len(source.splitlines()) > 3  # the trap this test is about
    access = only_access(extract(source))
    assert access.span == Span(3, 0, 3, 18)
    assert access.key_span == Span(3, 17, 3, 18)


def test_separator_in_a_triple_quoted_string_before_the_access_on_the_same_line() -> None:
    source = 'import streamlit as st\nx = """a\u2028\nb"""; st.session_state.k\n'
    access = only_access(extract(source))
    assert access.span == Span(3, 6, 3, 24)


def test_form_feed_and_tab_indentation_count_as_one_column() -> None:
    facts = extract("import streamlit as st\n\x0cst.session_state.a\nif x:\n\tst.session_state.b\n")
    a, b = facts.accesses
    assert a.span == Span(2, 1, 2, 19)
    assert b.span == Span(4, 1, 4, 19)
    assert b.key_span == Span(4, 18, 4, 19)


@pytest.mark.parametrize(
    ("statement", "token_start"),
    [("st.session_state.cafe\u0301 = 1", 17), ("st.session_state.update(cafe\u0301=1)", 24)],
    ids=["attribute", "keyword"],
)
def test_key_span_of_a_non_normalised_identifier(statement: str, token_start: int) -> None:
    access = only_access(extract(f"{ST}{statement}\n"))
    assert access.key == LiteralKey("café")  # what Python (and so Streamlit) uses
    assert access.key_span == Span(2, token_start, 2, token_start + 5)


def test_function_span_is_its_name() -> None:
    source = ST + "def render():\n    pass\nasync def fetch():\n    pass\n"
    facts = facts_of(source)
    render, fetch = facts.function("render"), facts.function("fetch")
    assert render is not None and fetch is not None
    assert render.span == where(source, "render")
    assert fetch.span == where(source, "fetch")


@pytest.mark.parametrize(
    ("line", "name", "column"),
    [("def f():", "f", 4), ("def e():", "e", 4), ("async def sync():", "sync", 10)],
)
def test_function_span_when_the_name_occurs_in_the_keyword(
    line: str, name: str, column: int
) -> None:
    facts = facts_of(f"{line}\n    pass\n")
    function = facts.function(name)
    assert function is not None
    assert function.span == Span(1, column, 1, column + len(name))


# -------------------------------------------------------------------------- widgets


@pytest.mark.parametrize(
    ("call", "has_default"),
    [
        ('st.slider("s", key="w")', False),
        ('st.slider("s", 0, 10, 5, key="w")', True),
        ('st.slider("s", value=5, key="w")', True),
        ('st.slider("s", value=None, key="w")', False),
        ('st.selectbox("s", ["a", "b"], index=0, key="w")', False),
        ('st.selectbox("s", ["a", "b"], index=1, key="w")', True),
        ('st.selectbox("s", ["a", "b"], 1, key="w")', True),
        ('st.selectbox("s", ["a", "b"], index=None, key="w")', False),
        ('st.multiselect("s", ["a"], default=[], key="w")', True),
        ('st.multiselect("s", ["a"], key="w")', False),
        ('st.pills("s", ["a"], default=[], key="w")', False),
        ('st.pagination(5, key="w")', True),
        ('st.checkbox("s", value=False, key="w")', False),
        ('st.toggle("s", value=True, key="w")', True),
        ('st.text_input("s", value="", key="w")', False),
        ('st.text_input("s", "hi", key="w")', True),
        ('st.number_input("s", value=0, key="w")', True),
        ('st.number_input("s", key="w")', False),
        ('st.button("s", key="w")', False),
    ],
)
def test_has_default_follows_table_3_2(call: str, has_default: bool) -> None:
    widget = only_widget(facts_of(f"{ST}{call}\n"))
    assert widget.known
    assert widget.key == LiteralKey("w")
    assert widget.has_default is has_default


def test_widget_call_fields() -> None:
    source = ST + 'value = st.slider("Volume", 0, 10, key="volume")\n'
    widget = only_widget(facts_of(source))
    assert widget.command == "slider"
    assert widget.known
    assert widget.label == "Volume"
    assert widget.span == where(source, 'st.slider("Volume", 0, 10, key="volume")')
    assert widget.key_span == where(source, '"volume"')
    assert (widget.stores_value, widget.registers_key, widget.readonly) == (True, True, False)
    assert not widget.is_form and not widget.persists
    assert widget.callbacks == ()


@pytest.mark.parametrize(
    ("call", "stores_value", "registers_key", "readonly", "is_form"),
    [
        ('st.button("b", key="w")', True, True, True, False),
        ('st.download_button("b", b"x", key="w")', True, True, True, False),
        ('st.file_uploader("b", key="w")', True, True, True, False),
        ('st.data_editor(df, key="w")', True, True, True, False),
        ('st.chat_input(key="w")', True, True, False, False),
        ('st.container(key="w")', False, True, False, False),
        ('st.expander("e", key="w")', False, True, False, False),
        ('st.expander("e", key="w", on_change=cb)', True, True, False, False),
        ('st.dataframe(df, key="w")', False, False, False, False),
        ('st.dataframe(df, key="w", on_select="rerun")', True, True, False, False),
        ('st.link_button("l", "https://x", key="w")', False, True, True, False),
        ('st.form("w")', False, False, True, True),
    ],
)
def test_keys_that_store_register_or_refuse_writes(
    call: str, stores_value: bool, registers_key: bool, readonly: bool, is_form: bool
) -> None:
    """RULES.md tables 3.1 (read-only) and 3.3 (which ``key=`` creates an entry)."""
    widget = only_widget(facts_of(f"{ST}def cb():\n    pass\n{call}\n"))
    assert widget.key == LiteralKey("w")
    assert widget.stores_value is stores_value
    assert widget.registers_key is registers_key
    assert widget.readonly is readonly
    assert widget.is_form is is_form


@pytest.mark.parametrize("key", ["None", '"None"'])
def test_key_none_is_no_key(key: str) -> None:
    """``key="None"`` is treated as no key by Streamlit (RULES.md section 6.8)."""
    widget = only_widget(facts_of(f'{ST}st.text_input("t", key={key})\n'))
    assert widget.key is None
    assert not widget.stores_value and not widget.registers_key


def test_first_run_values() -> None:
    facts = facts_of(
        ST
        + 'st.button("b", key="a")\nst.text_input("t", key="b")\nst.chat_input(key="c")\n'
        + 'st.multiselect("m", [], key="d")\n'
    )
    assert [w.first_run for w in facts.widgets] == [
        FirstRunValue.FALSE,
        FirstRunValue.EMPTY,
        FirstRunValue.NONE,
        FirstRunValue.EMPTY,
    ]


def test_persisted_widget() -> None:
    facts = facts_of(
        ST
        + 'st.text_input("t", key="a", persist_state="session")\n'
        + 'st.text_input("t", key="b", bind="query-params")\n'
        + 'st.text_input("t", key="c", persist_state="page")\n'
    )
    assert [w.persists for w in facts.widgets] == [True, True, False]


def test_callback_by_name_with_args_and_kwargs() -> None:
    source = ST + (
        "def on_save(a, b=None, n=None):\n    pass\n"
        'st.button("Save", key="save", on_click=on_save, args=("x", 1), kwargs={"n": "y"})\n'
    )
    widget = only_widget(facts_of(source))
    callback = only(widget.callbacks)
    assert isinstance(callback, CallEvent)
    assert callback.function == FunctionRef("on_save")
    assert callback.span == where(source, "on_save", occurrence=1)
    assert callback.args == ((0, LiteralKey("x")), (1, LiteralKey("1")), ("n", LiteralKey("y")))


def test_lambda_callback_gets_function_facts() -> None:
    source = (
        ST + 'st.checkbox("c", key="c", on_change=lambda: st.session_state.update(seen=True))\n'
    )
    facts = facts_of(source)
    callback = only(only_widget(facts).callbacks)
    assert isinstance(callback, CallEvent)
    assert callback.span == where(source, "lambda: st.session_state.update(seen=True)")
    function = facts.function(callback.function.name)
    assert function is not None
    assert function.qualname.startswith("<lambda:2:")
    access = only(function.body)
    assert isinstance(access, Access)
    assert (access.kind, access.key) == (AccessKind.WRITE, LiteralKey("seen"))
    # The lambda's body runs when the callback is called, not where it is written.
    assert not any(isinstance(node, Access) for node in facts.body)
    assert access in facts.accesses


@pytest.mark.parametrize(
    ("callback", "args"),
    [
        ('functools.partial(cb, "pa")', ((0, LiteralKey("pa")),)),
        ('partial(cb, n="pk")', (("n", LiteralKey("pk")),)),
        ('partial(cb, "pa"), args=("more",)', ((0, LiteralKey("pa")), (0, LiteralKey("more")))),
    ],
)
def test_partial_callbacks(callback: str, args: tuple[tuple[int | str, Key], ...]) -> None:
    source = ST + (
        "import functools\nfrom functools import partial\n"
        "def cb(a=None, n=None):\n    pass\n"
        f'st.checkbox("c", key="c", on_change={callback})\n'
    )
    event = only(only_widget(facts_of(source)).callbacks)
    assert isinstance(event, CallEvent)
    assert event.function == FunctionRef("cb")
    assert event.args == args


def test_imported_callback() -> None:
    facts = facts_of(ST + 'from .handlers import on_save\nst.button("b", on_click=on_save)\n')
    event = only(only_widget(facts).callbacks)
    assert isinstance(event, CallEvent)
    assert event.function == FunctionRef("on_save", "handlers", 1)


def test_loop_variable_callbacks() -> None:
    facts = facts_of(
        ST
        + "def on_a():\n    pass\ndef on_b():\n    pass\n"
        + 'for label, handler in [("A", on_a), ("B", on_b)]:\n'
        + "    st.button(label, on_click=handler)\n"
    )
    widget = only_widget(facts)
    assert [event.function.name for event in widget.callbacks] == ["on_a", "on_b"]


def test_reads_inside_a_plain_lambda_are_recorded() -> None:
    source = ST + "label = lambda text: st.session_state.prefix + text\n"
    access = only_access(facts_of(source))
    assert (access.kind, access.key) == (AccessKind.READ, LiteralKey("prefix"))
    assert access.span == where(source, "st.session_state.prefix")


def test_widgets_on_sidebar_columns_and_forms() -> None:
    source = """\
        import streamlit as st
        st.sidebar.slider("a", key="a")
        c1, c2 = st.columns(2)
        c1.slider("b", key="b")
        with c2:
            st.text_input("c", key="c")
        st.columns(3)[0].toggle("d", key="d")
        with st.form("f", clear_on_submit=True):
            st.text_input("e", key="e")
            st.form_submit_button("Go")
        with st.sidebar:
            st.radio("g", ["x"], key="g")
        """
    facts = facts_of(source)
    assert [(w.command, w.key) for w in facts.widgets] == [
        ("slider", LiteralKey("a")),
        ("slider", LiteralKey("b")),
        ("text_input", LiteralKey("c")),
        ("toggle", LiteralKey("d")),
        ("form", LiteralKey("f")),
        ("text_input", LiteralKey("e")),
        ("form_submit_button", None),
        ("radio", LiteralKey("g")),
    ]
    assert all(widget.known for widget in facts.widgets)
    assert facts.widgets[1].span == where(source, 'c1.slider("b", key="b")')


@pytest.mark.parametrize(
    "call",
    [
        "sorted(x, key=len)",
        "max(x, key=lambda item: item[1])",
        "items.sort(key=str.lower)",
        "df.sort_values('a', key=abs)",
        "heapq.nlargest(3, x, key=len)",
    ],
)
def test_sort_keys_are_not_widget_keys(call: str) -> None:
    facts = facts_of(f"{ST}{call}\n")
    assert facts.widgets == ()
    assert facts.accesses == ()


@pytest.mark.parametrize(
    ("prelude", "call", "command"),
    [
        ("from st_aggrid import AgGrid\n", 'AgGrid(df, key="grid")', "AgGrid"),
        ("import streamlit_folium as sf\n", 'sf.st_folium(m, key="grid")', "st_folium"),
        ("", 'my_component(data=1, key="grid")', "my_component"),
    ],
)
def test_third_party_component_is_an_unknown_keyed_call(
    prelude: str, call: str, command: str
) -> None:
    source = f"{ST}{prelude}{call}\n"
    widget = only_widget(facts_of(source))
    assert widget.command == command
    assert not widget.known
    assert widget.key == LiteralKey("grid")
    assert widget.key_span == where(source, '"grid"')
    assert widget.span == where(source, call)
    assert widget.stores_value
    assert not widget.registers_key and not widget.readonly and not widget.is_form
    assert widget.has_default is None
    assert widget.first_run is FirstRunValue.UNKNOWN


def test_dict_with_a_key_item_is_not_a_widget() -> None:
    facts = facts_of(ST + 'st.session_state.filters = dict(key="name", order="asc")\n')
    assert facts.widgets == ()


def test_own_function_called_with_key_keyword_is_not_a_widget() -> None:
    facts = facts_of(
        ST + "def show(key):\n    st.write(st.session_state[key])\n" + 'show(key="missing")\n'
    )
    assert facts.widgets == ()
    call = only(facts.body)
    assert isinstance(call, CallEvent)
    assert call.args == (("key", LiteralKey("missing")),)


def test_widget_keys_inside_functions() -> None:
    facts = facts_of(
        ST
        + "def row(i, name):\n"
        + '    st.text_input("t", key=f"row_{i}")\n'
        + '    st.checkbox("c", key=name)\n'
    )
    dynamic, param = facts.widgets
    assert isinstance(dynamic.key, DynamicKey)
    assert dynamic.key.pattern is not None
    assert re.fullmatch(dynamic.key.pattern, "row_7")
    assert param.key == ParamKey(1, "name")


# --------------------------------------------------------------------- control flow


def test_if_elif_else_tree() -> None:
    facts = facts_of(
        SS + 'if "a" not in ss:\n    ss.a = 0\nelif "b" in ss:\n    ss.b\nelse:\n    ss.c = 1\n'
    )
    assert summary(facts.body) == [
        ("CONTAINS", "a", 3),
        (
            "if",
            "not in a",
            [("WRITE", "a", 4)],
            [
                ("CONTAINS", "b", 5),
                ("if", "in b", [("READ", "b", 6)], [("WRITE", "c", 8)]),
            ],
        ),
    ]


def test_init_guard_marks_only_the_keys_own_initialisation() -> None:
    """ST009: ``if "k" not in ss: ss.k = ...`` alone does not make ``k`` used."""
    facts = facts_of(
        SS
        + 'if "k" not in ss:\n    ss.k = 0\n'
        + 'if "initialized" not in ss:\n    ss.p = 1\n    ss.q = 2\n'
        + 'if "m" in ss:\n    pass\nelse:\n    ss.m = 0\n'
    )
    guards = {
        access.key: access.init_guard
        for access in facts.accesses
        if access.kind is AccessKind.CONTAINS
    }
    assert guards == {
        LiteralKey("k"): True,
        LiteralKey("initialized"): False,
        LiteralKey("m"): True,
    }


def test_button_condition_binds_the_widget() -> None:
    facts = facts_of(SS + 'if st.button("go"):\n    ss.d = 1\n')
    widget, bind, branch = facts.body
    assert isinstance(widget, WidgetCall) and widget.command == "button"
    assert isinstance(bind, BindEvent) and bind.widget == widget
    assert isinstance(branch, Branch)
    assert branch.cond == Cond(CondKind.NAME, name=bind.name)
    assert summary(branch.then) == [("WRITE", "d", 4)]


def test_walrus_chat_input() -> None:
    facts = facts_of(SS + "if prompt := st.chat_input():\n    ss.last = prompt\n")
    widget, bind, branch = facts.body
    assert isinstance(widget, WidgetCall) and widget.command == "chat_input"
    assert bind == BindEvent("prompt", widget)
    assert isinstance(branch, Branch)
    assert branch.cond == Cond(CondKind.NAME, name="prompt")
    assert summary(branch.then) == [("WRITE", "last", 4)]
    assert [(b.name, b.scope) for b in facts.widget_bindings] == [("prompt", "")]


@pytest.mark.parametrize(
    ("handler", "guards"),
    [
        ("except KeyError:", True),
        ("except AttributeError:", True),
        ("except (ValueError, AttributeError):", True),
        ("except LookupError:", True),
        ("except Exception:", True),
        ("except:", True),
        ("except ValueError:", False),
        ("except builtins.KeyError:", True),
    ],
)
def test_try_guards_missing_key(handler: str, guards: bool) -> None:
    facts = facts_of(SS + f"try:\n    ss.f\n{handler}\n    ss.f = 0\n")
    node = only(facts.body)
    assert isinstance(node, Try)
    assert node.guards_missing_key is guards
    assert summary(node.body) == [("READ", "f", 4)]
    assert [summary(h) for h in node.handlers] == [[("WRITE", "f", 6)]]


def test_try_else_and_finally_arms() -> None:
    facts = facts_of(
        SS + "try:\n    ss.a\nexcept KeyError:\n    pass\nelse:\n    ss.b\nfinally:\n    ss.c\n"
    )
    assert summary(facts.body) == [
        ("try", True, [("READ", "a", 4)], [[]], [("READ", "b", 8)], [("READ", "c", 10)])
    ]


def test_exits() -> None:
    facts = facts_of(
        SS
        + 'if "i" not in ss:\n    st.stop()\n'
        + "if x:\n    st.rerun()\n"
        + 'if y:\n    st.switch_page("pages/a.py")\n'
        + "def f():\n    for i in z:\n        if i:\n            break\n        continue\n"
        + "    raise ValueError\n    return 1\n"
    )
    exits = [node.kind for node in walk(facts.body) if isinstance(node, Exit)]
    assert exits == [ExitKind.STOP, ExitKind.RERUN, ExitKind.RERUN]
    function = facts.function("f")
    assert function is not None
    assert [node.kind for node in walk(function.body) if isinstance(node, Exit)] == [
        ExitKind.BREAK,
        ExitKind.CONTINUE,
        ExitKind.RAISE,
        ExitKind.RETURN,
    ]
    stop = next(node for node in walk(facts.body) if isinstance(node, Exit))
    assert stop.span == Span(4, 4, 4, 13)


@pytest.mark.parametrize(
    ("iterable", "count"),
    [
        ('["a", "b"]', LoopCount.TWICE_OR_MORE),
        ('("a",)', LoopCount.ONCE_OR_MORE),
        ("[]", LoopCount.UNKNOWN),
        ("range(3)", LoopCount.TWICE_OR_MORE),
        ("range(1)", LoopCount.ONCE_OR_MORE),
        ("range(0)", LoopCount.UNKNOWN),
        ("items", LoopCount.UNKNOWN),
        ("st.columns(3)", LoopCount.TWICE_OR_MORE),
        ("st.tabs(['a'])", LoopCount.ONCE_OR_MORE),
        ("zip([1, 2], [3])", LoopCount.ONCE_OR_MORE),
        ('enumerate(("a", "b"))', LoopCount.TWICE_OR_MORE),
        ("NAMES", LoopCount.TWICE_OR_MORE),
        ("DEFAULTS.items()", LoopCount.TWICE_OR_MORE),
        ("range(len(NAMES))", LoopCount.TWICE_OR_MORE),
    ],
)
def test_for_loop_counts(iterable: str, count: LoopCount) -> None:
    facts = facts_of(
        ST
        + 'NAMES = ["a", "b"]\nDEFAULTS = {"a": 1, "b": 2}\n'
        + f"for item in {iterable}:\n    st.session_state.n = 1\nelse:\n    pass\n"
    )
    loop = facts.body[-1]  # st.columns/st.tabs are elements of their own, before the loop
    assert isinstance(loop, Loop)
    assert loop.count is count
    assert summary(loop.body) == [("WRITE", "n", 5)]


def test_while_loops() -> None:
    facts = facts_of(SS + "while True:\n    ss.w += 1\n    break\nwhile ss.go:\n    pass\n")
    forever, conditional = facts.body[0], facts.body[-1]
    assert isinstance(forever, Loop) and forever.count is LoopCount.ONCE_OR_MORE
    assert summary(forever.body) == [("AUGMENT", "w", 4), ("exit", "BREAK")]
    assert isinstance(conditional, Loop) and conditional.count is LoopCount.UNKNOWN
    # The test runs before the body (emitted first) and again after each iteration.
    assert summary(facts.body[1:]) == [
        ("READ", "go", 6),
        ("loop", "UNKNOWN", [("READ", "go", 6)], []),
    ]


def test_match_statement_is_a_chain_of_unknown_branches() -> None:
    facts = facts_of(
        SS
        + 'match ss.get("mode"):\n'
        + '    case "a":\n        ss.x = 1\n'
        + '    case "b" if ss.y:\n        pass\n'
        + "    case _:\n        ss.z\n"
    )
    assert summary(facts.body) == [
        ("SAFE_READ", "mode", 3),
        (
            "if",
            "unknown",
            [("WRITE", "x", 5)],
            [("if", "unknown", [("READ", "y", 6)], [("if", "unknown", [("READ", "z", 9)], [])])],
        ),
    ]


def test_short_circuit_guard_as_a_statement() -> None:
    """``"k" in ss and ss.k`` reads ``k`` only where the test passed."""
    facts = facts_of(SS + '"k" in ss and ss.k\nss.get("a") or ss.b\n')
    assert summary(facts.body) == [
        ("CONTAINS", "k", 3),
        ("if", "in k", [("READ", "k", 3)], []),
        ("SAFE_READ", "a", 4),
        ("if", "value a", [], [("READ", "b", 4)]),
    ]


def test_short_circuit_guard_in_an_if_test() -> None:
    facts = facts_of(SS + 'if "k" in ss and ss.k > 0:\n    ss.ok = True\n')
    assert summary(facts.body) == [
        ("CONTAINS", "k", 3),
        ("if", "in k", [("READ", "k", 3)], []),
        ("if", "and(in k, unknown)", [("WRITE", "ok", 4)], []),
    ]


def test_condition_kinds() -> None:
    facts = facts_of(
        SS
        + 'if ss.get("m", True):\n    pass\n'
        + "if ss.n is None:\n    pass\n"
        + 'if not "o" in ss:\n    pass\n'
        + 'if hasattr(ss, "p"):\n    pass\n'
        + 'if __name__ == "__main__":\n    pass\n'
        + 'if ss["q"]:\n    pass\n'
    )
    conds = [node.cond for node in facts.body if isinstance(node, Branch)]
    assert conds == [
        Cond(CondKind.KEY_VALUE, value=True, key=LiteralKey("m"), safe=True),
        Cond(CondKind.IS_NONE, operands=(Cond(CondKind.KEY_VALUE, key=LiteralKey("n")),)),
        Cond(CondKind.NOT, operands=(Cond(CondKind.CONTAINS, key=LiteralKey("o")),)),
        Cond(CondKind.CONTAINS, key=LiteralKey("p")),
        Cond(CondKind.CONST, value=True),
        Cond(CondKind.KEY_VALUE, key=LiteralKey("q")),
    ]


def test_conditional_expression_is_a_branch() -> None:
    facts = facts_of(SS + 'x = ss.a if "a" in ss else None\n')
    assert summary(facts.body) == [
        ("CONTAINS", "a", 3),
        ("if", "in a", [("READ", "a", 3)], []),
    ]


def test_functions_params_and_fragments() -> None:
    facts = facts_of(
        """\
        import streamlit as st
        @st.fragment
        def frag(a, b=1, *c, d):
            st.session_state.f = a
        @st.fragment(run_every=5)
        def frag2():
            pass
        @st.cache_data
        def cached():
            pass
        """
    )
    frag, frag2, cached = (facts.function(name) for name in ("frag", "frag2", "cached"))
    assert frag is not None and frag2 is not None and cached is not None
    assert frag.params == ("a", "b", "*c", "d")
    assert (frag.is_fragment, frag2.is_fragment, cached.is_fragment) == (True, True, False)
    assert summary(frag.body) == [("WRITE", "f", 4)]
    # Definitions do not run anything at module level.
    assert facts.body == ()


def test_nested_functions_and_calls() -> None:
    facts = facts_of(
        """\
        import streamlit as st
        def outer():
            def inner(q):
                st.session_state.g = q
            inner("v")
        outer()
        """
    )
    assert [f.qualname for f in facts.functions] == ["outer.inner", "outer"]
    outer, inner = facts.function("outer"), facts.function("outer.inner")
    assert outer is not None and inner is not None
    assert inner.params == ("q",)
    assert summary(inner.body) == [("WRITE", "g", 4)]
    assert inner.body[0] in facts.accesses
    call = only(outer.body)
    assert isinstance(call, CallEvent)
    assert call.function == FunctionRef("outer.inner")
    assert call.args == ((0, LiteralKey("v")),)
    module_call = only(facts.body)
    assert isinstance(module_call, CallEvent) and module_call.function == FunctionRef("outer")


def test_class_methods() -> None:
    facts = facts_of(
        """\
        import streamlit as st
        class Page:
            def show(self):
                st.session_state.h
            @staticmethod
            def helper():
                pass
        Page.helper()
        """
    )
    show = facts.function("Page.show")
    assert show is not None and show.params == ("self",)
    assert summary(show.body) == [("READ", "h", 4)]
    assert facts.function("Page.helper") is not None
    call = only(facts.body)
    assert isinstance(call, CallEvent) and call.function == FunctionRef("Page.helper")


def test_call_arguments_become_keys_for_the_callee() -> None:
    facts = facts_of(
        ST
        + 'K = "count"\ndef init(key, value):\n    st.session_state.setdefault(key, value)\n'
        + 'init(K, 0)\ninit(value=[], other="other")\n'
    )
    first, second = facts.body
    assert isinstance(first, CallEvent) and isinstance(second, CallEvent)
    assert first.args == ((0, LiteralKey("count")), (1, LiteralKey("0")))
    assert second.args == (("value", DynamicKey(None)), ("other", LiteralKey("other")))
    init = facts.function("init")
    assert init is not None
    assert only(init.body) == only(facts.accesses)
    assert only_access(facts).key == ParamKey(0, "key")


# --------------------------------------------------------------------- ST007 facts


def test_mutations_of_module_level_containers() -> None:
    facts = facts_of(fixture("mutations_helper.py"))
    found = [(m.name, m.span.line) for m in facts.mutations]
    assert sorted(found) == sorted(
        [
            ("Registry.events", 17),  # self.events, no instance attribute
            ("SEARCHES", 31),
            ("CACHE", 32),
            ("SEEN", 33),
            ("CACHE", 34),  # del CACHE[query]
            ("Registry.events", 35),
            ("COUNTER", 37),  # global COUNTER; COUNTER += 1
        ]
    )
    # Import-time mutations (lines 9-10), Owned.add (instance attribute, line 27), local
    # and parameter shadows (lines 42, 44, 49) are not shared state.
    assert not {line for _, line in found} & {9, 10, 27, 42, 44, 49}
    searches = next(m for m in facts.mutations if m.name == "SEARCHES")
    assert searches.span == Span(31, 4, 31, 26)


def test_mutation_in_a_nested_function_is_recorded_once() -> None:
    facts = facts_of(
        "SEARCHES = []\ndef outer():\n    def inner():\n        SEARCHES.append(1)\n    inner()\n"
    )
    assert [(m.name, m.span.line) for m in facts.mutations] == [("SEARCHES", 4)]


def test_local_shadow_in_a_nested_function_is_not_a_mutation() -> None:
    facts = facts_of(
        "SEARCHES = []\ndef outer():\n    def inner():\n        SEARCHES = []\n"
        "        SEARCHES.append(1)\n        return SEARCHES\n    return inner()\n"
    )
    assert facts.mutations == ()


def test_class_attribute_mutated_through_cls() -> None:
    facts = facts_of(
        "class Registry:\n    events = []\n    @classmethod\n    def add(cls, e):\n"
        "        cls.events.append(e)\n"
    )
    assert [(m.name, m.span.line) for m in facts.mutations] == [("Registry.events", 5)]


# --------------------------------------------------------------------- ST010 facts


def test_widget_bindings() -> None:
    facts = facts_of(fixture("callbacks_app.py"))
    assert [(b.name, b.scope, b.widget.key) for b in facts.widget_bindings] == [
        ("name", "", LiteralKey("name")),
        ("count", "", LiteralKey("count")),
        ("age", "render", LiteralKey("age")),
    ]


def test_free_loads_of_functions() -> None:
    """ST010: the names a callback reads from enclosing scopes, at their use sites."""
    source = fixture("callbacks_app.py")
    facts = facts_of(source)
    on_save = facts.function("on_save")
    assert on_save is not None
    # Globals read by the callback (the widget return values), not its own locals.
    assert [(name, span) for name, span in on_save.free_loads if name != "st"] == [
        ("name", Span(9, 13, 9, 17)),
        ("count", Span(9, 26, 9, 31)),
    ]

    lambdas = [f for f in facts.functions if f.qualname.startswith("<lambda")]
    assert [f.free_loads for f in lambdas] == [(("name", Span(13, 42, 13, 46)),)]

    # A closure over the enclosing function's widget variable.
    inner = facts.function("render.show_age")
    assert inner is not None
    assert inner.free_loads == (("age", Span(20, 15, 20, 18)),)


# --------------------------------------------------------------------------- pages


def test_pages_and_navigation() -> None:
    source = fixture("navigation_app.py")
    facts = facts_of(source)
    assert facts.has_navigation
    assert facts.pages == (
        PageRef("pages/reports.py", False, where(source, '"pages/reports.py"'), True),
        PageRef("home", True, where(source, "home", occurrence=1), True),
        PageRef("pages/settings.py", False, where(source, '"pages/settings.py"'), False),
        PageRef("pages/help.py", False, where(source, '"pages/help.py"'), False),
    )
    assert summary(facts.body) == [
        ("page_run",),
        ("widget", "button", None),
        ("bind", "<widget:11:3>"),
        ("if", "name <widget:11:3>", [("exit", "RERUN")], []),
    ]
    run = facts.body[0]
    assert isinstance(run, PageRun)
    assert run.span == where(source, "st.navigation(pages).run()")


def test_navigation_object_run_later() -> None:
    source = """\
        import streamlit as st
        pg = st.navigation([st.Page("a.py")])
        st.session_state.k = 1
        pg.run()
        def main():
            nav = st.navigation({"Main": [st.Page("b.py")]}, position="sidebar")
            nav.run()
        other.run()
        """
    facts = facts_of(source)
    assert summary(facts.body) == [("WRITE", "k", 3), ("page_run",)]
    assert facts.body[1] == PageRun(where(source, "pg.run()"))
    main = facts.function("main")
    assert main is not None
    assert main.body == (PageRun(where(source, "nav.run()")),)
    assert [page.target for page in facts.pages] == ["a.py", "b.py"]


# ----------------------------------------------------------------------- bad input


def test_syntax_error_gives_only_a_parse_error() -> None:
    facts = extract('import streamlit as st\nst.session_state["k"\nst.button("b", key="x")\n')
    assert facts.parse_error is not None
    assert facts.parse_error.message == "'[' was never closed"
    assert facts.parse_error.span == Span(2, 16, 2, 17)
    assert facts.uses_streamlit
    assert not facts.opaque
    assert (facts.body, facts.accesses, facts.widgets, facts.functions, facts.imports) == (
        (),
        (),
        (),
        (),
        (),
    )
    assert (facts.pages, facts.mutations, facts.constants) == ((), (), ())


@pytest.mark.parametrize(
    ("source", "span"),
    [
        ("x = 1\n  y = 2\n", Span(2, 1, 2, 2)),
        ("def f(:\n  pass\n", Span(1, 6, 1, 7)),
        ('x = "😀" +* 1\n', Span(1, 9, 1, 10)),
        ('st.title("café"); x = "abc\n', Span(1, 22, 1, 23)),
        ("f() = 1\n", Span(1, 0, 1, 3)),
    ],
)
def test_syntax_error_spans(source: str, span: Span) -> None:
    """The span is in code points, on the offending token, within the source."""
    error = extract(source).parse_error
    assert error is not None and error.message
    assert error.span == span


def _cpython_reports_byte_offset(source: str, char_column: int) -> bool:
    try:
        ast.parse(source)
    except SyntaxError as error:
        return (error.offset or 1) - 1 != char_column
    return False


LEADING_ZEROS = 'st.title("😀é"); x = 08\n'


def test_syntax_error_span_after_non_ascii_for_a_tokenizer_error() -> None:
    error = extract(LEADING_ZEROS).parse_error
    assert error is not None
    assert error.span.line == 1
    assert error.span.column == LEADING_ZEROS.index("08")
    assert error.span.end_column <= len(LEADING_ZEROS.rstrip("\n"))


def test_parser_overflow_has_a_message() -> None:
    error = extract("x = " + "-" * 100_000 + "1\n").parse_error
    assert error is not None
    assert error.message.strip()


def test_too_deeply_nested_brackets_is_a_parse_error() -> None:
    facts = extract(ST + "(" * 300 + "1" + ")" * 300 + "\n")
    assert facts.parse_error is not None
    assert facts.parse_error.span.line == 2


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="PEP 701 f-strings parse on 3.12+")
def test_newer_syntax_is_opaque_not_an_error() -> None:
    facts = extract(ST + 'st.write(f"{st.session_state["k"]}")\n')
    assert facts.parse_error is None
    assert facts.opaque
    assert facts.uses_streamlit


NEWER_SYNTAX = [
    'st.write(f"{st.session_state["k"]}")\n',  # 3.12: quotes reused in an f-string
    "type Keys = list[str]\n",  # 3.12: type statement
    "def first[T](items: list[T]) -> T:\n    return items[0]\n",  # 3.12: type parameters
    "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",  # 3.14: no parentheses
]


def _parses_here(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("source", NEWER_SYNTAX)
def test_newer_syntax_in_a_buffer_being_typed_is_opaque_too(source: str) -> None:
    if _parses_here(ST + source):
        pytest.skip("this Python's grammar has it")
    facts = extract(ST + source, being_typed=True)
    assert facts.opaque and facts.parse_error is None


def test_a_line_being_typed_is_not_checked_against_the_newer_grammar_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A buffer invalid mid-typing, on every keystroke: parsing all of it with libcst
    # took 0.3 s for 1,000 lines, and the line being typed is invalid in any grammar.
    from streamlit_lsp.analysis import extract as extract_module

    parsed: list[str] = []
    original = extract_module._parses_with_newer_grammar
    monkeypatch.setattr(
        extract_module,
        "_parses_with_newer_grammar",
        lambda text: parsed.append(text) or original(text),
    )
    body = "".join(f"st.write({number})\n" for number in range(200))
    typed = ST + body + "x = st.session_state.\n" + body
    facts = extract(typed, being_typed=True)
    assert facts.parse_error is not None and facts.parse_error.span.line == 202
    assert parsed == []  # nothing on the line looks like newer syntax: libcst not asked
    # A line that may be newer syntax is tried alone first.
    typed_fstring = ST + body + 'st.write(f"{st.session_state.\n' + body
    assert extract(typed_fstring, being_typed=True).parse_error is not None
    assert parsed == ['st.write(f"{st.session_state.\n']
    parsed.clear()
    parsed.clear()
    assert extract(typed).parse_error is not None  # a file on disk: checked whole
    assert parsed == [typed]


def _random_garbage(seed: int) -> str:
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 600)))
    return data.decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "   ",
        "# only a comment\n# another one\n",
        "\x00",
        "\ufeff",
        "\\",
        '"""',
        "import streamlit as st\nst.session_state[",
        "(" * 5000,
        "if x:\n" * 200,
        *[_random_garbage(seed) for seed in range(25)],
    ],
    ids=lambda text: repr(text[:12]),
)
def test_extract_never_raises(text: str) -> None:
    facts = extract(text)
    assert isinstance(facts, FileFacts)


def test_comment_only_file_has_no_facts() -> None:
    facts = extract("# nothing here\n# streamlit is mentioned only in a comment\n")
    assert facts.parse_error is None
    assert (facts.body, facts.accesses, facts.widgets) == ((), (), ())
    assert not facts.uses_streamlit


def _elif_chain(branches: int) -> str:
    lines = [ST.rstrip("\n"), "x = 0", "if x == 0:", "    st.session_state.k0 = 0"]
    for index in range(1, branches):
        lines += [f"elif x == {index}:", f"    st.session_state.k{index} = {index}"]
    return "\n".join(lines) + "\n"


def test_a_2000_branch_elif_chain_does_not_raise() -> None:
    """On the default stack it may degrade to opaque facts, but never raise."""
    facts = extract(_elif_chain(2000))
    assert facts.parse_error is None


def test_a_2000_branch_elif_chain_is_fully_extracted_on_the_deep_stack() -> None:
    """The checker extracts on a deep stack (deepstack.py): every branch is kept."""
    facts = call_with_deep_stack(lambda: extract(_elif_chain(2000)))
    assert facts.parse_error is None and not facts.opaque
    assert len(facts.accesses) == 2000
    assert facts.accesses[-1].key == LiteralKey("k1999")
    assert facts.accesses[-1].span == Span(4002, 4, 4002, 26)


# ---------------------------------------------------------------------------- noqa


def test_noqa_lines() -> None:
    facts = facts_of(
        "x = 1  # noqa\n"
        "y = 2  # noqa: ST001, ST002\n"
        "z = 3 # NOQA:st009\n"
        "w = 4  # noqa: E501\n"
        "v = 5\n"
        "u = 6  # type: ignore  # noqa: ST003\n"
        's = "# noqa"\n'
        "t = 7  # noqa:\n"
    )
    assert facts.noqa == (
        (1, frozenset()),
        (2, frozenset({"ST001", "ST002"})),
        (3, frozenset({"ST009"})),
        (4, frozenset({"E501"})),
        (6, frozenset({"ST003"})),
    )


def test_noqa_text_inside_a_multiline_string_is_not_a_directive() -> None:
    facts = facts_of(
        'import streamlit as st\nst.markdown(f"""\nCount: {st.session_state.count} (# noqa)\n""")\n'
    )
    assert only_access(facts).span.line == 3
    assert facts.noqa == ()


def test_constant_used_as_an_assignment_key_stays_a_constant() -> None:
    """``ss[KEY] = 1`` reads KEY; it does not rebind it (so KEY keeps its value)."""
    source = SS + 'KEY = "count"\nss[KEY] = 1\nst.text_input("Name", key=KEY)\n'
    facts = facts_of(source)
    assert [(a.key, a.key_literal) for a in facts.accesses] == [(LiteralKey("count"), False)]
    assert [(w.key, w.key_literal) for w in facts.widgets] == [(LiteralKey("count"), False)]


def test_string_keys_are_marked_as_spelled_out() -> None:
    """A rename may edit a string literal or attribute name in place, never a constant."""
    source = SS + 'ss["a"] = 1\nss.b = 2\nss.update(c=3)\nss.get(f"d")\n'
    facts = facts_of(source)
    assert [(a.key, a.key_literal) for a in facts.accesses] == [
        (LiteralKey("a"), True),
        (LiteralKey("b"), True),
        (LiteralKey("c"), True),
        (LiteralKey("d"), True),
    ]


def test_keys_named_by_constants_point_at_the_constant() -> None:
    """A rename of a key held by a constant edits the constant's literal (its span)."""
    source = SS + 'import keys\nfrom keys import COUNT\nK = "x"\nclass C:\n    A = "a"\n'
    source += "ss[K] = 1\nss[C.A] = 2\nss[COUNT] = 3\nss[keys.TOTAL] = 4\n"
    facts = facts_of(source)
    assert [a.key_constant for a in facts.accesses] == [
        ConstantRef("K"),
        ConstantRef("C.A"),
        ConstantRef("COUNT", "keys"),
        ConstantRef("TOTAL", "keys"),
    ]
    spans = dict(facts.constant_spans)
    assert spans["K"] == where(source, '"x"')
    assert spans["C.A"] == where(source, '"a"')
