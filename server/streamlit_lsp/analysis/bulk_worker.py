"""The work of one bulk-indexing worker process: extract texts, fill the cache.

Kept apart from ``bulk.py`` so that a spawned worker imports only what extraction
needs (not asyncio, not the index): its start-up is part of every cold index.
"""

from __future__ import annotations

import contextlib
import gc
import pickle
from collections.abc import Iterator
from pathlib import Path

from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts_cache import PICKLE_PROTOCOL, FactsCache
from streamlit_lsp.deepstack import call_with_deep_stack


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
                cache.put_pickled(digest, blob)
            results.append(blob)
        return results

    with collector_paused(freeze=False):  # a worker's facts are sent away
        return call_with_deep_stack(work)


@contextlib.contextmanager
def collector_paused(freeze: bool = True) -> Iterator[None]:
    """Keep the cyclic garbage collector off the facts of a batch.

    Facts and syntax trees hold no reference cycles (extraction leaves none behind;
    reference counting frees them), yet the collector would scan the growing heap of
    facts again and again: about a third of a warm start, and every collection of the
    analysis after it. So it is off during the batch, and what the batch created is
    then frozen (``gc.freeze``: moved where collections never look; reference counting
    still frees facts that are replaced). Never held across a pause of the caller, so
    the server's other work runs with the collector on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
