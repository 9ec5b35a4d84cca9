"""Threads with room for deeply nested code (``deepstack``)."""

from __future__ import annotations

import threading

from streamlit_lsp.analysis.index import prepare_buffer
from streamlit_lsp.deepstack import HELPER_STACK_BYTES, helper_thread


def test_a_helper_thread_has_its_own_stack_and_leaves_the_default_alone() -> None:
    """The server's extraction thread: started with a stack of its own size (a
    platform's default for threads can be too small for the parser), without changing
    the size other threads get."""
    before = threading.stack_size()
    executor = helper_thread("helper-test")
    try:
        assert threading.stack_size() == before != HELPER_STACK_BYTES
        name = executor.submit(lambda: threading.current_thread().name).result()
        assert name.startswith("helper-test")
        # Nested deeper than the parser allows (its C recursion runs on this thread's
        # stack): an error in the facts, not a crash.
        nested = "x = " + "-" * 5_000 + "1\n"
        prepared = executor.submit(prepare_buffer, nested).result()
        assert prepared.facts.parse_error is not None or prepared.facts.opaque
    finally:
        executor.shutdown()
