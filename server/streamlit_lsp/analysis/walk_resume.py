"""Resuming a run's walk after an edit of its script, rather than walking it again.

A keystroke in a page changes one statement of the page's body; a run walks that body
top to bottom (``flow.Walker.walk_run``), so every statement above the edited one is
walked again to the same state, and, once the walk is past the edit, every statement
below it too, usually to the same state as before. For a 5,000-line page that was a
third of an edit's latency.

Once a run's script has been edited, its walk keeps *checkpoints* in the script's body:
every few statements, the walk's state there, how long the trace was, and which
functions it had entered. The walk of the next version:

* starts at the last checkpoint before the first statement that changed, when
  everything the walk read up to there is as it was (the statements above it are the
  very same objects, the functions they entered too, nothing else changed);
* stops at the first checkpoint past the edit where its state equals the last walk's
  state there, and takes the rest of the last walk's trace (the walk is deterministic:
  the same state and the same code make the same observations), when the statements
  from there on, and the script's functions the last walk entered from there, are the
  same objects and the budget cannot run out.

The page an ``st.navigation`` entry runs (``pg.run()``) is walked inside the entry's
walk. Once the page alone has been edited, the run's walk keeps checkpoints in the
page's body the same way (``PageWalk``), with where the page's part of the walk began
and ended: the next walk walks the entry again up to the page (entry scripts are short,
and the page may sit in any block of it), and where it arrives at the page as the last
walk did (the same state, trace lengths and budget) resumes the page from a checkpoint;
where it meets the last walk inside the page it takes the rest of the page's part, and
walks on through the entry after ``pg.run()``. The exits the page took so far (an
``st.stop()``) are part of each checkpoint: they leave the page with its end.

The walks of a run's callbacks are independent of each other: once a file they read is
edited, each is kept (``CallbackWalks``) and taken again while its code is the same.

The result equals a walk from the start (``tests/test_walk_resume.py`` checks it over
random edits).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamlit_lsp.analysis.facts import Block, CallEvent, ExitKind, FileFacts, FunctionFacts
    from streamlit_lsp.analysis.flow import State, Trace

# At most this many checkpoints in one script, at least this many statements apart: a
# checkpoint keeps a copy of the state (its tables are copied when the walk changes them
# next), so their number is bounded, and an edit re-walks about one interval.
CHECKPOINTS_MAX = 48
CHECKPOINT_STEP_MIN = 4

# (path, qualname) of a function a walk entered.
Entered = frozenset[tuple[Path, str]]
# How long a trace's reads, writes, widgets and callbacks were.
Lengths = tuple[int, int, int, int]
# The exits a page's walk took so far (copies, never changed: a walk takes copies again).
Exits = tuple[tuple["ExitKind", "State"], ...]


def tables_of(facts: FileFacts) -> tuple[object, ...]:
    """The script's module tables a walk may read through resolution (star imports,
    constants and key collections imported from itself, re-exports)."""
    return (facts.star_imports, facts.constants, facts.key_collections, facts.reexports)


def checkpoint_step(statements: int) -> int:
    """Statements between two checkpoints of a body of ``statements``."""
    return max(CHECKPOINT_STEP_MIN, -(-statements // CHECKPOINTS_MAX))


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a walk stood before statement ``index`` of its script's body."""

    index: int
    state: State
    lengths: Lengths
    entered: Entered  # the functions entered before it
    budget: int  # the walk's budget left
    # The functions entered between this checkpoint and the next (or the end).
    entered_until_next: Entered = frozenset()
    # The exits taken before it (a page's walk; a script's run ends with its exits).
    exits: Exits = ()


@dataclass(frozen=True, slots=True)
class Resumable:
    """What a run's walk kept to be resumed: its script's body and functions as walked,
    and the checkpoints in that body."""

    script: Path
    body: Block
    functions: dict[str, FunctionFacts]
    # What resolving a name in the script reads besides its functions (``tables_of``).
    tables: tuple[object, ...]
    checkpoints: tuple[Checkpoint, ...]
    end_budget: int  # the budget left when the walk ended

    def resumption(self, facts: FileFacts | None, trace: Trace) -> Resumption | None:
        """Where a walk of the script as ``facts`` now has it can start (``trace`` is
        the walk this was kept with); None when it must start from the top."""
        if facts is None or not self.checkpoints:
            return None
        if tables_of(facts) != self.tables:
            return None  # a call or a key may resolve elsewhere now
        if callable_names(facts.functions) != callable_names(self.functions.values()):
            return None  # a call may resolve to a function it did not, or not any more
        now = {function.qualname: function for function in facts.functions}
        # The script's functions edited (a function's body is not a statement of the
        # body: its callers' states are what change).
        edited = {
            (self.script, qualname)
            for qualname, function in self.functions.items()
            if now.get(qualname) is not function
        }
        body = facts.body
        same_before = _same_prefix(body, self.body)
        for number in range(len(self.checkpoints) - 1, -1, -1):
            checkpoint = self.checkpoints[number]
            if checkpoint.index <= same_before and not edited & checkpoint.entered:
                delta = len(body) - len(self.body)
                converge_from = self._converge_from(body, edited) + delta
                return Resumption(self, trace, number, converge_from, delta)
        return None

    def _converge_from(self, body: Block, edited: set[tuple[Path, str]]) -> int:
        """The first statement (of the last walk's body) from which the body, and every
        function of the script the last walk entered from there on, are as that walk
        had them: where a walk that meets the last one's state may take the rest of its
        trace."""
        start = len(self.body) - _same_suffix(body, self.body)
        for number in range(len(self.checkpoints) - 1, -1, -1):
            if edited & self.checkpoints[number].entered_until_next:
                following = self.checkpoints[number + 1 : number + 2]
                return max(start, following[0].index if following else len(self.body) + 1)
        return start


@dataclass(frozen=True, slots=True)
class Resumption:
    """A walk to resume from ``resumable.checkpoints[start]``. The body now has
    ``delta`` more statements than the one walked last; from statement
    ``converge_from`` (of this body) on, the walk runs the code the last one ran
    (``Resumable._converge_from``), so there it may take the rest of ``trace`` where
    its state meets that walk's at a checkpoint."""

    resumable: Resumable
    trace: Trace
    start: int
    converge_from: int
    delta: int
    # The page's part of ``trace`` this resumes (a navigation page), or None: a script's.
    page: PageWalk | None = None

    @property
    def checkpoint(self) -> Checkpoint:
        return self.resumable.checkpoints[self.start]

    @property
    def since(self) -> Lengths:
        """Where the part of ``trace`` the checkpoints count from begins."""
        return self.page.start_lengths if self.page is not None else (0, 0, 0, 0)

    @property
    def until(self) -> Lengths:
        """Where that part of ``trace`` ends."""
        return self.page.end_lengths if self.page is not None else self.trace.lengths()

    def places(self, statements: int) -> list[int]:
        """Where the walk of a body of ``statements`` should make its checkpoints past
        the start: where the last walk made them, moved by ``delta`` (the places the
        walks may meet), and more where statements added left a wide gap."""
        step = checkpoint_step(statements)
        start = self.checkpoint.index
        moved = [
            item.index + self.delta
            for item in self.resumable.checkpoints[self.start + 1 :]
            if item.index + self.delta > start
        ]
        places: list[int] = []
        previous = start
        for place in [*moved, statements]:
            while place - previous > 2 * step:
                previous += step
                places.append(previous)
            if place < statements:
                places.append(place)
            previous = place
        return places

    def last_checkpoint_at(self, index: int) -> Checkpoint | None:
        """The last walk's checkpoint at statement ``index`` of this body."""
        wanted = index - self.delta
        for item in self.resumable.checkpoints[self.start + 1 :]:
            if item.index == wanted:
                return item
        return None


@dataclass(frozen=True, slots=True)
class PageWalk:
    """What the walk of an ``st.navigation`` run kept of its page's part, to be resumed
    after an edit of the page alone: the page's body walked as a script's (``body``:
    its checkpoints; its ``end_budget``, the budget left at the page's end), where the
    part began in the run's walk and where it ended."""

    body: Resumable
    start_state: State
    start_lengths: Lengths
    start_budget: int
    end_state: State
    end_lengths: Lengths
    end_exits: Exits

    def resumption(self, facts: FileFacts | None, trace: Trace) -> Resumption | None:
        """Where a walk of the page as ``facts`` now has it can start (``trace``: the
        run's walk this was kept with), provided the walk arrives at the page as that
        one did (``arrives_as``); None when the page must be walked from its top."""
        found = self.body.resumption(facts, trace)
        return None if found is None else replace(found, page=self)

    def arrives_as(self, state: State, lengths: Lengths, budget: int) -> bool:
        """Whether a walk arriving at the page so arrives as the last walk did: the
        entry walked again up to the page read the same, left the same state and
        budget (the page then walks as it did, up to the edit)."""
        return (
            lengths == self.start_lengths
            and budget == self.start_budget
            and state == self.start_state
        )


def copied(exits: Iterable[tuple[ExitKind, State]]) -> Exits:
    """Exits with copies of their states: a checkpoint's stay as they were while the
    walk that took them goes on, and a walk resumed from them changes its own."""
    return tuple((kind, state.copy()) for kind, state in exits)


@dataclass(frozen=True, slots=True)
class CallbackWalk:
    """One callback of a run walked: where it is registered, the call, the function."""

    caller: Path
    call: CallEvent
    function: FunctionFacts
    trace: Trace


@dataclass(frozen=True, slots=True)
class CallbackWalks:
    """The walks of a run's callbacks once a file they read (``script``) is edited,
    each kept with what it walked: the next version takes a callback's walk again when
    its call and function are the same objects and so is every function of that file it
    entered, while no other file changed and the file's tables (what resolving a key or
    a call reads of it, from any file) are as they were (``kept_walk``)."""

    script: Path
    functions: dict[str, FunctionFacts]
    tables: tuple[object, ...]
    names: frozenset[str]
    walks: dict[tuple[Path, str], CallbackWalk]

    @classmethod
    def of(
        cls, script: Path, facts: FileFacts, walks: dict[tuple[Path, str], CallbackWalk]
    ) -> CallbackWalks:
        functions = {function.qualname: function for function in facts.functions}
        return cls(script, functions, tables_of(facts), callable_names(facts.functions), walks)

    def holds_for(self, facts: FileFacts | None) -> bool:
        """What resolving a call in the script reads of it is as it was."""
        return (
            facts is not None
            and tables_of(facts) == self.tables
            and callable_names(facts.functions) == self.names
        )

    def kept_walk(
        self,
        identity: tuple[Path, str],
        caller: Path,
        call: CallEvent,
        function: FunctionFacts,
        now: dict[str, FunctionFacts],
    ) -> Trace | None:
        """The walk of the callback ``identity`` kept, when it still holds; ``now``: the
        script's functions as they are."""
        kept = self.walks.get(identity)
        if kept is None or kept.caller != caller or kept.call is not call:
            return None
        if kept.function is not function:
            return None
        for path, qualname in kept.trace.entered:
            if path == self.script and now.get(qualname) is not self.functions.get(qualname):
                return None
        return kept.trace


def callable_names(functions: Iterable[FunctionFacts]) -> frozenset[str]:
    """The names a call can resolve to: not those made from a position (a lambda's
    ``<lambda:12:4>``), which a line added above renames and no call names."""
    return frozenset(function.qualname for function in functions if "<" not in function.qualname)


def _same_prefix(new: Block, old: Block) -> int:
    """How many leading statements of ``new`` are the very objects of ``old``'s."""
    count = 0
    for new_node, old_node in zip(new, old, strict=False):
        if new_node is not old_node:
            break
        count += 1
    return count


def _same_suffix(new: Block, old: Block) -> int:
    """How many trailing statements of ``new`` are the very objects of ``old``'s."""
    count = 0
    for new_node, old_node in zip(reversed(new), reversed(old), strict=False):
        if new_node is not old_node:
            break
        count += 1
    return count
