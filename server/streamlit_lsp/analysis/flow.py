"""The run simulation: walk an app's scripts in execution order and record what happens.

Streamlit's mistakes depend on order within one run (RULES.md section 1): a read before
the key exists, a write after the widget registered, two widgets with one key. This
module walks the control-flow blocks of ``facts.py`` the way a rerun executes them,
inlining calls of functions the index resolves, and records *observations*: each read
with whether the key was certainly missing there, each write with the widget already
registered under its key, each widget with the writes that preceded it.

Two modes:

* ``FIRST_RUN`` evaluates conditions the way a fresh session sees them (buttons are
  ``False``, ``"k" in ss`` is ``False`` for a key nothing wrote yet, an empty text
  input is falsy ...). Only code *certainly* reached is considered certain: a read
  inside a branch the analysis cannot decide is never reported as read-before-init.
* ``ANY_RUN`` treats every undecidable branch as possibly taken (later reruns), and
  keeps *must* facts (what certainly happened on every path) for order errors.

Every run is walked in ``ANY_RUN``; a ``FIRST_RUN`` walk only where that walk shows it
could change a finding (``first_run_matters``).

The walk is a forward data-flow: at a join, *may* sets are unions and *must* sets are
intersections. Loops are walked twice so facts from an earlier iteration reach the
next. Recursion and call depth are bounded.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Generator, Hashable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TypeVar

from streamlit_lsp.analysis.facts import (
    Access,
    AccessKind,
    BindEvent,
    Block,
    Branch,
    CallEvent,
    Cond,
    CondKind,
    Exit,
    ExitKind,
    FileFacts,
    FunctionFacts,
    Loop,
    LoopCount,
    PageRun,
    Try,
    WidgetCall,
)
from streamlit_lsp.analysis.program import App, KeySet, Program, Run
from streamlit_lsp.analysis.walk_resume import (
    CallbackWalk,
    CallbackWalks,
    Checkpoint,
    Exits,
    Lengths,
    PageWalk,
    Resumable,
    Resumption,
    checkpoint_step,
    copied,
    tables_of,
)
from streamlit_lsp.analysis.widgets import FirstRunValue
from streamlit_lsp.records import record

MAX_CALL_DEPTH = 12
# Node visits one app's simulation may spend. Inlining calls and walking loops twice can
# multiply work on pathological code; past the budget, calls are no longer inlined and
# loops are walked once, so the analysis stays linear (and merely less precise).
WALK_BUDGET = 400_000

T = TypeVar("T")


@dataclass
class Budget:
    remaining: int = WALK_BUDGET

    def spend(self, amount: int = 1) -> bool:
        self.remaining -= amount
        return self.remaining > 0


# Accesses whose key is read (a missing key is observed, whether or not it raises).
_READING_KINDS = (
    AccessKind.READ,
    AccessKind.AUGMENT,
    AccessKind.DELETE,
    AccessKind.POP,
    AccessKind.SAFE_READ,
    AccessKind.CONTAINS,
)


class Mode(enum.Enum):
    FIRST_RUN = "first_run"
    ANY_RUN = "any_run"


# ------------------------------------------------------------------ observations


@record
class Context:
    """Where a walk happens: the app, the run, and whether inside a callback."""

    app: App
    run: Run | None
    mode: Mode
    in_callback: bool = False


@record
class ReadSeen:
    path: Path
    access: Access
    key: str
    guarded: bool  # a guard protects it: in-test, try/except KeyError, a key known present
    definite: bool  # FIRST_RUN: certainly executed on a fresh session's first run
    missing: bool  # FIRST_RUN: the key was certainly not initialised at this point
    context: Context


@record
class WidgetSeen:
    path: Path
    widget: WidgetCall
    key: str
    context: Context
    duplicate_of: WidgetSeen | None = None
    prior_writes: tuple[WriteSeen, ...] = ()


@record
class WriteSeen:
    path: Path
    access: Access
    key: str
    context: Context
    after_widget: WidgetSeen | None = None  # a widget certainly registered earlier this run


@dataclass
class Trace:
    reads: list[ReadSeen] = field(default_factory=list)
    writes: list[WriteSeen] = field(default_factory=list)
    widgets: list[WidgetSeen] = field(default_factory=list)
    # Callbacks registered by the widgets this walk created (keyed or not).
    callbacks: list[tuple[Path, CallEvent]] = field(default_factory=list)
    # Functions whose bodies some walk entered: (path, qualname).
    entered: set[tuple[Path, str]] = field(default_factory=set)
    # False when a walk ran out of its budget: past it, calls were not inlined and
    # loops walked once, so the trace may lack what another walk of the run sees.
    complete: bool = True
    # What a run's walk kept to be resumed after an edit of its script (``walk_resume``).
    resumable: Resumable | None = field(default=None, compare=False, repr=False)
    # The same for the page of an ``st.navigation`` run, after an edit of the page.
    page_walk: PageWalk | None = field(default=None, compare=False, repr=False)
    # The same for the walks of a run's callbacks.
    callback_walks: CallbackWalks | None = field(default=None, compare=False, repr=False)
    # What rules derived from this trace alone (``derive``), by name; None until one
    # does (most traces never hold any: the parts a run's callbacks' trace is made of).
    derived: dict[str, object] | None = field(default=None, compare=False, repr=False)

    def derive(self, name: str, make: Callable[[Trace], T]) -> T:
        """``make(self)``, made once per trace: a trace is complete once its walk
        returns, and the traces of the runs an edit did not walk again are kept, so what
        a rule finds in one alone is kept with it (``name``: the rule's, unique)."""
        if self.derived is None:
            self.derived = {}
        if name not in self.derived:
            self.derived[name] = make(self)
        return self.derived[name]  # type: ignore[return-value]

    @cached_property
    def raising_reads(self) -> list[ReadSeen]:
        """The reads that raise when the key is missing and nothing guards against it
        (ST001's candidates). A trace is complete once its walk returns, and the walks
        of unchanged runs are kept across edits: so is this list."""
        return [
            read for read in self.reads if read.access.kind.raises_when_missing and not read.guarded
        ]

    @cached_property
    def value_read_keys(self) -> tuple[str, ...]:
        """The keys whose value some read reads (ST008's candidates), each once: kept
        with the trace, so an edit looks again only at the reads of the runs that may
        read another page's widget. (Tuples: a set or dict per run took a megabyte in
        2,000 files.)"""
        return tuple({read.key: None for read in self.reads if read.access.kind.reads_value})

    @cached_property
    def stored_widget_keys(self) -> tuple[str, ...]:
        """The keys of the widgets that keep a value in Session State, each once."""
        return tuple({seen.key: None for seen in self.widgets if seen.widget.stores_value})

    def lengths(self) -> Lengths:
        """How long its reads, writes, widgets and callbacks are: where a part ends."""
        return (len(self.reads), len(self.writes), len(self.widgets), len(self.callbacks))

    def take_part(self, other: Trace, start: Lengths, end: Lengths) -> None:
        """Append what ``other`` saw between two of its ``lengths``."""
        self.reads.extend(other.reads[start[0] : end[0]])
        self.writes.extend(other.writes[start[1] : end[1]])
        self.widgets.extend(other.widgets[start[2] : end[2]])
        self.callbacks.extend(other.callbacks[start[3] : end[3]])

    def extend(self, other: Trace) -> None:
        """Append what another walk saw after what this one saw."""
        for derived in ("raising_reads", "value_read_keys", "stored_widget_keys"):
            self.__dict__.pop(derived, None)
        self.derived = None
        self.reads.extend(other.reads)
        self.writes.extend(other.writes)
        self.widgets.extend(other.widgets)
        self.callbacks.extend(other.callbacks)
        self.entered |= other.entered
        self.complete = self.complete and other.complete


# ``memo(key, make, remake)``: make(), or a result kept from before, or, for one kept
# from before that the files ``changed`` since made stale, ``remake(stale, changed)``
# when that gives one (see ``Model.memo``).
Remake = Callable[[Trace, frozenset[Path]], "Trace | None"]
Memoize = Callable[[Hashable, Callable[[], Trace], "Remake | None"], Trace]


def _no_memo(key: Hashable, make: Callable[[], Trace], remake: Remake | None = None) -> Trace:
    return make()


# ------------------------------------------------------------------------- state


@dataclass
class State:
    reachable: bool = True
    definite: bool = True
    may_init: frozenset[str] = frozenset()
    must_init: frozenset[str] = frozenset()
    may_patterns: frozenset[str] = frozenset()
    truth: dict[str, bool] = field(default_factory=dict)
    names: dict[str, FirstRunValue] = field(default_factory=dict)
    widgets: dict[str, WidgetSeen] = field(default_factory=dict)  # must: registered widget ids
    elements: dict[str, WidgetSeen] = field(default_factory=dict)  # must: duplicate-key set
    forms: dict[str, WidgetSeen] = field(default_factory=dict)
    written: dict[str, tuple[WriteSeen, ...]] = field(default_factory=dict)  # may
    try_guard: int = 0
    # The tables above this state may change in place; the others it shares with its
    # copies (copy on write: a branch copies the state, and most branches change
    # one table or none, while the tables of a long page hold hundreds of keys).
    _owned: set[str] = field(default_factory=set, repr=False, compare=False)

    def copy(self, **changes: object) -> State:
        clone = object.__new__(State)
        # One dictionary built in C (the walk's most frequent operation after events).
        clone.__dict__ = {**self.__dict__, "_owned": set(), **changes}
        self._owned.clear()  # shared from now on: neither side may change them in place
        return clone

    def own(self, table: str) -> dict:  # type: ignore[type-arg]
        """``table`` (``"truth"``, ``"written"``...), ready to change in place."""
        if table not in self._owned:
            setattr(self, table, dict(getattr(self, table)))
            self._owned.add(table)
        return getattr(self, table)  # type: ignore[no-any-return]

    def could_be_initialised(self, key: str) -> bool:
        if key in self.may_init:
            return True
        return any(re.fullmatch(pattern, key, re.DOTALL) for pattern in self.may_patterns)


UNREACHABLE = State(reachable=False, definite=False)


def _with(items: frozenset[str], item: str) -> frozenset[str]:
    """``items | {item}``, without copying the set when it holds ``item`` already
    (pages write the same keys again and again: the copy would make a walk quadratic)."""
    return items if item in items else items | {item}


def _agreeing(first: dict, second: dict) -> dict:  # type: ignore[type-arg]
    """Entries both paths agree on (set operations run in C: states can be large)."""
    if first is second or first.items() <= second.items():
        return first
    return {key: value for key, value in first.items() if second.get(key) == value}


def _common(first: dict, second: dict) -> dict:  # type: ignore[type-arg]
    """Entries of ``first`` whose key is in ``second`` (certain on both paths)."""
    if first is second or first.keys() <= second.keys():
        return first
    return {key: value for key, value in first.items() if key in second}


def merge(states: Iterable[State], owned: bool = False) -> State:
    """The join of ``states``: a new state, or with ``owned`` (the caller's to change,
    and none used after) the one state still reachable itself, without a copy."""
    live = [state for state in states if state.reachable]
    if not live:
        return UNREACHABLE.copy()
    if len(live) == 1:
        return live[0] if owned else live[0].copy()
    first, *rest = live
    merged = first.copy()
    for other in rest:
        merged.definite = merged.definite and other.definite
        # Branches that did not touch a set or table still share it with the state
        # they started from: the identity checks skip the set operations over them.
        if other.may_init is not merged.may_init:
            merged.may_init = merged.may_init | other.may_init
        if other.must_init is not merged.must_init:
            merged.must_init = merged.must_init & other.must_init
        if other.may_patterns is not merged.may_patterns:
            merged.may_patterns = merged.may_patterns | other.may_patterns
        merged.truth = _agreeing(merged.truth, other.truth)
        merged.names = _agreeing(merged.names, other.names)
        merged.widgets = _common(merged.widgets, other.widgets)
        merged.elements = _common(merged.elements, other.elements)
        merged.forms = _common(merged.forms, other.forms)
        if other.written is not merged.written:  # the same table: nothing to add
            written = merged.own("written")
            for key, writes in other.written.items():
                existing = written.get(key, ())
                if existing is writes:
                    continue
                known = {id(write) for write in existing}
                written[key] = existing + tuple(write for write in writes if id(write) not in known)
        merged.try_guard = min(merged.try_guard, other.try_guard)
    return merged


@dataclass
class Outcome:
    """How a block ends: the fall-through state and the states of each exit taken."""

    state: State
    exits: list[tuple[ExitKind, State]] = field(default_factory=list)

    def exits_of(self, *kinds: ExitKind) -> list[State]:
        return [state for kind, state in self.exits if kind in kinds]


@dataclass(frozen=True, slots=True)
class Frame:
    path: Path
    function: str  # "" for a module body
    bindings: dict[str, KeySet]
    stack: tuple[tuple[Path, str], ...]


# ------------------------------------------------------------------------ walker


class Walker:
    """Walks blocks forward. A state passed into ``block`` belongs to that walk, which
    updates it in place; every branch, loop and join works on copies or new states."""

    def __init__(
        self, program: Program, context: Context, trace: Trace, budget: Budget | None = None
    ) -> None:
        self.program = program
        self.context = context
        self.trace = trace
        self.mode = context.mode
        self.budget = budget if budget is not None else Budget()
        # The functions entered since the last checkpoint (``walk_script``), or None.
        self.interval_entered: set[tuple[Path, str]] | None = None
        # Whether the walk keeps checkpoints in its run's ``st.navigation`` page (set by
        # ``_rewalk_page``), resumed from ``page_resumption``; what it kept, in
        # ``page_kept`` (None when the run ran its page more than once).
        self.keeps_page = False
        self.page_resumption: Resumption | None = None
        self.page_kept: PageWalk | None = None
        self._pages_walked = 0

    # ---------------------------------------------------------------- entry points

    def walk_run(self, run: Run) -> State:
        frame = Frame(run.script, "", {}, ())
        facts = self.program.facts(run.script)
        if facts is None:
            return State()
        outcome = self.block(frame, facts.body, State())
        return outcome.state

    def walk_script(self, run: Run, resumption: Resumption | None = None) -> Resumable | None:
        """``walk_run``, keeping checkpoints in the script's body (``walk_resume``), from
        ``resumption`` when given; what the walk kept to be resumed in turn."""
        facts = self.program.facts(run.script)
        if facts is None:
            return None
        frame = Frame(run.script, "", {}, ())
        _, kept = self._walk_body(frame, facts, State(), resumption, None)
        return kept

    def _walk_body(
        self,
        frame: Frame,
        facts: FileFacts,
        state: State,
        resumption: Resumption | None,
        exits: list[tuple[ExitKind, State]] | None,
    ) -> tuple[State, Resumable]:
        """A script's body (a run's script, or its navigation page) from ``state``,
        keeping checkpoints; from ``resumption`` when given. ``exits``: where the
        exits taken go (None: a run's script, whose exits end the run). The state at
        the end, and what the walk kept to be resumed."""
        body = facts.body
        if resumption is None:
            index, checkpoints = 0, []
            step = checkpoint_step(len(body))
            places = iter(range(step, len(body), step))
        else:
            checkpoint = resumption.checkpoint
            state, index = checkpoint.state.copy(), checkpoint.index
            checkpoints = list(resumption.resumable.checkpoints[: resumption.start])
            self._take_prefix(resumption, checkpoint)
            if exits is not None:
                exits.extend(copied(checkpoint.exits))
            # Where the last walk's checkpoints fall in this body (past the edit, where
            # the walks may meet, they must fall on the same statements).
            places = iter(resumption.places(len(body)))
        # The checkpoint made last, whose functions entered until the next are being
        # gathered in ``interval_entered``.
        pending: Checkpoint | None = None
        self.interval_entered = set()
        # The exits' copies made for the checkpoints so far (each checkpoint shares them).
        saved: Exits = () if resumption is None else resumption.checkpoint.exits
        for end in (*places, len(body)):
            if index >= len(body) or not state.reachable:
                break
            if end <= index:
                continue
            if exits is not None and len(saved) < len(exits):
                saved = (*saved, *copied(exits[len(saved) :]))
            if index and (resumption is None or index > resumption.checkpoint.index):
                if resumption is not None and self._converged(resumption, index, state):
                    self._close(checkpoints, pending)
                    return self._spliced(frame.path, facts, checkpoints, resumption, index, exits)
                self._close(checkpoints, pending)
                pending = self._checkpoint(index, state, saved)
            elif index:
                pending = self._checkpoint(index, state, saved)  # (where it resumed: made anew)
            outcome = self.block(frame, body[index:end], state)
            if exits is not None:
                exits.extend(outcome.exits)
            state = outcome.state
            index = end
        self._close(checkpoints, pending)
        return state, Resumable(
            frame.path,
            body,
            {function.qualname: function for function in facts.functions},
            tables_of(facts),
            tuple(checkpoints),
            self.budget.remaining,
        )

    def _close(self, checkpoints: list[Checkpoint], pending: Checkpoint | None) -> None:
        """Add ``pending`` with the functions entered since it, and gather anew."""
        if pending is not None:
            entered = frozenset(self.interval_entered or ())
            checkpoints.append(replace(pending, entered_until_next=entered))
        self.interval_entered = set()

    def _checkpoint(self, index: int, state: State, exits: Exits = ()) -> Checkpoint:
        entered = frozenset(self.trace.entered)
        return Checkpoint(
            index, state.copy(), self.trace.lengths(), entered, self.budget.remaining, exits=exits
        )

    def _take_prefix(self, resumption: Resumption, checkpoint: Checkpoint) -> None:
        """Go on with what the last walk saw from where its checkpoints count
        (``Resumption.since``: the run's start, or its page's) to ``checkpoint``."""
        self.trace.take_part(resumption.trace, resumption.since, checkpoint.lengths)
        self.trace.entered |= checkpoint.entered
        self.budget.remaining = checkpoint.budget

    def _converged(self, resumption: Resumption, index: int, state: State) -> bool:
        """Whether the walk meets the last one's at statement ``index``: the same state,
        and a budget that lasts as long as that walk's did."""
        if index < resumption.converge_from or not resumption.trace.complete:
            return False  # the code from here on is not what the last walk ran
        old = resumption.last_checkpoint_at(index)
        if old is None:
            return False
        spent_after = old.budget - resumption.resumable.end_budget
        return self.budget.remaining - spent_after > 0 and state == old.state

    def _spliced(
        self,
        script: Path,
        facts: FileFacts,
        checkpoints: list[Checkpoint],
        resumption: Resumption,
        index: int,
        exits: list[tuple[ExitKind, State]] | None,
    ) -> tuple[State, Resumable]:
        """The rest of the last walk's part after statement ``index`` (where this walk
        met it), and its checkpoints from there, moved to this body and trace; a page's
        exits and state at its end as the last walk left them (a script's run ends)."""
        last, walked, page = resumption.resumable, resumption.trace, resumption.page
        old = resumption.last_checkpoint_at(index)
        assert old is not None  # (``_converged`` found it)
        here = self.trace.lengths()
        self.interval_entered = None
        budget_shift = self.budget.remaining - old.budget
        self.trace.take_part(walked, old.lengths, resumption.until)
        # This walk's exits so far, then those the last one took after the meeting point.
        taken = len(old.exits)
        exits_here = copied(exits) if exits is not None else ()
        trace = self.trace
        entered = set(trace.entered)
        for later in last.checkpoints:
            if later.index < old.index:
                continue
            moved = tuple(
                length - then + now
                for length, then, now in zip(later.lengths, old.lengths, here, strict=True)
            )
            checkpoints.append(
                Checkpoint(
                    later.index + resumption.delta,
                    later.state,
                    moved,  # type: ignore[arg-type]
                    frozenset(entered),
                    later.budget + budget_shift,
                    later.entered_until_next,
                    (*exits_here, *later.exits[taken:]),
                )
            )
            entered |= later.entered_until_next
        trace.entered |= entered
        self.budget.remaining = last.end_budget + budget_shift
        if page is not None and exits is not None:
            exits.extend(copied(page.end_exits[taken:]))
            state = page.end_state.copy()
        else:
            state = UNREACHABLE.copy()  # (the end of a run: nobody walks on)
        return state, Resumable(
            script,
            facts.body,
            {function.qualname: function for function in facts.functions},
            tables_of(facts),
            tuple(checkpoints),
            self.budget.remaining,
        )

    def _page_body(self, frame: Frame, facts: FileFacts, state: State) -> Outcome:
        """The body of the run's navigation page, keeping checkpoints in it
        (``_rewalk_page``): resumed from ``page_resumption`` where this walk arrives at
        the page as the last did; what it kept, in ``page_kept``. A run that runs its
        page more than once (``pg.run()`` in two branches) keeps nothing."""
        self._pages_walked += 1
        if self._pages_walked > 1:
            self.page_kept = None
            return self.block(frame, facts.body, state)
        start_lengths, start_state, start_budget = (
            self.trace.lengths(),
            state.copy(),
            self.budget.remaining,
        )
        resumption = self.page_resumption
        if resumption is not None and not (
            resumption.page is not None
            and resumption.page.arrives_as(start_state, start_lengths, start_budget)
        ):
            resumption = None
        exits: list[tuple[ExitKind, State]] = []
        end_state, body = self._walk_body(frame, facts, state, resumption, exits)
        self.interval_entered = None
        self.page_kept = PageWalk(
            body,
            start_state,
            start_lengths,
            start_budget,
            end_state.copy(),
            self.trace.lengths(),
            copied(exits),
        )
        return Outcome(end_state, exits)

    def walk_function(
        self, path: Path, function: FunctionFacts, bindings: dict[str, KeySet] | None = None
    ) -> None:
        frame = Frame(path, function.qualname, bindings or {}, ((path, function.qualname),))
        self.trace.entered.add((path, function.qualname))
        self.block(frame, function.body, State(definite=False))

    def walk_module(self, path: Path) -> None:
        facts = self.program.facts(path)
        if facts is not None:
            self.block(Frame(path, "", {}, ()), facts.body, State(definite=False))

    # ---------------------------------------------------------------- blocks

    def block(self, frame: Frame, block: Block, state: State) -> Outcome:
        exits: list[tuple[ExitKind, State]] = []
        budget = self.budget
        for node in block:
            if not state.reachable:
                break
            # Events, most of the nodes, update the state in place and never exit: they
            # are handled here, without an ``Outcome`` each (the walk's hot loop).
            kind = node.__class__
            if kind is Access:
                budget.remaining -= 1
                state = self.access(frame, node, state)  # type: ignore[arg-type]
            elif kind is WidgetCall:
                budget.remaining -= 1
                state = self.widget(frame, node, state)  # type: ignore[arg-type]
            elif kind is BindEvent:
                budget.remaining -= 1
                state = self.bind(frame, node, state)  # type: ignore[arg-type]
            else:
                outcome = self.node(frame, node, state)
                if outcome.exits:
                    exits.extend(outcome.exits)
                state = outcome.state
        return Outcome(state, exits)

    def node(self, frame: Frame, node: object, state: State) -> Outcome:
        """A node that is not an event (``block`` handles those): calls, control flow."""
        self.budget.spend()
        if isinstance(node, Branch):
            return self.branch(frame, node, state)
        if isinstance(node, CallEvent):
            return self.call(frame, node, state)
        if isinstance(node, Loop):
            return self.loop(frame, node, state)
        if isinstance(node, Try):
            return self.try_block(frame, node, state)
        if isinstance(node, Exit):
            return Outcome(UNREACHABLE.copy(), [(node.kind, state)])
        if isinstance(node, PageRun):
            return self.page_run(frame, state)
        return Outcome(state)

    # ---------------------------------------------------------------- events

    def keys(self, frame: Frame, key: object) -> KeySet:
        if key is None:
            return KeySet()
        return self.program.resolve_key(frame.path, key, frame.bindings)  # type: ignore[arg-type]

    def access(self, frame: Frame, access: Access, state: State) -> State:
        keys = self.program.resolve_key(frame.path, access.key, frame.bindings)
        kind = access.kind
        if kind in _READING_KINDS:
            for key in sorted(keys.names):
                guarded = state.try_guard > 0 or key in state.must_init
                self.trace.reads.append(
                    ReadSeen(
                        frame.path,
                        access,
                        key,
                        guarded,
                        state.definite,
                        not state.could_be_initialised(key),
                        self.context,
                    )
                )
        if kind.writes:
            for key in sorted(keys.names):
                self._write(frame, access, key, state, single=len(keys.names) == 1)
            if keys.dynamic:
                state.may_patterns = _with(state.may_patterns, keys.pattern)
        elif kind in (AccessKind.DELETE, AccessKind.POP) or access.removes:
            state.must_init = state.must_init - keys.names
            for key in keys.names:
                state.own("truth").pop(key, None)
                state.own("widgets").pop(key, None)
                state.own("written").pop(key, None)
        return state

    def _write(self, frame: Frame, access: Access, key: str, state: State, single: bool) -> None:
        if access.kind is AccessKind.SETDEFAULT and key in state.must_init:
            return  # setdefault never writes an existing key
        after = None
        if access.kind in (AccessKind.WRITE, AccessKind.AUGMENT):
            after = state.widgets.get(key) or state.forms.get(key)
        write = WriteSeen(frame.path, access, key, self.context, after)
        self.trace.writes.append(write)
        existing = state.written.get(key, ())
        state.own("written")[key] = (*existing, write)
        state.may_init = _with(state.may_init, key)
        state.must_init = _with(state.must_init, key)
        if single and access.written_truth is not None and access.kind is not AccessKind.AUGMENT:
            state.own("truth")[key] = access.written_truth
        elif key in state.truth:
            state.own("truth").pop(key)

    def widget(self, frame: Frame, widget: WidgetCall, state: State) -> State:
        self.trace.callbacks.extend((frame.path, callback) for callback in widget.callbacks)
        keys = self.keys(frame, widget.key)
        if self.mode is Mode.FIRST_RUN:
            # What the call returns on a fresh session, unless its key already holds a value.
            preset = keys.dynamic or any(state.could_be_initialised(key) for key in keys.names)
            value = FirstRunValue.UNKNOWN if preset else widget.first_run
            state.own("names")[_widget_slot(widget)] = value
        if not keys.names:
            return state
        # A key that is one of several (a loop variable over a literal list) names a
        # different key on each pass: possibly created, never certainly this one.
        single = len(keys.names) == 1 and not keys.dynamic
        for key in sorted(keys.names):
            if widget.stores_value:
                state.may_init = _with(state.may_init, key)
                if single:
                    state.must_init = _with(state.must_init, key)
                if key in state.truth:
                    state.own("truth").pop(key)
            if not widget.known or not single:
                continue
            table = state.forms if widget.is_form else state.elements
            duplicate = table.get(key) if widget.registers_key or widget.is_form else None
            seen = WidgetSeen(
                frame.path, widget, key, self.context, duplicate, state.written.get(key, ())
            )
            self.trace.widgets.append(seen)
            if widget.is_form:
                state.own("forms")[key] = seen
            elif widget.registers_key:
                state.own("elements")[key] = seen
            if (widget.stores_value or widget.readonly) and not widget.is_form:
                state.own("widgets")[key] = seen
        return state

    def bind(self, frame: Frame, bind: BindEvent, state: State) -> State:
        value = state.names.get(_widget_slot(bind.widget), FirstRunValue.UNKNOWN)
        state.own("names")[bind.name] = value
        return state

    # ------------------------------------------------------------- control flow

    def branch(self, frame: Frame, branch: Branch, state: State) -> Outcome:
        if not branch.then and not branch.orelse:
            return Outcome(self._empty_branch(frame, branch.cond, state))
        value = self.evaluate(frame, branch.cond, state)
        definite = state.definite
        # The else arm takes the state itself (this walk's to change), the then arm a
        # copy; an arm the condition rules out starts unreachable, unrefined.
        if value is False:
            then_start = UNREACHABLE.copy()
        else:
            then_start = self.refine(frame, branch.cond, True, state.copy())
        if value is True:
            else_start = UNREACHABLE.copy()
        else:
            else_start = self.refine(frame, branch.cond, False, state)
        if value is None:
            then_start.definite = False
            else_start.definite = False
        then = self.block(frame, branch.then, then_start)
        orelse = self.block(frame, branch.orelse, else_start)
        joined = merge([then.state, orelse.state], owned=True)
        if joined.reachable:
            if value is None:
                joined.definite = (
                    definite
                    and not then.exits
                    and not orelse.exits
                    and then.state.reachable
                    and orelse.state.reachable
                )
            else:
                taken = then if value else orelse
                joined.definite = taken.state.definite
        return Outcome(joined, then.exits + orelse.exits)

    def _empty_branch(self, frame: Frame, cond: Cond, state: State) -> State:
        """A branch whose arms hold no node (a quarter of an app's branches): only what
        its condition tells of the keys is left, the join of the arms' refinements,
        found without copying the state twice and merging the copies."""
        value = self.evaluate(frame, cond, state)
        arms = [outcome for outcome in (True, False) if value is None or value is outcome]
        present = [set(self._present_keys(frame, cond, outcome)) for outcome in arms]
        for key in sorted(set().union(*present)):
            state.may_init = _with(state.may_init, key)
        for key in sorted(set.intersection(*present)):
            state.must_init = _with(state.must_init, key)
        return state

    def loop(self, frame: Frame, loop: Loop, state: State) -> Outcome:
        if not loop.body and not loop.orelse:
            # Nothing runs in it (a third of an app's loops): the state passes unchanged.
            return Outcome(state)
        runs_at_least_once = loop.count is not LoopCount.UNKNOWN
        start = state.copy(definite=state.definite and runs_at_least_once)
        first = self.block(frame, loop.body, start)
        continued = merge([first.state, *first.exits_of(ExitKind.CONTINUE)])
        if loop.count is LoopCount.TWICE_OR_MORE:
            second_start = continued
        else:
            second_start = merge([state.copy(definite=False), continued])
            second_start.definite = False
        second = (
            self.block(frame, loop.body, second_start)
            if second_start.reachable and self.budget.remaining > 0
            else Outcome(UNREACHABLE.copy())
        )
        ends = [
            first.state,
            second.state,
            *first.exits_of(ExitKind.CONTINUE, ExitKind.BREAK),
            *second.exits_of(ExitKind.CONTINUE, ExitKind.BREAK),
        ]
        if not runs_at_least_once:
            ends.append(state)
        after = merge(ends)
        orelse = self.block(frame, loop.orelse, after) if loop.orelse else Outcome(after)
        passing = [
            (kind, exit_state)
            for kind, exit_state in first.exits + second.exits
            if kind not in (ExitKind.BREAK, ExitKind.CONTINUE)
        ]
        final = orelse.state
        if final.reachable:
            # After the loop is reached whenever the loop is, unless its body can end the run.
            final.definite = state.definite and not passing
        return Outcome(final, passing + orelse.exits)

    def try_block(self, frame: Frame, node: Try, state: State) -> Outcome:
        guard = 1 if node.guards_missing_key else 0
        body = self.block(frame, node.body, state.copy(try_guard=state.try_guard + guard))
        body.state.try_guard = state.try_guard
        handler_start = merge([state, body.state, *(exit_state for _, exit_state in body.exits)])
        handler_start.definite = False
        handler_start.try_guard = state.try_guard
        handlers = [self.block(frame, handler, handler_start.copy()) for handler in node.handlers]
        orelse = self.block(frame, node.orelse, body.state) if node.orelse else Outcome(body.state)
        joined = merge([orelse.state, *(handler.state for handler in handlers)])
        if joined.reachable:
            joined.definite = (
                state.definite
                and not body.exits
                and not orelse.exits
                and all(not handler.exits for handler in handlers)
                and orelse.state.definite
            )
        exits = body.exits + orelse.exits + [exit for handler in handlers for exit in handler.exits]
        if node.finalbody:
            final = self.block(frame, node.finalbody, joined if joined.reachable else handler_start)
            if not joined.reachable:
                return Outcome(UNREACHABLE.copy(), exits + final.exits)
            return Outcome(final.state, exits + final.exits)
        return Outcome(joined, exits)

    def call(self, frame: Frame, event: CallEvent, state: State) -> Outcome:
        resolved = self.program.resolve_function(frame.path, event.function)
        if resolved is None:
            return Outcome(state)
        path, function = resolved
        identity = (path, function.qualname)
        if (
            identity in frame.stack
            or len(frame.stack) >= MAX_CALL_DEPTH
            or self.budget.remaining <= 0
        ):
            return Outcome(state)
        bindings = self.bind_arguments(frame, event, function)
        inner = Frame(path, function.qualname, bindings, (*frame.stack, identity))
        self.enter(identity)
        body = self.block(inner, function.body, state)
        returned = merge([body.state, *body.exits_of(ExitKind.RETURN)], owned=True)
        passing = [
            (kind, exit_state)
            for kind, exit_state in body.exits
            if kind in (ExitKind.STOP, ExitKind.RERUN, ExitKind.RAISE)
        ]
        if returned.reachable:
            returned.definite = state.definite and not passing
        return Outcome(returned, passing)

    def enter(self, identity: tuple[Path, str]) -> None:
        self.trace.entered.add(identity)
        if self.interval_entered is not None:
            self.interval_entered.add(identity)

    def bind_arguments(
        self, frame: Frame, event: CallEvent, function: FunctionFacts
    ) -> dict[str, KeySet]:
        bindings: dict[str, KeySet] = {}
        params = function.params
        offset = 1 if "." in function.qualname and params[:1] in (("self",), ("cls",)) else 0
        for position, key in event.args:
            if isinstance(position, int):
                index = position + offset
                if index < len(params) and not params[index].startswith("*"):
                    bindings[params[index]] = self.keys(frame, key)
            elif position in params:
                bindings[position] = self.keys(frame, key)
        return bindings

    def page_run(self, frame: Frame, state: State) -> Outcome:
        run = self.context.run
        if run is None or run.page is None:
            return Outcome(state)
        page = run.page
        marker = (page.path, f"<page {page.function or ''}>")
        if marker in frame.stack:
            # The page itself calls .run() of a navigation (nested st.navigation): the
            # page already runs here once; do not run it inside itself.
            return Outcome(state)
        if page.function is None:
            facts = self.program.facts(page.path)
            if facts is None:
                return Outcome(state)
            inner = Frame(page.path, "", {}, (*frame.stack, marker))
            if self.keeps_page:
                outcome = self._page_body(inner, facts, state)
            else:
                outcome = self.block(inner, facts.body, state)
            passing = [
                (kind, s)
                for kind, s in outcome.exits
                if kind in (ExitKind.STOP, ExitKind.RERUN, ExitKind.RAISE)
            ]
            end = merge([outcome.state, *outcome.exits_of(ExitKind.RETURN)], owned=True)
            return Outcome(end, passing)
        facts = self.program.facts(page.path)
        function = facts.function(page.function) if facts is not None else None
        if function is None:
            return Outcome(state)
        identity = (page.path, function.qualname)
        self.enter(identity)
        inner = Frame(page.path, function.qualname, {}, (*frame.stack, identity, marker))
        outcome = self.block(inner, function.body, state)
        passing = [
            (kind, s)
            for kind, s in outcome.exits
            if kind in (ExitKind.STOP, ExitKind.RERUN, ExitKind.RAISE)
        ]
        end = merge([outcome.state, *outcome.exits_of(ExitKind.RETURN)], owned=True)
        return Outcome(end, passing)

    # ------------------------------------------------------------- conditions

    def evaluate(self, frame: Frame, cond: Cond, state: State) -> bool | None:
        """The condition's value on this path, or None when it cannot be known."""
        kind = cond.kind
        if kind is CondKind.CONST:
            return cond.value
        if kind is CondKind.NOT:
            inner = self.evaluate(frame, cond.operands[0], state)
            return None if inner is None else not inner
        if kind in (CondKind.AND, CondKind.OR):
            values = [self.evaluate(frame, operand, state) for operand in cond.operands]
            if kind is CondKind.AND:
                if any(value is False for value in values):
                    return False
                return True if all(value is True for value in values) else None
            if any(value is True for value in values):
                return True
            return False if all(value is False for value in values) else None
        if self.mode is not Mode.FIRST_RUN:
            if kind is CondKind.CONTAINS:
                key = self._single_key(frame, cond)
                if key is not None and key in state.must_init:
                    return not cond.negated
            return None
        if kind is CondKind.CONTAINS:
            key = self._single_key(frame, cond)
            if key is None:
                return None
            if key in state.must_init:
                present: bool | None = True
            elif not state.could_be_initialised(key):
                present = False
            else:
                present = None
            return None if present is None else present != cond.negated
        if kind is CondKind.KEY_VALUE:
            key = self._single_key(frame, cond)
            if key is None:
                return None
            if key in state.must_init:
                return state.truth.get(key)
            if cond.safe and not state.could_be_initialised(key):
                return cond.value
            return None
        if kind is CondKind.NAME:
            value = state.names.get(cond.name or "")
            if value in (FirstRunValue.FALSE, FirstRunValue.NONE, FirstRunValue.EMPTY):
                return False
            return None
        if kind is CondKind.IS_NONE:
            operand = cond.operands[0]
            if operand.kind is CondKind.NAME:
                value = state.names.get(operand.name or "")
                if value is FirstRunValue.NONE:
                    return not cond.negated
                if value in (FirstRunValue.FALSE, FirstRunValue.EMPTY):
                    return cond.negated
            return None
        return None

    def _single_key(self, frame: Frame, cond: Cond) -> str | None:
        keys = self.keys(frame, cond.key)
        if len(keys.names) == 1 and not keys.dynamic:
            return next(iter(keys.names))
        return None

    def refine(self, frame: Frame, cond: Cond, outcome: bool, state: State) -> State:
        """``state`` (changed in place) as it is on the arm where ``cond`` evaluated to
        ``outcome``."""
        for key in self._present_keys(frame, cond, outcome):
            state.may_init = _with(state.may_init, key)
            state.must_init = _with(state.must_init, key)
        return state

    def _present_keys(self, frame: Frame, cond: Cond, outcome: bool) -> list[str]:
        """Keys the arm can rely on existing: ``"k" in ss`` true, ``ss.get("k")`` truthy..."""
        kind = cond.kind
        if kind is CondKind.NOT:
            return self._present_keys(frame, cond.operands[0], not outcome)
        if kind is CondKind.AND and outcome:
            return [
                key for operand in cond.operands for key in self._present_keys(frame, operand, True)
            ]
        if kind is CondKind.OR and not outcome:
            return [
                key
                for operand in cond.operands
                for key in self._present_keys(frame, operand, False)
            ]
        if kind is CondKind.CONTAINS and outcome != cond.negated:
            keys = self.keys(frame, cond.key)
            if keys.dynamic:
                return []
            # One key, or a loop variable over literal keys: `for k in KEYS: if k in ss:`
            # guards the reads of that same variable in the arm.
            return sorted(keys.names)
        if kind is CondKind.KEY_VALUE and outcome:
            key = self._single_key(frame, cond)
            return [key] if key else []
        is_none_of_value = kind is CondKind.IS_NONE and cond.operands[0].kind is CondKind.KEY_VALUE
        if is_none_of_value and outcome == cond.negated:
            # ss.get("k") is not None: true only when the key holds a value.
            key = self._single_key(frame, cond.operands[0])
            return [key] if key else []
        return []


def _widget_slot(widget: WidgetCall) -> str:
    """Where the walk keeps a widget call's first-run value until a name is bound to it."""
    span = widget.span
    return f"<call:{span.line}:{span.column}>"


# ---------------------------------------------------------------------- analysis


@dataclass
class AppAnalysis:
    """Everything the rules need about one app's runs."""

    app: App
    first_run: Trace
    any_run: dict[Run, Trace]
    callbacks: dict[Run, Trace]
    standalone: Trace


def analyse_app(
    program: Program,
    app: App,
    memo: Memoize = _no_memo,
    initialises: Callable[[str], bool] | None = None,
) -> AppAnalysis:
    """Walk every run of ``app``. Each walk is independent of the others (a walker only
    appends to its trace), so ``memo`` may keep a walk's trace while the files it read
    are unchanged: an edit to one page re-walks that page's runs, not the whole app.
    ``initialises``: whether anything in the app may give a key a value (the key
    table's answer), which spares first-run walks that could not change a finding."""
    steps = analysis_steps(program, app, memo, initialises)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


def analysis_steps(
    program: Program,
    app: App,
    memo: Memoize = _no_memo,
    initialises: Callable[[str], bool] | None = None,
) -> Generator[None, None, AppAnalysis]:
    """``analyse_app`` a walk at a time: it yields after each walk, so a caller that
    keeps the walks (``memo``) can pause between them (a run of a 5,000-line page takes
    about 70 ms to walk); the analysis is the generator's return value."""
    any_run: dict[Run, Trace] = {}
    callbacks: dict[Run, Trace] = {}
    entered: set[tuple[Path, str]] = set()
    for run in app.runs:
        trace = memo(
            ("any_run", app, run),
            partial(_walk, program, app, run, Mode.ANY_RUN),
            partial(_rewalk, program, app, run, Mode.ANY_RUN),
        )
        any_run[run] = trace
        entered |= trace.entered
        yield
        callback_trace = memo(
            ("callbacks", app, run),
            partial(_walk_callbacks, program, app, run, trace),
            partial(_rewalk_callbacks, program, app, run, trace),
        )
        callbacks[run] = callback_trace
        entered |= callback_trace.entered
        yield
    first_run = Trace()
    for run in app.runs:
        if first_run_matters(any_run[run], initialises):
            trace = memo(
                ("first_run", app, run),
                partial(_walk, program, app, run),
                partial(_rewalk, program, app, run, Mode.FIRST_RUN),
            )
            first_run.extend(trace)
            entered |= trace.entered
            yield
    standalone = memo(
        ("standalone", app, frozenset(entered)),
        partial(_walk_standalone, program, app, entered),
        partial(_rewalk_standalone, program, app, entered),
    )
    return AppAnalysis(app, first_run, any_run, callbacks, standalone)


def first_run_matters(any_run: Trace, initialises: Callable[[str], bool] | None) -> bool:
    """Whether a run's first-run walk could change a finding, told from its any-run
    trace (most runs' cannot: two in three of the benchmark's).

    Only reads that raise on a missing key and are not guarded are taken from a
    first-run trace: ST002's (a read before the key's initialisation, of a key the app
    initialises) and ST001's (a key nothing initialises). The first-run walk takes a
    subset of the any-run walk's paths (it decides every condition the other decides,
    the same way, and more), so on each of them it knows at least the keys the other
    knows present: a read unguarded on the first run is unguarded in the any-run
    trace too, where ST001 finds it. So the walk matters only when the any-run trace
    has such a read of a key the app initialises, or when it is incomplete (a walk past
    its budget stops inlining calls and may miss reads)."""
    if not any_run.complete:
        return True
    return any(initialises is None or initialises(read.key) for read in any_run.raising_reads)


def _walk(program: Program, app: App, run: Run, mode: Mode = Mode.FIRST_RUN) -> Trace:
    trace = Trace()
    walker = Walker(program, Context(app, run, mode), trace)
    walker.walk_run(run)
    trace.complete = walker.budget.remaining > 0
    return trace


def _rewalk(
    program: Program, app: App, run: Run, mode: Mode, walked: Trace, changed: frozenset[Path]
) -> Trace | None:
    """The walk of a run whose script was edited since ``walked`` (``changed``: the
    files read then that changed): resumed where the edit left it as it was, with
    checkpoints kept for the next edit (``walk_resume``). When the script did not
    change, the run's navigation page may have (``_rewalk_page``); None when neither
    did (something they call did): walked from the top, keeping nothing."""
    if run.script not in changed:
        return _rewalk_page(program, app, run, mode, walked, changed)
    resumption = None
    if changed == {run.script} and walked.resumable is not None:
        resumption = walked.resumable.resumption(program.facts(run.script), walked)
    trace = Trace()
    walker = Walker(program, Context(app, run, mode), trace)
    trace.resumable = walker.walk_script(run, resumption)
    trace.complete = walker.budget.remaining > 0
    return trace


def _rewalk_page(
    program: Program, app: App, run: Run, mode: Mode, walked: Trace, changed: frozenset[Path]
) -> Trace | None:
    """The walk of an ``st.navigation`` run after an edit of its page alone (a file, not
    a function): the entry walked again up to the page, the page resumed where the edit
    left it as it was, with checkpoints kept for the next edit (``walk_resume``). None
    when anything else changed (walked from the top, keeping nothing)."""
    page = run.page
    if page is None or page.function is not None or changed != {page.path}:
        return None
    trace = Trace()
    walker = Walker(program, Context(app, run, mode), trace)
    walker.keeps_page = True
    if walked.page_walk is not None:
        walker.page_resumption = walked.page_walk.resumption(program.facts(page.path), walked)
    walker.walk_run(run)
    trace.page_walk = walker.page_kept
    trace.complete = walker.budget.remaining > 0
    return trace


def _walk_callbacks(
    program: Program, app: App, run: Run, trace: Trace, last: CallbackWalks | None = None
) -> Trace:
    """The callbacks the run's widgets register, each walked once (each from nothing:
    their walks are independent). ``last``: the walks kept from before an edit of one
    file (``_rewalk_callbacks``), taken where they hold; this one's are kept then too."""
    callback_trace = Trace()
    context = Context(app, run, Mode.ANY_RUN, in_callback=True)
    facts = program.facts(last.script) if last is not None else None
    now = {function.qualname: function for function in facts.functions} if facts else {}
    kept: dict[tuple[Path, str], CallbackWalk] = {}
    walked: set[tuple[Path, str]] = set()
    for caller, callback in trace.callbacks:
        resolved = program.resolve_function(caller, callback.function)
        if resolved is None or (resolved[0], resolved[1].qualname) in walked:
            continue
        identity = (resolved[0], resolved[1].qualname)
        walked.add(identity)
        part = None
        if last is not None:
            part = last.kept_walk(identity, caller, callback, resolved[1], now)
        if part is None:
            part = Trace()
            walker = Walker(program, context, part)
            caller_frame = Frame(caller, "", {}, ())
            bindings = walker.bind_arguments(caller_frame, callback, resolved[1])
            walker.walk_function(resolved[0], resolved[1], bindings)
        kept[identity] = CallbackWalk(caller, callback, resolved[1], part)
        callback_trace.extend(part)
    if last is not None and facts is not None:
        callback_trace.callback_walks = CallbackWalks.of(last.script, facts, kept)
    return callback_trace


def _rewalk_callbacks(
    program: Program, app: App, run: Run, trace: Trace, walked: Trace, changed: frozenset[Path]
) -> Trace | None:
    """The callbacks of a run after an edit of one file (its script, or the page an
    ``st.navigation`` entry runs, or a module): the walks of those whose code is as it
    was are taken from ``walked``. None when more files changed (walked as usual,
    keeping nothing)."""
    if len(changed) != 1:
        return None
    (edited,) = changed
    facts = program.facts(edited)
    if facts is None:
        return None
    last = walked.callback_walks
    if last is None or last.script != edited or not last.holds_for(facts):
        last = CallbackWalks.of(edited, facts, {})  # (keeps this version's walks)
    return _walk_callbacks(program, app, run, trace, last)


@dataclass(frozen=True, slots=True)
class _Segment:
    """What the walk of the code no run reaches saw of one file: where its part of the
    trace's lists ends, the functions it entered, and the other files it read."""

    # Tuples, not sets: an app has a segment for each file with code no run reaches
    # (a set takes four times the memory of a tuple of a few items).
    path: Path
    ends: tuple[int, int, int, int]  # reads, writes, widgets, callbacks
    entered: tuple[tuple[Path, str], ...]
    read: tuple[Path, ...]  # besides ``path``


@dataclass
class StandaloneTrace(Trace):
    """The walk of the code no run reaches, file by file: an edit walks again the files
    it changed and those whose walk read them, and takes the others' parts as they
    were (``_rewalk_standalone``). Only the files with code walked have a segment."""

    segments: tuple[_Segment, ...] = field(default=(), compare=False, repr=False)


def _walk_standalone(
    program: Program,
    app: App,
    entered: set[tuple[Path, str]],
    last: StandaloneTrace | None = None,
    changed: frozenset[Path] = frozenset(),
) -> StandaloneTrace:
    """Code no run reaches (helpers never called, imported modules' top level), walked
    alone, so its reads still get guard information for "never initialised" checks.
    ``last``: the walk before the files ``changed`` did; a file's part of it is taken
    when what walking it depends on is as it was."""
    standalone = StandaloneTrace()
    context = Context(app, None, Mode.ANY_RUN)
    kept = {segment.path: segment for segment in last.segments} if last is not None else {}
    starts = dict(zip(kept, [(0, 0, 0, 0), *(s.ends for s in kept.values())], strict=False))
    # Files whose part is walked again: what a later file's walk finds entered may
    # differ for those their walks read.
    walked_again: set[Path] = set(changed)
    segments: list[_Segment] = []
    for path in sorted(app.files):
        segment = kept.get(path)
        if last is not None and path not in walked_again:
            if segment is None:
                continue  # nothing walked, nothing it reads changed: nothing to walk
            if walked_again.isdisjoint(segment.read):
                _take_part(standalone, last, starts[path], segment)
                segments.append(_moved(segment, standalone))
                continue
        if segment is not None:
            walked_again.update(segment.read)  # (its last walk may have entered theirs)
        part = _walk_file_alone(program, context, path, entered, standalone)
        if part is not None:
            walked_again.update(part.read)
            segments.append(part)
    standalone.segments = tuple(segments)
    return standalone


def _walk_file_alone(
    program: Program,
    context: Context,
    path: Path,
    entered: set[tuple[Path, str]],
    standalone: StandaloneTrace,
) -> _Segment | None:
    """Walk the code of ``path`` no run reaches onto ``standalone``; its segment, or
    None when it has none."""
    facts = program.facts(path)
    if facts is None:
        return None
    before = standalone.entered
    standalone.entered = set()
    lengths = standalone.lengths()
    read: set[Path] = set()
    walker = Walker(program, context, standalone)
    with program.recording(read):
        if path not in context.app.scripts:
            walker.walk_module(path)
        for function in facts.functions:
            identity = (path, function.qualname)
            if (
                identity not in entered
                and identity not in before
                and (identity not in standalone.entered)
            ):
                walker.walk_function(path, function)
    own = standalone.entered
    standalone.entered = before | own
    read.discard(path)
    if not own and not read and standalone.lengths() == lengths:
        return None  # (it read itself alone: an edit of it walks it again)
    return _Segment(path, standalone.lengths(), tuple(own), tuple(read))


def _take_part(
    trace: Trace, last: Trace, start: tuple[int, int, int, int], segment: _Segment
) -> None:
    """Append ``segment``'s part of ``last`` (which begins at ``start``) to ``trace``."""
    trace.take_part(last, start, segment.ends)
    trace.entered.update(segment.entered)


def _moved(segment: _Segment, trace: Trace) -> _Segment:
    lengths = trace.lengths()
    return segment if lengths == segment.ends else replace(segment, ends=lengths)


def _rewalk_standalone(
    program: Program,
    app: App,
    entered: set[tuple[Path, str]],
    walked: Trace,
    changed: frozenset[Path],
) -> Trace | None:
    """The walk of the code no run reaches after the files ``changed``: the parts of
    the other files taken from ``walked``. Most edits are to a page whose functions its
    runs enter: its part is its lambdas at most, where the whole walk took 0.3-0.7 ms
    an edit."""
    if not isinstance(walked, StandaloneTrace):
        return None
    return _walk_standalone(program, app, entered, walked, changed)
