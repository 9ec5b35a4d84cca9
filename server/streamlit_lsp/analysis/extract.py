"""Extraction: one file's source -> ``FileFacts``.

One ``ast.parse`` and one pass over the tree. The pass keeps the statement order and
the branches around every session-state access and widget call (see ``facts.py``), and
resolves keys as far as this file allows: literals, module constants, class constants,
enum members (stringified the way Streamlit does, RULES.md section 1), local variables
bound once to a literal, loop variables over literal collections and parameters.
Names imported from other modules stay symbolic for the workspace index to resolve.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from keyword import iskeyword
from typing import Any

from streamlit_lsp.analysis import widgets as widget_table
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
    FunctionFacts,
    FunctionRef,
    ImportedKey,
    ImportFact,
    Key,
    LiteralKey,
    Loop,
    LoopCount,
    Mutation,
    Node,
    PageRef,
    PageRun,
    ParamKey,
    ParseError,
    Syntax,
    Try,
    WidgetBinding,
    WidgetCall,
)
from streamlit_lsp.analysis.source import LineIndex
from streamlit_lsp.diagnostics import Span
from streamlit_lsp.noqa import noqa_map

UNKNOWN_COND = Cond(CondKind.UNKNOWN)

# Mapping methods of the proxy: ``ss.get`` is the method, not the key "get" (RULES.md 1).
STATE_METHODS = frozenset(
    {
        "get",
        "pop",
        "popitem",
        "setdefault",
        "update",
        "keys",
        "items",
        "values",
        "clear",
        "to_dict",
        "copy",
        "filtered_state",
    }
)
WHOLE_STATE_METHODS = frozenset({"keys", "items", "values", "to_dict", "copy", "popitem"})
WHOLE_STATE_BUILTINS = frozenset(
    {"list", "dict", "len", "iter", "sorted", "set", "tuple", "repr", "str", "print", "vars"}
)
MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "sort",
        "reverse",
        "update",
        "setdefault",
        "popitem",
        "add",
        "discard",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "appendleft",
        "extendleft",
        "popleft",
        "rotate",
        "__setitem__",
        "__delitem__",
    }
)
MUTABLE_CONSTRUCTORS = frozenset(
    {"list", "dict", "set", "defaultdict", "OrderedDict", "deque", "Counter", "bytearray"}
)
KEY_ERROR_GUARDS = frozenset(
    {"KeyError", "AttributeError", "LookupError", "Exception", "BaseException"}
)
# ``st.<command>`` calls that stop, rerun, switch or define the pages of an app.
_FLOW_COMMANDS = frozenset(
    {"stop", "rerun", "experimental_rerun", "switch_page", "page_link", "Page", "navigation"}
)
# Calls whose ``key=`` is a sort key, not a widget key.
NOT_WIDGET_KEY_CALLS = frozenset(
    {
        "dict",
        "partial",
        "sorted",
        "sort",
        "min",
        "max",
        "groupby",
        "sort_values",
        "sort_index",
        "nlargest",
        "nsmallest",
        "bisect",
        "bisect_left",
        "bisect_right",
        "insort",
        "merge",
    }
)


def extract(text: str, *, being_typed: bool = False) -> FileFacts:
    """Facts of one file. Never raises: bad input becomes a ``parse_error``.

    ``being_typed``: an editor buffer. Its syntax errors are mostly the line being typed,
    so the whole text is parsed with the newer grammar (libcst: 75 ms per 1,000 lines,
    on every keystroke that left the buffer invalid) only when the line in error looks
    like newer syntax and is valid in that grammar on its own
    (``_line_may_be_newer_syntax``)."""
    lines = LineIndex(text)
    parsed = parse(text, lines, being_typed=being_typed)
    if isinstance(parsed, FileFacts):
        return parsed
    try:
        return Extractor(parsed, lines, text).facts()
    except RecursionError:
        return too_deep(text)


def parse(text: str, lines: LineIndex, *, being_typed: bool = False) -> ast.Module | FileFacts:
    """The tree of ``text``, or the facts of a text that does not parse (``extract``)."""
    try:
        with warnings.catch_warnings():
            # "invalid decimal literal" and friends: the user's code, not our output.
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except SyntaxError as error:
        # The line's check first: the bracket scan reads every character of the text.
        if (
            (not being_typed or _line_may_be_newer_syntax(error, lines))
            and _may_be_newer_syntax(error, text)
            and _parses_with_newer_grammar(text)
        ):
            return FileFacts(
                uses_streamlit=_mentions_streamlit(text), opaque=True, imports=_scan_imports(text)
            )
        return FileFacts(
            uses_streamlit=_mentions_streamlit(text), parse_error=_syntax_error(error, lines)
        )
    except (RecursionError, MemoryError, ValueError) as error:
        if isinstance(error, (RecursionError, MemoryError)):
            message = "too deeply nested or too complex for Python to parse"
        else:
            message = str(error) or "cannot be parsed"
        return FileFacts(
            uses_streamlit=_mentions_streamlit(text),
            parse_error=ParseError(message, Span(1, 0, 1, 0)),
        )


def too_deep(text: str) -> FileFacts:
    """Valid Python, only too deep for this analysis: unknown facts, not a syntax error."""
    return FileFacts(
        uses_streamlit=_mentions_streamlit(text), opaque=True, imports=_scan_imports(text)
    )


_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<from>\.*[\w.]*)[ \t]+import[ \t]+(?P<names>[\w ,\t*]+)"
    r"|import[ \t]+(?P<modules>[\w., \t]+))",
    re.MULTILINE,
)


def _scan_imports(text: str) -> tuple[ImportFact, ...]:
    """Imports of a file whose syntax this Python cannot parse (newer grammar).

    Its facts are unknown, but its imports still tie the modules it uses to its app, so
    those modules are not mistaken for entry points of apps of their own.
    """
    found = []
    nowhere = Span(1, 0, 1, 0)
    for match in _IMPORT_LINE.finditer(text):
        if match["from"] is not None:
            module = match["from"].lstrip(".")
            level = len(match["from"]) - len(module)
            for name in match["names"].split(","):
                name = name.strip().split(" ")[0]
                if name:
                    found.append(
                        ImportFact(module, None if name == "*" else name, name, level, nowhere)
                    )
        else:
            for module in match["modules"].split(","):
                module = module.strip().split(" ")[0]
                if module:
                    found.append(ImportFact(module, None, module.split(".")[0], 0, nowhere))
    return tuple(found)


def _mentions_streamlit(text: str) -> bool:
    return "streamlit" in text


def _syntax_error(error: SyntaxError, lines: LineIndex) -> ParseError:
    line = min(max(error.lineno or 1, 1), max(lines.line_count, 1))
    text = lines.line(line)
    # SyntaxError.offset is 1-based and usually counts characters, but some tokenizer
    # errors count UTF-8 bytes: an offset past the line's end is such a byte offset.
    column = max((error.offset or 1) - 1, 0)
    if column > len(text):
        column = lines.column(line, column)
    column = min(column, len(text))
    end_line = max(error.end_lineno or line, line)
    end_column = max((error.end_offset or (column + 2)) - 1, column)
    end_column = min(end_column, len(lines.line(end_line)) if end_line != line else len(text))
    if end_line == line and end_column <= column:
        end_column = min(column + 1, len(text))
    return ParseError(
        error.msg or "invalid syntax", Span(line, column, end_line, max(end_column, 0))
    )


# libcst's native parser crashes the process on pathologically nested input; it is only
# asked about files that look like ordinary code.
MAX_BRACKET_DEPTH_FOR_LIBCST = 100


def _may_be_newer_syntax(error: SyntaxError, text: str) -> bool:
    if "too many nested" in (error.msg or "") or "too many statically nested" in (error.msg or ""):
        return False
    depth = deepest = 0
    for character in text:
        if character in "([{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_BRACKET_DEPTH_FOR_LIBCST:
                return False
        elif character in ")]}":
            depth = max(depth - 1, 0)
    return True


# Lines that only parse after another clause: what to put before them for a probe.
_CLAUSE_OPENERS = {
    "elif": "if x:\n    pass\n",
    "else": "if x:\n    pass\n",
    "except": "try:\n    pass\n",
    "except*": "try:\n    pass\n",
    "finally": "try:\n    pass\n",
}


# What a line written in a grammar newer than Python 3.11's looks like: 3.12's type
# statements, type parameters and f-strings that reuse their quotes, 3.14's template
# strings and ``except A, B:``. Only such a line of a buffer being typed is worth a
# look by libcst (whose import alone takes 0.25 s).
_NEWER_SYNTAX_HINT = re.compile(
    r"""^type\s+\w
      | \b(?:def|class)\s+\w+\s*\[
      | (?<![\w.'"])[rRbB]?[fFtT][rRbB]?['"]
      | ^except\*?\s+[^(:]*,
    """,
    re.VERBOSE,
)


def _line_may_be_newer_syntax(error: SyntaxError, lines: LineIndex) -> bool:
    """Could the line the error names be valid in a newer grammar than this Python's
    (``type X = ...``, ``def f[T]()``, ``except A, B:``)? A line being typed
    (``x = ss.``, ``if x``) is valid in none; a line that looks like no newer syntax
    (or no line: '' past the end) is not tried."""
    line = lines.line(error.lineno or 0).strip()
    if not _NEWER_SYNTAX_HINT.search(line):
        return False
    words = line.split(maxsplit=1)
    keyword = words[0].rstrip(":")
    body = f"{line}\n    pass\n" if line.endswith(":") else f"{line}\n"
    if keyword == "case":
        probe = "match x:\n" + "".join(f"    {part}\n" for part in body.splitlines())
    else:
        probe = _CLAUSE_OPENERS.get(keyword, "") + body
    return _parses_with_newer_grammar(probe)


def _parses_with_newer_grammar(text: str) -> bool:
    """True when libcst (which knows newer grammar) accepts what this Python's ast rejects."""
    try:
        import libcst
    except ImportError:  # pragma: no cover - libcst is a dependency
        return False
    try:
        libcst.parse_module(text)
    except Exception:
        return False
    return True


# --------------------------------------------------------------------------- scopes


@dataclass
class _Scope:
    qualname: str  # "" for the module
    params: tuple[str, ...] = ()
    state_aliases: set[str] = field(default_factory=set)
    assigned: set[str] = field(default_factory=set)
    globals_declared: set[str] = field(default_factory=set)
    literal_locals: dict[str, str] = field(default_factory=dict)
    loop_choices: dict[str, Key] = field(default_factory=dict)
    # for label, callback in [("A", on_a), ("B", on_b)]: the functions a name takes.
    loop_functions: dict[str, tuple[FunctionRef, ...]] = field(default_factory=dict)
    layout_names: set[str] = field(default_factory=set)
    navigation_names: set[str] = field(default_factory=set)
    free_loads: list[tuple[str, Span]] = field(default_factory=list)


@dataclass
class _ClassInfo:
    kind: str  # "plain", "strenum", "enum"
    constants: dict[str, str]


@dataclass
class _ScopeFacts:
    """What one scope (module, function, lambda) binds, gathered in the single pre-pass."""

    assigned: set[str] = field(default_factory=set)
    values: dict[str, list[ast.AST]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    # Statements of interest, at any depth but not inside nested scopes: assignments,
    # deletions, expression statements (aliases of session state, ST007 mutations).
    statements: list[ast.AST] = field(default_factory=list)

    def bind(self, name: str, value: ast.AST) -> None:
        self.values.setdefault(name, []).append(value)

    @property
    def locals(self) -> set[str]:
        return self.assigned - self.declared_global


# Fields that never hold a node worth visiting: names and flags (strings, ints), and the
# context/operator singletons (Load, Add, Eq...), which have no children of their own.
_SCALAR_FIELDS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "id",
        "attr",
        "arg",
        "module",
        "asname",
        "kind",
        "type_comment",
        "level",
        "conversion",
        "is_async",
        "simple",
        "kwd_attrs",
        "rest",
        "tag",
    }
)
# Per class, besides the fields above: Global.names holds strings, Constant.value a value.
_SCALAR_FIELDS_OF = {
    ast.Constant: frozenset({"value"}),
    ast.MatchSingleton: frozenset({"value"}),
    ast.Global: frozenset({"names"}),
    ast.Nonlocal: frozenset({"names"}),
}


def _child_fields_table() -> dict[type, tuple[str, ...]]:
    """Each node class's fields that may hold child nodes, in ``_fields`` order.

    Built once at import: ``ast.iter_child_nodes`` (a generator over every field, with
    an ``isinstance`` per value) is the dominant cost of walking a tree in Python, and
    most fields are strings or context singletons not worth a visit.
    """
    table: dict[type, tuple[str, ...]] = {}
    pending: list[type] = [ast.AST]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        skip = _SCALAR_FIELDS | _SCALAR_FIELDS_OF.get(cls, frozenset())
        table[cls] = tuple(name for name in cls._fields if name not in skip)
    # Lists of children may hold None (``{**d}`` keys, absent keyword-only defaults): a
    # walk pushes them whole and finds nothing under them.
    table[type(None)] = ()
    return table


# Plain dicts, read-only by their type: a lookup per node, where a mapping proxy costs
# a third more.
_CHILD_FIELDS: Mapping[type, tuple[str, ...]] = _child_fields_table()
# Last field first: a stack-based walk that pushes them pops the children in order.
_CHILD_FIELDS_REVERSED: Mapping[type, tuple[str, ...]] = {
    cls: tuple(reversed(fields)) for cls, fields in _CHILD_FIELDS.items()
}


def _child_fields(cls: type, reverse: bool = False) -> tuple[str, ...]:
    """The child fields of a node class created after import (never by ``ast.parse``)."""
    fields = tuple(cls._fields)  # type: ignore[attr-defined]
    return tuple(reversed(fields)) if reverse else fields


def _child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` as a list, at a fraction of its cost."""
    fields = _CHILD_FIELDS.get(node.__class__)
    children: list[ast.AST] = []
    for name in fields if fields is not None else _child_fields(node.__class__):
        value = getattr(node, name, None)
        if value.__class__ is list:
            children.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


def shift_lines(node: ast.AST, delta: int) -> None:
    """Move ``node`` and everything under it ``delta`` lines down (up when negative),
    in place: ``ast.increment_lineno`` with the walk of ``Prepass`` (a third of the
    time on a large statement list)."""
    stack: list[ast.AST] = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    fields_of = _CHILD_FIELDS
    while stack:
        current = pop()
        if hasattr(current, "lineno"):
            current.lineno += delta  # type: ignore[attr-defined]
            if current.end_lineno is not None:  # type: ignore[attr-defined]
                current.end_lineno += delta  # type: ignore[attr-defined]
        fields = fields_of.get(current.__class__)
        for name in fields if fields is not None else _child_fields(current.__class__):
            value = getattr(current, name, None)
            if value.__class__ is list:
                extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                push(value)


@dataclass
class Prepass:
    """One traversal of the whole tree: per-scope bindings and the module-wide tables.

    Each later question (which names a function binds, which of its statements could
    alias session state or mutate a module global) reads these tables instead of walking
    the tree again. The walk is the hot loop of extraction: it visits only the fields
    that can hold nodes (``_CHILD_FIELDS``) and handles the common nodes inline.
    """

    scopes: dict[int, _ScopeFacts] = field(default_factory=dict)
    nested_imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    name_calls: list[ast.Call] = field(default_factory=list)
    assignments: list[ast.Assign] = field(default_factory=list)
    # Statements directly in the module body (their imports are not nested).
    top_level: set[int] = field(default_factory=set)
    # Class bodies, decorators, defaults: bind nothing we track.
    detached: _ScopeFacts = field(default_factory=lambda: _ScopeFacts())

    @classmethod
    def of(cls, tree: ast.Module) -> Prepass:
        tables = cls()
        module = tables.scopes[id(tree)] = _ScopeFacts()
        tables.top_level = {id(statement) for statement in tree.body}
        tables._walk(tree.body, module)
        return tables

    @classmethod
    def of_statement(cls, statement: ast.stmt) -> Prepass:
        """The pre-pass of one top-level statement (its module scope under the key 0),
        to be joined with the others' (``joined``)."""
        tables = cls()
        module = tables.scopes[0] = _ScopeFacts()
        tables.top_level = {id(statement)}
        tables._walk([statement], module)
        return tables

    @classmethod
    def joined(cls, tree: ast.Module, pieces: list[Prepass]) -> Prepass:
        """``of(tree)`` from the pre-passes of its statements, in order (each made by
        ``of_statement`` and left as it is)."""
        tables = cls()
        module = _ScopeFacts()
        values = module.values
        for piece in pieces:
            piece_module = piece.scopes[0]
            module.assigned |= piece_module.assigned
            module.declared_global |= piece_module.declared_global
            module.statements.extend(piece_module.statements)
            for name, bound in piece_module.values.items():
                found = values.get(name)
                if found is None:
                    values[name] = list(bound)
                else:
                    found.extend(bound)
            if len(piece.scopes) > 1:
                tables.scopes.update(piece.scopes)
            tables.nested_imports.extend(piece.nested_imports)
            tables.name_calls.extend(piece.name_calls)
            tables.assignments.extend(piece.assignments)
        tables.scopes.pop(0, None)
        tables.scopes[id(tree)] = module
        tables.top_level = {id(statement) for statement in tree.body}
        return tables

    def _walk(self, roots: list[ast.stmt] | list[ast.expr], scope: _ScopeFacts) -> None:
        """Visit ``roots`` and everything under them in source order (pre-order) as part
        of ``scope``; a nested scope is walked, recursively, where it appears."""
        stack: list[ast.AST] = list(reversed(roots))
        pop, push, extend = stack.pop, stack.append, stack.extend
        fields_of = _CHILD_FIELDS_REVERSED
        noted = _NOTED_NODES
        name_class, call_class, load_class = ast.Name, ast.Call, ast.Load
        constant_class, attribute_class = ast.Constant, ast.Attribute
        expr_class, keyword_class, subscript_class = ast.Expr, ast.keyword, ast.Subscript
        assigned, statements, name_calls = scope.assigned, scope.statements, self.name_calls
        while stack:
            node = pop()
            cls = node.__class__
            # The commonest nodes first, handled inline with their children pushed last
            # field first (as the generic loop below does): names, constants, attributes,
            # calls, expression statements, keywords and subscripts, nine nodes in ten of
            # a typical app. A third less time than the generic loop for them.
            if cls is name_class:
                if node.ctx.__class__ is not load_class:  # type: ignore[attr-defined]
                    assigned.add(node.id)  # type: ignore[attr-defined]
                continue
            if cls is constant_class:
                continue
            if cls is attribute_class:
                push(node.value)  # type: ignore[attr-defined]
                continue
            if cls is call_class:
                func = node.func  # type: ignore[attr-defined]
                if func.__class__ is name_class:
                    name_calls.append(node)  # type: ignore[arg-type]
                extend(reversed(node.keywords))  # type: ignore[attr-defined]
                extend(reversed(node.args))  # type: ignore[attr-defined]
                push(func)
                continue
            if cls is expr_class:
                statements.append(node)
                push(node.value)  # type: ignore[attr-defined]
                continue
            if cls is keyword_class:
                push(node.value)  # type: ignore[attr-defined]
                continue
            if cls is subscript_class:
                push(node.slice)  # type: ignore[attr-defined]
                push(node.value)  # type: ignore[attr-defined]
                continue
            if cls in _SCOPE_NODES:
                self._enter(node, scope)
                continue
            note = noted.get(cls)
            if note is not None:
                note(self, node, scope)
            fields = fields_of.get(cls)
            for name in fields if fields is not None else _child_fields(cls, reverse=True):
                value = getattr(node, name, None)
                if value.__class__ is list:
                    extend(reversed(value))
                elif isinstance(value, ast.AST):
                    push(value)

    def _enter(self, node: ast.AST, scope: _ScopeFacts) -> None:
        """A function, class or lambda: its own scope, and parts that belong to none."""
        detached = self.detached
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.assigned.add(node.name)
            extras = [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]
            self._walk([extra for extra in extras if extra is not None], detached)
            self._walk(node.body, self._new_scope(node))
        elif isinstance(node, ast.ClassDef):
            scope.assigned.add(node.name)
            self._walk(node.decorator_list, detached)
            self._walk(node.body, detached)
        elif isinstance(node, ast.Lambda):
            defaults = [*node.args.defaults, *node.args.kw_defaults]
            self._walk([extra for extra in defaults if extra is not None], detached)
            self._walk([node.body], self._new_scope(node))

    def _new_scope(self, node: ast.AST) -> _ScopeFacts:
        inner = self.scopes[id(node)] = _ScopeFacts()
        return inner

    def _note_declaration(self, node: ast.Global | ast.Nonlocal, scope: _ScopeFacts) -> None:
        scope.declared_global.update(node.names)

    def _note_assign(self, node: ast.Assign, scope: _ScopeFacts) -> None:
        self.assignments.append(node)
        scope.statements.append(node)
        for target in node.targets:
            if target.__class__ is ast.Name:
                scope.bind(target.id, node.value)  # type: ignore[attr-defined]
            elif target.__class__ in _NON_BINDING_TARGETS:
                # ss[KEY] = ..., obj.attr = ...: bind nothing (a walrus inside the
                # target is noted where the walk meets it). Most targets of an app.
                continue
            else:
                for name in ast.walk(target):
                    # Only names bound here (a, b = ...), not those read in the
                    # target (ss[KEY] = ... reads KEY).
                    if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                        scope.bind(name.id, target)

    def _note_annotated(self, node: ast.AnnAssign | ast.AugAssign, scope: _ScopeFacts) -> None:
        scope.statements.append(node)
        if isinstance(node.target, ast.Name):
            scope.bind(node.target.id, node.value or node.target)
            if isinstance(node, ast.AugAssign):
                scope.bind(node.target.id, node.target)

    def _note_loop(
        self, node: ast.For | ast.AsyncFor | ast.comprehension, scope: _ScopeFacts
    ) -> None:
        target = node.target
        if target.__class__ is ast.Name:
            scope.bind(target.id, target)  # type: ignore[attr-defined]
            return
        for name in ast.walk(target):
            if isinstance(name, ast.Name):
                scope.bind(name.id, target)

    def _note_import(self, node: ast.Import | ast.ImportFrom, scope: _ScopeFacts) -> None:
        if id(node) not in self.top_level:
            self.nested_imports.append(node)
        scope.statements.append(node)
        for alias in node.names:
            name = (alias.asname or alias.name).split(".")[0]
            scope.assigned.add(name)
            scope.bind(name, node)

    def _note_walrus(self, node: ast.NamedExpr, scope: _ScopeFacts) -> None:
        scope.bind(node.target.id, node.value)

    def _note_handler(self, node: ast.ExceptHandler, scope: _ScopeFacts) -> None:
        if node.name:
            scope.assigned.add(node.name)
            scope.bind(node.name, node)

    def _note_statement(self, node: ast.Delete | ast.Expr, scope: _ScopeFacts) -> None:
        scope.statements.append(node)


_NON_BINDING_TARGETS = frozenset({ast.Attribute, ast.Subscript})
_IMPORT_STATEMENTS = frozenset({ast.Import, ast.ImportFrom})
_SCOPE_NODES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})
# What the pre-pass records for each node class (besides names, calls and scopes).
_NOTED_NODES: Mapping[type, Callable[[Prepass, Any, _ScopeFacts], None]] = {
    ast.Global: Prepass._note_declaration,
    ast.Nonlocal: Prepass._note_declaration,
    ast.Assign: Prepass._note_assign,
    ast.AnnAssign: Prepass._note_annotated,
    ast.AugAssign: Prepass._note_annotated,
    ast.For: Prepass._note_loop,
    ast.AsyncFor: Prepass._note_loop,
    ast.comprehension: Prepass._note_loop,
    ast.Import: Prepass._note_import,
    ast.ImportFrom: Prepass._note_import,
    ast.NamedExpr: Prepass._note_walrus,
    ast.ExceptHandler: Prepass._note_handler,
    ast.Delete: Prepass._note_statement,
    ast.Expr: Prepass._note_statement,
}


def _string_constant(node: ast.AST) -> str | None:
    # Class checks, not isinstance: asked of most keys and values (``ast.parse`` makes
    # no subclasses of its node classes, nor of ``str`` for a constant's value).
    if node.__class__ is ast.Constant and node.value.__class__ is str:  # type: ignore[attr-defined]
        return node.value  # type: ignore[attr-defined]
    return None


# Expressions ``ast.literal_eval`` always rejects: answered without its exception.
_NEVER_LITERAL = frozenset(
    {
        ast.Name,
        ast.Attribute,
        ast.Subscript,
        ast.JoinedStr,
        ast.Lambda,
        ast.Compare,
        ast.BoolOp,
        ast.IfExp,
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
        ast.Await,
        ast.NamedExpr,
    }
)


def _literal(node: ast.AST) -> object:
    """The value of a literal argument, or ``widgets.UNKNOWN_VALUE``."""
    if node.__class__ is ast.Constant:
        return node.value  # type: ignore[attr-defined]
    if node.__class__ in _NEVER_LITERAL:
        return widget_table.UNKNOWN_VALUE
    try:
        return _literal_value(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return widget_table.UNKNOWN_VALUE


class _NotLiteral(ValueError):
    """Raised by ``_literal_value`` where ``ast.literal_eval`` raises ValueError."""


def _literal_value(node: ast.AST | None) -> object:
    """``ast.literal_eval(node)``, rewritten with module-level functions.

    ``ast.literal_eval`` defines its helpers as nested, self-referencing closures: every
    call leaves a reference cycle behind, which only the cyclic garbage collector
    frees. Bulk indexing pauses that collector, so extraction must leave no cycles.
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(map(_literal_value, node.elts))
    if isinstance(node, ast.List):
        return list(map(_literal_value, node.elts))
    if isinstance(node, ast.Set):
        return set(map(_literal_value, node.elts))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "set"
        and node.args == node.keywords == []
    ):
        return set()
    if isinstance(node, ast.Dict):
        if len(node.keys) != len(node.values):
            raise _NotLiteral
        return dict(
            zip(map(_literal_value, node.keys), map(_literal_value, node.values), strict=True)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        left = _signed_number(node.left)
        right = _number(node.right)
        if isinstance(left, (int, float)) and isinstance(right, complex):
            return left + right if isinstance(node.op, ast.Add) else left - right
    return _signed_number(node)


def _signed_number(node: ast.AST | None) -> object:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        operand = _number(node.operand)
        return +operand if isinstance(node.op, ast.UAdd) else -operand  # type: ignore[operator]
    return _number(node)


def _number(node: ast.AST | None) -> object:
    if not isinstance(node, ast.Constant) or type(node.value) not in (int, float, complex):
        raise _NotLiteral
    return node.value


# Calls that build a date, time or timestamp: never None, never "today"/"now".
VALUE_CONSTRUCTORS = frozenset(
    {"date", "time", "datetime", "timedelta", "today", "now", "fromisoformat", "Timestamp"}
)


class _ConstructedValue:
    """An argument built by a constructor call: some object, certainly not None."""

    def __repr__(self) -> str:
        return "<constructed value>"


def _argument_value(node: ast.expr) -> object:
    """A widget argument's value: the literal, a constructed object, or unknown."""
    value = _literal(node)
    if value is widget_table.UNKNOWN_VALUE and isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in VALUE_CONSTRUCTORS:
            return _ConstructedValue()
    return value


_STRING_TOKEN = re.compile(r"(?i)[rbuf]{0,2}['\"]")
_DEF_NAME = re.compile(rb"(?:async\s+)?def\s+(?P<name>[^\s(]+)")


def _describe_value(node: ast.expr | None) -> str | None:
    """A written value as hover and completion show it: ``int = 0``."""
    if node is None:
        return None
    value = _literal(node)
    if value is widget_table.UNKNOWN_VALUE:
        return None
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} = {text}"


def _key_from_constant(value: object) -> Key | None:
    """Streamlit stringifies keys with ``str()``; ``None`` means no key at all."""
    if value is None:
        return None
    if isinstance(value, (str, int, float, bool)):
        return LiteralKey(str(value))
    return DynamicKey(None, "a non-string key")


def _token_expression(token: str) -> ast.expr | None:
    """The expression a key token spells (``KEY``, ``K.QUERY``), or None when it is none.

    A dotted ASCII name is built directly: ``ast.parse`` would return the same nodes
    (ASCII names are not changed by NFKC) at many times the cost.
    """
    parts = token.split(".")
    if token.isascii() and all(part.isidentifier() and not iskeyword(part) for part in parts):
        node: ast.expr = ast.Name(parts[0], ast.Load())
        for part in parts[1:]:
            node = ast.Attribute(node, part, ast.Load())
        return node
    try:
        return ast.parse(token, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None


def _escape_pattern(parts: list[str | None]) -> str:
    return "".join(".*" if part is None else re.escape(part) for part in parts)


# ------------------------------------------------------------------------ extractor


# The fields of a ``StatementPiece`` that hold facts: the extractor's lists a statement
# adds to (``piece`` takes them apart by statement), besides its module-body nodes.
PIECE_FACTS = (
    "functions",
    "accesses",
    "widgets",
    "widget_bindings",
    "mutations",
    "pages",
    "whole_state_reads",
    "state_escapes",
)


@dataclass(frozen=True, slots=True)
class StatementPiece:
    """What one top-level statement adds to its file's facts (``Extractor.piece``):
    an editor buffer's facts are rebuilt from the pieces of the statements an edit left
    alone and of those it touched (``incremental``)."""

    nodes: Block
    functions: tuple[FunctionFacts, ...]
    accesses: tuple[Access, ...]
    widgets: tuple[WidgetCall, ...]
    widget_bindings: tuple[WidgetBinding, ...]
    mutations: tuple[Mutation, ...]
    pages: tuple[PageRef, ...]
    whole_state_reads: tuple[Span, ...]
    state_escapes: tuple[Span, ...]
    state_aliases: frozenset[str]
    has_navigation: bool
    # What it wrote to the module's scope, read by the statements after it.
    navigation_names: frozenset[str]
    globals_declared: frozenset[str]


class Extractor:
    def __init__(self, tree: ast.Module, lines: LineIndex, text: str) -> None:
        self.tree = tree
        self.lines = lines
        self.text = text
        self.streamlit_aliases: set[str] = set()
        self.module_aliases: dict[str, ImportFact] = {}  # import m [as a]
        self.from_imports: dict[str, ImportFact] = {}  # from m import n [as a]
        self.imports: list[ImportFact] = []
        self.constants: dict[str, str] = {}
        self.constant_spans: dict[str, Span] = {}
        self.classes: dict[str, _ClassInfo] = {}
        self.collections: dict[str, tuple[tuple[str, ast.expr], ...]] = {}
        self.mutable_globals: dict[str, str] = {}
        self.class_mutables: dict[str, set[str]] = {}
        self.function_names: dict[str, str] = {}  # simple name -> qualname (module level)
        self.function_params: dict[str, tuple[str, ...]] = {}
        self.alias_params: dict[str, set[str]] = {}  # qualname -> params bound to session state
        self.functions: list[FunctionFacts] = []
        self.accesses: list[Access] = []
        self.widgets: list[WidgetCall] = []
        self.widget_bindings: list[WidgetBinding] = []
        self.mutations: list[Mutation] = []
        self.pages: list[PageRef] = []
        self.whole_state_reads: list[Span] = []
        self.state_escapes: list[Span] = []
        self.reexports: list[tuple[str, ImportedKey]] = []
        self.star_imports: list[tuple[str, int]] = []
        self.has_navigation = False
        self.scopes: list[_Scope] = []
        self._module_values: dict[str, ast.expr] = {}
        self.all_state_aliases: set[str] = set()

    # ------------------------------------------------------------------ driving

    def facts(self) -> FileFacts:
        self.prepare()
        return self._assemble(self.block(self.tree.body))

    def prepare(self, prepass: Prepass | None = None) -> None:
        """The module-wide tables every statement's extraction reads: the scope
        pre-pass (``prepass``, when made already), imports, constants, classes,
        functions, session-state aliases."""
        self.prepass = prepass if prepass is not None else Prepass.of(self.tree)
        self._collect_module_tables()
        module_scope = _Scope("")
        module_facts = self.prepass.scopes[id(self.tree)]
        assigned, values = module_facts.locals, module_facts.values
        module_scope.assigned = assigned
        module_scope.literal_locals = self._single_literals(values)
        self._module_values = {
            name: assigned[0] for name, assigned in values.items() if len(assigned) == 1
        }
        # A module name bound twice is not a constant (which value would a key get?).
        for name in [name for name in self.constants if "." not in name]:
            if len(values.get(name, ())) != 1:
                del self.constants[name]
        self.scopes.append(module_scope)
        self._collect_state_aliases(module_scope, module_facts)
        self._collect_alias_params()

    def piece(self, statement: ast.stmt) -> StatementPiece:
        """Extract one top-level statement (after ``prepare``) on its own: what it adds
        to each of the file's tables, and what it wrote to the module's scope for the
        statements after it."""
        saved = {name: getattr(self, name) for name in PIECE_FACTS}
        saved_aliases, saved_navigation = self.all_state_aliases, self.has_navigation
        module_scope = self.scopes[0]
        navigation_before = set(module_scope.navigation_names)
        globals_before = set(module_scope.globals_declared)
        for name in PIECE_FACTS:
            setattr(self, name, [])
        self.all_state_aliases, self.has_navigation = set(), False
        out: list[Node] = []
        try:
            self.statement(statement, out)
            piece = StatementPiece(
                nodes=_freeze(out),
                functions=tuple(self.functions),
                accesses=tuple(self.accesses),
                widgets=tuple(self.widgets),
                widget_bindings=tuple(self.widget_bindings),
                mutations=tuple(self.mutations),
                pages=tuple(self.pages),
                whole_state_reads=tuple(self.whole_state_reads),
                state_escapes=tuple(self.state_escapes),
                state_aliases=frozenset(self.all_state_aliases),
                has_navigation=self.has_navigation,
                navigation_names=frozenset(module_scope.navigation_names - navigation_before),
                globals_declared=frozenset(module_scope.globals_declared - globals_before),
            )
        finally:
            for name, value in saved.items():
                setattr(self, name, value)
            self.all_state_aliases, self.has_navigation = saved_aliases, saved_navigation
        return piece

    def take(self, piece: StatementPiece) -> None:
        """A statement extracted earlier stands as it was: what it wrote to the
        module's scope holds for the statements after it."""
        module_scope = self.scopes[0]
        module_scope.navigation_names.update(piece.navigation_names)
        module_scope.globals_declared.update(piece.globals_declared)

    def facts_of(self, pieces: list[StatementPiece]) -> FileFacts:
        """The file's facts from its statements' pieces, in order (after ``prepare``):
        equal to ``facts`` of the same tree."""
        self.functions = [item for piece in pieces for item in piece.functions]
        self.accesses = [item for piece in pieces for item in piece.accesses]
        self.widgets = [item for piece in pieces for item in piece.widgets]
        self.widget_bindings = [item for piece in pieces for item in piece.widget_bindings]
        self.mutations = [item for piece in pieces for item in piece.mutations]
        self.pages = [item for piece in pieces for item in piece.pages]
        self.whole_state_reads = [item for piece in pieces for item in piece.whole_state_reads]
        self.state_escapes = [item for piece in pieces for item in piece.state_escapes]
        for piece in pieces:
            self.all_state_aliases.update(piece.state_aliases)
        self.has_navigation = any(piece.has_navigation for piece in pieces)
        return self._assemble(tuple(node for piece in pieces for node in piece.nodes))

    def _assemble(self, body: Block) -> FileFacts:
        return FileFacts(
            uses_streamlit=bool(self.streamlit_aliases)
            or any(fact.module.split(".")[0] == "streamlit" for fact in self.imports),
            body=body,
            functions=tuple(self.functions),
            accesses=tuple(self.accesses),
            widgets=tuple(self.widgets),
            imports=tuple(self.imports),
            constants=tuple(sorted(self.constants.items())),
            constant_spans=tuple(
                (name, span)
                for name, span in sorted(self.constant_spans.items())
                if name in self.constants
            ),
            key_collections=tuple(
                (name, tuple(key for key, _ in items))
                for name, items in sorted(self.collections.items())
            ),
            reexports=tuple(self.reexports),
            star_imports=tuple(self.star_imports),
            widget_bindings=tuple(self.widget_bindings),
            mutations=tuple(self.mutations),
            pages=tuple(self.pages),
            whole_state_reads=tuple(self.whole_state_reads),
            state_escapes=tuple(self.state_escapes),
            streamlit_aliases=tuple(sorted(self.streamlit_aliases)),
            state_aliases=tuple(sorted(self.all_state_aliases)),
            has_navigation=self.has_navigation,
            noqa=self._noqa_lines(),
        )

    def context(self) -> dict[str, dict[str, object]]:
        """What a statement's extraction reads from the module-wide tables (after
        ``prepare``), by table and by the name it is read under, as values compared
        between two versions of a file (``incremental``): a statement that names none
        of the names whose entries differ is extracted the same in both.

        Spans are left out where the pass only asks whether a name is there; the
        literals of a key collection keep theirs, which end up in the accesses of
        ``st.session_state.update(COLLECTION)`` anywhere in the file. AST nodes compare
        by identity: a statement kept from the previous version keeps its nodes."""
        module_scope = self.scopes[0]
        return {
            "streamlit": dict.fromkeys(self.streamlit_aliases, True),
            "module_imports": {
                name: (fact.module, fact.name, fact.level)
                for name, fact in self.module_aliases.items()
            },
            "from_imports": {
                name: (fact.module, fact.name, fact.level)
                for name, fact in self.from_imports.items()
            },
            "star_imports": {"*": tuple(self.star_imports)},
            "constants": dict(self.constants),
            "constant_names": dict.fromkeys(self.constant_spans, True),
            "classes": {
                name: (info.kind, tuple(sorted(info.constants.items())))
                for name, info in self.classes.items()
            },
            "class_statements": {
                statement.name: statement
                for statement in self.tree.body
                if isinstance(statement, ast.ClassDef)
            },
            "collections": {
                name: tuple((key, self.lines.span(literal)) for key, literal in items)
                for name, items in self.collections.items()
            },
            "mutable_globals": dict(self.mutable_globals),
            "class_mutables": {
                name: frozenset(names) for name, names in self.class_mutables.items()
            },
            "function_names": dict(self.function_names),
            "function_params": dict(self.function_params),
            "alias_params": {name: frozenset(params) for name, params in self.alias_params.items()},
            "module_values": dict(self._module_values),
            "assigned": dict.fromkeys(module_scope.assigned, True),
            "literal_locals": dict(module_scope.literal_locals),
            "state_aliases": dict.fromkeys(module_scope.state_aliases, True),
        }

    def _noqa_lines(self) -> tuple[tuple[int, frozenset[str]], ...]:
        # The whole-file reading tells comments from text inside multi-line strings; it
        # is only paid for files that mention noqa at all.
        if "noqa" not in self.text.lower():
            return ()
        return tuple(sorted(noqa_map(self.text).items()))

    # ------------------------------------------------------- module-level tables

    def _collect_module_tables(self) -> None:
        for statement in self.tree.body:
            if statement.__class__ in _IMPORT_STATEMENTS:
                self._collect_imports(statement)
        for statement in self.prepass.nested_imports:
            self._collect_imports(statement, nested=True)
        for statement in self.tree.body:
            if isinstance(statement, (ast.Assign, ast.AnnAssign)):
                self._collect_constant(statement)
            elif isinstance(statement, ast.ClassDef):
                self._collect_class(statement)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function_names[statement.name] = statement.name
                self.function_params[statement.name] = self._param_names(statement.args)

    def _collect_imports(self, statement: ast.stmt, nested: bool = False) -> None:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                bound = alias.asname or alias.name.split(".")[0]
                fact = ImportFact(
                    alias.name if alias.asname else bound,
                    None,
                    bound,
                    0,
                    self.lines.span(statement),
                )
                if alias.name == "streamlit" or (
                    alias.name.startswith("streamlit.") and not alias.asname
                ):
                    self.streamlit_aliases.add(bound)
                if not nested:
                    self.module_aliases[bound] = fact
                self.imports.append(
                    ImportFact(alias.name, None, bound, 0, self.lines.span(statement))
                )
        elif isinstance(statement, ast.ImportFrom):
            module = statement.module or ""
            for alias in statement.names:
                if alias.name == "*":
                    # The module belongs to the app; its functions resolve through it.
                    self.imports.append(
                        ImportFact(module, None, "*", statement.level, self.lines.span(statement))
                    )
                    if not nested:
                        self.star_imports.append((module, statement.level))
                    continue
                bound = alias.asname or alias.name
                fact = ImportFact(
                    module, alias.name, bound, statement.level, self.lines.span(statement)
                )
                self.imports.append(fact)
                if not nested:
                    self.from_imports[bound] = fact
                    if module != "streamlit" and not module.startswith("streamlit."):
                        self.reexports.append(
                            (bound, ImportedKey(module, (alias.name,), statement.level))
                        )
                if module == "streamlit" and alias.name == "session_state" and not nested:
                    pass  # handled as a module-level alias in _collect_state_aliases

    def _collect_constant(self, statement: ast.Assign | ast.AnnAssign) -> None:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        value = statement.value
        if value is None:
            return
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            text = _string_constant(value)
            if text is not None:
                self.constants[target.id] = text
                self.constant_spans[target.id] = self.lines.span(value)
            elif isinstance(value, ast.Name) and value.id in self.constants:
                self.constants[target.id] = self.constants[value.id]
            keys = self._literal_key_collection(value)
            if keys is not None:
                self.collections[target.id] = keys
            if self._is_mutable_container(value):
                self.mutable_globals[target.id] = target.id

    def _literal_key_collection(self, value: ast.expr) -> tuple[tuple[str, ast.expr], ...] | None:
        if isinstance(value, ast.Dict):
            elements = [key for key in value.keys if key is not None]
            if len(elements) != len(value.keys):
                return None
        elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            elements = list(value.elts)
        else:
            return None
        found = []
        for element in elements:
            text = _string_constant(element)
            if text is None:
                return None
            found.append((text, element))
        return tuple(found) if found else None

    def _is_mutable_container(self, value: ast.expr) -> bool:
        if isinstance(
            value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)
        ):
            return True
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
            return isinstance(value.left, ast.List) or isinstance(value.right, ast.List)
        if isinstance(value, ast.Call):
            func = value.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            return name in MUTABLE_CONSTRUCTORS
        return False

    def _collect_class(self, node: ast.ClassDef) -> None:
        kind = "plain"
        base_names = []
        for base in node.bases:
            name = (
                base.id
                if isinstance(base, ast.Name)
                else base.attr
                if isinstance(base, ast.Attribute)
                else ""
            )
            base_names.append(name)
        if "StrEnum" in base_names:
            kind = "strenum"
        elif any(name in ("Enum", "IntEnum", "Flag", "IntFlag") for name in base_names):
            kind = "enum"
        constants: dict[str, str] = {}
        mutables: set[str] = set()
        for statement in node.body:
            if isinstance(statement, (ast.Assign, ast.AnnAssign)):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                for target in targets:
                    if not isinstance(target, ast.Name) or statement.value is None:
                        continue
                    text = _string_constant(statement.value)
                    if kind == "plain" and self._is_mutable_container(statement.value):
                        mutables.add(target.id)
                    if text is None:
                        continue
                    qualified = f"{node.name}.{target.id}"
                    literal_span = self.lines.span(statement.value)
                    if kind == "strenum":
                        self.constants[qualified] = text
                        self.constant_spans[qualified] = literal_span
                    elif kind == "enum":
                        self.constants[qualified] = qualified  # str() is the member's name
                    else:
                        self.constants[qualified] = text
                        self.constant_spans[qualified] = literal_span
                    self.constants[f"{qualified}.value"] = text
                    self.constant_spans[f"{qualified}.value"] = literal_span
                    constants[target.id] = text
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = f"{node.name}.{statement.name}"
                self.function_names.setdefault(qualname, qualname)
        self.classes[node.name] = _ClassInfo(kind, constants)
        if mutables:
            self.class_mutables[node.name] = mutables

    @staticmethod
    def _param_names(arguments: ast.arguments) -> tuple[str, ...]:
        names = [arg.arg for arg in (*arguments.posonlyargs, *arguments.args)]
        if arguments.vararg:
            names.append("*" + arguments.vararg.arg)
        names.extend(arg.arg for arg in arguments.kwonlyargs)
        return tuple(names)

    def _single_literals(self, values: dict[str, list[ast.expr]]) -> dict[str, str]:
        found = {}
        for name, assigned in values.items():
            if len(assigned) == 1:
                text = _string_constant(assigned[0])
                if text is not None:
                    found[name] = text
        return found

    def _collect_state_aliases(self, scope: _Scope, facts: _ScopeFacts) -> None:
        """Names bound to session state in this scope (not in nested functions)."""
        if not scope.qualname:
            for bound, fact in self.from_imports.items():
                if fact.module == "streamlit" and fact.name == "session_state":
                    scope.state_aliases.add(bound)
        for node in facts.statements:
            cls = node.__class__
            if cls is ast.Assign and self._is_state_expr(node.value):  # type: ignore[attr-defined]
                for target in node.targets:  # type: ignore[attr-defined]
                    if isinstance(target, ast.Name):
                        scope.state_aliases.add(target.id)
            elif cls is ast.ImportFrom and node.module == "streamlit" and scope.qualname:  # type: ignore[attr-defined]
                # def init(): from streamlit import session_state as ss
                for alias in node.names:  # type: ignore[attr-defined]
                    if alias.name == "session_state":
                        scope.state_aliases.add(alias.asname or alias.name)
        self.all_state_aliases.update(scope.state_aliases)

    def _collect_alias_params(self) -> None:
        """Parameters of same-file functions that receive session state at some call."""
        # Names bound to session state inside any function (state = st.session_state),
        # so helper(state) there makes helper's parameter an alias too.
        local_aliases = {
            target.id
            for node in self.prepass.assignments
            if self._is_state_expr(node.value, module_only=True)
            for target in node.targets
            if isinstance(target, ast.Name)
        }

        def is_state(argument: ast.expr) -> bool:
            if isinstance(argument, ast.Name) and argument.id in local_aliases:
                return True
            return self._is_state_expr(argument, module_only=True)

        for node in self.prepass.name_calls:
            qualname = self.function_names.get(node.func.id)  # type: ignore[attr-defined]
            if qualname is None:
                continue
            params = self.function_params.get(qualname, ())
            for index, argument in enumerate(node.args):
                if index < len(params) and is_state(argument):
                    self.alias_params.setdefault(qualname, set()).add(params[index])
            for keyword in node.keywords:
                if keyword.arg in params and is_state(keyword.value):
                    self.alias_params.setdefault(qualname, set()).add(keyword.arg)

    # ------------------------------------------------------------ name lookups

    def _lookup_scope(self, name: str) -> _Scope | None:
        """The innermost scope binding ``name`` (Python's LEGB, minus builtins)."""
        for scope in reversed(self.scopes):
            if name in scope.globals_declared:
                return self.scopes[0]
            if name in scope.assigned or name in scope.params or name in scope.state_aliases:
                return scope
        return None

    def _is_streamlit_name(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Name) or node.id not in self.streamlit_aliases:
            return False
        scope = self._lookup_scope(node.id)
        return scope is None or not scope.qualname

    def _is_state_expr(self, node: ast.AST, module_only: bool = False) -> bool:
        # Class checks, not isinstance: asked of most expressions of a file (node
        # classes are never subclassed by ``ast.parse``).
        kind = node.__class__
        if kind is ast.Attribute:
            if node.attr != "session_state":  # type: ignore[attr-defined]
                return False
            value = node.value  # type: ignore[attr-defined]
            return value.__class__ is ast.Name and value.id in self.streamlit_aliases
        if kind is ast.Name:
            if module_only or not self.scopes:
                return node.id in (self.scopes[0].state_aliases if self.scopes else set()) or any(
                    fact.module == "streamlit" and fact.name == "session_state" and bound == node.id
                    for bound, fact in self.from_imports.items()
                )
            for scope in reversed(self.scopes):
                if node.id in scope.state_aliases:
                    return True
                if node.id in scope.assigned or node.id in scope.params:
                    return False
        return False

    def _is_streamlit_receiver(self, node: ast.AST) -> bool:
        """Could ``node.<widget>(...)`` be a Streamlit element call?"""
        root = node
        while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call)):
            root = root.func if isinstance(root, ast.Call) else root.value
        if not isinstance(root, ast.Name):
            return False
        if root.id in self.streamlit_aliases:
            return True
        imported = self.module_aliases.get(root.id) or self.from_imports.get(root.id)
        if imported is not None and self._lookup_scope(root.id) in (None, self.scopes[0]):
            return imported.module.split(".")[0] == "streamlit"
        return True

    # ---------------------------------------------------------------- keys

    def key_of(self, node: ast.expr) -> Key:
        if node.__class__ is ast.Constant:
            # Read here, not by ``_string_constant``: most keys are string literals.
            value = node.value  # type: ignore[attr-defined]
            if value.__class__ is str:
                return LiteralKey(value)
            return _key_from_constant(value) or DynamicKey(None, "None")
        if isinstance(node, ast.JoinedStr):
            return self._fstring_key(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = self._concat_parts(node)
            if all(part is not None for part in parts):
                return LiteralKey("".join(part for part in parts if part is not None))
            return DynamicKey(_escape_pattern(parts), "a concatenated key")
        if isinstance(node, ast.Name):
            return self._name_key(node.id)
        if isinstance(node, ast.Attribute):
            return self._attribute_key(node)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "str"
            and len(node.args) == 1
        ):
            return self.key_of(node.args[0])
        return DynamicKey(None, "a computed key")

    def _fstring_key(self, node: ast.JoinedStr) -> Key:
        parts: list[str | None] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif (
                isinstance(value, ast.FormattedValue)
                and value.format_spec is None
                and value.conversion in (-1, 115)
            ):
                inner = self.key_of(value.value)
                parts.append(inner.value if isinstance(inner, LiteralKey) else None)
            else:
                parts.append(None)
        if all(part is not None for part in parts):
            return LiteralKey("".join(part for part in parts if part is not None))
        return DynamicKey(_escape_pattern(parts), "an f-string key")

    def _concat_parts(self, node: ast.expr) -> list[str | None]:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._concat_parts(node.left) + self._concat_parts(node.right)
        key = self.key_of(node)
        return [key.value if isinstance(key, LiteralKey) else None]

    def _name_key(self, name: str) -> Key:
        scope = self._lookup_scope(name)
        if scope is not None:
            if name in scope.loop_choices:
                return scope.loop_choices[name]
            if name in scope.literal_locals:
                return LiteralKey(scope.literal_locals[name])
            if scope.qualname and name in scope.params:
                return ParamKey(scope.params.index(name), name)
            if scope.qualname:
                return DynamicKey(None, f"the variable {name!r}")
        if name in self.constants:
            return LiteralKey(self.constants[name])
        imported = self.from_imports.get(name)
        if imported is not None and imported.name is not None:
            return ImportedKey(imported.module, (imported.name,), imported.level)
        return DynamicKey(None, f"the variable {name!r}")

    def _attribute_key(self, node: ast.Attribute) -> Key:
        path: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            path.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            return DynamicKey(None, "a computed key")
        path.reverse()
        root = current.id
        if self._lookup_scope(root) not in (None, self.scopes[0]):
            return DynamicKey(None, f"the attribute {root}.{'.'.join(path)}")
        dotted = ".".join([root, *path])
        if dotted in self.constants:
            return LiteralKey(self.constants[dotted])
        if root in self.classes:
            return DynamicKey(None, f"the attribute {dotted}")
        imported = self.from_imports.get(root)
        if imported is not None and imported.name is not None:
            return ImportedKey(imported.module, (imported.name, *path), imported.level)
        module = self.module_aliases.get(root)
        if module is not None:
            return ImportedKey(module.module, tuple(path), 0)
        return DynamicKey(None, f"the attribute {dotted}")

    def _collection_choices(self, node: ast.expr) -> tuple[Key | None, int | None]:
        """Keys a ``for`` target takes over a literal collection (and the item count)."""
        target = node
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("items", "keys")
            and not node.args
        ):
            target = node.func.value
        literal = (
            self._literal_key_collection(target)
            if isinstance(target, (ast.Dict, ast.List, ast.Tuple, ast.Set))
            else None
        )
        if literal is not None:
            return ChoiceKey(tuple(key for key, _ in literal)), len(literal)
        if (
            isinstance(target, (ast.List, ast.Tuple))
            and target.elts
            and all(
                isinstance(element, ast.Tuple)
                and element.elts
                and _string_constant(element.elts[0]) is not None
                for element in target.elts
            )
        ):
            # for key, default in [("a", 1), ("b", 2)]: the first items are the keys
            firsts = tuple(_string_constant(element.elts[0]) or "" for element in target.elts)  # type: ignore[attr-defined]
            return ChoiceKey(firsts), len(firsts)
        if isinstance(target, ast.Name):
            scope = self._lookup_scope(target.id)
            if (scope is None or not scope.qualname) and target.id in self.collections:
                keys = tuple(key for key, _ in self.collections[target.id])
                return ChoiceKey(keys), len(keys)
            imported = self.from_imports.get(target.id)
            module_level = scope is None or not scope.qualname
            if module_level and imported is not None and imported.name is not None:
                return ImportedKey(
                    imported.module, (imported.name,), imported.level, collection=True
                ), None
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            module = self.module_aliases.get(target.value.id)
            if module is not None:
                return ImportedKey(module.module, (target.attr,), 0, collection=True), None
        return None, None

    # ------------------------------------------------------------- blocks

    def block(self, statements: list[ast.stmt]) -> Block:
        out: list[Node] = []
        for statement in statements:
            self.statement(statement, out)
        return _freeze(out)

    def statement(self, node: ast.stmt, out: list[Node]) -> None:
        method = _STATEMENT_HANDLERS.get(node.__class__)
        if method is not None:
            method(self, node, out)
            return
        for child in _child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, out)

    def stmt_Expr(self, node: ast.Expr, out: list[Node]) -> None:
        self.expr(node.value, out)

    def stmt_Assign(self, node: ast.Assign, out: list[Node]) -> None:
        self.expr(node.value, out)
        for target in node.targets:
            self.assign_target(target, node.value, out)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self._bind_widget(node.targets[0].id, node.value, out)
            self._note_navigation_and_layout(node.targets[0], node.value)
        elif len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple):
            self._note_navigation_and_layout(node.targets[0], node.value)

    def stmt_AnnAssign(self, node: ast.AnnAssign, out: list[Node]) -> None:
        if node.value is not None:
            self.expr(node.value, out)
            self.assign_target(node.target, node.value, out)
            if isinstance(node.target, ast.Name):
                self._bind_widget(node.target.id, node.value, out)

    def stmt_AugAssign(self, node: ast.AugAssign, out: list[Node]) -> None:
        self.expr(node.value, out)
        access = self._state_target(node.target, AccessKind.AUGMENT)
        if access is not None:
            self._record(access, out)
            return
        if isinstance(node.target, (ast.Attribute, ast.Subscript)):
            self.expr(node.target.value, out)

    def stmt_Delete(self, node: ast.Delete, out: list[Node]) -> None:
        for target in node.targets:
            access = self._state_target(target, AccessKind.DELETE)
            if access is not None:
                self._record(access, out)
            elif isinstance(target, (ast.Attribute, ast.Subscript)):
                self.expr(target, out)

    def stmt_If(self, node: ast.If, out: list[Node]) -> None:
        start = len(out)
        cond = self.condition(node.test, out)
        then = self.block(node.body)
        orelse = self.block(node.orelse)
        if cond.kind is CondKind.CONTAINS and cond.key is not None:
            # Only the key's own initialisation: a sentinel guarding other keys' set-up
            # (if "initialized" not in ss: ...) is a real use of the sentinel (RULES.md ST009).
            initialising_arm = then if cond.negated else orelse
            if _written_keys(initialising_arm) == {cond.key}:
                self._mark_init_guard(out, start, cond.key)
        out.append(Branch(cond, then, orelse))

    def _mark_init_guard(self, out: list[Node], start: int, key: Key) -> None:
        """``if "k" not in ss: ss.k = ...``: that test alone does not make ``k`` used (ST009)."""
        for index in range(start, len(out)):
            access = out[index]
            if (
                isinstance(access, Access)
                and access.kind is AccessKind.CONTAINS
                and access.key == key
            ):
                marked = replace(access, init_guard=True)
                out[index] = marked
                for position in range(len(self.accesses) - 1, -1, -1):
                    if self.accesses[position] is access:
                        self.accesses[position] = marked
                        break

    def stmt_While(self, node: ast.While, out: list[Node]) -> None:
        test_events: list[Node] = []
        cond = self.condition(node.test, test_events)
        body = self.block(node.body)
        orelse = self.block(node.orelse)
        out.extend(test_events)
        always = cond.kind is CondKind.CONST and cond.value is True
        count = LoopCount.ONCE_OR_MORE if always else LoopCount.UNKNOWN
        out.append(Loop(count, (*body, *_freeze(test_events)), orelse))

    def stmt_For(self, node: ast.For | ast.AsyncFor, out: list[Node]) -> None:
        self.expr(node.iter, out)
        self._iteration_of_state(node.iter)
        choices, count = self._collection_choices(node.iter)
        scope = self.scopes[-1]
        target = node.target
        if isinstance(target, ast.Tuple) and target.elts:
            target = target.elts[0]
        saved = None
        if isinstance(target, ast.Name) and choices is not None:
            saved = scope.loop_choices.get(target.id)
            scope.loop_choices[target.id] = choices
        self.assign_target(node.target, None, out)
        functions = self._loop_functions(node.target, node.iter)
        saved_functions = {name: scope.loop_functions.get(name) for name in functions}
        scope.loop_functions.update(functions)
        body = self.block(node.body)
        orelse = self.block(node.orelse)
        for name, previous in saved_functions.items():
            if previous is None:
                scope.loop_functions.pop(name, None)
            else:
                scope.loop_functions[name] = previous
        if isinstance(target, ast.Name) and choices is not None:
            if saved is None:
                scope.loop_choices.pop(target.id, None)
            else:
                scope.loop_choices[target.id] = saved
        loop_count = LoopCount.UNKNOWN
        if count is None:
            count = self._literal_length(node.iter)
        if count is not None and count >= 2:
            loop_count = LoopCount.TWICE_OR_MORE
        elif count == 1:
            loop_count = LoopCount.ONCE_OR_MORE
        out.append(Loop(loop_count, body, orelse))

    stmt_AsyncFor = stmt_For

    def _loop_functions(
        self, target: ast.expr, iterable: ast.expr
    ) -> dict[str, tuple[FunctionRef, ...]]:
        """Loop variables that take known functions from a literal list (of tuples)."""
        if not isinstance(iterable, (ast.List, ast.Tuple)) or not iterable.elts:
            return {}
        rows: list[list[ast.expr]] = []
        for element in iterable.elts:
            rows.append(list(element.elts) if isinstance(element, ast.Tuple) else [element])
        names = [target] if isinstance(target, ast.Name) else list(getattr(target, "elts", []))
        found: dict[str, tuple[FunctionRef, ...]] = {}
        for position, name in enumerate(names):
            if not isinstance(name, ast.Name):
                continue
            refs = []
            for row in rows:
                reference = self._function_ref(row[position]) if position < len(row) else None
                if reference is None:
                    break
                refs.append(reference)
            else:
                found[name.id] = tuple(refs)
        return found

    def _literal_length(self, node: ast.expr) -> int | None:
        """How many items iterating ``node`` yields, when it is statically known."""
        if isinstance(node, ast.Name):
            scope = self._lookup_scope(node.id)
            if scope is None or not scope.qualname:
                value = self._module_values.get(node.id)
                return self._literal_length(value) if value is not None else None
            return None
        if isinstance(node, ast.Call) and not node.keywords:
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in ("enumerate", "reversed", "sorted", "list", "tuple") and len(node.args) == 1:
                return self._literal_length(node.args[0])
            if name == "zip" and node.args:
                lengths = [self._literal_length(argument) for argument in node.args]
                return min(lengths) if all(length is not None for length in lengths) else None  # type: ignore[type-var]
            if (
                name in ("items", "keys", "values")
                and isinstance(func, ast.Attribute)
                and not node.args
            ):
                return self._literal_length(func.value)
            if (
                name in ("columns", "tabs")
                and isinstance(func, ast.Attribute)
                and self._is_streamlit_receiver(func.value)
                and node.args
            ):
                spec = node.args[0]
                count = _literal(spec)
                if isinstance(count, int) and not isinstance(count, bool):
                    return count
                if isinstance(count, (list, tuple)):
                    return len(count)
                return self._length_call(spec)
            if name == "len" and len(node.args) == 1:
                return None
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return (
                len(node.elts) if not any(isinstance(e, ast.Starred) for e in node.elts) else None
            )
        if isinstance(node, ast.Dict):
            return len(node.keys)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "range"
        ):
            values = [self._length_call(arg) or _literal(arg) for arg in node.args]
            if values and all(isinstance(value, int) for value in values):
                try:
                    return len(range(*values))  # type: ignore[arg-type]
                except (ValueError, TypeError):
                    return None
        return None

    def _length_call(self, node: ast.expr) -> int | None:
        """``len(X)`` of a statically known collection."""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "len"
            and len(node.args) == 1
        ):
            return self._literal_length(node.args[0])
        return None

    def stmt_With(self, node: ast.With | ast.AsyncWith, out: list[Node]) -> None:
        for item in node.items:
            self.expr(item.context_expr, out)
            if item.optional_vars is not None:
                self._note_navigation_and_layout(item.optional_vars, item.context_expr)
        out.extend(self.block(node.body))

    stmt_AsyncWith = stmt_With

    def stmt_Try(self, node: ast.Try, out: list[Node]) -> None:
        guards = any(self._handler_guards(handler) for handler in node.handlers)
        out.append(
            Try(
                body=self.block(node.body),
                handlers=tuple(self.block(handler.body) for handler in node.handlers),
                orelse=self.block(node.orelse),
                finalbody=self.block(node.finalbody),
                guards_missing_key=guards,
            )
        )

    stmt_TryStar = stmt_Try

    @staticmethod
    def _handler_guards(handler: ast.ExceptHandler) -> bool:
        if handler.type is None:
            return True
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for caught in types:
            name = (
                caught.id
                if isinstance(caught, ast.Name)
                else caught.attr
                if isinstance(caught, ast.Attribute)
                else ""
            )
            if name in KEY_ERROR_GUARDS:
                return True
        return False

    def stmt_Return(self, node: ast.Return, out: list[Node]) -> None:
        if node.value is not None:
            self.expr(node.value, out)
        out.append(Exit(ExitKind.RETURN, self.lines.span(node)))

    def stmt_Raise(self, node: ast.Raise, out: list[Node]) -> None:
        if node.exc is not None:
            self.expr(node.exc, out)
        out.append(Exit(ExitKind.RAISE, self.lines.span(node)))

    def stmt_Break(self, node: ast.Break, out: list[Node]) -> None:
        out.append(Exit(ExitKind.BREAK, self.lines.span(node)))

    def stmt_Continue(self, node: ast.Continue, out: list[Node]) -> None:
        out.append(Exit(ExitKind.CONTINUE, self.lines.span(node)))

    def stmt_Global(self, node: ast.Global, out: list[Node]) -> None:
        self.scopes[-1].globals_declared.update(node.names)

    stmt_Nonlocal = stmt_Global

    def stmt_Match(self, node: ast.Match, out: list[Node]) -> None:
        self.expr(node.subject, out)
        orelse: Block = ()
        for case in reversed(node.cases):
            events: list[Node] = []
            if case.guard is not None:
                self.expr(case.guard, events)
            then = (*_freeze(events), *self.block(case.body))
            orelse = (Branch(UNKNOWN_COND, then, orelse),)
        out.extend(orelse)

    def stmt_FunctionDef(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, out: list[Node]
    ) -> None:
        for decorator in node.decorator_list:
            self.expr(decorator, out)
        for default in (*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]):
            self.expr(default, out)
        parent = self.scopes[-1].qualname
        qualname = f"{parent}.{node.name}" if parent else node.name
        self.function(qualname, node.args, node.body, node, is_fragment=self._is_fragment(node))

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def _is_fragment(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute) and target.attr in (
                "fragment",
                "experimental_fragment",
            ):
                return True
        return False

    def stmt_ClassDef(self, node: ast.ClassDef, out: list[Node]) -> None:
        for decorator in node.decorator_list:
            self.expr(decorator, out)
        class_scope = _Scope(node.name)
        # A class body is not a scope its methods see; only its qualname prefix matters.
        saved = self.scopes
        self.scopes = [*saved[:1], class_scope] if len(saved) == 1 else [*saved, class_scope]
        try:
            for statement in node.body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    qualname = f"{node.name}.{statement.name}"
                    self.scopes = saved
                    self.function(
                        qualname,
                        statement.args,
                        statement.body,
                        statement,
                        is_fragment=self._is_fragment(statement),
                        owner_class=node.name,
                    )
                    self.scopes = [*saved, class_scope]
        finally:
            self.scopes = saved

    def function(
        self,
        qualname: str,
        arguments: ast.arguments,
        body: list[ast.stmt],
        node: ast.AST,
        *,
        is_fragment: bool = False,
        owner_class: str | None = None,
    ) -> None:
        params = self._param_names(arguments)
        scope = _Scope(qualname, params=params)
        scope_facts = self.prepass.scopes.get(id(node)) or _ScopeFacts()
        assigned, values = scope_facts.locals, scope_facts.values
        scope.assigned = assigned
        scope.globals_declared = set(scope_facts.declared_global)
        scope.literal_locals = self._single_literals(values)
        scope.state_aliases.update(self.alias_params.get(qualname, ()))
        for param in params:
            if param in ("session_state",):
                scope.state_aliases.add(param)
        self.scopes.append(scope)
        try:
            self._collect_state_aliases(scope, scope_facts)
            lowered = self.block(body)
            self._find_mutations(scope_facts.statements, scope, owner_class)
        finally:
            self.scopes.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            line = node.lineno
            byte_column = node.col_offset
            encoded = self.lines.line(line).encode("utf-8")
            found = _DEF_NAME.match(encoded, byte_column)
            offset = found.start("name") if found else byte_column
            span = self.lines.name_span(line, offset, node.name)
        else:
            span = self.lines.span(node)
        self.functions.append(
            FunctionFacts(
                qualname=qualname,
                span=span,
                params=params,
                body=lowered,
                is_fragment=is_fragment,
                free_loads=tuple(scope.free_loads),
            )
        )

    # ------------------------------------------------------------- ST007 mutations

    def _find_mutations(
        self, statements: list[ast.AST], scope: _Scope, owner_class: str | None
    ) -> None:
        """ST007 facts: statements of this function (none of a nested one) that mutate a
        module-level container."""
        for node in statements:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Attribute) and func.attr in MUTATING_METHODS:
                    self._mutation_of(func.value, node, scope, owner_class)
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript):
                        self._mutation_of(target.value, node, scope, owner_class)
                    elif isinstance(target, ast.Name) and target.id in scope.globals_declared:
                        if (
                            target.id in self.mutable_globals
                            or target.id in self.constants
                            or isinstance(node, ast.AugAssign)
                        ):
                            self.mutations.append(Mutation(target.id, self.lines.span(node)))
                    elif isinstance(target, ast.Attribute) and isinstance(node, ast.AugAssign):
                        self._mutation_of(target, node, scope, owner_class)
            elif isinstance(node, ast.Delete):
                for target in node.targets:
                    if isinstance(target, ast.Subscript):
                        self._mutation_of(target.value, node, scope, owner_class)

    def _mutation_of(
        self, target: ast.expr, statement: ast.stmt, scope: _Scope, owner_class: str | None
    ) -> None:
        span = self.lines.span(statement)
        if isinstance(target, ast.Name):
            name = target.id
            if (
                name in self.mutable_globals
                and (name not in scope.assigned or name in scope.globals_declared)
                and name not in scope.params
            ):
                self.mutations.append(Mutation(name, span))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = target.value.id
            if owner in ("self", "cls") and owner_class is not None:
                owner = owner_class
                if self._instance_shadows(owner_class, target.attr):
                    return
            if target.attr in self.class_mutables.get(owner, ()):  # noqa: SIM102
                if self._lookup_scope(target.value.id) in (
                    None,
                    self.scopes[0],
                ) or target.value.id in ("self", "cls"):
                    self.mutations.append(Mutation(f"{owner}.{target.attr}", span))

    def _instance_shadows(self, class_name: str, attribute: str) -> bool:
        """``self.x = ...`` anywhere in the class makes ``self.x`` an instance attribute."""
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Assign, ast.AnnAssign)):
                        targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                        for target in targets:
                            if (
                                isinstance(target, ast.Attribute)
                                and target.attr == attribute
                                and isinstance(target.value, ast.Name)
                                and target.value.id == "self"
                            ):
                                return True
        return False

    # --------------------------------------------------------------- targets

    def assign_target(self, target: ast.expr, value: ast.expr | None, out: list[Node]) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.assign_target(
                    element.value if isinstance(element, ast.Starred) else element, None, out
                )
            return
        access = self._state_target(target, AccessKind.WRITE, value)
        if access is not None:
            self._record(access, out)
            return
        if isinstance(target, ast.Attribute):
            self.expr(target.value, out)
        elif isinstance(target, ast.Subscript):
            self.expr(target.value, out)
            self.expr(target.slice, out)

    def _state_target(
        self, target: ast.expr, kind: AccessKind, value: ast.expr | None = None
    ) -> Access | None:
        written_truth = None
        self_copy = False
        if value is not None and kind is AccessKind.WRITE:
            literal = _literal(value)
            if literal is not widget_table.UNKNOWN_VALUE:
                written_truth = bool(literal)
        if isinstance(target, ast.Attribute) and self._is_state_expr(target.value):
            key: Key = LiteralKey(target.attr)
            if value is not None:
                self_copy = self._same_state_access(value, key)
            return Access(
                kind,
                key,
                Syntax.ATTRIBUTE,
                self.lines.span(target),
                self._attr_span(target),
                written_truth,
                self_copy,
                value=_describe_value(value),
                value_span=self._value_span(value),
            )
        if isinstance(target, ast.Subscript) and self._is_state_expr(target.value):
            key = self.key_of(target.slice)
            if value is not None:
                self_copy = self._same_state_access(value, key)
            return Access(
                kind,
                key,
                Syntax.SUBSCRIPT,
                self.lines.span(target),
                self.lines.span(target.slice),
                written_truth,
                self_copy,
                value=_describe_value(value),
                value_span=self._value_span(value),
            )
        return None

    def _same_state_access(self, value: ast.expr, key: Key) -> bool:
        if isinstance(value, ast.Attribute) and self._is_state_expr(value.value):
            return LiteralKey(value.attr) == key
        if isinstance(value, ast.Subscript) and self._is_state_expr(value.value):
            return self.key_of(value.slice) == key
        return False

    def _constant_at(self, span: Span) -> ConstantRef | None:
        """The constant a key token names (``KEY``, ``K.QUERY.value``, ``keys.COUNT``)."""
        if span.line != span.end_line:
            return None
        node = _token_expression(self.lines.line(span.line)[span.column : span.end_column])
        return self._constant_ref(node) if node is not None else None

    def _constant_ref(self, node: ast.expr) -> ConstantRef | None:
        path: list[str] = []
        while isinstance(node, ast.Attribute):
            path.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        path.append(node.id)
        path.reverse()
        if self._lookup_scope(node.id) not in (None, self.scopes[0]):
            return None
        dotted = ".".join(path)
        if dotted in self.constant_spans:
            return ConstantRef(dotted)
        imported = self.from_imports.get(node.id)
        if imported is not None and imported.name is not None:
            return ConstantRef(
                ".".join([imported.name, *path[1:]]), imported.module, imported.level
            )
        module = self.module_aliases.get(node.id)
        if module is not None and len(path) > 1:
            return ConstantRef(".".join(path[1:]), module.module, 0)
        return None

    def _spelled_out(self, access: Access) -> bool:
        """Is the key token the key itself (attribute, keyword, string literal)?"""
        if access.syntax in (Syntax.ATTRIBUTE, Syntax.KEYWORD):
            return True
        span = access.key_span
        if span is None or span.line != span.end_line:
            return False
        token = self.lines.line(span.line)[span.column : span.end_column]
        return _STRING_TOKEN.match(token) is not None

    def _identifier_span(self, line: int, byte_column: int) -> Span:
        """The identifier starting at a position, measured in the source (not NFKC)."""
        text = self.lines.line(line)
        start = self.lines.column(line, byte_column)
        end = start
        while end < len(text) and (text[start : end + 1]).isidentifier():
            end += 1
        while end < len(text) and ("a" + text[start : end + 1]).isidentifier():
            end += 1  # combining marks continue an identifier
        return Span(line, start, line, end)

    def _attr_span(self, node: ast.Attribute) -> Span:
        end_line = node.end_lineno or node.lineno
        end = self.lines.column(end_line, node.end_col_offset or 0)
        # Measured in the source, not from node.attr: Python NFKC-normalises identifiers,
        # so a name typed with a combining accent is longer in the file than in the AST.
        text = self.lines.line(end_line)
        start = end - len(node.attr)
        if not text[start:end].isidentifier() or text[start:end] != node.attr:
            start = end
            while start > 0 and ("a" + text[start - 1 : end]).isidentifier():
                start -= 1
        return Span(end_line, start, end_line, end)

    def _record(self, access: Access, out: list[Node]) -> None:
        if access.key_span is not None:
            literal = self._spelled_out(access)
            constant = None if literal else self._constant_at(access.key_span)
            # The access was built by our caller and is not shared yet: completing it in
            # place costs a fraction of ``dataclasses.replace`` (a hot path).
            object.__setattr__(access, "key_literal", literal)
            object.__setattr__(access, "key_constant", constant)
        self.accesses.append(access)
        out.append(access)

    # ------------------------------------------------------------ expressions

    def expr(self, node: ast.expr | None, out: list[Node]) -> None:
        if node is None:
            return
        cls = node.__class__
        if cls is ast.Constant:
            return  # the most common leaf: nothing under it, nothing to record
        if cls is ast.Name and len(self.scopes) < 2:
            return  # a name at module level: no free variable to note (expr_Name)
        method = _EXPRESSION_HANDLERS.get(cls)
        if method is not None:
            method(self, node, out)
            return
        for child in _child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, out)
            elif isinstance(child, ast.comprehension):
                self.expr(child.iter, out)

    def expr_Name(self, node: ast.Name, out: list[Node]) -> None:
        if not isinstance(node.ctx, ast.Load) or len(self.scopes) < 2:
            return
        scope = self._lookup_scope(node.id)
        if scope is not self.scopes[-1]:
            self.scopes[-1].free_loads.append((node.id, self.lines.span(node)))

    def expr_Attribute(self, node: ast.Attribute, out: list[Node]) -> None:
        if isinstance(node.ctx, ast.Load) and self._is_state_expr(node.value):
            if node.attr in STATE_METHODS:
                return  # a bound method (ss.get) or whole-state view handled by the call
            self._record(
                Access(
                    AccessKind.READ,
                    LiteralKey(node.attr),
                    Syntax.ATTRIBUTE,
                    self.lines.span(node),
                    self._attr_span(node),
                ),
                out,
            )
            return
        self.expr(node.value, out)

    def expr_Subscript(self, node: ast.Subscript, out: list[Node]) -> None:
        if isinstance(node.ctx, ast.Load) and self._is_state_expr(node.value):
            self.expr(node.slice, out)
            self._record(
                Access(
                    AccessKind.READ,
                    self.key_of(node.slice),
                    Syntax.SUBSCRIPT,
                    self.lines.span(node),
                    self.lines.span(node.slice),
                ),
                out,
            )
            return
        self.expr(node.value, out)
        self.expr(node.slice, out)

    def expr_Compare(self, node: ast.Compare, out: list[Node]) -> None:
        self.expr(node.left, out)
        for operator, comparator in zip(node.ops, node.comparators, strict=True):
            if not self._is_state_container(comparator):
                self.expr(comparator, out)
            elif isinstance(operator, (ast.In, ast.NotIn)):
                self._record(
                    Access(
                        AccessKind.CONTAINS,
                        self.key_of(node.left),
                        Syntax.CONTAINS,
                        self.lines.span(node),
                        self.lines.span(node.left),
                    ),
                    out,
                )

    def _is_state_container(self, node: ast.expr) -> bool:
        if self._is_state_expr(node):
            return True
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "keys"
            and self._is_state_expr(node.func.value)
        )

    def expr_BoolOp(self, node: ast.BoolOp, out: list[Node]) -> None:
        self._bool_chain(node, out)

    def _bool_chain(self, node: ast.BoolOp, out: list[Node]) -> Cond:
        """``a and b``: b is evaluated only where a is truthy (guards like ``"k" in ss and ss.k``)."""
        conds: list[Cond] = []
        nested: list[Node] = out
        for index, value in enumerate(node.values):
            cond = self.condition(value, nested)
            conds.append(cond)
            if index == len(node.values) - 1:
                break
            rest: list[Node] = []
            branch_then, branch_else = (rest, []) if isinstance(node.op, ast.And) else ([], rest)
            nested.append(_PendingBranch(cond, branch_then, branch_else))  # type: ignore[arg-type]
            nested = rest
        kind = CondKind.AND if isinstance(node.op, ast.And) else CondKind.OR
        return Cond(kind, operands=tuple(conds))

    def expr_IfExp(self, node: ast.IfExp, out: list[Node]) -> None:
        cond = self.condition(node.test, out)
        then: list[Node] = []
        orelse: list[Node] = []
        self.expr(node.body, then)
        self.expr(node.orelse, orelse)
        out.append(Branch(cond, _freeze(then), _freeze(orelse)))

    def expr_Lambda(self, node: ast.Lambda, out: list[Node]) -> None:
        # A lambda runs when called, not here: its body becomes a function of its own, so
        # its accesses are known (and walked when nothing calls it by name).
        self._callback_ref(node)

    def expr_NamedExpr(self, node: ast.NamedExpr, out: list[Node]) -> None:
        self.expr(node.value, out)
        self._bind_widget(node.target.id, node.value, out)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, out: list[Node]
    ) -> None:
        first, *rest = node.generators
        self.expr(first.iter, out)
        self._iteration_of_state(first.iter)
        body: list[Node] = []
        for generator in rest:
            self.expr(generator.iter, body)
            self._iteration_of_state(generator.iter)
        for generator in node.generators:
            for condition in generator.ifs:
                self.expr(condition, body)
        if isinstance(node, ast.DictComp):
            self.expr(node.key, body)
            self.expr(node.value, body)
        else:
            self.expr(node.elt, body)
        if body:
            out.append(Loop(LoopCount.UNKNOWN, _freeze(body), ()))

    expr_ListComp = _comprehension
    expr_SetComp = _comprehension
    expr_GeneratorExp = _comprehension
    expr_DictComp = _comprehension

    def _iteration_of_state(self, node: ast.expr) -> None:
        target = node
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WHOLE_STATE_METHODS
        ):
            target = node.func.value
        if self._is_state_expr(target):
            self.whole_state_reads.append(self.lines.span(node))

    def expr_Dict(self, node: ast.Dict, out: list[Node]) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None and self._is_state_expr(value):
                self.whole_state_reads.append(self.lines.span(value))
                continue
            self.expr(key, out)
            self.expr(value, out)

    # ------------------------------------------------------------------ calls

    def expr_Call(self, node: ast.Call, out: list[Node]) -> None:
        func = node.func
        # Class checks, not isinstance, in this and the other per-call paths: a call is
        # the commonest non-leaf expression (``ast.parse`` makes no subclasses).
        func_class = func.__class__
        if func_class is ast.Attribute and self._is_state_expr(func.value):  # type: ignore[attr-defined]
            self._state_method_call(node, func.attr, out)  # type: ignore[attr-defined]
            return
        if (
            func_class is ast.Name
            and func.id in ("hasattr", "getattr", "setattr", "delattr")  # type: ignore[attr-defined]
            and len(node.args) >= 2
            and self._is_state_expr(node.args[0])
        ):
            self._attr_builtin(node, func.id, out)  # type: ignore[attr-defined]
            return
        # The callee and the arguments are evaluated before the call runs.
        if func_class is ast.Attribute:
            receiver = func.value  # type: ignore[attr-defined]
            # ``expr`` does nothing with a name at module level (the ``st`` of most
            # calls): not asked. (``_call_effects`` below goes deeper than that call
            # would, so the stack depth a deeply nested call needs stays the same.)
            if receiver.__class__ is not ast.Name or len(self.scopes) > 1:
                self.expr(receiver, out)
        elif func_class is not ast.Name:
            self.expr(func, out)
        state_args: list[int | str] = []
        constant_class = ast.Constant
        for index, argument in enumerate(node.args):
            if argument.__class__ is constant_class:
                continue  # the commonest argument: not session state, nothing under it
            value = argument.value if argument.__class__ is ast.Starred else argument
            if self._is_state_expr(value):
                state_args.append(index)
            else:
                self.expr(value, out)
        for keyword in node.keywords:
            value = keyword.value
            if value.__class__ is constant_class:
                continue
            if self._is_state_expr(value):
                state_args.append(keyword.arg or "**")
            elif keyword.arg not in ("on_change", "on_click"):
                self.expr(value, out)
        self._call_effects(node, state_args, out)

    def _call_effects(self, node: ast.Call, state_args: list[int | str], out: list[Node]) -> None:
        func = node.func
        func_class = func.__class__
        command: str | None
        if func_class is ast.Attribute:
            command = func.attr  # type: ignore[attr-defined]
            receiver_is_streamlit = self._is_streamlit_receiver(func.value)  # type: ignore[attr-defined]
            direct_streamlit = self._is_streamlit_name(func.value)  # type: ignore[attr-defined]
        else:
            command = func.id if func_class is ast.Name else None  # type: ignore[attr-defined]
            receiver_is_streamlit = direct_streamlit = False
        if state_args:
            if receiver_is_streamlit or direct_streamlit:
                self.whole_state_reads.append(self.lines.span(node))
            elif func_class is ast.Name and command in WHOLE_STATE_BUILTINS:
                self.whole_state_reads.append(self.lines.span(node))
                return
        # One test for the other calls (most calls of an app) instead of four.
        if direct_streamlit and command in _FLOW_COMMANDS:
            if command == "stop":
                out.append(Exit(ExitKind.STOP, self.lines.span(node)))
                return
            if command in ("rerun", "experimental_rerun"):
                out.append(Exit(ExitKind.RERUN, self.lines.span(node)))
                return
            if command in ("switch_page", "page_link", "Page"):
                self._page_reference(node, command)  # type: ignore[arg-type]
                if command == "switch_page":
                    out.append(Exit(ExitKind.RERUN, self.lines.span(node)))
                return
            self.has_navigation = True  # st.navigation
            return
        if command == "run" and func_class is ast.Attribute and self._is_navigation(func.value):  # type: ignore[attr-defined]
            out.append(PageRun(self.lines.span(node)))
            return
        spec = widget_table.widget_spec(command) if command and receiver_is_streamlit else None
        if spec is not None:
            widget = self._widget(node, spec)
            self.widgets.append(widget)
            out.append(widget)
            return
        reference = self._function_ref(func)
        # A call of our own function with key=... passes a parameter, not a widget key:
        # the function's body is analysed with that binding.
        # (An imported function may be a third-party component: it stays a keyed call.)
        ours = (
            reference is not None
            and reference.module is None
            and (reference.name in self.function_names or "." in reference.name)
        )
        unknown = self._unknown_keyed_call(node, command) if not ours else None
        if unknown is not None:
            self.widgets.append(unknown)
            out.append(unknown)
        if reference is not None:
            out.append(
                CallEvent(
                    reference,
                    self.lines.span(node),
                    self._call_args(node.args, node.keywords),
                    tuple(state_args),
                )
            )
        if state_args and reference is not None and reference.module is not None:
            # Another module's function gets session state: its parameter's accesses are
            # not in that module's facts, so treat the state as escaping.
            self.state_escapes.append(self.lines.span(node))
            self.whole_state_reads.append(self.lines.span(node))
        elif state_args and reference is None and not (receiver_is_streamlit or direct_streamlit):
            self.state_escapes.append(self.lines.span(node))
            self.whole_state_reads.append(self.lines.span(node))

    def _call_args(
        self, args: list[ast.expr], keywords: list[ast.keyword]
    ) -> tuple[tuple[int | str, Key], ...]:
        found: list[tuple[int | str, Key]] = []
        for index, argument in enumerate(args):
            if isinstance(argument, ast.Starred):
                break
            found.append((index, self.key_of(argument)))
        for keyword in keywords:
            if keyword.arg is not None:
                found.append((keyword.arg, self.key_of(keyword.value)))
        return tuple(found)

    def _is_navigation(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr == "navigation" and self._is_streamlit_name(node.func.value)
        if isinstance(node, ast.Name):
            return any(node.id in scope.navigation_names for scope in self.scopes)
        return False

    def _note_navigation_and_layout(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name) and self._is_navigation(value):
            self.scopes[-1].navigation_names.add(target.id)

    def _page_reference(self, node: ast.Call, command: str) -> None:
        argument = (
            node.args[0]
            if node.args
            else next(
                (
                    keyword.value
                    for keyword in node.keywords
                    if keyword.arg in ("page", "page_name")
                ),
                None,
            )
        )
        if argument is None:
            return
        text = _string_constant(argument)
        in_navigation = command == "Page"
        if text is not None:
            self.pages.append(PageRef(text, False, self.lines.span(argument), in_navigation))
        elif isinstance(argument, ast.Name) and command == "Page":
            self.pages.append(PageRef(argument.id, True, self.lines.span(argument), in_navigation))
        elif isinstance(argument, ast.Attribute) and command == "Page":
            ref = self._function_ref(argument)
            if ref is not None and ref.module is not None:
                self.pages.append(
                    PageRef(
                        f"{ref.module}:{ref.name}", True, self.lines.span(argument), in_navigation
                    )
                )

    def _function_ref(self, func: ast.expr) -> FunctionRef | None:
        if isinstance(func, ast.Name):
            scope = self._lookup_scope(func.id)
            if scope is not None and scope.qualname:
                # A nested function defined in an enclosing function.
                qualname = f"{scope.qualname}.{func.id}"
                return FunctionRef(qualname)
            if func.id in self.function_names:
                return FunctionRef(self.function_names[func.id])
            imported = self.from_imports.get(func.id)
            if (
                imported is not None
                and imported.name is not None
                and not imported.module.startswith("streamlit")
            ):
                return FunctionRef(imported.name, imported.module, imported.level)
            if scope is None and self.star_imports:
                # Perhaps from a star import: the index looks there when this file has none.
                return FunctionRef(func.id)
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            module = self.module_aliases.get(func.value.id)
            if (
                module is not None
                and not module.module.startswith("streamlit")
                and self._lookup_scope(func.value.id) in (None, self.scopes[0])
            ):
                return FunctionRef(func.attr, module.module, 0)
            imported = self.from_imports.get(func.value.id)
            if (
                imported is not None
                and imported.name is not None
                and not imported.module.startswith("streamlit")
            ):
                # from pkg import helpers; helpers.init()  (a submodule or a class)
                return FunctionRef(
                    func.attr,
                    f"{imported.module}.{imported.name}" if imported.module else imported.name,
                    imported.level,
                )
            if func.value.id in self.classes:
                return FunctionRef(f"{func.value.id}.{func.attr}")
        return None

    def _state_method_call(self, node: ast.Call, method: str, out: list[Node]) -> None:
        span = self.lines.span(node)
        args = list(node.args)
        # ss.get("k", default=0): the default may be passed by keyword too.
        default = next((k.value for k in node.keywords if k.arg == "default"), None)
        if default is not None and len(args) == 1:
            args.append(default)
        for argument in args[1:]:
            self.expr(argument, out)
        if method in ("get", "pop", "setdefault") and args:
            key = self.key_of(args[0])
            key_span = self.lines.span(args[0])
            self.expr(args[0], out) if not isinstance(args[0], ast.Constant) else None
            if method == "get":
                kind = AccessKind.SAFE_READ
            elif method == "pop":
                kind = AccessKind.SAFE_READ if len(args) > 1 else AccessKind.POP
            else:
                kind = AccessKind.SETDEFAULT
            truth = None
            if method == "setdefault":
                literal = _literal(args[1]) if len(args) > 1 else None
                truth = None if literal is widget_table.UNKNOWN_VALUE else bool(literal)
            removes = method == "pop"
            value = _describe_value(args[1]) if method == "setdefault" and len(args) > 1 else None
            value_span = (
                self._value_span(args[1]) if method == "setdefault" and len(args) > 1 else None
            )
            self._record(
                Access(
                    kind,
                    key,
                    Syntax.CALL_ARG,
                    span,
                    key_span,
                    truth,
                    removes=removes,
                    value=value,
                    value_span=value_span,
                ),
                out,
            )
            return
        if method == "update":
            self._update_call(node, out)
            return
        if method in WHOLE_STATE_METHODS:
            self.whole_state_reads.append(span)

    def _update_call(self, node: ast.Call, out: list[Node], span: Span | None = None) -> None:
        span = span or self.lines.span(node)
        for argument in node.args:
            if isinstance(argument, ast.Dict):
                for key, value in zip(argument.keys, argument.values, strict=True):
                    self.expr(value, out)
                    if key is None:
                        self._record(
                            Access(
                                AccessKind.WRITE,
                                DynamicKey(None, "an unpacked mapping"),
                                Syntax.DICT_KEY,
                                span,
                                None,
                            ),
                            out,
                        )
                        continue
                    truth = _literal(value)
                    self._record(
                        Access(
                            AccessKind.WRITE,
                            self.key_of(key),
                            Syntax.DICT_KEY,
                            span,
                            self.lines.span(key),
                            None if truth is widget_table.UNKNOWN_VALUE else bool(truth),
                        ),
                        out,
                    )
            elif (
                isinstance(argument, ast.Call)
                and isinstance(argument.func, ast.Name)
                and argument.func.id == "dict"
                and not argument.args
            ):
                self._keyword_writes(argument.keywords, span, out)
            elif (
                isinstance(argument, ast.Name)
                and argument.id in self.collections
                and self._lookup_scope(argument.id) in (None, self.scopes[0])
            ):
                for key, literal in self.collections[argument.id]:
                    self._record(
                        Access(
                            AccessKind.WRITE,
                            LiteralKey(key),
                            Syntax.DICT_KEY,
                            span,
                            self.lines.span(literal),
                        ),
                        out,
                    )
            else:
                self.expr(argument, out)
                choices, _ = self._collection_choices(argument)
                key = choices if choices is not None else DynamicKey(None, "a mapping")
                self._record(Access(AccessKind.WRITE, key, Syntax.DICT_KEY, span, None), out)
        self._keyword_writes(node.keywords, span, out)

    def _keyword_writes(self, keywords: list[ast.keyword], span: Span, out: list[Node]) -> None:
        for keyword in keywords:
            if keyword.arg is None and isinstance(keyword.value, ast.Dict):
                # ss.update(**{"a": 1}): the same as ss.update({"a": 1})
                self._update_call(
                    ast.Call(func=keyword.value, args=[keyword.value], keywords=[]), out, span
                )
                continue
            self.expr(keyword.value, out)
            if keyword.arg is None:
                self._record(
                    Access(
                        AccessKind.WRITE,
                        DynamicKey(None, "an unpacked mapping"),
                        Syntax.KEYWORD,
                        span,
                        None,
                    ),
                    out,
                )
                continue
            line = keyword.lineno
            key_span = self._identifier_span(line, keyword.col_offset)
            truth = _literal(keyword.value)
            self._record(
                Access(
                    AccessKind.WRITE,
                    LiteralKey(keyword.arg),
                    Syntax.KEYWORD,
                    span,
                    key_span,
                    None if truth is widget_table.UNKNOWN_VALUE else bool(truth),
                ),
                out,
            )

    def _attr_builtin(self, node: ast.Call, builtin: str, out: list[Node]) -> None:
        key = self.key_of(node.args[1])
        span = self.lines.span(node)
        key_span = self.lines.span(node.args[1])
        for argument in node.args[2:]:
            self.expr(argument, out)
        if builtin == "hasattr":
            kind = AccessKind.CONTAINS
        elif builtin == "getattr":
            kind = AccessKind.SAFE_READ if len(node.args) > 2 else AccessKind.READ
        elif builtin == "setattr":
            kind = AccessKind.WRITE
        else:
            kind = AccessKind.DELETE
        self._record(Access(kind, key, Syntax.CALL_ARG, span, key_span), out)

    # ---------------------------------------------------------------- widgets

    def _arguments(self, node: ast.Call) -> tuple[list[object], dict[str, object], bool]:
        positional: list[object] = []
        keywords: dict[str, object] = {}
        opaque = False
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                opaque = True
                break
            positional.append(_argument_value(argument))
        for keyword in node.keywords:
            if keyword.arg is None:
                opaque = True
                continue
            keywords[keyword.arg] = _argument_value(keyword.value)
        return positional, keywords, opaque

    def _value_span(self, value: ast.expr | None) -> Span | None:
        """Where a non-literal written value is, for type inference on hover."""
        if value is None or _describe_value(value) is not None:
            return None
        return self.lines.span(value)

    def _keyword_span(self, node: ast.Call, name: str) -> Span | None:
        for keyword in node.keywords:
            if keyword.arg == name:
                return self.lines.span(keyword)
        return None

    def _argument_node(self, node: ast.Call, name: str, position: int | None) -> ast.expr | None:
        for keyword in node.keywords:
            if keyword.arg == name:
                return keyword.value
        if (
            position is not None
            and position < len(node.args)
            and not any(isinstance(a, ast.Starred) for a in node.args[: position + 1])
        ):
            return node.args[position]
        return None

    def _widget(self, node: ast.Call, spec: widget_table.WidgetSpec) -> WidgetCall:
        positional, keywords, opaque = self._arguments(node)
        key_node = self._argument_node(node, "key", spec.key_position)
        key = self.key_of(key_node) if key_node is not None else None
        if isinstance(key_node, ast.Constant) and key_node.value is None:
            key = None
        if isinstance(key, LiteralKey) and key.value == "None":
            key = None  # Streamlit treats key="None" as no key (RULES.md section 6.8)
        has_default = widget_table.has_default(
            spec, positional, keywords, star_args=opaque, star_kwargs=opaque
        )
        first_run = widget_table.first_run_value(
            spec, positional, keywords, star_args=opaque, star_kwargs=opaque
        )

        star_args = ast.Starred in map(type, node.args)
        star_kwargs = any(keyword.arg is None for keyword in node.keywords)

        def in_call(question: Callable[..., bool | None]) -> bool:
            answer = question(
                spec, positional, keywords, star_args=star_args, star_kwargs=star_kwargs
            )
            return answer is not False

        persists = (
            keywords.get("persist_state") == "session" or keywords.get("bind") == "query-params"
        )
        label_node = node.args[0] if node.args else None
        label = _string_constant(label_node) if label_node is not None else None
        callbacks = []
        for parameter in spec.callbacks:
            callback = self._argument_node(node, parameter, None)
            if callback is None:
                continue
            references = self._callback_refs(callback)
            if not references:
                continue
            args_node = self._argument_node(node, "args", None)
            kwargs_node = self._argument_node(node, "kwargs", None)
            call_args: list[tuple[int | str, Key]] = []
            if isinstance(args_node, (ast.Tuple, ast.List)):
                call_args.extend(self._call_args(list(args_node.elts), []))
            if isinstance(kwargs_node, ast.Dict):
                for key_expr, value in zip(kwargs_node.keys, kwargs_node.values, strict=True):
                    name = _string_constant(key_expr) if key_expr is not None else None
                    if name is not None:
                        call_args.append((name, self.key_of(value)))
            if isinstance(callback, ast.Call):  # functools.partial(f, *args)
                call_args = [*self._call_args(callback.args[1:], callback.keywords), *call_args]
            callbacks.extend(
                CallEvent(reference, self.lines.span(callback), tuple(call_args))
                for reference in references
            )
        return WidgetCall(
            command=spec.command,
            known=True,
            key=key,
            span=self.lines.span(node),
            key_span=self.lines.span(key_node) if key_node is not None else None,
            default_span=self._keyword_span(node, spec.default.name) if spec.default else None,
            label=label,
            has_default=has_default,
            first_run=first_run,
            # A callback passed by name (not a literal) counts as given: it usually is.
            stores_value=key is not None and in_call(widget_table.stores_value_in_call),
            registers_key=key is not None and in_call(widget_table.registers_key_in_call),
            readonly=key is not None and in_call(widget_table.readonly_in_call),
            is_form=spec.is_form,
            persists=persists,
            callbacks=tuple(callbacks),
            key_literal=_string_constant(key_node) is not None if key_node is not None else False,
            key_constant=self._constant_ref(key_node) if key_node is not None else None,
        )

    def _callback_refs(self, node: ast.expr) -> tuple[FunctionRef, ...]:
        if isinstance(node, ast.Name):
            for scope in reversed(self.scopes):
                if node.id in scope.loop_functions:
                    return scope.loop_functions[node.id]
        reference = self._callback_ref(node)
        return (reference,) if reference is not None else ()

    def _callback_ref(self, node: ast.expr) -> FunctionRef | None:
        if isinstance(node, ast.Lambda):
            parent = self.scopes[-1].qualname
            name = f"<lambda:{node.lineno}:{node.col_offset}>"
            qualname = f"{parent}.{name}" if parent else name
            self.function(
                qualname,
                node.args,
                [
                    ast.Expr(
                        node.body,
                        lineno=node.lineno,
                        col_offset=node.col_offset,
                        end_lineno=node.end_lineno,
                        end_col_offset=node.end_col_offset,
                    )
                ],
                node,
            )
            return FunctionRef(qualname)
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name == "partial":
                return self._callback_ref(node.args[0])
            return None
        return self._function_ref(node)

    def _unknown_keyed_call(self, node: ast.Call, command: str | None) -> WidgetCall | None:
        """A third-party component (or anything) called with ``key=``: it may store a value."""
        key_node = next((keyword.value for keyword in node.keywords if keyword.arg == "key"), None)
        if key_node is None or command in NOT_WIDGET_KEY_CALLS or command is None:
            return None
        if isinstance(key_node, (ast.Lambda, ast.Attribute)) and not isinstance(
            self.key_of(key_node), (LiteralKey, ImportedKey)
        ):
            return None
        key = self.key_of(key_node)
        if isinstance(key, DynamicKey) and not isinstance(key_node, (ast.JoinedStr, ast.BinOp)):
            return None
        return WidgetCall(
            command=command,
            known=False,
            key=key,
            span=self.lines.span(node),
            key_span=self.lines.span(key_node),
            label=None,
            has_default=None,
            first_run=widget_table.FirstRunValue.UNKNOWN,
            stores_value=True,
            registers_key=False,
            readonly=False,
            is_form=False,
            persists=False,
        )

    def _bind_widget(self, name: str, value: ast.expr, out: list[Node]) -> None:
        widget = next((node for node in reversed(out) if isinstance(node, WidgetCall)), None)
        if (
            widget is None
            or not isinstance(value, ast.Call)
            or widget.span != self.lines.span(value)
        ):
            return
        out.append(BindEvent(name, widget))
        if widget.known:
            scope = self.scopes[-1].qualname
            self.widget_bindings.append(WidgetBinding(name, scope, widget))

    # -------------------------------------------------------------- conditions

    def condition(self, node: ast.expr, out: list[Node]) -> Cond:
        """Lower a test: emit its events into ``out`` and return what it means on a run."""
        if isinstance(node, ast.Constant):
            return Cond(CondKind.CONST, value=bool(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Cond(CondKind.NOT, operands=(self.condition(node.operand, out),))
        if isinstance(node, ast.BoolOp):
            return self._bool_chain(node, out)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            operator, right = node.ops[0], node.comparators[0]
            if self._is_main_check(node):
                return Cond(CondKind.CONST, value=isinstance(operator, ast.Eq))
            if isinstance(operator, (ast.In, ast.NotIn)) and self._is_state_container(right):
                self.expr(node, out)
                return Cond(
                    CondKind.CONTAINS,
                    key=self.key_of(node.left),
                    negated=isinstance(operator, ast.NotIn),
                )
            if (
                isinstance(operator, (ast.Is, ast.IsNot))
                and isinstance(right, ast.Constant)
                and right.value is None
            ):
                operand = self.condition(node.left, out)
                return Cond(
                    CondKind.IS_NONE, negated=isinstance(operator, ast.IsNot), operands=(operand,)
                )
        if isinstance(node, ast.Name):
            self.expr(node, out)
            return Cond(CondKind.NAME, name=node.id)
        if isinstance(node, ast.NamedExpr):
            self.expr(node, out)
            return Cond(CondKind.NAME, name=node.target.id)
        state_value = self._state_value_cond(node)
        if state_value is not None:
            self.expr(node, out)
            return state_value
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "hasattr"
            and len(node.args) == 2
            and self._is_state_expr(node.args[0])
        ):
            self.expr(node, out)
            return Cond(CondKind.CONTAINS, key=self.key_of(node.args[1]))
        self.expr(node, out)
        if (
            isinstance(node, ast.Call)
            and out
            and isinstance(out[-1], WidgetCall)
            and out[-1].span == self.lines.span(node)
        ):
            synthetic = f"<widget:{node.lineno}:{node.col_offset}>"
            out.append(BindEvent(synthetic, out[-1]))
            return Cond(CondKind.NAME, name=synthetic)
        return UNKNOWN_COND

    def _is_main_check(self, node: ast.Compare) -> bool:
        left, right = node.left, node.comparators[0]
        names = {getattr(left, "id", None), getattr(right, "id", None)}
        values = {getattr(left, "value", None), getattr(right, "value", None)}
        return (
            "__name__" in names
            and "__main__" in values
            and isinstance(node.ops[0], (ast.Eq, ast.NotEq))
        )

    def _state_value_cond(self, node: ast.expr) -> Cond | None:
        if (
            isinstance(node, ast.Attribute)
            and self._is_state_expr(node.value)
            and node.attr not in STATE_METHODS
        ):
            return Cond(CondKind.KEY_VALUE, key=LiteralKey(node.attr))
        if isinstance(node, ast.Subscript) and self._is_state_expr(node.value):
            return Cond(CondKind.KEY_VALUE, key=self.key_of(node.slice))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and self._is_state_expr(node.func.value)
            and node.args
        ):
            default_node = (
                node.args[1]
                if len(node.args) > 1
                else next(
                    (keyword.value for keyword in node.keywords if keyword.arg == "default"), None
                )
            )
            default = _literal(default_node) if default_node is not None else None
            truth = None if default is widget_table.UNKNOWN_VALUE else bool(default)
            return Cond(CondKind.KEY_VALUE, key=self.key_of(node.args[0]), value=truth, safe=True)
        return None


def _handlers(prefix: str) -> Mapping[type, Callable[..., None]]:
    """``Extractor``'s ``stmt_If``-style methods by node class: one dict lookup per node
    instead of building a method name and looking it up."""
    table = {}
    for name in dir(Extractor):
        node_class = getattr(ast, name[len(prefix) :], None) if name.startswith(prefix) else None
        if isinstance(node_class, type) and issubclass(node_class, ast.AST):
            table[node_class] = getattr(Extractor, name)
    return table


_STATEMENT_HANDLERS = _handlers("stmt_")
_EXPRESSION_HANDLERS = _handlers("expr_")


@dataclass
class _PendingBranch:
    """A short-circuit branch whose arms are filled while the chain is lowered."""

    cond: Cond
    then: list[Node]
    orelse: list[Node]


def _written_keys(block: Block) -> set[Key]:
    """Keys a block writes, looking into branches, loops and try blocks."""
    found: set[Key] = set()
    for node in block:
        if isinstance(node, Access) and node.kind.writes:
            found.add(node.key)
        elif isinstance(node, Branch):
            found |= _written_keys(node.then) | _written_keys(node.orelse)
        elif isinstance(node, Loop):
            found |= _written_keys(node.body)
        elif isinstance(node, Try):
            found |= _written_keys(node.body)
            for handler in node.handlers:
                found |= _written_keys(handler)
    return found


def _freeze(nodes: list[Node]) -> Block:
    """Turn lowered nodes into an immutable block, resolving pending short-circuit branches."""
    if _PendingBranch not in map(type, nodes):
        return tuple(nodes)  # most blocks: no short-circuit branch to resolve
    frozen: list[Node] = []
    for node in nodes:
        if node.__class__ is _PendingBranch:
            frozen.append(Branch(node.cond, _freeze(node.then), _freeze(node.orelse)))
        else:
            frozen.append(node)
    return tuple(frozen)
