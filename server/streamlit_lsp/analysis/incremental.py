"""Extraction by top-level statement, for an editor buffer typed into.

A keystroke changes one line of a file, but ``extract`` parses and walks all of it:
about 2.5x a bare ``ast.parse`` of the file, 200 ms on a 5,000-line page, on every
edit. ``BufferExtraction`` keeps, for each top-level statement of the buffer's last
version, its tree and what extraction made of it (``StatementPiece``), and on the next
version:

1. finds the lines that changed (the common leading and trailing lines), and the
   *window*: the lines from the end of the last statement before the change to the
   start of the first statement after it;
2. parses the window alone. When it parses, the file is the statements before it, the
   window's and the statements after it, exactly as a parse of the whole text would
   find them: a top-level statement starts at column 0 after a complete one, and a
   window that does not end complete (an open bracket, a decorator with no function)
   fails to parse. Anything else (a syntax error, ``from __future__``, a star import
   added or removed) goes the whole file's way, which also reports the error;
3. builds the module-wide tables (``Extractor.prepare``) over the new statement list
   and compares what statements read from them (``Extractor.context``) with the last
   version's: the names whose entries differ;
4. extracts the window's statements, and any other statement whose text names one of
   those names (or a name the re-extracted statements wrote to the module's scope);
   every other statement's piece is reused, its positions moved by the lines the edit
   added or removed.

The result equals ``extract`` of the whole text (``tests/test_incremental_extraction``
compares them over random edits of every fixture file).
"""

from __future__ import annotations

import ast
import logging
import re
import unicodedata
import warnings
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, get_args, get_type_hints

from streamlit_lsp.analysis import facts as facts_module
from streamlit_lsp.analysis.extract import (
    PIECE_FACTS,
    Extractor,
    Prepass,
    StatementPiece,
    parse,
    shift_lines,
    too_deep,
)
from streamlit_lsp.analysis.facts import (
    BindEvent,
    ChoiceKey,
    Cond,
    ConstantRef,
    DynamicKey,
    FileFacts,
    FunctionFacts,
    FunctionRef,
    ImportedKey,
    LiteralKey,
    ParamKey,
    WidgetBinding,
)
from streamlit_lsp.analysis.source import LineIndex
from streamlit_lsp.diagnostics import Span

logger = logging.getLogger(__name__)

# Lines as the tokenizer counts them (and ``LineIndex``), each with its line break.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# Anything that could be an identifier in a statement's text (strings and comments
# included: a name found there too only costs a statement's extraction).
_WORD = re.compile(r"(?!\d)\w+")
# Names the extraction makes from a position: a lambda callback, a widget in a condition.
_SYNTHETIC = re.compile(r"<(lambda|widget):(\d+):")
# Fields that may hold such a name (never a key: a key's text is the user's).
_SYNTHETIC_FIELDS = {
    FunctionFacts: frozenset({"qualname"}),
    FunctionRef: frozenset({"name"}),
    WidgetBinding: frozenset({"scope"}),
    BindEvent: frozenset({"name"}),
    Cond: frozenset({"name"}),
}
# Facts without a position in them: shared as they are.
_PLACELESS = (LiteralKey, ChoiceKey, ImportedKey, DynamicKey, ParamKey, ConstantRef)
# What a shift does to a field of a fact (``_plan``).
_PLAIN, _DEEP, _SYNTHETIC_NAME = "plain", "deep", "synthetic"


class _WholeFile(Exception):
    """The edit changed what every statement may read (a star import): the whole
    file is extracted."""


# Table entries no statement names: a star import is where any unresolved call may
# resolve (``Extractor.context``).
_WHOLE_FILE_NAMES = frozenset({"*"})


@dataclass(slots=True)
class _Statement:
    """A top-level statement of the buffer's last version, as extracted then."""

    node: ast.stmt  # its positions those of the version kept
    names: frozenset[str]
    piece: StatementPiece
    prepass: Prepass  # what it binds, for the module's pre-pass (``Prepass.joined``)


@dataclass(frozen=True, slots=True)
class ExtractionReport:
    """How the last version was extracted (for tests and logs)."""

    by_statement: bool
    extracted: int  # statements extracted
    reused: int  # statements whose pieces were reused


class BufferExtraction:
    """The facts of one editor buffer, version after version (see the module's docs).

    Not thread-safe: one buffer's versions are extracted one at a time, in order."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._statements: list[_Statement] = []
        self._context: dict[str, dict[str, object]] | None = None
        self._facts: FileFacts | None = None
        self.report = ExtractionReport(False, 0, 0)

    @property
    def line_count(self) -> int:
        """The lines of the version kept (0 when none is)."""
        return len(self._lines)

    def update(self, text: str) -> FileFacts:
        """The facts of ``text``, the buffer's new version: equal to
        ``extract(text, being_typed=True)``."""
        lines = _LINE.findall(text)
        if self._facts is not None and lines == self._lines:
            return self._facts
        facts = None
        if self._context is not None:
            try:
                facts = self._by_statement(text, lines)
            except Exception:  # a fault of this shortcut must not cost the buffer its facts
                logger.exception("extraction by statement failed; extracting the whole file")
                self._forget()
        return facts if facts is not None else self._whole(text, lines)

    # ----------------------------------------------------------- the whole file

    def _whole(self, text: str, lines: list[str]) -> FileFacts:
        line_index = LineIndex(text)
        tree = parse(text, line_index, being_typed=True)
        if isinstance(tree, FileFacts):
            # What is wrong, as ``extract`` says it; the last good version stays the
            # base the next version is compared with.
            self.report = ExtractionReport(False, 0, 0)
            return tree
        try:
            extractor = Extractor(tree, line_index, text)
            prepasses = [Prepass.of_statement(node) for node in tree.body]
            extractor.prepare(Prepass.joined(tree, prepasses))
            statements = [
                _Statement(node, _names(lines, *_line_range(node)), extractor.piece(node), prepass)
                for node, prepass in zip(tree.body, prepasses, strict=True)
            ]
            facts = extractor.facts_of([statement.piece for statement in statements])
            context = extractor.context()
        except RecursionError:
            self._forget()
            return too_deep(text)
        self._keep(lines, statements, context, facts)
        self.report = ExtractionReport(False, len(statements), 0)
        return facts

    def _forget(self) -> None:
        self._lines, self._statements, self._context, self._facts = [], [], None, None

    def _keep(
        self,
        lines: list[str],
        statements: list[_Statement],
        context: dict[str, dict[str, object]],
        facts: FileFacts,
    ) -> None:
        self._lines, self._statements, self._context, self._facts = (
            lines,
            statements,
            context,
            facts,
        )

    # ------------------------------------------------------------ by statement

    def _by_statement(self, text: str, lines: list[str]) -> FileFacts | None:
        """The facts of the new version from the last one's, or None when the edit
        cannot be taken by statement."""
        old_lines, old = self._lines, self._statements
        same_start, same_end = _common_lines(old_lines, lines)
        # Old statements [first, after) touch a changed line, or share a line with one
        # that does (``a = 1; b = 2``).
        ranges = [_line_range(statement.node) for statement in old]
        first = bisect_right([last for _, last in ranges], same_start)
        after = bisect_right([start for start, _ in ranges], len(old_lines) - same_end)
        after = max(after, first)
        while 0 < first < len(old) and ranges[first - 1][1] >= ranges[first][0]:
            first -= 1
        while 0 < after < len(old) and ranges[after][0] <= ranges[after - 1][1]:
            after += 1
        delta = len(lines) - len(old_lines)
        window_start = ranges[first - 1][1] + 1 if first > 0 else 1
        window_end = (ranges[after][0] - 1 if after < len(old) else len(old_lines)) + delta
        window_text = "".join(lines[window_start - 1 : window_end])
        if "__future__" in window_text:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                window = ast.parse(window_text)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            return None
        if window_start > 1:
            shift_lines(window, window_start - 1)
        moved = self._statements[after:]
        for statement in moved if delta else ():
            shift_lines(statement.node, delta)
        try:
            return self._extract_spliced(text, lines, first, after, window.body, delta)
        except (RecursionError, _WholeFile):
            for statement in moved if delta else ():  # as they were, for the whole path
                shift_lines(statement.node, -delta)
            return None

    def _extract_spliced(
        self,
        text: str,
        lines: list[str],
        first: int,
        after: int,
        window: list[ast.stmt],
        delta: int,
    ) -> FileFacts:
        old = self._statements
        nodes = [
            *(statement.node for statement in old[:first]),
            *window,
            *(statement.node for statement in old[after:]),
        ]
        window_prepasses = [Prepass.of_statement(node) for node in window]
        prepasses = [
            *(statement.prepass for statement in old[:first]),
            *window_prepasses,
            *(statement.prepass for statement in old[after:]),
        ]
        tree = ast.Module(body=nodes, type_ignores=[])
        extractor = Extractor(tree, LineIndex(text), text)
        extractor.prepare(Prepass.joined(tree, prepasses))
        context = extractor.context()
        assert self._context is not None
        changed = _changed_names(self._context, context)
        if changed & _WHOLE_FILE_NAMES:
            raise _WholeFile
        for statement in old[first:after]:
            changed |= statement.piece.navigation_names | statement.piece.globals_declared
        shifter = _Shifter(delta)
        extracted = 0

        def extract_one(node: ast.stmt, prepass: Prepass, names: frozenset[str]) -> _Statement:
            nonlocal extracted
            extracted += 1
            return _Statement(node, names, extractor.piece(node), prepass)

        def keep_or_extract(statement: _Statement, moved: bool) -> _Statement:
            """A statement the edit left alone: reused (moved, if below the edit)
            unless it names a name whose meaning changed."""
            if statement.names.isdisjoint(changed):
                piece = shifter.piece(statement.piece) if moved and delta else statement.piece
                extractor.take(piece)
                return statement if piece is statement.piece else replace(statement, piece=piece)
            extracted_again = extract_one(statement.node, statement.prepass, statement.names)
            changed.update(_writes_changed(statement.piece, extracted_again.piece))
            return extracted_again

        statements = [keep_or_extract(statement, False) for statement in old[:first]]
        for node, prepass in zip(window, window_prepasses, strict=True):
            statements.append(extract_one(node, prepass, _names(lines, *_line_range(node))))
            piece = statements[-1].piece
            changed.update(piece.navigation_names | piece.globals_declared)
        statements.extend(keep_or_extract(statement, True) for statement in old[after:])
        facts = extractor.facts_of([statement.piece for statement in statements])
        self._keep(lines, statements, context, facts)
        self.report = ExtractionReport(True, extracted, len(statements) - extracted)
        return facts


class RecentBuffers:
    """The ``BufferExtraction`` of the buffers edited last, by URI.

    Each keeps its buffer's trees: about 4.4 KB a line (22 MB for 5,000 lines, where
    its facts alone take 1.7 MB). So they are kept up to ``lines`` lines in all, the
    buffer edited last always; a buffer let go costs one whole extraction when it is
    edited again."""

    def __init__(self, lines: int = 6_000) -> None:
        self._lines = lines
        self._buffers: OrderedDict[str, BufferExtraction] = OrderedDict()

    def of(self, uri: str) -> BufferExtraction:
        """``uri``'s extraction, now the one edited last (``trim`` after using it)."""
        extraction = self._buffers.pop(uri, None) or BufferExtraction()
        self._buffers[uri] = extraction
        return extraction

    def trim(self) -> None:
        """Let the buffers edited longest ago go, down to the line budget."""
        total = sum(extraction.line_count for extraction in self._buffers.values())
        while total > self._lines and len(self._buffers) > 1:
            _, dropped = self._buffers.popitem(last=False)
            total -= dropped.line_count

    def forget(self, uri: str) -> None:
        self._buffers.pop(uri, None)

    def __len__(self) -> int:
        return len(self._buffers)


# ----------------------------------------------------------------- helpers


def _line_range(node: ast.stmt) -> tuple[int, int]:
    first = node.lineno
    for decorator in getattr(node, "decorator_list", ()):
        first = min(first, decorator.lineno)
    return first, node.end_lineno or node.lineno


def _names(lines: list[str], first: int, last: int) -> frozenset[str]:
    """Every word of a statement's lines that could be an identifier, as the parser
    reads it (NFKC-normalised)."""
    segment = "".join(lines[first - 1 : last])
    words = _WORD.findall(segment)
    if segment.isascii():
        return frozenset(words)
    return frozenset(unicodedata.normalize("NFKC", word) for word in words)


def _common_lines(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many lines the two versions share at their start, and then at their end."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return start, end


def _changed_names(
    old: dict[str, dict[str, object]], new: dict[str, dict[str, object]]
) -> set[str]:
    """The names (each part of a dotted one) whose entry differs in any table."""
    changed: set[str] = set()
    for table, entries in new.items():
        before = old.get(table, {})
        for name in entries.keys() | before.keys():
            if name not in entries or name not in before or not _same(entries[name], before[name]):
                changed.update(name.split("."))
    return changed


# Per fact class, its fields in constructor order, each with what a shift does to it.
def _plan(cls: type) -> tuple[tuple[str, str], ...]:
    """How ``_Shifter`` copies a fact of class ``cls``, read from its type hints: the
    fields whose type may hold a position are copied deep, a name made from a position
    is rewritten, the rest is kept. Empty for a class with nothing to move."""
    if cls in _PLACELESS or not hasattr(cls, "__match_args__"):
        return ()
    hints = get_type_hints(cls)
    synthetic = _SYNTHETIC_FIELDS.get(cls, frozenset())
    plan = []
    for name in cls.__match_args__:  # type: ignore[attr-defined]
        if name in synthetic:
            plan.append((name, _SYNTHETIC_NAME))
        elif _may_hold_a_position(hints[name]):
            plan.append((name, _DEEP))
        else:
            plan.append((name, _PLAIN))
    return tuple(plan) if any(kind != _PLAIN for _, kind in plan) else ()


def _may_hold_a_position(hint: object) -> bool:
    arguments = get_args(hint)
    if arguments:
        return any(_may_hold_a_position(argument) for argument in arguments)
    if hint is Span:
        return True
    return isinstance(hint, type) and hasattr(hint, "__match_args__") and hint not in _PLACELESS


# Per fact class, its fields in constructor order, each with what a shift does to it.
_PLANS: Mapping[type, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        cls: _plan(cls)
        for cls in vars(facts_module).values()
        if isinstance(cls, type) and cls.__module__ == facts_module.__name__
    }
)


def _same(left: object, right: object) -> bool:
    """Equal values; AST nodes (which compare by identity) the same node."""
    if isinstance(left, ast.AST) or isinstance(right, ast.AST):
        return left is right
    return left == right


def _writes_changed(old: StatementPiece, new: StatementPiece) -> set[str]:
    """Names a statement extracted again wrote to the module's scope differently."""
    return set(old.navigation_names ^ new.navigation_names) | set(
        old.globals_declared ^ new.globals_declared
    )


class _Shifter:
    """Copies of facts with every position moved ``delta`` lines (and the names made
    from a position: ``<lambda:12:4>``). Facts shared between tables stay shared, and
    facts with no position in them are not copied."""

    def __init__(self, delta: int) -> None:
        self.delta = delta
        self._done: dict[int, Any] = {}

    def piece(self, piece: StatementPiece) -> StatementPiece:
        moved = {name: self.value(getattr(piece, name)) for name in ("nodes", *PIECE_FACTS)}
        return replace(piece, **moved)

    def value(self, value: Any) -> Any:
        cls = value.__class__
        if cls is Span:
            delta = self.delta
            return Span(value.line + delta, value.column, value.end_line + delta, value.end_column)
        if cls is tuple:
            return tuple([self.value(item) for item in value])
        done = self._done.get(id(value))
        if done is not None:
            return done
        plan = _PLANS.get(cls, ())
        if not plan:
            return value
        moved = False
        arguments = []
        for name, kind in plan:
            item = getattr(value, name)
            if item is not None:
                if kind is _SYNTHETIC_NAME:
                    if "<" in item:
                        item = _SYNTHETIC.sub(self._moved_name, item)
                        moved = True
                elif kind is _DEEP and (item or item.__class__ is not tuple):
                    item = self.value(item)
                    moved = True
            arguments.append(item)
        result = cls(*arguments) if moved else value
        self._done[id(value)] = result
        return result

    def _moved_name(self, match: re.Match[str]) -> str:
        return f"<{match[1]}:{int(match[2]) + self.delta}:"
