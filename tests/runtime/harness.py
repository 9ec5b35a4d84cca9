"""Run a labelled fixture app under ``streamlit.testing.v1.AppTest`` and report what broke.

Why this exists: the checker's rules are claims about Streamlit's runtime behaviour
(``RULES.md``). The only judge of such claims is Streamlit itself, so every fixture app is
executed under AppTest, following the interaction ``steps`` its label describes, and each
session-state error it raises is reported as a :class:`RuntimeEvent` with the user file
and line where it happened. The agreement test then demands that the engine reported a
diagnostic there.

How the events are obtained (Streamlit 1.67.0):

* Uncaught exceptions in the script body or a callback are caught by
  ``exec_func_with_error_handling`` and rendered as ``st.exception`` elements. AppTest
  exposes them as ``at.exception``; each element keeps its ``ExceptionProto`` with the
  exception class name (``type``), ``message`` and ``stack_trace``. The stack trace is
  a list of pre-formatted rows with Streamlit's own frames removed: frame rows look like
  ``File "/abs/path.py", line 12, in <module>\\n    code``, and chained exceptions are
  separated by the usual "During handling of the above exception..." rows. The frames
  after the last separator belong to the exception that was actually raised; its
  innermost frame inside the case folder is the reported location.
* ST004 is not an exception but a WARNING record on the logger
  ``streamlit.elements.lib.policies`` with ``stack_info`` (the widget call is the user
  frame in it). Streamlit loggers do not propagate, so a handler is attached to that
  logger. The warning is logged at most once per process (module global
  ``_shown_default_value_warning``), so the flag is cleared before every run and before
  every widget policy check while a case runs.

Isolation: AppTest executes the entry script (and pages) in a fresh ``__main__`` each run,
but helper modules imported by a multi-file app are cached in ``sys.modules`` like in a
real server. Within a case that sharing is wanted (``new_session`` shows it); between
cases it is not, so modules loaded from the fixtures are dropped before and after each
case. The entry's folder is put on ``sys.path`` for the whole case, as ``streamlit run``
does.
"""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEY_ERROR = "KeyError"
ATTRIBUTE_ERROR = "AttributeError"
WIDGET_ALREADY_INSTANTIATED = "WidgetAlreadyInstantiated"
VALUE_ASSIGNMENT_NOT_ALLOWED = "ValueAssignmentNotAllowed"
DUPLICATE_ELEMENT_KEY = "DuplicateElementKey"
DEFAULT_VALUE_WARNING = "DefaultValueWarning"
OTHER = "Other"

KINDS = frozenset(
    {
        KEY_ERROR,
        ATTRIBUTE_ERROR,
        WIDGET_ALREADY_INSTANTIATED,
        VALUE_ASSIGNMENT_NOT_ALLOWED,
        DUPLICATE_ELEMENT_KEY,
        DEFAULT_VALUE_WARNING,
        OTHER,
    }
)

# Which runtime events each label code stands for (used by the harness self-test).
KINDS_FOR_CODE: Mapping[str, frozenset[str]] = {
    "ST001": frozenset({KEY_ERROR, ATTRIBUTE_ERROR}),
    "ST002": frozenset({KEY_ERROR, ATTRIBUTE_ERROR}),
    "ST003": frozenset({WIDGET_ALREADY_INSTANTIATED}),
    "ST004": frozenset({DEFAULT_VALUE_WARNING}),
    "ST005": frozenset({VALUE_ASSIGNMENT_NOT_ALLOWED, WIDGET_ALREADY_INSTANTIATED}),
    "ST006": frozenset({DUPLICATE_ELEMENT_KEY}),
}

# Which engine codes may explain each runtime event (used by the agreement test).
CODES_FOR_KIND: Mapping[str, frozenset[str]] = {
    KEY_ERROR: frozenset({"ST001", "ST002", "ST008"}),
    ATTRIBUTE_ERROR: frozenset({"ST001", "ST002", "ST008"}),
    WIDGET_ALREADY_INSTANTIATED: frozenset({"ST003", "ST005"}),
    VALUE_ASSIGNMENT_NOT_ALLOWED: frozenset({"ST005"}),
    DUPLICATE_ELEMENT_KEY: frozenset({"ST006"}),
    DEFAULT_VALUE_WARNING: frozenset({"ST004"}),
}

FIXTURES_ENV_VAR = "STREAMLIT_LSP_FIXTURES"
_POLICIES_LOGGER = "streamlit.elements.lib.policies"
_TIMEOUT_SECONDS = 30.0

# Streamlit's exception class name -> event kind. KeyError/AttributeError are only
# session-state events when the message is Session State's own (see _classify).
_STREAMLIT_EXCEPTION_KINDS = {
    "StreamlitWidgetAlreadyInstantiatedError": WIDGET_ALREADY_INSTANTIATED,
    "StreamlitValueAssignmentNotAllowedError": VALUE_ASSIGNMENT_NOT_ALLOWED,
    "StreamlitDuplicateElementKey": DUPLICATE_ELEMENT_KEY,
}
_MISSING_KEY_RE = re.compile(r'st\.session_state has no key "(?P<key>.*)"\. Did you forget', re.S)
_MISSING_ATTR_RE = re.compile(
    r'st\.session_state has no attribute "(?P<key>.*)"\. Did you forget', re.S
)
# ``st.session_state['k']`` (the key is repr()'d inside a Markdown code span).
_ITEM_RE = re.compile(r"""st\.session_state\[(?P<lit>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]""")
_DUPLICATE_KEY_RE = re.compile(r"same `key='(?P<key>.*)'`\. To fix", re.S)
_FRAME_RE = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')
_CHAIN_SEPARATORS = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)


@dataclass(frozen=True)
class RuntimeEvent:
    """One thing Streamlit did at runtime that a rule is about.

    ``path`` is the absolute user file where it was raised (innermost frame inside the
    case), ``line`` 1-based, ``run`` 0 for the first run and then one per step.
    """

    kind: str
    path: Path
    line: int
    key: str | None
    run: int
    message: str

    def describe(self) -> str:
        return f"{self.kind} key={self.key!r} at {self.path.name}:{self.line} (run {self.run})"


@dataclass(frozen=True)
class Observation:
    """Everything one execution of a case produced (events plus harness sanity data)."""

    events: tuple[RuntimeEvent, ...]
    # ``expect`` expressions of the steps that were false or failed to evaluate.
    expect_failures: tuple[str, ...]
    runs: int
    seconds: float


class HarnessError(RuntimeError):
    """A case could not be run as described (bad step, timeout, AppTest failure)."""


# --------------------------------------------------------------------------- locating


def default_shared_fixtures() -> Path:
    """The shared fixtures beside the repository, unless the environment names others."""
    override = os.environ.get(FIXTURES_ENV_VAR)
    if override:
        return Path(override).resolve()
    # tests/runtime/harness.py -> parents[2] is the repository, parents[3] holds it.
    return Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def load_cases(fixtures_root: Path) -> dict[str, dict[str, Any]]:
    """The labelled cases of ``fixtures_root/expected.json``, by case name."""
    with (fixtures_root / "expected.json").open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{fixtures_root / 'expected.json'}: expected a JSON object")
    return data


def case_target(fixtures_root: Path, case: Mapping[str, Any]) -> Path:
    """The file or folder that makes up one case.

    ``cases/NNN_x.py`` is a single-file app (the file itself); ``cases/NNN_x/app.py`` is
    a multi-file app whose case is the folder ``cases/NNN_x`` (pages, views, helpers).
    """
    entry = Path(case["entry"])
    if len(entry.parts) > 2:
        return (fixtures_root / entry.parts[0] / entry.parts[1]).resolve()
    return (fixtures_root / entry).resolve()


# --------------------------------------------------------------------------- parsing


def _within(path: Path, scope: Path) -> bool:
    return path == scope or path.is_relative_to(scope)


def _resolve(raw: str) -> Path:
    try:
        return Path(raw).resolve()
    except (OSError, RuntimeError):
        return Path(raw)


def innermost_user_frame(text: str, scope: Path) -> tuple[Path, int] | None:
    """The last ``File "...", line N`` in ``text`` whose file lies inside ``scope``."""
    found: tuple[Path, int] | None = None
    for match in _FRAME_RE.finditer(text):
        path = _resolve(match.group("path"))
        if _within(path, scope):
            found = (path, int(match.group("line")))
    return found


def _raised_segment(stack_trace: list[str]) -> list[str]:
    """The rows of the exception actually raised: those after the last chain separator."""
    start = 0
    for index, row in enumerate(stack_trace):
        if row.strip() in _CHAIN_SEPARATORS:
            start = index + 1
    return stack_trace[start:]


def _classify(type_name: str, message: str) -> tuple[str, str | None]:
    """Map an exception (class name, message) to an event kind and the key it names."""
    short = type_name.rpartition(".")[2]
    if short == "KeyError":
        # str(KeyError(text)) is repr(text): undo it so quotes in the key come out right.
        with contextlib.suppress(ValueError, SyntaxError):
            unquoted = ast.literal_eval(message)
            if isinstance(unquoted, str):
                message = unquoted
        match = _MISSING_KEY_RE.search(message)
        if match:
            return KEY_ERROR, match.group("key")
        return OTHER, None
    if short == "AttributeError":
        match = _MISSING_ATTR_RE.search(message)
        if match:
            return ATTRIBUTE_ERROR, match.group("key")
        return OTHER, None
    kind = _STREAMLIT_EXCEPTION_KINDS.get(short)
    if kind is None:
        return OTHER, None
    if kind == DUPLICATE_ELEMENT_KEY:
        match = _DUPLICATE_KEY_RE.search(message)
        return kind, match.group("key") if match else None
    match = _ITEM_RE.search(message)
    if not match:
        return kind, None
    try:
        key = ast.literal_eval(match.group("lit"))
    except (ValueError, SyntaxError):
        return kind, None
    return kind, str(key)


def _exception_events(at: Any, scope: Path, entry: Path, run: int) -> list[RuntimeEvent]:
    events: list[RuntimeEvent] = []
    for element in at.exception:
        proto = element.proto
        rows = list(proto.stack_trace)
        kind, key = _classify(proto.type, proto.message)
        frame = innermost_user_frame("\n".join(_raised_segment(rows)), scope)
        if frame is None:  # e.g. raised from a frame outside the case: take any user frame
            frame = innermost_user_frame("\n".join(rows), scope)
        path, line = frame if frame is not None else (entry, 0)
        message = f"{proto.type}: {proto.message}"
        events.append(RuntimeEvent(kind, path, line, key, run, message))
    return events


# --------------------------------------------------------------------------- ST004 capture


class _DefaultValueWarnings(logging.Handler):
    """Collects the ST004 log records of one case, tagged with the run they came from."""

    def __init__(self, scope: Path, entry: Path) -> None:
        super().__init__(level=logging.WARNING)
        self.scope = scope
        self.entry = entry
        self.run = 0
        self.events: list[RuntimeEvent] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "created with a default value" not in message:
            return
        key = str(record.args[0]) if isinstance(record.args, tuple) and record.args else None
        frame = innermost_user_frame(record.stack_info or "", self.scope)
        path, line = frame if frame is not None else (self.entry, 0)
        with self._lock:
            self.events.append(
                RuntimeEvent(DEFAULT_VALUE_WARNING, path, line, key, self.run, message)
            )


@contextlib.contextmanager
def _capture_default_value_warnings(handler: _DefaultValueWarnings) -> Iterator[None]:
    """Attach ``handler`` and make the once-per-process warning fire on every occurrence.

    ``check_widget_policies`` looks ``check_session_state_rules`` up as a module global,
    so wrapping that global lets the flag be cleared right before each widget check.
    """
    from streamlit.elements.lib import policies

    original = policies.check_session_state_rules

    def reset_then_check(*args: Any, **kwargs: Any) -> None:
        policies._shown_default_value_warning = False
        original(*args, **kwargs)

    logger = logging.getLogger(_POLICIES_LOGGER)
    old_level = logger.level
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    policies.check_session_state_rules = reset_then_check
    try:
        yield
    finally:
        policies.check_session_state_rules = original
        policies._shown_default_value_warning = False
        logger.removeHandler(handler)
        logger.setLevel(old_level)


# --------------------------------------------------------------------------- isolation


def _drop_modules_under(folder: Path) -> None:
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and _within(_resolve(file), folder):
            sys.modules.pop(name, None)


@contextlib.contextmanager
def _isolated(fixtures_root: Path, app_dir: Path) -> Iterator[None]:
    """Fixture modules are fresh for the case; the app folder is importable as in `run`."""
    _drop_modules_under(fixtures_root)
    added = str(app_dir) not in sys.path
    if added:
        sys.path.insert(0, str(app_dir))
    # AppTest leaves its fake ``__main__`` (the app's script) in sys.modules; dropping it
    # with the fixture modules would leave none, and multiprocessing needs one.
    main = sys.modules.get("__main__")
    try:
        yield
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(str(app_dir))
        _drop_modules_under(fixtures_root)
        if main is not None:
            sys.modules["__main__"] = main


# --------------------------------------------------------------------------- steps


def _all_nodes(at: Any) -> list[Any]:
    try:
        tree = at.main.root
    except (KeyError, IndexError, AttributeError):
        return []
    return list(tree)


def _find_widget(at: Any, op: Mapping[str, Any]) -> Any:
    if "key" in op:
        key = str(op["key"])
        matches = [
            node
            for node in _all_nodes(at)
            if getattr(node, "key", None) == key and hasattr(node, "set_value")
        ]
        if not matches:
            raise HarnessError(f"no widget with key {key!r} in the last run")
        return matches[0]
    if "type" in op:
        nodes = at.get(op["type"])
        index = int(op.get("index", 0))
        if index >= len(nodes):
            raise HarnessError(f"no {op['type']} number {index} in the last run")
        return nodes[index]
    raise HarnessError(f"step names no widget: {dict(op)!r}")


def _apply_op(at: Any, op_name: str, op: Mapping[str, Any]) -> None:
    widget = _find_widget(at, op)
    if op_name == "click":
        if hasattr(widget, "click") and callable(widget.click):
            try:
                widget.click()
            except TypeError:  # MenuButton.click needs an option: treat as set_value(True)
                widget.set_value(True)
        else:
            widget.set_value(True)
    elif op_name == "set":
        widget.set_value(op["value"])
    else:
        raise HarnessError(f"unknown widget op {op_name!r}")


def _check_expectations(
    at: Any, step_index: int, expressions: list[str], failures: list[str]
) -> None:
    namespace = {"at": at, "ss": at.session_state, "sys": sys}
    for expression in expressions:
        try:
            ok = bool(eval(expression, namespace))  # expressions come from expected.json
        except Exception as exc:
            failures.append(f"step {step_index}: {expression!r} raised {exc!r}")
            continue
        if not ok:
            failures.append(f"step {step_index}: {expression!r} is false")


def _new_session(entry: Path, start_page: str | None) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(entry), default_timeout=_TIMEOUT_SECONDS)
    if start_page:
        at.switch_page(start_page)
    return at


def _run_case(fixtures_root: Path, case: Mapping[str, Any]) -> Observation:
    started = time.perf_counter()
    entry = (fixtures_root / case["entry"]).resolve()
    if not entry.is_file():
        raise HarnessError(f"entry {case['entry']!r} not found under {fixtures_root}")
    scope = case_target(fixtures_root, case)
    start_page: str | None = case.get("start_page")
    steps: list[Mapping[str, Any]] = list(case.get("steps") or [])
    handler = _DefaultValueWarnings(scope, entry)
    events: list[RuntimeEvent] = []
    failures: list[str] = []

    def run(at: Any, index: int, what: str) -> None:
        handler.run = index
        from streamlit.elements.lib import policies

        policies._shown_default_value_warning = False
        try:
            at.run()
        except Exception as exc:
            raise HarnessError(f"run {index} ({what}) failed: {exc!r}") from exc
        events.extend(_exception_events(at, scope, entry, index))

    with _isolated(fixtures_root, entry.parent), _capture_default_value_warnings(handler):
        at = _new_session(entry, start_page)
        run(at, 0, "first run")
        for index, step in enumerate(steps, start=1):
            action = step.get("action")
            try:
                if action == "new_session":
                    at = _new_session(entry, start_page)
                elif action == "switch_page":
                    at.switch_page(step["page"])
                elif action in ("click", "set"):
                    _apply_op(at, action, step)
                elif action == "ops":
                    for op in step.get("ops", []):
                        _apply_op(at, op.get("op", ""), op)
                elif action != "rerun":
                    raise HarnessError(f"unknown action {action!r}")
            except HarnessError as exc:
                raise HarnessError(f"step {index} ({action}): {exc}") from exc
            except Exception as exc:
                raise HarnessError(f"step {index} ({action}) failed: {exc!r}") from exc
            run(at, index, str(action))
            _check_expectations(at, index, list(step.get("expect") or []), failures)

    events.extend(handler.events)
    events.sort(key=lambda event: event.run)  # stable: exceptions keep their order
    return Observation(
        events=tuple(events),
        expect_failures=tuple(failures),
        runs=len(steps) + 1,
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------- entry points

_cache: dict[tuple[str, str], Observation | HarnessError] = {}
_cache_lock = threading.Lock()


def observe_case(fixtures_root: Path, case: Mapping[str, Any]) -> Observation:
    """Run one case once per process (both runtime test files share the result).

    Cached by (fixtures root, the case's JSON), failures included, so a broken case
    costs one attempt and is reported the same way by every test that needs it.
    """
    cache_key = (str(Path(fixtures_root).resolve()), json.dumps(case, sort_keys=True))
    with _cache_lock:
        cached = _cache.get(cache_key)
        if cached is None:
            try:
                cached = _run_case(Path(fixtures_root).resolve(), case)
            except HarnessError as exc:
                cached = exc
            except Exception as exc:  # a harness bug must not take the suite down
                detail = "".join(traceback.format_exception(exc))
                cached = HarnessError(f"unexpected harness failure:\n{detail}")
            _cache[cache_key] = cached
    if isinstance(cached, HarnessError):
        raise HarnessError(f"case {case.get('entry')!r}: {cached}")
    return cached


def observe(fixtures_root: Path, case: dict[str, Any]) -> list[RuntimeEvent]:
    """The runtime events of one case of ``expected.json`` (see the module docstring)."""
    return list(observe_case(fixtures_root, case).events)


def format_events(events: list[RuntimeEvent] | tuple[RuntimeEvent, ...]) -> str:
    """Readable listing for assertion messages."""
    if not events:
        return "  (none)"
    return "\n".join(f"  {event.describe()}: {event.message[:160]}" for event in events)


__all__ = [
    "CODES_FOR_KIND",
    "KINDS",
    "KINDS_FOR_CODE",
    "HarnessError",
    "Observation",
    "RuntimeEvent",
    "case_target",
    "default_shared_fixtures",
    "format_events",
    "innermost_user_frame",
    "load_cases",
    "observe",
    "observe_case",
]
