"""Indexing many files at once: the workspace at start-up, and ``check``.

Per file: read the bytes, skip those that cannot involve Streamlit (a byte prefilter,
before any decoding or parsing), decode, hash, and take the facts from the on-disk
cache when it has them. The files left (the cold ones) are extracted in this process
and, when there are enough of them for it to pay, in worker processes beside it (one
per other core). Workers write the cache entries they extract and send the facts back
pickled, so this process only unpickles theirs. The pool starts as soon as enough cold
files are read, so its start-up overlaps the reading of the rest. Once all are read,
the files left are ordered by size: the pool takes chunks of the largest from the
front while this process takes the smallest from the back, and the two meet at the end.
Work is measured in characters of text, not in files. The server's start-up index
leaves the cache entries of the files extracted here for later (``defer_cache_writes``):
storing one costs about a seventh of extracting the file, and the first diagnostics
need the facts, not the cache.

One generator (``_steps``) does the work and yields whenever the caller may pause: the
synchronous ``index_paths`` just runs it, the server's ``index_paths_async`` awaits
the pool's results and yields to the event loop between batches, so requests are
answered while a workspace is indexed.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import statistics
import sys
import threading
import warnings
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from streamlit_lsp.analysis.bulk_worker import extract_chunk, prepare_worker, worker_ready
from streamlit_lsp.analysis.collector import collector_paused
from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts import FileFacts
from streamlit_lsp.analysis.index import WorkspaceIndex, canonical, text_digest
from streamlit_lsp.analysis.signatures import SignatureBook, now_ns
from streamlit_lsp.analysis.source import (
    SourceError,
    decode_source,
    file_status,
    read_accepted_file,
)
from streamlit_lsp.forked import fork_is_safe, usable_cores

logger = logging.getLogger(__name__)

# Files that do not mention Streamlit cannot hold an entry point or a page; they are
# read only when an app imports them (helper modules, key constants).
PREFILTER = b"streamlit"
# Below this many files to extract, a pool costs more than it saves. Measured on the
# 2-core development machine (benchmarks/FINDINGS.md, "Cold index"): a spawned worker
# takes about 0.3 s of CPU to start (the interpreter and the extractor's imports), 0.5
# to 1.5 s of wall time on a busy machine; a typical page takes about 7 ms to extract
# and 15% more to pickle across; so a second process wins from about 100-150 files.
POOL_MIN_FILES = 120
# Idle cores (cores minus the threads running) the pool needs to be worth starting.
SPARE_CORES = 0.75
# Work is shared out by characters of text, not by files: extraction takes about 1 ms
# per 1,000 characters, and one page of a workspace can be forty times another.
# Text per task sent to a worker (about 0.1 s of extraction): large enough that
# pickling and scheduling are small next to extraction, small enough that little is
# left in flight at the end.
POOL_CHUNK_CHARS = 80_000
# The smallest task worth sending (the rest is extracted here).
POOL_MIN_CHUNK_CHARS = 8_000
# POOL_MIN_FILES for workers ready at once: started ahead (``start_workers``, the
# server) or forked (``check``). No start to pay for, only pickling facts across (15% of
# extraction). Two tasks of typical files.
READY_POOL_MIN_FILES = 32
# Text this process extracts between pauses (about 25 ms: the server's event loop
# answers requests in between).
HERE_CHUNK_CHARS = 24_000
# Files read (and looked up in the cache) between pauses.
READ_BATCH = 50
# Samples of the machine's running threads (one per batch read) the pool's decision
# takes, when there are that many batches.
BUSY_SAMPLES = 4

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Cold:
    """A file whose facts must be extracted."""

    path: Path
    digest: str
    text: str
    # The index's generation when the text was read: facts the index took for the file
    # since (an editor's buffer, the file reloaded after a watcher's report) are newer.
    read_at: int


def index_paths(
    index: WorkspaceIndex,
    paths: Sequence[Path],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    started: StartedWorkers | None = None,
    whole_workspace: bool = False,
) -> None:
    """Index files found on disk (synchronously); see the module's docstring.
    ``workers``: processes to extract in, this one included (default: one per core).
    ``started``: workers started ahead (``start_workers``), used if the pool pays and
    shut down either way. ``whole_workspace``: ``paths`` are all the files of the
    index's folders (a start, ``check``): what each was is kept for the next start
    (``SignatureBook``), so that one reads only the files changed since."""
    steps = _steps(index, paths, _worker_count(workers), progress, started, whole_workspace)
    for pending in steps:
        if pending is not None:
            wait([pending])  # its error, if any, is handled where it is applied


async def index_paths_async(
    index: WorkspaceIndex,
    paths: Sequence[Path],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    started: StartedWorkers | None = None,
    whole_workspace: bool = False,
    defer_cache_writes: bool = False,
) -> Future[None] | None:
    """``index_paths`` for the event loop: never blocks it for more than one batch.
    ``defer_cache_writes``: the cache entries of the files extracted in this process
    are left to ``FactsCache.write_deferred`` (the workers store theirs as they go).

    The workers are stopped on a thread of their own once the facts are in (waiting
    for the processes to exit took 0.06-0.3 s, before the index could report its end);
    the future returned, if any, is done when they are."""
    import asyncio  # here only: ``check`` never needs it (34 ms of its start-up)

    stopping: list[Future[None]] = []
    steps = _steps(
        index,
        paths,
        _worker_count(workers),
        progress,
        started,
        whole_workspace,
        defer_cache_writes,
        stop_workers=lambda executor: stopping.append(_stop_workers_on_a_thread(executor)),
    )
    for pending in steps:
        if pending is not None:
            with contextlib.suppress(Exception):  # its error surfaces in the generator
                await asyncio.wrap_future(pending)
        else:
            await asyncio.sleep(0)
    return stopping[0] if stopping else None


def _worker_count(workers: int | None) -> int:
    """Processes to extract in, this one included."""
    return workers if workers is not None else usable_cores()


def _steps(
    index: WorkspaceIndex,
    paths: Sequence[Path],
    workers: int,
    progress: Progress | None,
    started: StartedWorkers | None = None,
    whole_workspace: bool = False,
    defer_cache_writes: bool = False,
    stop_workers: Callable[[ProcessPoolExecutor], None] | None = None,
) -> Generator[Future[list[bytes]] | None, None, None]:
    """Index ``paths``; yields None where the caller may pause, or a future to wait for.
    ``stop_workers``: how the pool's processes are stopped when done with (by default,
    here and now: ``_stop_workers``)."""
    stop = stop_workers or _stop_workers
    total = len(paths)
    signatures = SignatureBook.open(index.cache if whole_workspace else None, index.roots)
    work = _Work(
        index, total, progress or (lambda done, total: None), signatures, defer_cache_writes
    )
    # Batches are frozen out of the collector's sight (``collector_paused``): garbage
    # cycles the caller left pending are collected first, or they would never be.
    gc.collect()
    try:
        yield from _read_all(work, paths, workers, started)
        if work.pool is not None:
            yield from _extract_with_pool(work, work.pool)
    finally:
        if work.pool is not None:  # also when the caller stops mid-way (the server exits)
            work.pool.close(work, stop)
        elif started is not None:  # not worth it here: its processes go now
            stop(started.executor)
    yield from _extract_here(work)  # all of them, or what the pool could not take
    signatures.save()
    if work.extracted > 1:  # a workspace, not a file or two: worth a look at the disk
        if index.cache is not None:
            index.cache.prune()
        _return_free_memory()


def _read_all(
    work: _Work, paths: Sequence[Path], workers: int, started: StartedWorkers | None
) -> Generator[None, None, None]:
    """Read every file, taking facts from the cache; the files left are ``work.cold``.
    A pool (``work.pool``) is started and fed as soon as enough of them are found, if
    it pays; workers that are ready at once (started ahead, or forked) need fewer."""
    index, total = work.index, work.total
    decided = workers < 2  # whether to start a pool (workers started ahead included)
    # A copy of this process is ready at once, where a spawned worker takes 0.16 s (an
    # interpreter, the extractor's imports): ``check``, which runs no other thread.
    forking = started is None and not decided and fork_is_safe()
    enough = READY_POOL_MIN_FILES if started is not None or forking else POOL_MIN_FILES
    busy: list[int] = []  # the machine's running threads, one sample per batch
    for start in range(0, total, READ_BATCH):
        with collector_paused():
            for path in paths[start : start + READ_BATCH]:
                item = _read(work, path)
                if item is not None:
                    work.add_cold(item)
        if not decided:
            sample = running_threads()
            if sample is not None:
                # Workers started ahead still starting are the pool, not other work: a
                # 250-file workspace is read while they import, and counting them
                # refused the pool (an index twice as long).
                busy.append(sample - (started.starting() if started is not None else 0))
            # One sample is a moment (a thread that runs for a millisecond counts):
            # a few, unless there is nothing more to read or no way to sample.
            sampled = len(busy) >= BUSY_SAMPLES or sample is None or start + READ_BATCH >= total
            if len(work.cold) >= enough and sampled:
                decided = True
                if started is not None:
                    if _pool_pays(busy):
                        work.pool = _Pool(index, started.workers, started.executor)
                elif _pool_pays(busy) and (forking or _spawn_is_safe()):
                    # Started while the rest is read: its start-up overlaps the reading.
                    work.pool = _Pool(index, workers - 1, fork=forking)
        if work.pool is not None:
            if start + READ_BATCH >= total:  # all read: the rest is shared out by size
                work.largest_first()
            work.pool.feed(work)
            work.pool.apply_finished(work)
        work.report(min(start + READ_BATCH, total))
        yield None


class _Work:
    """The files left to extract and the progress of a bulk index."""

    def __init__(
        self,
        index: WorkspaceIndex,
        total: int,
        report: Progress,
        signatures: SignatureBook | None = None,
        defer_cache_writes: bool = False,
    ) -> None:
        self.index = index
        # The cache entries of files extracted here are stored later (``FactsCache.defer``).
        self.defer_cache_writes = defer_cache_writes
        # What the files were at the last start (empty unless a whole workspace).
        self.signatures = signatures if signatures is not None else SignatureBook(None, {})
        self.total = total
        self._report = report
        # Read and not found in the cache (in reading order until ``largest_first``).
        # The pool takes chunks from the front, this process small ones from the back:
        # they meet at the end with little left in flight.
        self.cold: deque[_Cold] = deque()
        self.cold_chars = 0  # the text of ``cold``
        self.in_flight = 0
        self.extracted = 0
        self.pool: _Pool | None = None
        # Folders of the files read, resolved (``_canonical``).
        self.folders: dict[Path, Path] = {}

    def add_cold(self, item: _Cold) -> None:
        self.cold.append(item)
        self.cold_chars += len(item.text)

    def take_front(self, chars: int) -> list[_Cold]:
        """Files from the front, about ``chars`` characters of text (one at least)."""
        return self._take(self.cold.popleft, chars)

    def take_back(self, chars: int) -> list[_Cold]:
        """Files from the back, about ``chars`` characters of text (one at least)."""
        return self._take(self.cold.pop, chars)

    def _take(self, pop: Callable[[], _Cold], chars: int) -> list[_Cold]:
        chunk: list[_Cold] = []
        taken = 0
        while self.cold and (not chunk or taken < chars):
            item = pop()
            chunk.append(item)
            taken += len(item.text)
        self.cold_chars -= taken
        return chunk

    def give_back(self, chunk: list[_Cold], *, front: bool = False) -> None:
        """Files a worker did not extract, to be extracted here."""
        if front:
            self.cold.extendleft(reversed(chunk))
        else:
            self.cold.extend(chunk)
        self.cold_chars += sum(len(item.text) for item in chunk)

    def largest_first(self) -> None:
        """Order the files left by size, largest first: the pool takes the large ones
        from the front while this process takes the small ones from the back, so
        neither is left extracting a large file alone at the end, and this process never
        holds the pool's next task back for long. (In reading order, a 5,000-line page
        taken here left the worker idle a quarter of a 250-file index.)"""
        self.cold = deque(sorted(self.cold, key=lambda item: len(item.text), reverse=True))

    def report(self, read: int) -> None:
        self._report(read - len(self.cold) - self.in_flight, self.total)

    def index_chunk(self, chunk: list[_Cold], facts_of: Callable[[int, _Cold], FileFacts]) -> None:
        with collector_paused():
            for position, item in enumerate(chunk):
                facts = facts_of(position, item)
                self.index.set_facts(item.path, item.digest, facts, unless_newer_than=item.read_at)
        self.extracted += len(chunk)


def _extract_here(work: _Work) -> Generator[None, None, None]:
    """Extract what is left in this process, a few files between pauses."""
    while work.cold:
        work.index_chunk(work.take_front(HERE_CHUNK_CHARS), partial(_extract_and_cache, work))
        work.report(work.total)
        yield None


def _extract_and_cache(work: _Work, position: int, item: _Cold) -> FileFacts:
    facts = extract(item.text)
    cache = work.index.cache
    if cache is not None and work.defer_cache_writes:
        cache.defer(item.digest, facts)
    elif cache is not None:
        cache.put(item.digest, facts)
    return facts


def _extract_with_pool(
    work: _Work, pool: _Pool
) -> Generator[Future[list[bytes]] | None, None, None]:
    """This process and the pool's workers extract together until nothing is left."""
    while work.cold or pool.busy:
        pool.feed(work)
        if pool.apply_finished(work):
            work.report(work.total)
        if work.cold:
            # The pool has its next chunk queued: a few files here meanwhile.
            chunk = work.take_back(HERE_CHUNK_CHARS)
            work.index_chunk(chunk, partial(_extract_and_cache, work))
            work.report(work.total)
            yield None
        elif pool.busy:
            yield pool.oldest()
            pool.apply_finished(work)
            work.report(work.total)


class _Pool:
    """Worker processes extracting chunks of files; this process applies their facts.

    A worker extracts, writes the cache entries and sends the facts back pickled. Only
    a few chunks are in flight at a time, so texts, pickles and results are not all in
    memory at once (the server's resident size stays what its facts need), and what is
    not yet sent is left for this process to take.
    """

    def __init__(
        self,
        index: WorkspaceIndex,
        workers: int,
        executor: ProcessPoolExecutor | None = None,
        *,
        fork: bool = False,
    ) -> None:
        cache = index.cache
        self._cache_spec = (
            (cache.root, cache.folder.name) if cache is not None and not cache.disabled else None
        )
        self._workers = workers
        self._in_flight: deque[tuple[list[_Cold], Future[list[bytes]]]] = deque()
        self._broken = False
        self._executor = executor if executor is not None else _new_executor(workers, fork=fork)
        if self._executor is None:
            self._broken = True

    @property
    def busy(self) -> bool:
        return bool(self._in_flight)

    def _give_up(self, error: BaseException) -> None:
        logger.info("no worker processes (%s): indexing in this process", error)
        self._broken = True

    def feed(self, work: _Work) -> None:
        """Keep each worker's next chunk queued behind the one it extracts."""
        while (
            not self._broken
            and self._executor is not None
            and len(self._in_flight) < 2 * self._workers
        ):
            # Chunks shrink as the files left do (a share of them per process and
            # chunk in flight): the last chunks end about when this process runs out,
            # where full ones left it waiting on up to two (0.1 s of 0.8 s, 250 files).
            size = min(POOL_CHUNK_CHARS, work.cold_chars // (2 * self._workers + 2))
            if size < POOL_MIN_CHUNK_CHARS:
                return
            chunk = work.take_front(size)
            texts = [(item.digest, item.text) for item in chunk]
            try:
                with warnings.catch_warnings():
                    # The first task forks the workers of a forked pool: Python 3.12+
                    # warns of the main thread, which only waits for this one.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    future = self._executor.submit(extract_chunk, texts, self._cache_spec)
            except Exception as error:
                work.give_back(chunk, front=True)  # extracted here instead
                self._give_up(error)
                return
            self._in_flight.append((chunk, future))
            work.in_flight += len(chunk)

    def oldest(self) -> Future[list[bytes]]:
        return self._in_flight[0][1]

    def apply_finished(self, work: _Work) -> bool:
        """Index the chunks whose facts are in (in order); whether there were any."""
        applied = False
        while self._in_flight and self._in_flight[0][1].done():
            chunk, future = self._in_flight.popleft()
            work.in_flight -= len(chunk)
            _apply(work, chunk, future)
            applied = True
        return applied

    def close(self, work: _Work, stop: Callable[[ProcessPoolExecutor], None]) -> None:
        """Give back what is in flight (an error mid-way: nothing is lost), and have the
        workers stopped (``stop``)."""
        for chunk, future in self._in_flight:
            future.cancel()
            work.in_flight -= len(chunk)
            work.give_back(chunk)
        self._in_flight.clear()
        if self._executor is not None:
            stop(self._executor)
            self._executor = None
        else:
            _stop_resource_tracker()


def _new_executor(workers: int, *, fork: bool = False) -> ProcessPoolExecutor | None:
    """Worker processes (None when this system gives none: a sandbox, no semaphores).
    ``fork``: copies of this process, which the caller has found safe to fork
    (``fork_is_safe``); else "spawn", a fresh interpreter, safe whatever threads this
    process runs (the server's), and the same on every platform."""
    try:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork" if fork else "spawn"),
            initializer=prepare_worker,
            initargs=(os.getpid(),),
        )
    except Exception as error:
        logger.info("no worker processes (%s): indexing in this process", error)
        return None


class StartedWorkers:
    """Worker processes started ahead of a bulk index, and handed to it.

    A worker takes about 0.16 s to start (an interpreter and the extractor's imports);
    the language server starts its workers with itself, before its own imports (about
    0.9 s), so they are ready when the workspace is read. The index that gets them uses
    them if the pool pays (``READY_POOL_MIN_FILES``), and shuts them down either way:
    they live for one index, not for the server's lifetime.
    """

    def __init__(
        self, executor: ProcessPoolExecutor, workers: int, ready: Sequence[Future[None]] = ()
    ) -> None:
        self.executor = executor
        self.workers = workers
        # Each worker's first task, a no-op: done once a worker has started.
        self._ready = tuple(ready)

    def starting(self) -> int:
        """How many of the workers are still starting (an interpreter and imports: they
        run meanwhile, and the machine looks busy while they do)."""
        return sum(1 for future in self._ready if not future.done())


def start_workers(workers: int | None = None) -> StartedWorkers | None:
    """Start the pool's workers now (one per other core), or None where a pool would
    not be used: a single core, or a main script that workers would run again."""
    count = _worker_count(workers) - 1
    if count < 1 or not _spawn_is_safe():
        return None
    executor = _new_executor(count)
    if executor is None:
        return None
    try:
        # A pool creates its processes as tasks arrive: one no-op task per worker.
        ready = [executor.submit(worker_ready) for _ in range(count)]
    except Exception as error:
        logger.info("no worker processes (%s): indexing in this process", error)
        executor.shutdown(wait=True, cancel_futures=True)
        return None
    return StartedWorkers(executor, count, ready)


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


def _stop_workers(executor: ProcessPoolExecutor) -> None:
    """Stop a pool's workers. Waits for them to exit, so their semaphores are released
    before their tracker is stopped."""
    executor.shutdown(wait=True, cancel_futures=True)
    _stop_resource_tracker()


def _stop_workers_on_a_thread(executor: ProcessPoolExecutor) -> Future[None]:
    """``_stop_workers`` on a thread of its own; the future is done when it is."""
    stopped: Future[None] = Future()

    def run() -> None:
        try:
            _stop_workers(executor)
        except BaseException as error:  # (the future holds it; the thread ends quietly)
            stopped.set_exception(error)
        else:
            stopped.set_result(None)

    threading.Thread(target=run, name="streamlit-lsp-stop-workers", daemon=True).start()
    return stopped


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


def _apply(work: _Work, chunk: list[_Cold], future: Future[list[bytes]]) -> None:
    """Index a worker's results; a failed chunk is extracted here instead."""
    try:
        blobs = future.result()
    except Exception as error:
        logger.warning("a worker failed (%s); extracting its %d files here", error, len(chunk))
        blobs = []

    def facts_of(position: int, item: _Cold) -> FileFacts:
        facts = _unpickle(blobs[position]) if position < len(blobs) else None
        return facts if facts is not None else extract(item.text)

    work.index_chunk(chunk, facts_of)
    cache = work.index.cache
    if cache is not None:  # the worker wrote these entries: their size counts
        cache.note_written(sum(map(len, blobs)))


def _unpickle(blob: bytes) -> FileFacts | None:
    try:
        facts = pickle.loads(blob)
    except Exception:
        return None
    return facts if isinstance(facts, FileFacts) else None


def _pool_pays(busy: list[int]) -> bool:
    """Is a core idle for a worker? On a busy machine the pool only adds its cost.

    Workers spend about 30-50% more CPU than extracting here (start-up, pickling the
    facts across, unpickling them): measured on the 2-core development machine while
    other work kept it busy, two workers took 11-12 s where this process alone took
    8.5 s.

    ``busy``: the machine's running threads, sampled while the files were read (this
    one among them). Without samples (not Linux), the one-minute load average decides;
    without one either (Windows), the pool is assumed to pay. The load average is the
    poorer judge: for a minute it still counts work that has just ended, such as the
    previous command of a CI job.
    """
    if usable_cores() < 2:
        return False
    cores = os.cpu_count() or 1  # both measures count the whole machine's threads
    if busy:
        # The lower quartile: work that keeps a core busy runs in most samples, where
        # a thread that ran for a moment as a sample was taken (a kernel worker, the
        # editor handling our progress reports) must not refuse the pool. In a mean it
        # did; in the median, two such samples of four did (a 250-file index in 1.2 s
        # where the pool takes 0.8 s).
        return cores - _lower_quartile(busy) >= SPARE_CORES
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return True
    return cores - load >= SPARE_CORES


def _lower_quartile(samples: list[int]) -> float:
    if len(samples) < 2:
        return float(samples[0])
    return statistics.quantiles(samples, n=4, method="inclusive")[0]


def running_threads(loadavg: Path = Path("/proc/loadavg")) -> int | None:
    """Threads running or ready to run on the machine now (Linux), this one included."""
    try:
        fields = loadavg.read_bytes().split()
        return int(fields[3].split(b"/")[0])
    except (OSError, IndexError, ValueError):
        return None


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


def _read(work: _Work, path: Path) -> _Cold | None:
    """The file's text when its facts must be extracted; None when it is skipped,
    unchanged, unreadable (then reported as a problem of the index), or its facts are
    in the cache. A file unchanged since the last start (``SignatureBook``) is not read:
    its digest is known."""
    index = work.index
    read_at = now_ns()
    try:
        status = file_status(path)  # refuses pipes, devices and files too large
    except SourceError as error:
        index.report_problem(path, str(error))
        return None
    known, digest = work.signatures.reading(str(path), status)
    if known and (digest is None or _from_cache(index, _canonical(path, work.folders), digest)):
        return None  # (an entry no longer in the cache: the file is read)
    try:
        data = read_accepted_file(path)
    except SourceError as error:
        index.report_problem(path, str(error))
        return None
    if PREFILTER not in data and index.digest(_canonical(path, work.folders)) is None:
        # (A file indexed already is read on: facts it no longer has must go.)
        work.signatures.record(str(path), status, None, read_at)
        return None
    try:
        text = decode_source(data, path)
    except SourceError as error:
        index.report_problem(path, str(error))
        return None
    digest = text_digest(text)
    work.signatures.record(str(path), status, digest, read_at)
    path = _canonical(path, work.folders)
    if _from_cache(index, path, digest):
        return None
    return _Cold(path, digest, text, index.generation)


def _canonical(path: Path, folders: dict[Path, Path]) -> Path:
    """``canonical(path)``, resolving each folder once (``folders``): a file's own
    resolution costs a system call per folder of its path, 0.13 s of a warm start of
    2,000 files. Only a link itself, or an unusual name, is resolved in full."""
    name = path.name
    if name in ("", ".", "..") or path.is_symlink():
        return canonical(path)
    return _canonical_folder(path.parent, folders) / name


def _canonical_folder(folder: Path, folders: dict[Path, Path]) -> Path:
    """A folder resolved from its parent's resolution: one ``lstat`` for a folder that
    is not a link, where resolving it whole takes one per folder of its path."""
    known = folders.get(folder)
    if known is not None:
        return known
    parent = folder.parent
    try:
        whole = parent == folder or folder.name in ("", ".", "..") or folder.is_symlink()
    except OSError:  # cannot be looked at: resolved (or made absolute) as a whole
        whole = True
    resolved = canonical(folder) if whole else _canonical_folder(parent, folders) / folder.name
    folders[folder] = resolved
    return resolved


def _from_cache(index: WorkspaceIndex, path: Path, digest: str) -> bool:
    """Whether the file is indexed with this digest now: already, or from its cache
    entry. The entry is unpickled when the analysis first asks for the file's facts
    (unpickling them all was most of a warm start)."""
    if index.has_digest(path, digest):
        return True
    stored = index.cache.get_stored(digest) if index.cache is not None else None
    if stored is None:
        return False
    index.set_facts(path, digest, stored)
    return True
