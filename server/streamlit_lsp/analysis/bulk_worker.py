"""The work of one bulk-indexing worker process: extract texts, fill the cache.

Kept apart from ``bulk.py`` so that a spawned worker imports only what extraction
needs (not asyncio, not the index): its start-up is part of every cold index.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from pathlib import Path

from streamlit_lsp.analysis.collector import collector_paused
from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts_cache import PICKLE_PROTOCOL, FactsCache
from streamlit_lsp.deepstack import call_with_deep_stack


def prepare_worker(parent: int) -> None:
    """A new worker's first step: keep off the parent's protocol stream, die with it.

    A spawned process inherits the parent's standard streams, and the language server's
    stdout is its protocol channel: a worker holding it keeps the client from seeing
    the end of the stream after the server exits, and anything it printed would corrupt
    the protocol. So stdin and stdout become ``/dev/null`` (stderr stays: the server's
    log). A worker whose parent exits without shutting the pool down (the server's
    ``exit`` ends the process at once) would wait for tasks for ever: on Linux it asks
    to be sent SIGTERM when its parent goes.
    """
    with contextlib.suppress(OSError):
        quiet = os.open(os.devnull, os.O_RDWR)
        os.dup2(quiet, 0)
        os.dup2(quiet, 1)
        os.close(quiet)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # no libc found: the pool's own shutdown
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))
    if os.getppid() != parent:  # the parent went before the request took effect
        os._exit(0)


def worker_ready() -> None:
    """A task that does nothing: submitted to start a worker ahead of its first chunk."""


def extract_chunk(items: list[tuple[str, str]], cache_spec: tuple[Path, str] | None) -> list[bytes]:
    """In a worker: extract each text, store it in the cache, return the facts pickled.

    It runs with the deep stack the analysis uses (a 600-branch ``elif`` chain is valid
    code), so a worker's facts are the ones ``check`` would extract itself.
    """
    cache = FactsCache(cache_spec[0], cache_spec[1]) if cache_spec is not None else None

    def work() -> list[bytes]:
        results = []
        for digest, text in items:
            facts = extract(text)
            blob = pickle.dumps(facts, PICKLE_PROTOCOL)
            if cache is not None:
                cache.put_pickled(digest, blob, parses=facts.parse_error is None)
            results.append(blob)
        return results

    with collector_paused(freeze=False):  # a worker's facts are sent away
        return call_with_deep_stack(work)
