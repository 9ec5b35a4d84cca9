"""Independent pieces of work spread over this process and forked copies of it.

``check`` analyses each app of a workspace on its own (the findings of one app do not
depend on another's), after one index of the whole workspace. Forked copies of the
process share that index as it is (copy-on-write) where spawned workers would have to
be sent it, so the analysis can use every core for the price of a ``fork``.

Only where forking is safe: on Linux (macOS's system libraries are not fork-safe, and
Windows has no fork), and only when no thread but this one and the main thread runs
(the main thread waiting for this one, as ``call_with_deep_stack`` leaves it). A copy
that fails, or whose results cannot be read, costs time, never results: its items
are done here instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Processes to work in at most, this one included. More than two measured no better on
# the development machine (2 cores); the cap keeps a big machine from starting a dozen
# processes for work of a few seconds.
MAX_PROCESSES = 4


def usable_cores() -> int:
    """The cores this process may run on, up to ``MAX_PROCESSES``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(MAX_PROCESSES, cores))


def map_forked(function: Callable[[T], R], items: Sequence[T], processes: int) -> list[R]:
    """``[function(item) for item in items]``, the items dealt in turn to this process
    and ``processes - 1`` forked copies (one process when forking is not safe)."""
    processes = min(processes, len(items))
    if processes < 2 or not fork_is_safe():
        return [function(item) for item in items]
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    for share in range(1, processes):
        child = _fork_for(function, items, share, processes)
        if child is not None:
            children.append(child)
    results: dict[int, R] = {
        position: function(items[position]) for position in range(0, len(items), processes)
    }
    for pid, reading in children:
        results.update(_collect(pid, reading))
    # Whatever a copy did not send (it failed) is done here.
    return [
        results[position] if position in results else function(items[position])
        for position in range(len(items))
    ]


def fork_is_safe() -> bool:
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    here, main = threading.current_thread(), threading.main_thread()
    return all(thread in (here, main) for thread in threading.enumerate())


def _fork_for(
    function: Callable[[T], R], items: Sequence[T], share: int, processes: int
) -> tuple[int, int] | None:
    try:
        reading, writing = os.pipe()
    except OSError as error:
        logger.info("no pipe for a forked worker (%s): working in this process", error)
        return None
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns of any other thread; the only one is the main thread,
            # waiting for this one (fork_is_safe), which holds no lock a copy could need.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError as error:
        os.close(reading)
        os.close(writing)
        logger.info("cannot fork (%s): working in this process", error)
        return None
    if pid == 0:  # the copy: never returns
        os.close(reading)
        _work_and_exit(function, items, share, processes, writing)
    os.close(writing)
    return pid, reading


def _work_and_exit(
    function: Callable[[T], R], items: Sequence[T], share: int, processes: int, writing: int
) -> None:
    status = 1
    try:
        results = [
            (position, function(items[position]))
            for position in range(share, len(items), processes)
        ]
        with os.fdopen(writing, "wb") as stream:
            pickle.dump(results, stream, pickle.HIGHEST_PROTOCOL)
        status = 0
    except BaseException:  # reported by the parent, which does these items itself
        status = 1
    finally:
        # No atexit handlers, no flushing of buffers the parent owns too.
        os._exit(status)


def _collect(pid: int, reading: int) -> list[tuple[int, object]]:
    """A copy's results ([] when it failed), after it exited."""
    results: list[tuple[int, object]] = []
    try:
        with os.fdopen(reading, "rb") as stream:
            data = stream.read()
        if data:
            loaded = pickle.loads(data)
            if isinstance(loaded, list):
                results = loaded
    except Exception as error:
        logger.warning("a forked worker's results could not be read (%s)", error)
    with contextlib.suppress(ChildProcessError):
        _, status = os.waitpid(pid, 0)
        if status != 0 and not results:
            logger.warning("a forked worker failed (status %d): its share is done here", status)
    return results
