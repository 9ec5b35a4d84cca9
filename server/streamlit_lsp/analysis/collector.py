"""Keeping the cyclic garbage collector off what the analysis makes in bulk."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


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
