"""Indexing many files at once: the workspace at start-up, and ``check``.

Per file: read the bytes, skip those that cannot involve Streamlit (a byte prefilter,
before any decoding or parsing), decode, hash, and take the facts from the on-disk
cache when it has them. The files left (the cold ones) are extracted, in a pool of
worker processes when there are enough of them for the pool to pay for itself, or in
this process otherwise. Workers write the cache entries they extract and send the
facts back pickled, so the parent only unpickles them.

One generator (``_steps``) does the work and yields whenever the caller may pause: the
synchronous ``index_paths`` just runs it, the server's ``index_paths_async`` awaits
the pool's results and yields to the event loop between batches, so requests are
answered while a workspace is indexed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import sys
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from streamlit_lsp.analysis.bulk_worker import collector_paused, extract_chunk
from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts import FileFacts
from streamlit_lsp.analysis.index import WorkspaceIndex, canonical, text_digest
from streamlit_lsp.analysis.source import SourceError, decode_source, read_file_bytes

logger = logging.getLogger(__name__)

# Files that do not mention Streamlit cannot hold an entry point or a page; they are
# read only when an app imports them (helper modules, key constants).
PREFILTER = b"streamlit"
# Below this many files to extract, a pool costs more than it saves. Measured on the
# 2-core development machine (benchmarks/FINDINGS.md, "Cold index"): a spawned worker
# takes about 0.3 s of CPU to start (the interpreter and the extractor's imports), 0.5
# to 1.5 s of wall time on a busy machine; a typical page takes about 7 ms to extract
# and 15% more to pickle across; so two workers win from about 100-150 files.
POOL_MIN_FILES = 120
POOL_WORKERS = 2
# Idle cores (cores minus the load average) the pool needs to be worth starting.
SPARE_CORES = 0.75
# Files per task sent to a worker: large enough that pickling and scheduling are small
# next to extraction, small enough that both workers stay busy to the end.
CHUNK_FILES = 24
# Files read (and looked up in the cache) between pauses.
READ_BATCH = 50

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Cold:
    """A file whose facts must be extracted."""

    path: Path
    digest: str
    text: str


def index_paths(
    index: WorkspaceIndex,
    paths: Sequence[Path],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Index files found on disk (synchronously); see the module's docstring."""
    for pending in _steps(index, paths, _worker_count(workers), progress):
        if pending is not None:
            wait([pending])  # its error, if any, is handled where it is applied


async def index_paths_async(
    index: WorkspaceIndex,
    paths: Sequence[Path],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> None:
    """``index_paths`` for the event loop: never blocks it for more than one batch."""
    for pending in _steps(index, paths, _worker_count(workers), progress):
        if pending is not None:
            with contextlib.suppress(Exception):  # its error surfaces in the generator
                await asyncio.wrap_future(pending)
        else:
            await asyncio.sleep(0)


def _worker_count(workers: int | None) -> int:
    if workers is not None:
        return workers
    return max(1, min(POOL_WORKERS, os.cpu_count() or 1))


def _steps(
    index: WorkspaceIndex, paths: Sequence[Path], workers: int, progress: Progress | None
) -> Generator[Future[list[bytes]] | None, None, None]:
    """Index ``paths``; yields None where the caller may pause, or a future to wait for."""
    total = len(paths)
    report = progress or (lambda done, total: None)
    # Batches are frozen out of the collector's sight (``collector_paused``): garbage
    # cycles the caller left pending are collected first, or they would never be.
    gc.collect()
    cold: list[_Cold] = []
    for start in range(0, total, READ_BATCH):
        with collector_paused():
            for path in paths[start : start + READ_BATCH]:
                item = _read(index, path)
                if item is not None and not _from_cache(index, item):
                    cold.append(item)
        report(min(start + READ_BATCH, total) - len(cold), total)
        yield None
    if not cold:
        return
    pooled = workers > 1 and len(cold) >= POOL_MIN_FILES and _pool_pays() and _spawn_is_safe()
    chunks = [cold[start : start + CHUNK_FILES] for start in range(0, len(cold), CHUNK_FILES)]
    del cold  # each chunk's texts are let go once its facts are in (server memory)
    if pooled:
        yield from _extract_in_pool(index, chunks, workers, total, report)
    yield from _extract_here(index, chunks, total, report)  # all of them, or what is left
    if len(chunks) > 1:  # a workspace, not a file or two: worth a look at the disk
        if index.cache is not None:
            index.cache.prune()
        _return_free_memory()


def _extract_here(
    index: WorkspaceIndex, chunks: list[list[_Cold]], total: int, report: Progress
) -> Generator[None, None, None]:
    done = total - sum(len(chunk) for chunk in chunks)
    for position, chunk in enumerate(chunks):
        if not chunk:
            continue
        chunks[position] = []
        with collector_paused():
            for item in chunk:
                facts = extract(item.text)
                if index.cache is not None:
                    index.cache.put(item.digest, facts)
                index.set_facts(item.path, item.digest, facts)
        done += len(chunk)
        report(done, total)
        yield None


def _extract_in_pool(
    index: WorkspaceIndex, chunks: list[list[_Cold]], workers: int, total: int, report: Progress
) -> Generator[Future[list[bytes]] | None, None, None]:
    """Extract chunks in worker processes, emptying each one whose facts are in; those
    left (no processes could be started) are for the caller to extract."""
    cache = index.cache
    cache_spec = (
        (cache.root, cache.folder.name) if cache is not None and not cache.disabled else None
    )
    done = total - sum(len(chunk) for chunk in chunks)
    # Only a few chunks in flight: texts, pickles and results of the others are not all
    # in memory at once (the server's resident size stays what its facts need).
    in_flight: deque[tuple[int, Future[list[bytes]]]] = deque()
    queued = 0
    # "spawn": a fresh interpreter is safe whatever threads this process runs (the
    # server's), and behaves the same on every platform.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        while queued < len(chunks) or in_flight:
            while queued < len(chunks) and len(in_flight) < 2 * workers:
                work = [(item.digest, item.text) for item in chunks[queued]]
                try:
                    in_flight.append((queued, pool.submit(extract_chunk, work, cache_spec)))
                except Exception as error:  # no processes here (a sandbox, no semaphores)
                    logger.info("no worker processes (%s): indexing in this process", error)
                    queued = len(chunks)  # stop submitting; what is left is extracted here
                    break
                queued += 1
            if not in_flight:
                break
            position, future = in_flight.popleft()
            yield future
            chunk, chunks[position] = chunks[position], []
            with collector_paused():
                _apply(index, chunk, future)
            done += len(chunk)
            report(done, total)
    _stop_resource_tracker()


def _return_free_memory() -> None:
    """Give the memory freed by extraction back to the system (glibc only).

    Syntax trees, texts and pickles come and go between the facts that stay; glibc's
    ``malloc`` keeps the freed pages for reuse, about 20 MB of the server's resident
    size after a cold index of 2,000 files (measured: benchmarks/FINDINGS.md).
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):  # musl, no libc found: nothing to do
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
        if trim is not None:
            trim(0)


def _stop_resource_tracker() -> None:
    """Stop the helper process ``multiprocessing`` started for the pool's semaphores.

    It would otherwise live as long as the server (about 12 MB), with nothing left to
    track once the pool is shut down; a later pool starts it again.
    """
    from multiprocessing import resource_tracker

    stop = getattr(getattr(resource_tracker, "_resource_tracker", None), "_stop", None)
    if callable(stop):
        with contextlib.suppress(Exception):
            stop()


def _apply(index: WorkspaceIndex, chunk: list[_Cold], future: Future[list[bytes]]) -> None:
    """Index a worker's results; a failed chunk is extracted here instead."""
    try:
        blobs = future.result()
    except Exception as error:
        logger.warning("a worker failed (%s); extracting its %d files here", error, len(chunk))
        blobs = []
    for position, item in enumerate(chunk):
        facts = _unpickle(blobs[position]) if position < len(blobs) else None
        if facts is None:
            facts = extract(item.text)
        index.set_facts(item.path, item.digest, facts)


def _unpickle(blob: bytes) -> FileFacts | None:
    try:
        facts = pickle.loads(blob)
    except Exception:
        return None
    return facts if isinstance(facts, FileFacts) else None


def _pool_pays() -> bool:
    """Is a core idle for a second worker? On a busy machine the pool only adds its cost.

    Workers spend about 30-50% more CPU than extracting here (start-up, pickling the
    facts across, unpickling them): measured on the 2-core development machine while
    other work kept it busy, two workers took 11-12 s where this process alone took
    8.5 s. The one-minute load average (this process included) tells whether the
    second core is free; without one (Windows), the pool is assumed to pay.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return cores > 1
    return cores - load >= SPARE_CORES


def _spawn_is_safe() -> bool:
    """Can worker processes be spawned without running the main script again?

    A spawned worker imports the main script (as ``__mp_main__``) before its task, so a
    script without an ``if __name__ == "__main__":`` guard would run again in every
    worker. Package ``__main__`` modules are never imported (``python -m
    streamlit_lsp``, ``python -m pytest``); the ``streamlit-lsp`` command is guarded.
    """
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None and (name == "__main__" or name.endswith(".__main__")):
        return True
    path = getattr(main, "__file__", None)
    if path is None:
        return True  # an interactive session or ``python -c``: nothing to import
    try:
        return b"__main__" in Path(path).read_bytes()
    except OSError:
        return False


# ------------------------------------------------------------------------ reading


def _read(index: WorkspaceIndex, path: Path) -> _Cold | None:
    """The file's text when it needs indexing; None when it is skipped, unchanged, or
    unreadable (then reported as a problem of the index)."""
    try:
        data = read_file_bytes(path)  # refuses pipes, devices and files too large
    except SourceError as error:
        index.report_problem(path, str(error))
        return None
    if PREFILTER not in data:
        return None
    try:
        text = decode_source(data, path)
    except SourceError as error:
        index.report_problem(path, str(error))
        return None
    path = canonical(path)
    digest = text_digest(text)
    if index.has_digest(path, digest):
        return None
    return _Cold(path, digest, text)


def _from_cache(index: WorkspaceIndex, item: _Cold) -> bool:
    facts = index.cache.get(item.digest) if index.cache is not None else None
    if facts is None:
        return False
    index.set_facts(item.path, item.digest, facts)
    return True
