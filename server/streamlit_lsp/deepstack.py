"""Run analysis with room for deeply nested (but valid) code.

Extraction and the run simulation recurse once per nesting level: a 400-branch
``elif`` chain is valid Python that real apps contain, and would exceed the default
recursion limit of 1,000 frames. Analysis therefore runs in a worker thread with a
large stack and a higher limit; past that, the file is reported as too deeply nested
rather than crashing anything.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 30_000
# The stack of a helper thread that runs what the main thread could run (the parse of
# an editor buffer): twice a Linux main thread's usual 8 MB. A platform's default for
# new threads can be far smaller (128 KB with musl), too small for the C parser on
# deeply nested code.
HELPER_STACK_BYTES = 16 * 1024 * 1024


def helper_thread(name: str) -> ThreadPoolExecutor:
    """An executor of one thread, started now with ``HELPER_STACK_BYTES`` of stack."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    previous = threading.stack_size()
    try:
        threading.stack_size(HELPER_STACK_BYTES)
        executor.submit(int).result()  # the thread starts here, with that stack
    finally:
        threading.stack_size(previous)
    return executor


def call_with_deep_stack(function: Callable[[], T]) -> T:
    """``function()`` on a thread with a big stack; its exception, if any, is re-raised."""
    result: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(function())
        except BaseException as error:  # re-raised in the caller's thread
            failure.append(error)

    previous_limit = sys.getrecursionlimit()
    previous_size = threading.stack_size()
    try:
        threading.stack_size(STACK_BYTES)
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        worker = threading.Thread(target=target, name="streamlit-lsp-analysis", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous_size)
    worker.join()
    sys.setrecursionlimit(previous_limit)
    if failure:
        raise failure[0]
    return result[0]
