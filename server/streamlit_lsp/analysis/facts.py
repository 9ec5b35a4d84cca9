"""Immutable facts extracted from one file's source.

Extraction (``extract.py``) turns a file into a ``FileFacts``; everything after it (the
workspace index, the run simulation, the rules, the server) reads facts only and never
looks at source again. Facts hold no references to ``ast`` nodes, so they are cheap to
keep for every file of a workspace and safe to share between threads.

Two kinds of facts live here:

* flat tables (every session-state access, every widget call, constants, imports,
  functions) for the questions "where is key K used" and "what does file F define";
* a small control-flow tree per body (``Block``) that keeps statement order, branches,
  loops, ``try`` guards and exits, so the run simulation (``flow.py``) can tell which
  accesses happen before which on a real run.
"""

from __future__ import annotations

import enum
from dataclasses import field

from streamlit_lsp.analysis.widgets import FirstRunValue
from streamlit_lsp.diagnostics import Span
from streamlit_lsp.records import record


class _Fact:
    """Base of the facts classes, which are ``record``s (immutable, slotted).

    Slots take about half the memory of an instance ``__dict__`` (facts are kept for
    every file of a workspace). Pickled (the facts cache, worker processes) as a call
    of the constructor (``record``).
    """

    __slots__ = ()


class _FactEnum(enum.Enum):
    """Base of the facts' enumerations: pickled by name, a lookup in C (``getattr``),
    where an ``Enum`` is rebuilt from its value by a Python call (20,000 a warm start)."""

    def __reduce_ex__(self, protocol: object) -> tuple[object, tuple[type, str]]:
        return getattr, (type(self), self.name)


# --------------------------------------------------------------------------- keys


@record
class LiteralKey(_Fact):
    """A key known in this file: a string literal, a constant, an enum member."""

    value: str


@record
class ChoiceKey(_Fact):
    """One of several known keys: a loop variable over a literal dict or list of keys."""

    values: tuple[str, ...]


@record
class ImportedKey(_Fact):
    """A key held by a name imported from another module, resolved by the index.

    ``path`` is the dotted name inside that module: ``("COUNT",)`` for
    ``from keys import COUNT``; ``("K", "QUERY")`` for ``K.QUERY`` with ``K`` imported;
    a trailing ``"value"`` for an enum member's ``.value``.
    """

    module: str
    path: tuple[str, ...]
    level: int = 0
    # The name holds a literal dict or list of keys (``for k in KEYS``): one of them.
    collection: bool = False


@record
class DynamicKey(_Fact):
    """A key only known at run time (f-string, variable, call).

    ``pattern`` is a regular expression every runtime value of the key matches, built
    from the literal parts of an f-string or concatenation; ``None`` means anything.
    """

    pattern: str | None = None
    description: str = "a computed key"


@record
class ParamKey(_Fact):
    """A key held by a parameter of the enclosing function: known per call site.

    ``def init(key, value): ss.setdefault(key, value)`` called as ``init("count", 0)``
    initialises ``"count"``; the run simulation binds it when it enters the call.
    """

    index: int
    name: str


Key = LiteralKey | ChoiceKey | ImportedKey | DynamicKey | ParamKey


@record
class ConstantRef(_Fact):
    """A constant named at a key site: in this file (module None) or imported."""

    name: str  # dotted inside its module: "COUNT", "K.QUERY"
    module: str | None = None
    level: int = 0


# ---------------------------------------------------------------------- accesses


class AccessKind(_FactEnum):
    """What an access does to session state (RULES.md section 1)."""

    READ = "read"  # ss.k, ss["k"]: raises when missing
    AUGMENT = "augment"  # ss.k += 1: reads (raises when missing), then writes
    DELETE = "delete"  # del ss.k: raises when missing; not a write
    POP = "pop"  # ss.pop("k"): reads (raises when missing), then deletes
    SAFE_READ = "safe_read"  # .get, .pop with a default, hasattr: never raise
    CONTAINS = "contains"  # "k" in ss: never raises
    WRITE = "write"  # assignment, update(): always writes
    SETDEFAULT = "setdefault"  # writes only when the key is missing

    def __init__(self, value: str) -> None:
        # Plain attributes, set once per member: the run simulation asks them of every
        # access it meets (as properties they were 5% of an analysis).
        self.raises_when_missing: bool = value in ("read", "augment", "delete", "pop")
        # Uses the stored value (what ST008/ST009 count as a read).
        self.reads_value: bool = value in ("read", "augment", "pop", "safe_read")
        self.writes: bool = value in ("write", "augment", "setdefault")


class Syntax(_FactEnum):
    """How the key is spelled at the site; the server's rename and quick fixes need it."""

    ATTRIBUTE = "attribute"  # ss.k
    SUBSCRIPT = "subscript"  # ss["k"]
    CALL_ARG = "call_arg"  # ss.get("k"), ss.pop("k"), setdefault, hasattr(ss, "k")
    KEYWORD = "keyword"  # ss.update(k=1)
    DICT_KEY = "dict_key"  # ss.update({"k": 1})
    CONTAINS = "contains"  # "k" in ss
    LOOP = "loop"  # for k in KEYS: ss[k] ...


@record
class Access(_Fact):
    kind: AccessKind
    key: Key
    syntax: Syntax
    span: Span  # the whole access expression (what a diagnostic underlines)
    key_span: Span | None  # the key token: attribute name or string literal (with quotes)
    # True for an assignment whose value is a literal: its truthiness on the first run
    # is known (``None`` when not a literal or not a write).
    written_truth: bool | None = None
    # ss.k = ss.k: the keep-alive trick (RULES.md section 4).
    self_copy: bool = False
    # ss.pop("k", default): never raises, but removes the key.
    removes: bool = False
    # The ``"k" not in ss`` test guarding the key's own initialisation (ST009 ignores it).
    init_guard: bool = False
    # The written literal, described for people: "int = 0", "list = []".
    value: str | None = None
    # The key token is the key spelled out (an attribute name, a keyword, a string
    # literal), not a constant or variable holding it: a rename may edit it in place.
    key_literal: bool = False
    # The constant holding the key, when the token names one (``KEY``, ``keys.COUNT``).
    key_constant: ConstantRef | None = None
    # The written value's expression, when it is not a literal (hover infers its type).
    value_span: Span | None = None


# ------------------------------------------------------------------------ widgets


@record
class FunctionRef(_Fact):
    """A function named at a call or callback site, resolved by the index.

    ``module`` is ``None`` for a function of the same file (``name`` may be dotted
    for a nested function: ``outer.inner``), otherwise the imported module.
    """

    name: str
    module: str | None = None
    level: int = 0


@record
class CallEvent(_Fact):
    """A call of a function the index may resolve; its body runs here.

    ``args`` maps positional indexes and keyword names to the key each argument would
    be if the callee used it as one (``DynamicKey`` when it is not a known string).
    """

    function: FunctionRef
    span: Span
    args: tuple[tuple[int | str, Key], ...] = ()
    # Positions/keywords where session state itself is passed (the parameter aliases it).
    state_args: tuple[int | str, ...] = ()


@record
class WidgetCall(_Fact):
    command: str  # "slider", or the attribute name of an unknown keyed call
    known: bool  # a Streamlit element from the widget table (else: any call with key=)
    key: Key | None
    span: Span
    key_span: Span | None
    label: str | None
    has_default: bool | None  # ST004: Streamlit passes a non-None default_value
    first_run: FirstRunValue
    stores_value: bool  # key=... creates a session-state entry
    registers_key: bool  # key enters the per-run duplicate-key set
    readonly: bool  # writes through session state are refused
    is_form: bool
    persists: bool  # persist_state="session" or bind="query-params": kept across pages
    # on_change/on_click, with args=/kwargs= bound as the call's arguments.
    callbacks: tuple[CallEvent, ...] = ()
    # key= is a string literal (not a constant or variable holding the key).
    key_literal: bool = False
    # The default argument passed by keyword (``value=50``), for the ST004 quick fix.
    default_span: Span | None = None
    key_constant: ConstantRef | None = None


# ------------------------------------------------------------------ control flow


class CondKind(_FactEnum):
    CONST = "const"  # value: True / False
    CONTAINS = "contains"  # key in ss (negated: not in)
    KEY_VALUE = "key_value"  # truthiness of ss.k / ss["k"] / ss.get("k", default)
    NAME = "name"  # truthiness of a local name (a widget's return value)
    NOT = "not"
    AND = "and"
    OR = "or"
    IS_NONE = "is_none"  # operand is None (negated: is not None)
    UNKNOWN = "unknown"


@record
class Cond(_Fact):
    kind: CondKind
    value: bool | None = None  # CONST; KEY_VALUE: truthiness of the .get default
    key: Key | None = None
    name: str | None = None
    negated: bool = False
    operands: tuple[Cond, ...] = ()
    # KEY_VALUE through .get(): never raises; ``value`` is then the default's truthiness.
    safe: bool = False


UNKNOWN_COND = Cond(CondKind.UNKNOWN)


@record
class BindEvent(_Fact):
    """``name = <widget call>``: lets a later ``if name:`` be evaluated on the first run."""

    name: str
    widget: WidgetCall


class ExitKind(_FactEnum):
    STOP = "stop"  # st.stop(): ends the run
    RERUN = "rerun"  # st.rerun() / st.switch_page(): ends this run, starts another
    RETURN = "return"
    RAISE = "raise"
    BREAK = "break"
    CONTINUE = "continue"


@record
class Exit(_Fact):
    kind: ExitKind
    span: Span


@record
class PageRun(_Fact):
    """``st.navigation(...).run()``: the selected page's script runs here."""

    span: Span


@record
class Branch(_Fact):
    cond: Cond
    then: Block
    orelse: Block


class LoopCount(_FactEnum):
    UNKNOWN = "unknown"  # may run zero times
    ONCE_OR_MORE = "once_or_more"  # a literal with one item
    TWICE_OR_MORE = "twice_or_more"  # a literal with two or more items


@record
class Loop(_Fact):
    count: LoopCount
    body: Block
    orelse: Block


@record
class Try(_Fact):
    body: Block
    handlers: tuple[Block, ...]
    orelse: Block
    finalbody: Block
    # A handler catches KeyError/AttributeError (or broader): reads in the body are guarded.
    guards_missing_key: bool


Node = Access | WidgetCall | CallEvent | BindEvent | Exit | PageRun | Branch | Loop | Try
Block = tuple[Node, ...]


# -------------------------------------------------------------- file-level tables


@record
class FunctionFacts(_Fact):
    qualname: str  # "render", "Page.show", "outer.inner", "<lambda:12:4>"
    span: Span  # the name (or the lambda)
    params: tuple[str, ...]
    body: Block
    is_fragment: bool = False
    # Names the body reads from enclosing scopes (module globals, closures), for ST010.
    free_loads: tuple[tuple[str, Span], ...] = ()


@record
class ImportFact(_Fact):
    """``import m`` (name = None) or ``from m import name as alias``."""

    module: str
    name: str | None
    alias: str
    level: int
    span: Span


@record
class WidgetBinding(_Fact):
    """A name bound to a widget's return value, for ST010 (stale in callbacks)."""

    name: str
    scope: str  # "" for module level, else the function's qualname
    widget: WidgetCall


@record
class Mutation(_Fact):
    """A statement inside a function that mutates a module-level container (ST007)."""

    name: str  # "SEARCHES" or "Registry.events"
    span: Span


@record
class PageRef(_Fact):
    """A page named in ``st.Page(...)``, ``st.switch_page``, ``st.page_link``."""

    target: str  # a path as written, or a function name for st.Page(callable)
    is_callable: bool
    span: Span
    in_navigation: bool


@record
class ParseError(_Fact):
    message: str
    span: Span


@record
class FileFacts(_Fact):
    """Everything the analysis knows about one file."""

    uses_streamlit: bool
    parse_error: ParseError | None = None
    # Valid only for a newer Python than the one running (PEP 701 f-strings on 3.11):
    # not a syntax error, but its facts are unknown, so checks that need every file back off.
    opaque: bool = False
    body: Block = ()
    functions: tuple[FunctionFacts, ...] = ()
    accesses: tuple[Access, ...] = ()
    widgets: tuple[WidgetCall, ...] = ()
    imports: tuple[ImportFact, ...] = ()
    # Module constants that hold keys, dotted: "COUNT", "Keys.HISTORY", "K.QUERY".
    constants: tuple[tuple[str, str], ...] = ()
    # Where each string constant's literal is written ("COUNT", "K.QUERY"), for renames
    # that change a key held by a constant: the constant's value is edited, not its uses.
    constant_spans: tuple[tuple[str, Span], ...] = ()
    # Module-level literal dicts/lists/tuples of string keys: ("DEFAULTS", ("a", "b")).
    key_collections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # ``from m import *``: (module, level); unresolved names may come from there.
    star_imports: tuple[tuple[str, int], ...] = ()
    # Names re-exported from other modules: ("COUNT", ImportedKey(...)).
    reexports: tuple[tuple[str, ImportedKey], ...] = ()
    widget_bindings: tuple[WidgetBinding, ...] = ()
    mutations: tuple[Mutation, ...] = ()
    pages: tuple[PageRef, ...] = ()
    # Session state used as a whole (iterated, printed, passed to code we cannot see):
    # keys may be read in ways no table shows, so "unused key" backs off.
    whole_state_reads: tuple[Span, ...] = ()
    # Session state passed to a function outside the workspace: it may write any key.
    state_escapes: tuple[Span, ...] = ()
    has_navigation: bool = False
    # Names bound to the streamlit module, and names bound to session state (any scope):
    # what completion recognises on the line being typed.
    streamlit_aliases: tuple[str, ...] = ()
    state_aliases: tuple[str, ...] = ()
    # Lines with a noqa comment: (line, codes); no codes means every code.
    noqa: tuple[tuple[int, frozenset[str]], ...] = field(default=())

    def function(self, qualname: str) -> FunctionFacts | None:
        for function in self.functions:
            if function.qualname == qualname:
                return function
        return None
