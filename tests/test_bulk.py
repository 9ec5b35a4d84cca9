"""Bulk indexing (start-up, ``check``): the pool, the cache and the serial path agree.

Whatever path a file's facts take (extracted here, in a worker process, or read from
the facts cache), the index must end up the same, problems included.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generated import generate
from spies import calls_of
from streamlit_lsp.analysis import bulk
from streamlit_lsp.analysis.bulk import index_paths, index_paths_async
from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts_cache import FactsCache
from streamlit_lsp.analysis.index import WorkspaceIndex, iter_python_files
from streamlit_lsp.deepstack import call_with_deep_stack


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bulk") / "ws"
    generate(root, 60, seed=3)
    # Files every path must report the same way.
    (root / "binary.py").write_bytes(b"import streamlit\x00\x01")
    (root / "latin.py").write_bytes(b"import streamlit as st\nst.write('\xe9')\n")
    (root / "broken.py").write_text("import streamlit as st\nif True\n", encoding="utf-8")
    (root / "plain.py").write_text("print('a helper of no app')\n", encoding="utf-8")
    chain = "".join(f"elif choice == {n}:\n    st.write({n})\n" for n in range(1, 400))
    (root / "deep.py").write_text(
        f"import streamlit as st\nchoice = 1\nif choice == 0:\n    st.write(0)\n{chain}",
        encoding="utf-8",
    )
    return root.resolve()


def snapshot(index: WorkspaceIndex) -> tuple[dict, list, list]:
    # The files that do not parse first: known before any facts are asked for.
    unparsed = index.unparsed_paths
    files = {path: (index._files[path].digest, index.facts(path)) for path in index.paths}
    return files, [(problem.path, problem.message) for problem in index.problems], unparsed


def same(left: object, right: object) -> bool:
    # deep.py's facts nest 400 branches deep: comparing them recurses as deep.
    return call_with_deep_stack(lambda: left == right)


def build(root: Path, cache: FactsCache | None = None, **options) -> WorkspaceIndex:
    index = WorkspaceIndex([root], cache=cache)
    paths = list(iter_python_files(root))
    call_with_deep_stack(lambda: index_paths(index, paths, **options))
    return index


def test_pool_and_serial_give_the_same_index(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = snapshot(build(workspace, workers=1))
    monkeypatch.setattr(bulk, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(bulk, "_pool_pays", lambda busy: True)  # even on a busy machine
    applied: list[int] = []
    original = bulk._apply

    def spy(work, chunk, future):
        applied.append(len(chunk))
        original(work, chunk, future)

    monkeypatch.setattr(bulk, "_apply", spy)
    monkeypatch.setattr(bulk, "POOL_CHUNK_CHARS", 8_000)  # a few of these files
    monkeypatch.setattr(bulk, "POOL_MIN_CHUNK_CHARS", 1)
    pooled = snapshot(build(workspace, workers=2))
    assert applied, "no chunk was extracted by a worker"
    assert sum(applied) < len(serial[0]), "this process extracted none of the files"
    assert same(pooled, serial)
    files, problems, unparsed = serial
    assert workspace / "plain.py" not in files  # the prefilter skipped it
    assert {path.name for path, _ in problems} == {"binary.py", "latin.py"}
    assert files[workspace / "broken.py"][1].parse_error is not None
    assert unparsed == [workspace / "broken.py"]
    assert not files[workspace / "deep.py"][1].opaque  # workers have the deep stack too


def test_work_is_shared_out_by_size_the_largest_files_to_the_pool() -> None:
    work = bulk._Work(WorkspaceIndex([Path("/ws")]), 5, lambda done, total: None)
    sizes = {"a": 300, "b": 5_000, "c": 40, "d": 1_200, "e": 60}
    for name, size in sizes.items():
        work.add_cold(bulk._Cold(Path(f"/ws/{name}.py"), name, "x" * size, 0))
    assert work.cold_chars == sum(sizes.values())
    work.largest_first()
    # The pool's side: the largest file alone makes a task larger than asked for.
    assert [item.digest for item in work.take_front(1_000)] == ["b"]
    # This process's side: the smallest files, up to the text asked for.
    assert [item.digest for item in work.take_back(90)] == ["c", "e"]
    assert work.cold_chars == 1_500
    left = work.take_front(10_000)
    assert [item.digest for item in left] == ["d", "a"] and work.cold_chars == 0
    work.give_back(left, front=True)
    assert [item.digest for item in work.cold] == ["d", "a"] and work.cold_chars == 1_500


# Run in a process of its own: this one may hold threads other tests left (a server's).
POOL_KIND_SCRIPT = """
import sys, threading
from pathlib import Path
from streamlit_lsp.analysis import bulk
from streamlit_lsp.analysis.index import WorkspaceIndex, iter_python_files
from streamlit_lsp.deepstack import call_with_deep_stack

bulk._pool_pays = lambda busy: True
bulk.POOL_MIN_FILES = 1
forks = []
original = bulk._new_executor

def spy(workers, *, fork=False):
    forks.append(fork)
    return original(workers, fork=fork)

bulk._new_executor = spy
root = Path(sys.argv[1])

def build():
    index = WorkspaceIndex([root])
    bulk.index_paths(index, list(iter_python_files(root)), workers=2)
    return len(index.paths)

indexed = [call_with_deep_stack(build)]
stop = threading.Event()
other = threading.Thread(target=stop.wait)
other.start()
try:
    indexed.append(call_with_deep_stack(build))
finally:
    stop.set()
    other.join()
print(forks, indexed)
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="workers are forked on Linux only (fork_is_safe); elsewhere always spawned",
)
def test_workers_are_forked_when_no_other_thread_runs_else_spawned(workspace: Path) -> None:
    """``check`` runs no thread but its own: its workers are copies of it, ready at once.
    The server runs a reader thread beside the event loop: its workers are spawned."""
    done = subprocess.run(
        [sys.executable, "-c", POOL_KIND_SCRIPT, str(workspace)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    files = len(snapshot(build(workspace, workers=1))[0])
    assert done.stdout.split("\n")[-2] == f"[True, False] [{files}, {files}]"


def test_warm_index_equals_cold(workspace: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(bulk, "_pool_pays", lambda busy: True)
    cold_cache = FactsCache(tmp_path)
    cold = snapshot(build(workspace, cold_cache, workers=2))  # workers write the entries
    warm_cache = FactsCache(tmp_path)
    warm = snapshot(build(workspace, warm_cache, workers=2))
    assert same(warm, cold)
    assert warm_cache.stats.hits == len(cold[0]) and warm_cache.stats.misses == 0


def _pools_made(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The executor each pool made from now on was given (None: one of its own)."""
    pools: list[object] = []
    original = bulk._Pool.__init__

    def spy(self, index, workers, executor=None):
        pools.append(executor)
        original(self, index, workers, executor)

    monkeypatch.setattr(bulk._Pool, "__init__", spy)
    return pools


def test_workers_started_ahead_extract_for_the_index_then_stop(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = snapshot(build(workspace, workers=1))
    monkeypatch.setattr(bulk, "_pool_pays", lambda busy: True)
    monkeypatch.setattr(bulk, "POOL_CHUNK_CHARS", 8_000)  # a few of these files
    monkeypatch.setattr(bulk, "POOL_MIN_CHUNK_CHARS", 1)
    pools = _pools_made(monkeypatch)
    started = bulk.start_workers(workers=2)
    assert started is not None and started.workers == 1
    # Far fewer files than a pool started on demand needs (POOL_MIN_FILES).
    assert bulk.READY_POOL_MIN_FILES < len(serial[0]) < bulk.POOL_MIN_FILES
    pooled = snapshot(build(workspace, workers=2, started=started))
    assert pools == [started.executor], "the index did not use the workers started ahead"
    assert same(pooled, serial)
    with pytest.raises(RuntimeError):  # shut down with the index: one index only
        started.executor.submit(bulk.worker_ready)


def test_workers_started_ahead_stop_when_the_index_does_not_need_them(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import streamlit as st\nst.write(1)\n", encoding="utf-8")
    started = bulk.start_workers(workers=2)
    assert started is not None
    index = build(tmp_path, started=started)
    assert index.facts(tmp_path.resolve() / "app.py") is not None
    with pytest.raises(RuntimeError):
        started.executor.submit(bulk.worker_ready)


@pytest.mark.parametrize("still_starting", [True, False])
def test_workers_started_ahead_still_starting_do_not_make_the_machine_look_busy(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, still_starting: bool
) -> None:
    """A small workspace is read while the workers started with the server still import
    (they run then): they are the pool, not other work keeping the cores busy."""
    started = bulk.start_workers(workers=2)
    assert started is not None
    from concurrent.futures import Future

    importing: Future[None] = Future()  # a worker still starting, as the index reads
    if not still_starting:
        importing.set_result(None)
    started = bulk.StartedWorkers(started.executor, started.workers, [importing])
    cores = bulk.os.cpu_count() or 1
    # Every core runs a thread: this process, the worker (if starting), other work.
    monkeypatch.setattr(bulk, "running_threads", lambda *arguments: cores)
    monkeypatch.setattr(bulk, "usable_cores", lambda: 2)
    pools = _pools_made(monkeypatch)
    build(workspace, workers=2, started=started)
    assert pools == ([started.executor] if still_starting else [])


def test_no_workers_are_started_on_one_core() -> None:
    assert bulk.start_workers(workers=1) is None


def test_async_indexing_equals_sync(workspace: Path) -> None:
    expected = snapshot(build(workspace, workers=1))
    index = WorkspaceIndex([workspace])
    seen: list[tuple[int, int]] = []
    paths = list(iter_python_files(workspace))
    call_with_deep_stack(
        lambda: asyncio.run(
            index_paths_async(index, paths, workers=1, progress=lambda *p: seen.append(p))
        )
    )
    assert same(snapshot(index), expected)
    assert seen and seen[-1] == (len(paths), len(paths))
    assert all(done <= total for done, total in seen)


def test_the_server_s_index_ends_before_its_workers_have_exited(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Waiting for the worker processes to exit took 0.06-0.3 s of the index: the async
    index (the server's) leaves it to a thread and ends with every file's facts in."""
    expected = snapshot(build(workspace, workers=1))
    monkeypatch.setattr(bulk, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(bulk, "POOL_MIN_CHUNK_CHARS", 1)
    monkeypatch.setattr(bulk, "_pool_pays", lambda busy: True)
    from_workers = calls_of(monkeypatch, bulk, "_apply")
    release = threading.Event()
    stop_workers = bulk._stop_workers

    def stop_when_released(executor) -> None:
        assert release.wait(60)
        stop_workers(executor)

    monkeypatch.setattr(bulk, "_stop_workers", stop_when_released)
    index = WorkspaceIndex([workspace])
    paths = list(iter_python_files(workspace))
    stopped = call_with_deep_stack(lambda: asyncio.run(index_paths_async(index, paths, workers=2)))
    assert from_workers  # the workers extracted some of the files
    assert same(snapshot(index), expected)
    assert stopped is not None and not stopped.done()  # still waiting to be let go
    release.set()
    stopped.result(timeout=60)
    assert not multiprocessing.active_children()


def test_no_worker_processes_falls_back_to_this_process(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = snapshot(build(workspace, workers=1))

    class NoProcesses:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            pass

        def submit(self, *args, **kwargs):
            raise OSError("no semaphores in this sandbox")

        def shutdown(self, *args, **kwargs) -> None:
            pass

    monkeypatch.setattr(bulk, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(bulk, "_pool_pays", lambda busy: True)
    monkeypatch.setattr(bulk, "ProcessPoolExecutor", NoProcesses)
    assert same(snapshot(build(workspace, workers=2)), expected)


def test_pool_only_when_a_core_is_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(bulk.os, "cpu_count", lambda: 2)
    assert bulk._pool_pays([1, 1, 1])  # this process on one core, the other idle
    assert not bulk._pool_pays([2, 3, 2])  # both cores taken: workers would only add cost
    # One sample caught another thread's moment on the CPU: not a busy machine.
    assert bulk._pool_pays([1, 1, 1, 3])
    # Two of four: the client handling our progress reports as they were taken.
    assert bulk._pool_pays([2, 2, 1, 1])
    # Three of four: another process keeps the other core busy.
    assert not bulk._pool_pays([2, 1, 2, 2])
    assert not bulk._pool_pays([2])
    # The load average only without samples: it lags (work that just ended counts).
    monkeypatch.setattr(bulk.os, "getloadavg", lambda: (3.5, 3.0, 3.0))
    assert bulk._pool_pays([1, 1])
    assert not bulk._pool_pays([])
    monkeypatch.setattr(bulk.os, "getloadavg", lambda: (1.0, 1.0, 1.0))
    assert bulk._pool_pays([])
    # A big machine: its threads are counted against all of its cores, though at most
    # four processes extract.
    monkeypatch.setattr(bulk.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    monkeypatch.setattr(bulk.os, "cpu_count", lambda: 64)
    assert bulk._pool_pays([30, 40])
    monkeypatch.setattr(bulk.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert not bulk._pool_pays([1])  # one core for this process: nothing to share


def test_running_threads_are_read_from_proc_loadavg(tmp_path: Path) -> None:
    loadavg = tmp_path / "loadavg"
    loadavg.write_text("0.41 0.67 0.63 3/75 25922\n", encoding="ascii")
    assert bulk.running_threads(loadavg) == 3
    loadavg.write_text("garbage\n", encoding="ascii")
    assert bulk.running_threads(loadavg) is None
    assert bulk.running_threads(tmp_path / "missing") is None


def test_unchanged_files_are_not_extracted_again(workspace: Path, monkeypatch) -> None:
    index = build(workspace, workers=1)
    calls: list[str] = []
    monkeypatch.setattr(bulk, "extract", lambda text: calls.append(text) or extract(text))
    call_with_deep_stack(lambda: index_paths(index, list(iter_python_files(workspace)), workers=1))
    assert calls == []


PREPARED = (
    "import os, sys, time\n"
    "from streamlit_lsp.analysis.bulk_worker import prepare_worker\n"
    "prepare_worker(os.getppid())\n"
)


def test_a_worker_never_writes_to_the_protocol_stream() -> None:
    code = PREPARED + "print('noise', flush=True)\nos.write(1, b'more noise')\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout == b""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_a_worker_dies_with_its_parent() -> None:
    # A parent that ends at once (as the server on `exit`), its pool never shut down.
    parent = (
        "import os, subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', {PREPARED + 'time.sleep(60)'!r}])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(1.5)\n"
        "os._exit(0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", parent],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        timeout=30,
    )
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the worker outlived its parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    return "State:\tZ" not in state


def test_files_are_indexed_under_their_resolved_paths(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "pages").mkdir(parents=True)
    (real / "app.py").write_text("import streamlit as st\n", encoding="utf-8")
    (real / "pages" / "one.py").write_text("import streamlit as st\n", encoding="utf-8")
    (real / "lib" / "deep").mkdir(parents=True)
    (real / "lib" / "deep" / "two.py").write_text("import streamlit as st\n", encoding="utf-8")
    # A linked folder inside a real one, and a real folder inside a linked one.
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "three.py").write_text("import streamlit\n", encoding="utf-8")
    (real / "views").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    (real / "alias.py").symlink_to(real / "pages" / "one.py")
    index = WorkspaceIndex([tmp_path / "linked"])
    given = [
        tmp_path / "linked" / "app.py",
        tmp_path / "linked" / "pages" / "one.py",
        tmp_path / "linked" / "alias.py",
        tmp_path / "linked" / "lib" / "deep" / "two.py",
        tmp_path / "linked" / "views" / "three.py",
    ]
    index_paths(index, given, workers=1)
    assert set(index.paths) == {
        (real / "app.py").resolve(),
        (real / "pages/one.py").resolve(),
        (real / "lib/deep/two.py").resolve(),
        (tmp_path / "elsewhere/three.py").resolve(),
    }


def test_a_file_indexed_already_is_read_again_without_the_prefilter(tmp_path: Path) -> None:
    """The prefilter skips a file that cannot involve Streamlit, as at a start, unless
    its facts are indexed already: a file that no longer mentions Streamlit then loses
    the facts it had (a batch of files changed on disk is indexed this way)."""
    page = tmp_path / "page.py"
    page.write_text("import streamlit as st\n\nst.session_state.count = 1\n", encoding="utf-8")
    plain = tmp_path / "plain.py"
    plain.write_text("COUNT = 'count'\n", encoding="utf-8")
    index = WorkspaceIndex([tmp_path])
    index_paths(index, [page, plain], workers=1)
    assert index.paths == (page.resolve(),)
    assert [access.key for access in index.facts(page.resolve()).accesses]
    page.write_text("from helpers import ss\n\nss.count = 1\n", encoding="utf-8")
    index_paths(index, [page, plain], workers=1)
    assert index.paths == (page.resolve(),)
    facts = index.facts(page.resolve())
    assert facts is not None and not facts.uses_streamlit and not facts.accesses


def test_facts_indexed_after_a_file_was_read_are_not_replaced_by_its_older_text(
    tmp_path: Path,
) -> None:
    """A file changed on disk and reloaded (the watcher's report) while a bulk index
    that read it earlier still extracts it: the older text's facts arrive last, and
    must not replace the newer ones."""
    page = tmp_path / "page.py"
    page.write_text("import streamlit as st\n\nst.session_state.old = 1\n", encoding="utf-8")
    index = WorkspaceIndex([tmp_path])
    steps = bulk._steps(index, [page], 1, None)
    next(steps)  # the files are read (one batch): extraction comes next
    page.write_text("import streamlit as st\n\nst.session_state.new = 1\n", encoding="utf-8")
    index.load(page)
    for _ in steps:
        pass
    facts = index.facts(page.resolve())
    assert facts is not None
    assert [access.key.value for access in facts.accesses] == ["new"]
