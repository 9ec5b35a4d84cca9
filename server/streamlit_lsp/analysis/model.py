"""The model the rules query: the program, each app's run simulation, and key tables.

A ``Model`` is built for one analysis (one ``check`` invocation, one server update) and
caches what several rules share: the run simulation of each app (``flow.py``) and the
flat table of every key an app writes, reads and binds to widgets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Generic, TypeVar

from streamlit_lsp.analysis.facts import (
    Access,
    AccessKind,
    Block,
    Branch,
    CallEvent,
    FileFacts,
    FunctionFacts,
    Loop,
    ParamKey,
    Try,
    WidgetCall,
)
from streamlit_lsp.analysis.flow import AppAnalysis, analyse_app, analysis_steps
from streamlit_lsp.analysis.program import ANY_KEY, App, KeySet, Program
from streamlit_lsp.analysis.walk_resume import callable_names, tables_of
from streamlit_lsp.records import record

T = TypeVar("T")

# The key of an app's findings among a model's results: (FINDINGS, app). The checker
# computes them; ``kept_analysis`` keeps them for the next run.
FINDINGS = "diagnostics"

# Every this many models, results no model asked for since are dropped (a server
# builds a model per burst of edits: it must not keep every result it ever computed).
SWEEP_EVERY = 16


@dataclass
class _Line:
    """What a line of models (each built over the one before) shares."""

    # The age of the model that last let results go.
    age: int = 0
    # Each app's parameter bindings (by entry), with what they were merged from.
    bindings: dict[Path, _KeptBindings] = field(default_factory=dict)


# For each file, function and parameter: the keys its call sites pass.
Bindings = dict[Path, dict[str, dict[str, "KeySet"]]]


class _HashKept:
    """A tuple that keeps its hash: a file's bindings are in the key of its part of an
    app's key table, hashed at each of the four look-ups of every edit, and a tuple
    hashes all its items each time (20 us for a large page's)."""

    __slots__ = ("_hash", "items")

    def __init__(self, items: tuple[object, ...]) -> None:
        self.items = items
        self._hash = hash(items)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (
            isinstance(other, _HashKept) and self._hash == other._hash and self.items == other.items
        )

    def __reduce__(self) -> tuple[type[_HashKept], tuple[tuple[object, ...]]]:
        return (_HashKept, (self.items,))  # (hashed again: str hashes vary by process)


_NO_BINDINGS = _HashKept(())


@dataclass(frozen=True, slots=True)
class _KeptBindings:
    """An app's ``Bindings``, merged from each file's calls (``passed``, in file order),
    and each file's bindings in a hashable form (the key of its part of the table)."""

    passed: tuple[tuple[tuple[Path, str, str, KeySet], ...], ...]
    bindings: Bindings
    frozen: dict[Path, _HashKept]

    def merged_from(self, passed: tuple[tuple[tuple[Path, str, str, KeySet], ...], ...]) -> bool:
        # A file unchanged lends the very tuple merged last time: compared by identity.
        return len(passed) == len(self.passed) and all(
            new is old or new == old for new, old in zip(passed, self.passed, strict=True)
        )


_NESTING = frozenset({Branch, Loop, Try})


def iter_nodes(block: Block) -> list[object]:
    """Every node of a block, depth first, in source order (a list: the key tables go
    through every node of every file, and a generator per nested block, each item
    passed up through each level, was a tenth of building them)."""
    found: list[object] = []
    _gather(block, found)
    return found


def _gather(block: Block, found: list[object]) -> None:
    # Nested blocks are rare (most nodes are events): one class lookup tells.
    nested = _NESTING
    for node in block:
        found.append(node)
        kind = node.__class__
        if kind not in nested:
            continue
        if kind is Branch:
            _gather(node.then, found)  # type: ignore[attr-defined]
            _gather(node.orelse, found)  # type: ignore[attr-defined]
        elif kind is Loop:
            _gather(node.body, found)  # type: ignore[attr-defined]
            _gather(node.orelse, found)  # type: ignore[attr-defined]
        else:
            assert isinstance(node, Try)
            _gather(node.body, found)
            for handler in node.handlers:
                _gather(handler, found)
            _gather(node.orelse, found)
            _gather(node.finalbody, found)


@record
class KeyedAccess:
    path: Path
    access: Access
    keys: KeySet


@record
class KeyedWidget:
    path: Path
    widget: WidgetCall
    keys: KeySet


@dataclass(frozen=True, slots=True)
class KeyParts:
    """Which keys one file's accesses and widgets may initialise, read or bind: the
    file's share of an app's ``_KeyIndex``, computed with the file's part of the table
    and kept with it, so an edit re-summarises only the edited file."""

    # Tuples, not sets: a workspace holds one of these per file, and a tuple of names
    # takes a fraction of a set's memory; the app's index makes the sets.
    initialising: tuple[str, ...]
    initialising_patterns: tuple[str, ...]
    reading: tuple[str, ...]
    reading_patterns: tuple[str, ...]
    elements: tuple[str, ...]
    # Literal names a write (or setdefault, or augmented assignment) may give a value,
    # and those a widget keeps across pages (ST008's exceptions).
    written: tuple[str, ...]
    persisted: tuple[str, ...]

    @classmethod
    def of(cls, accesses: tuple[KeyedAccess, ...], widgets: tuple[KeyedWidget, ...]) -> KeyParts:
        initialising = [
            entry.keys
            for entry in accesses
            # An augmented assignment reads first: it can never be what initialises a key.
            if entry.access.kind in (AccessKind.WRITE, AccessKind.SETDEFAULT)
        ]
        initialising += [entry.keys for entry in widgets if entry.widget.stores_value]
        reading = []
        for entry in accesses:
            kind = entry.access.kind
            if (
                kind.reads_value
                or kind is AccessKind.DELETE
                or (kind is AccessKind.CONTAINS and not entry.access.init_guard)
            ):
                reading.append(entry.keys)
        return cls(
            _names(initialising),
            _patterns(initialising),
            _names(reading),
            _patterns(reading),
            tuple({name: None for entry in widgets for name in entry.keys.names}),
            _names([entry.keys for entry in accesses if entry.access.kind in _WRITING]),
            _names([entry.keys for entry in widgets if entry.widget.persists]),
        )


_WRITING = frozenset({AccessKind.WRITE, AccessKind.SETDEFAULT, AccessKind.AUGMENT})


def _names(sets: list[KeySet]) -> tuple[str, ...]:
    return tuple({name: None for keys in sets for name in keys.names})


def _patterns(sets: list[KeySet]) -> tuple[str, ...]:
    return tuple(keys.pattern for keys in sets if keys.dynamic)


@dataclass(frozen=True, slots=True)
class FileKeys:
    """One file's part of a key table (for given parameter bindings)."""

    accesses: tuple[KeyedAccess, ...]
    widgets: tuple[KeyedWidget, ...]
    opaque: bool
    whole_state_read: bool
    external: tuple[str, ...]
    parts: KeyParts
    # Once the file is edited: each statement's and function's share (``_Shares``).
    shares: _Shares[_KeysShare] | None = None


@dataclass(frozen=True, slots=True)
class PassedKeys:
    """The keys the calls of one file pass to parameters: (file, function, parameter,
    keys), in call order."""

    calls: tuple[tuple[Path, str, str, KeySet], ...]
    # Once the file is edited: each statement's and function's share (``_Shares``).
    shares: _Shares[_CallsShare] | None = None


@dataclass(frozen=True, slots=True)
class _KeysShare:
    """A top-level statement's or a function's part of a file's ``FileKeys``. ``item``
    (the statement or function) is kept so that its identity stays its own."""

    item: object
    accesses: tuple[KeyedAccess, ...]
    widgets: tuple[KeyedWidget, ...]


@dataclass(frozen=True, slots=True)
class _CallsShare:
    """A top-level statement's or a function's part of a file's ``PassedKeys``, with the
    functions of the file its calls resolved to."""

    item: object
    calls: tuple[tuple[Path, str, str, KeySet], ...]
    targets: tuple[FunctionFacts, ...]


S = TypeVar("S", _KeysShare, _CallsShare)


@dataclass(frozen=True, slots=True)
class _Shares(Generic[S]):
    """A file's parts by statement and function, with what resolving them read of the
    file itself: the next version's parts are taken from here for the statements and
    functions an edit left as they were (the very objects, ``BufferExtraction``),
    while no other file changed."""

    by_item: dict[int, S]
    tables: tuple[object, ...]
    callable_names: frozenset[str]

    def share(self, item: object) -> S | None:
        found = self.by_item.get(id(item))
        return found if found is not None and found.item is item else None


@dataclass
class KeyTable:
    """Every session-state access and keyed element of one app, keys resolved."""

    accesses: list[KeyedAccess] = field(default_factory=list)
    widgets: list[KeyedWidget] = field(default_factory=list)
    # Some file of the app hides what it does with session state (newer syntax we
    # cannot read, state passed to code outside the workspace): "never" claims back off.
    opaque: bool = False
    whole_state_read: bool = False
    # The app uses a Streamlit add-on package installed outside the workspace
    # (streamlit_authenticator, streamlit_extras...): such packages read and write
    # session-state keys of their own that no file here shows.
    external_state_users: tuple[str, ...] = ()
    # Each file's summary of the keys above (``_KeyIndex`` is their union).
    parts: list[KeyParts] = field(default_factory=list)
    # Each file's part of the table, with the memo key it is kept under and the files
    # it was computed from: results built per file from a part (the editor's key
    # occurrences) are kept under that key, and read those files, so hold as long.
    files: list[tuple[Hashable, FileKeys, tuple[Path, ...]]] = field(default_factory=list)
    # The index of the app's table before an edit, until this one's is built.
    last_index: _KeyIndex | None = field(default=None, compare=False, repr=False)

    def initialises(self, key: str) -> bool:
        """Anything in the app that may give ``key`` a value."""
        return self._index.initialising.could_be(key)

    def is_element_key(self, key: str) -> bool:
        return key in self._index.element_keys

    def reads(self, key: str) -> bool:
        """Is the stored value of ``key`` used anywhere (ST009)?"""
        return self._index.reading.could_be(key)

    @property
    def written_names(self) -> frozenset[str]:
        """The literal keys some access writes (or sets a default for, or augments)."""
        return self._index.written

    @property
    def persisted_names(self) -> frozenset[str]:
        """The literal keys of widgets whose state outlives their page."""
        return self._index.persisted

    @cached_property
    def _index(self) -> _KeyIndex:
        last, self.last_index = self.last_index, None
        return _KeyIndex.build(self, last)


class _PatternMatcher:
    """Whether a key fully matches one of the patterns of a group's computed keys, each
    key's answer kept. An app's table is built again on every edit of one of its files,
    and most edits leave its patterns as they were: the next table's group takes this
    matcher over (``_KeyIndex.build``) with its answers, which cost a match of every
    pattern each (30 keys an edit in the benchmark's app, a sixth of its walks)."""

    # Answers kept at most: every key typed is asked about once.
    MAX_ANSWERS = 4096

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        self._answers: dict[str, bool] = {}
        self._compiled: re.Pattern[str] | None = None

    def matches(self, key: str) -> bool:
        answer = self._answers.get(key)
        if answer is None:
            if self._compiled is None:
                # One alternation, fully matched: the key fully matches one pattern.
                alternatives = "|".join(f"(?:{p})" for p in dict.fromkeys(self.patterns))
                self._compiled = re.compile(alternatives, re.DOTALL)
            if len(self._answers) >= self.MAX_ANSWERS:
                self._answers.clear()
            answer = self._answers[key] = bool(self._compiled.fullmatch(key))
        return answer


@dataclass
class _KeyGroup:
    """The keys a group of key sets can name: literal names, and the patterns of the
    computed ones."""

    names: frozenset[str]
    matcher: _PatternMatcher | None  # None: no computed keys

    def could_be(self, key: str) -> bool:
        return key in self.names or (self.matcher is not None and self.matcher.matches(key))

    @classmethod
    def of(
        cls, names: frozenset[str], patterns: tuple[str, ...], last: _KeyGroup | None
    ) -> _KeyGroup:
        """The group, taking over ``last``'s matcher when the patterns are the same."""
        if not patterns:
            return cls(names, None)
        if last is not None and last.matcher is not None and last.matcher.patterns == patterns:
            return cls(names, last.matcher)
        return cls(names, _PatternMatcher(patterns))


@dataclass
class _KeyIndex:
    """Keys by name, so per-key questions do not scan every access (apps are large)."""

    initialising: _KeyGroup
    reading: _KeyGroup
    element_keys: frozenset[str]
    written: frozenset[str]
    persisted: frozenset[str]

    @classmethod
    def build(cls, table: KeyTable, last: _KeyIndex | None = None) -> _KeyIndex:
        """``last``: the index of the app's table before an edit (matchers taken over)."""
        parts = table.parts
        return cls(
            _KeyGroup.of(
                frozenset().union(*(part.initialising for part in parts)),
                tuple(p for part in parts for p in part.initialising_patterns),
                last.initialising if last is not None else None,
            ),
            _KeyGroup.of(
                frozenset().union(*(part.reading for part in parts)),
                tuple(p for part in parts for p in part.reading_patterns),
                last.reading if last is not None else None,
            ),
            frozenset().union(*(part.elements for part in parts)),
            frozenset().union(*(part.written for part in parts)),
            frozenset().union(*(part.persisted for part in parts)),
        )


@dataclass(frozen=True, slots=True)
class Memo:
    """A computed result, and what it was computed from.

    ``stamps`` holds the index stamp of each file of ``paths``, the files whose facts
    were read to compute ``value``; ``context`` what module resolution depended on. While both are the same,
    the value holds for a later state of the index too.
    """

    value: object
    context: tuple[int, int]
    # Two parallel tuples, not a tuple of pairs: thousands of memos read hundreds of
    # files each, and a pair costs more than the two references it holds.
    paths: tuple[Path, ...]
    stamps: tuple[int | None, ...]
    # The memos asked for while computing ``value``: kept as long as this one is.
    inner: tuple[Hashable, ...] = ()


class Model:
    """The rules' view of a program, caching what several rules and features share.

    ``previous``, a model of an earlier state of the same index, lends its results
    wherever nothing they read has changed since: after an edit to one page, only the
    walks, tables and findings that read that page are computed again.
    """

    def __init__(
        self,
        program: Program,
        previous: Model | None = None,
        *,
        only: tuple[App, ...] | None = None,
        shared: Model | None = None,
    ) -> None:
        self.program = program
        self._only = only
        self._memos: dict[object, Memo] = {}
        # Results earlier models computed: this one's predecessor and, for what it did
        # not ask for, the predecessors before it.
        self._previous: dict[object, Memo] = {}
        # The age of the model that last asked for each result (models count up).
        self._asked: dict[object, int] = {}
        # The keys asked for by each memo being computed, innermost last.
        self._computing: list[list[Hashable]] = []
        self._age = 0
        self._line = _Line()
        if shared is not None:
            self._memos, self._previous = shared._memos, shared._previous
            self._asked, self._age = shared._asked, shared._age
            self._computing, self._line = shared._computing, shared._line
        elif previous is not None:
            self._previous = {**previous._previous, **previous._memos}
            self._asked, self._age = previous._asked, previous._age + 1
            self._line = previous._line

    def forget_unasked(self) -> None:
        """Let go of the results no model asked for in a while (an app that changed
        shape, a file gone), once every ``SWEEP_EVERY`` models: a server builds a model
        per burst of edits. Called by whoever builds the line of models when nobody
        waits (the sweep looks at every result kept: 34 ms on 2,000 files, which fell
        on an edit's diagnostics when a new model swept). The results a kept one was
        computed from are kept with it (its ``inner`` memos, found here rather than
        marked on every ask: marking them walked every app's results on every edit,
        26 ms on 2,000 files)."""
        if self._age - self._line.age < SWEEP_EVERY:
            return
        self._line.age = self._age
        entries = {app.entry for app in self.program.apps}
        for entry in [entry for entry in self._line.bindings if entry not in entries]:
            del self._line.bindings[entry]
        # In place: the models scoped to one app (``scoped``) share these tables.
        recent = self._age - SWEEP_EVERY
        for key in [key for key, age in self._asked.items() if age < recent]:
            del self._asked[key]
        # (This model's own results need no look: what they were computed from was
        # asked for while they were, so it is among the recently asked.)
        kept: dict[object, Memo] = {}
        pending = list(self._asked)
        while pending:
            key = pending.pop()
            entry = self._previous.get(key)
            if entry is None or key in kept:
                continue
            kept[key] = entry
            pending.extend(entry.inner)
        self._previous.clear()
        self._previous.update(kept)

    @property
    def apps(self) -> tuple[App, ...]:
        return self._only if self._only is not None else self.program.apps

    def scoped(self, app: App) -> Model:
        """The same model seen as if ``app`` were the only app (per-app rule runs)."""
        return Model(self.program, only=(app,), shared=self)

    def analysis(self, app: App) -> AppAnalysis:
        return self.memo(
            ("analysis", app),
            lambda: analyse_app(self.program, app, self.memo, self._initialises(app)),
        )

    def analysis_steps(self, app: App) -> Iterator[None]:
        """The walks of ``analysis(app)`` one at a time, each kept: the caller may pause
        between them. The analysis they assemble is kept as ``analysis(app)`` (asked
        for next, by the rules), not assembled again, unless a file it read changed
        while the caller paused."""
        key = ("analysis", app)
        if self.ready(key):
            self.analysis(app)
            return
        reads: set[Path] = set()
        inner: list[Hashable] = []
        seen: dict[Path, int | None] = {}
        context = self._context
        steps = analysis_steps(self.program, app, self.memo, self._initialises(app))
        while True:
            # Recorded a step at a time: what runs while the caller pauses is not ours.
            self._computing.append(inner)
            try:
                with self.program.recording(reads):
                    next(steps)
            except StopIteration as done:
                analysis: AppAnalysis = done.value
                break
            finally:
                self._computing.pop()
                for path in reads.difference(seen):
                    seen[path] = self.program.index.stamp(path)
            yield
        paths = tuple(reads)
        stamps = self.program.index.stamps(paths)
        if context != self._context or stamps != tuple(seen[path] for path in paths):
            return  # a file changed between steps: ``analysis`` computes it afresh
        if self._computing:
            self._computing[-1].append(key)
        self.program.note_reads(paths)
        self._memos[key] = Memo(analysis, context, paths, stamps, tuple(inner))
        self._asked[key] = self._age

    def _initialises(self, app: App) -> Callable[[str], bool]:
        """Whether anything in ``app`` may give a key a value (its key table, built
        when first asked). The table is asked for once: the walks' steps ask this of
        every unguarded read of every run (sixty times an edit in the benchmark's app),
        all from one generator whose reads are recorded together (by ``analysis``, or
        step by step by ``analysis_steps``): the first ask records the table's files."""
        table: KeyTable | None = None

        def initialises(key: str) -> bool:
            nonlocal table
            if table is None:
                table = self.keys(app)
            return table.initialises(key)

        return initialises

    def keys(self, app: App) -> KeyTable:
        return self.memo(
            ("keys", app), lambda: self._key_table(app), lambda last, _: self._key_table(app, last)
        )

    # ------------------------------------------------------------------ memos

    def memo(
        self,
        key: Hashable,
        make: Callable[[], T],
        remake: Callable[[T, frozenset[Path]], T | None] | None = None,
    ) -> T:
        """``make()``, computed once per model, or lent by the previous model when the
        files it read are unchanged. Nested memos count towards the outer one's reads.
        ``remake(stale, changed)``: the result from a stale one, given the files read
        for it that changed since; None when it cannot (``make()`` then)."""
        if self._computing:
            self._computing[-1].append(key)
        entry = self._memos.get(key)
        if entry is None:
            entry = self._previous.get(key)
            if entry is None or not self._holds(entry):
                if entry is not None and remake is not None:
                    make = partial(self._remade, entry, make, remake)
                entry = self._compute(make)
            self._memos[key] = entry
            self._asked[key] = self._age
        else:
            self.program.note_reads(entry.paths)
        return entry.value  # type: ignore[return-value]

    def held(self, key: Hashable) -> tuple[object, tuple[Path, ...]] | None:
        """A result this model holds (computed or lent), and the files it was computed
        from; None when it was not asked for."""
        entry = self._memos.get(key)
        return None if entry is None else (entry.value, entry.paths)

    def ready(self, key: Hashable) -> bool:
        """Whether ``memo(key, ...)`` answers without computing: asked for already, or
        lent by an earlier model (or an earlier run) and still holding."""
        if key in self._memos:
            return True
        entry = self._previous.get(key)
        return entry is not None and self._fresh(entry)

    def adopt(self, key: Hashable, value: object, paths: tuple[Path, ...]) -> None:
        """Take ``value`` as this model's result of ``key``, computed from ``paths`` as
        they are now by a forked copy of this process (``check``)."""
        stamps = self.program.index.stamps(paths)
        self._memos[key] = Memo(value, self._context, paths, stamps)
        self._asked[key] = self._age

    def lend(self, key: Hashable, value: object, paths: tuple[Path, ...]) -> None:
        """Take ``value`` as the result of ``key`` while ``paths`` stay as they are now:
        a result computed by an earlier start of the server (``kept_analysis``)."""
        stamps = self.program.index.stamps(paths)
        self._previous[key] = Memo(value, self._context, paths, stamps)

    def _compute(self, make: Callable[[], object]) -> Memo:
        self._computing.append([])
        try:
            with self.program.recording(set()) as reads:
                value = make()
        finally:
            inner = tuple(self._computing.pop())
        paths = tuple(reads)
        return Memo(value, self._context, paths, self.program.index.stamps(paths), inner)

    def _remade(
        self,
        stale: Memo,
        make: Callable[[], T],
        remake: Callable[[T, frozenset[Path]], T | None],
    ) -> T:
        """``remake`` of a stale result (under ``_compute``'s recording); what it gives
        was computed on top of the stale one, so it depends on the files that did."""
        if stale.context == self._context:
            now = self.program.index.stamps(stale.paths)
            changed = frozenset(
                path
                for path, known, current in zip(stale.paths, stale.stamps, now, strict=True)
                if current != known
            )
            value = remake(stale.value, changed)  # type: ignore[arg-type]
            if value is not None:
                self.program.note_reads(stale.paths)
                return value
        return make()

    def _holds(self, entry: Memo) -> bool:
        if not self._fresh(entry):
            return False
        # Lent, it still depends on those files for whoever computes on top of it.
        self.program.note_reads(entry.paths)
        return True

    def _fresh(self, entry: Memo) -> bool:
        return (
            entry.context == self._context
            and self.program.index.stamps(entry.paths) == entry.stamps
        )

    @property
    def _context(self) -> tuple[int, int]:
        # Module resolution depends on which files exist and on the apps' folders. The
        # folders are compared by hash: comparing hundreds of paths per lookup is slow.
        return (self.program.index.layout_generation, self.program.entry_folders_hash)

    def _key_table(self, app: App, last: KeyTable | None = None) -> KeyTable:
        """``last``: the app's table before the files it read changed, whose index's
        pattern matchers the new one may take over."""
        table = KeyTable()
        if last is not None:
            table.last_index = last.__dict__.get("_index") or last.last_index
        kept = self._param_bindings(app)
        for path in sorted(app.files):
            file_bindings = kept.bindings.get(path, {})
            # Memoised per file and bindings: an edit to one page re-resolves that page.
            memo_key = ("file keys", path, kept.frozen.get(path, _NO_BINDINGS))
            keys = self.memo(
                memo_key,
                partial(self._file_keys, path, file_bindings),
                partial(self._file_keys_again, path, file_bindings),
            )
            if keys is None:
                continue
            table.files.append((memo_key, keys, self._memos[memo_key].paths))
            table.accesses.extend(keys.accesses)
            table.widgets.extend(keys.widgets)
            table.parts.append(keys.parts)
            table.opaque = table.opaque or keys.opaque
            table.whole_state_read = table.whole_state_read or keys.whole_state_read
            if keys.external:
                table.external_state_users = tuple(
                    sorted({*table.external_state_users, *keys.external})
                )
        return table

    def _file_keys(
        self,
        path: Path,
        bindings: dict[str, dict[str, KeySet]],
        last: _Shares[_KeysShare] | None = None,
    ) -> FileKeys | None:
        """The file's keyed accesses and widgets. ``last``: the shares of its last
        version's (when it was edited), taken where a statement or function is the same;
        this one's are kept then too."""
        facts = self.program.facts(path)
        if facts is None:
            return None
        accesses: list[KeyedAccess] = []
        widgets: list[KeyedWidget] = []
        kept: dict[int, _KeysShare] | None = None
        if last is None:
            # Not edited (every file of a workspace at first): no shares to keep, so the
            # module's statements are gone through at once, not one share each (65,000
            # shares in 2,000 files).
            self._keyed(path, facts.body, bindings.get("", {}), accesses, widgets)
            for function in facts.functions:
                bound = bindings.get(function.qualname, {})
                self._keyed(path, function.body, bound, accesses, widgets)
        else:
            kept = {}
            for item, qualname, block in _items(facts):
                share = last.share(item)
                if share is None:
                    share = self._share_of_keys(path, item, block, bindings.get(qualname, {}))
                kept[id(item)] = share
                accesses.extend(share.accesses)
                widgets.extend(share.widgets)
        keyed_accesses, keyed_widgets = tuple(accesses), tuple(widgets)
        return FileKeys(
            keyed_accesses,
            keyed_widgets,
            opaque=bool(facts.opaque or facts.state_escapes),
            whole_state_read=bool(facts.whole_state_reads),
            external=tuple(self._external_streamlit_packages(path)),
            parts=KeyParts.of(keyed_accesses, keyed_widgets),
            shares=None if kept is None else _shares(kept, facts),
        )

    def _share_of_keys(
        self, path: Path, item: object, block: Block, bound: dict[str, KeySet]
    ) -> _KeysShare:
        accesses: list[KeyedAccess] = []
        widgets: list[KeyedWidget] = []
        self._keyed(path, block, bound, accesses, widgets)
        return _KeysShare(item, tuple(accesses), tuple(widgets))

    def _keyed(
        self,
        path: Path,
        block: Block,
        bound: dict[str, KeySet],
        accesses: list[KeyedAccess],
        widgets: list[KeyedWidget],
    ) -> None:
        """Append the block's accesses and keyed widgets, their keys resolved."""
        keys_of = self._keys
        for node in iter_nodes(block):
            kind = node.__class__
            if kind is Access:
                accesses.append(KeyedAccess(path, node, keys_of(path, node.key, bound)))  # type: ignore[attr-defined]
            elif kind is WidgetCall and node.key is not None:  # type: ignore[attr-defined]
                widgets.append(KeyedWidget(path, node, keys_of(path, node.key, bound)))  # type: ignore[attr-defined]

    def _file_keys_again(
        self,
        path: Path,
        bindings: dict[str, dict[str, KeySet]],
        stale: FileKeys | None,
        changed: frozenset[Path],
    ) -> FileKeys | None:
        """``_file_keys`` of an edited file, from its last version's where that holds."""
        if stale is None or not changed <= {path}:
            return None  # (another file changed: what resolution read may have)
        return self._file_keys(path, bindings, _still_valid(stale.shares, path, self.program))

    def _external_streamlit_packages(self, path: Path) -> list[str]:
        facts = self.program.facts(path)
        if facts is None:
            return []
        found = []
        for fact in facts.imports:
            top = fact.module.split(".")[0] if fact.level == 0 else ""
            if not top or top == "streamlit" or not _is_streamlit_addon(top):
                continue
            if self.program.module_path(path, fact.module, fact.level) is None:
                found.append(top)
        return found

    def _keys(self, path: Path, key: object, bindings: dict[str, KeySet]) -> KeySet:
        if key.__class__ is ParamKey and key.name not in bindings:  # type: ignore[attr-defined]
            return ANY_KEY
        return self.program.resolve_key(path, key, bindings)  # type: ignore[arg-type]

    def _param_bindings(self, app: App) -> _KeptBindings:
        """For each function (by file, then name), the union of the keys its call sites
        pass to each parameter. An edit that changes no call's keys (most edits) takes
        the last merge of this app's, which is about half the cost of its key table."""
        files = sorted(app.files)
        passed = tuple(
            self.memo(
                ("keys passed", path),
                partial(self._keys_passed, path),
                partial(self._keys_passed_again, path),
            ).calls
            for path in files
        )
        kept = self._line.bindings.get(app.entry)
        if kept is not None and kept.merged_from(passed):
            return kept
        found: Bindings = {}
        for calls in passed:
            for target, qualname, name, keys in calls:
                slot = found.setdefault(target, {}).setdefault(qualname, {})
                previous = slot.get(name)
                slot[name] = keys if previous is None else _union(previous, keys)
        frozen = {
            path: _HashKept(
                tuple(
                    sorted((qualname, tuple(sorted(b.items()))) for qualname, b in by_name.items())
                )
            )
            for path, by_name in found.items()
        }
        kept = self._line.bindings[app.entry] = _KeptBindings(passed, found, frozen)
        return kept

    def _keys_passed(self, path: Path, last: _Shares[_CallsShare] | None = None) -> PassedKeys:
        """The keys the calls in ``path`` pass to parameters. ``last``: as for
        ``_file_keys``; a share is taken only while the functions of the file its calls
        resolved to are the same objects (a parameter renamed is another binding)."""
        program = self.program
        facts = program.facts(path)
        if facts is None:
            return PassedKeys(())
        passed: list[tuple[Path, str, str, KeySet]] = []
        if last is None:  # (as in ``_file_keys``: no shares, the statements at once)
            self._calls_passing(path, facts.body, passed, [])
            for function in facts.functions:
                self._calls_passing(path, function.body, passed, [])
            return PassedKeys(tuple(passed))
        functions = {function.qualname: function for function in facts.functions}
        kept: dict[int, _CallsShare] = {}
        for item, _, block in _items(facts):
            share = last.share(item)
            if share is not None and any(
                functions.get(target.qualname) is not target for target in share.targets
            ):
                share = None
            if share is None:
                share = self._share_of_calls(path, item, block)
            kept[id(item)] = share
            passed.extend(share.calls)
        return PassedKeys(tuple(passed), _shares(kept, facts))

    def _keys_passed_again(
        self, path: Path, stale: PassedKeys, changed: frozenset[Path]
    ) -> PassedKeys | None:
        """``_keys_passed`` of an edited file, from its last version's where that holds."""
        if not changed <= {path}:
            return None
        return self._keys_passed(path, _still_valid(stale.shares, path, self.program))

    def _share_of_calls(self, path: Path, item: object, block: Block) -> _CallsShare:
        passed: list[tuple[Path, str, str, KeySet]] = []
        targets: list[FunctionFacts] = []
        self._calls_passing(path, block, passed, targets)
        return _CallsShare(item, tuple(passed), tuple(targets))

    def _calls_passing(
        self,
        path: Path,
        block: Block,
        passed: list[tuple[Path, str, str, KeySet]],
        targets: list[FunctionFacts],
    ) -> None:
        """Append the keys the block's calls pass to parameters, and the functions of
        ``path`` itself they resolved to."""
        program = self.program
        for node in iter_nodes(block):
            kind = node.__class__
            calls: tuple[CallEvent, ...]
            if kind is CallEvent:
                calls = (node,)  # type: ignore[assignment]
            elif kind is WidgetCall:
                calls = node.callbacks  # type: ignore[attr-defined]
            else:
                continue  # (most nodes: accesses, widgets' keys, control flow)
            for call in calls:
                if not call.args:
                    continue  # passes no key: nothing to resolve (half the calls)
                resolved = program.resolve_function(path, call.function)
                if resolved is None:
                    continue
                target, function = resolved
                if target is path or target == path:
                    targets.append(function)
                params = function.params
                method = params[:1] in (("self",), ("cls",)) and "." in function.qualname
                offset = 1 if method else 0
                for position, key in call.args:
                    if isinstance(position, int):
                        index = position + offset
                        if index >= len(params) or params[index].startswith("*"):
                            continue
                        name = params[index]
                    else:
                        name = position
                    # A parameter inside the caller resolves to any key here.
                    keys = ANY_KEY if isinstance(key, ParamKey) else program.resolve_key(path, key)
                    passed.append((target, function.qualname, name, keys))


def _items(facts: FileFacts) -> Iterator[tuple[object, str, Block]]:
    """The file's top-level statements and functions, each with the scope its keys are
    bound in and its block, in the order the key tables list their nodes."""
    for node in facts.body:
        yield node, "", (node,)
    for function in facts.functions:
        yield function, function.qualname, function.body


def _shares(by_item: dict[int, S], facts: FileFacts) -> _Shares[S]:
    return _Shares(by_item, tables_of(facts), callable_names(facts.functions))


def _still_valid(shares: _Shares[S] | None, path: Path, program: Program) -> _Shares[S]:
    """``shares`` when what resolving them read of the file is as it was (no other file
    changed: the caller knows); no shares otherwise, which makes them anew."""
    facts = program.facts(path)
    if (
        shares is None
        or facts is None
        or tables_of(facts) != shares.tables
        or callable_names(facts.functions) != shares.callable_names
    ):
        return _Shares({}, (), frozenset())
    return shares


def _is_streamlit_addon(module: str) -> bool:
    """``streamlit_authenticator``, ``st_aggrid``, ``extra_streamlit_components``..."""
    lowered = module.lower()
    return lowered.startswith(("streamlit_", "st_")) or "streamlit" in lowered


def _union(first: KeySet, second: KeySet) -> KeySet:
    pattern = first.pattern
    if second.pattern:
        pattern = f"(?:{first.pattern})|(?:{second.pattern})" if first.pattern else second.pattern
    return KeySet(first.names | second.names, pattern)
