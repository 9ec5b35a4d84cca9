"""The on-disk facts cache: a warm start must never read wrong or stale facts.

Entries are keyed by the text's digest under a salt (package version, schema, Python,
the extractor's source). Anything unusable in the cache (missing, truncated, corrupt,
another digest's entry, a folder that cannot be written) falls back to extracting.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from generated import generate
from spies import calls_of
from streamlit_lsp.analysis import bulk, facts_cache
from streamlit_lsp.analysis.bulk import index_paths
from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts_cache import (
    FactsCache,
    StoredFacts,
    default_directory,
    version_salt,
)
from streamlit_lsp.analysis.index import WorkspaceIndex, iter_python_files, text_digest
from streamlit_lsp.deepstack import call_with_deep_stack

APP = """\
import streamlit as st

if "count" not in st.session_state:
    st.session_state.count = 0
st.slider("Size", 0, 10, key="size")
st.write(st.session_state.count, st.session_state["size"])
"""
OTHER = "import streamlit as st\nst.write(st.session_state.other)\n"


def entry_path(cache: FactsCache, text: str) -> Path:
    digest = text_digest(text)
    return cache.folder / digest[:2] / digest


def test_hit_returns_the_stored_facts(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path)
    facts = extract(APP)
    cache.put(text_digest(APP), facts)
    again = FactsCache(tmp_path)  # a later run: a new object, the same folder
    assert again.get(text_digest(APP)) == facts
    assert (again.stats.hits, again.stats.misses) == (1, 0)


def test_miss_for_an_unknown_text(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path)
    cache.put(text_digest(APP), extract(APP))
    assert cache.get(text_digest(OTHER)) is None
    assert cache.stats.misses == 1


def test_another_salt_never_reads_old_entries(tmp_path: Path) -> None:
    FactsCache(tmp_path, salt="old").put(text_digest(APP), extract(APP))
    assert FactsCache(tmp_path, salt="new").get(text_digest(APP)) is None
    assert FactsCache(tmp_path, salt="old").get(text_digest(APP)) is not None


def test_salt_follows_version_schema_and_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    salt = version_salt()
    assert salt == version_salt()  # stable within a version
    assert salt.startswith(f"v{facts_cache.SCHEMA}-")
    monkeypatch.setattr(facts_cache, "SCHEMA", facts_cache.SCHEMA + 1)
    assert version_salt() != salt
    monkeypatch.setattr(facts_cache, "SCHEMA", facts_cache.SCHEMA - 1)
    monkeypatch.setattr("streamlit_lsp.__version__", "999.0")
    assert version_salt() != salt


def test_salt_changes_when_the_extractor_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    salt = version_salt()
    package = tmp_path / "pkg"
    for module in facts_cache._FACT_MODULES:
        target = package / module
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("# another extractor\n", encoding="utf-8")
    monkeypatch.setattr(facts_cache, "__file__", str(package / "analysis" / "facts_cache.py"))
    assert version_salt() != salt


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-7] + b"garbage",
        lambda data: b"not a cache entry at all",
        lambda data: data.replace(b"stlsp-facts", b"other-magic"),
    ],
    ids=["empty", "truncated", "corrupt-tail", "foreign", "bad-magic"],
)
def test_damaged_entry_is_ignored_then_rewritten(tmp_path: Path, damage) -> None:
    cache = FactsCache(tmp_path)
    digest = text_digest(APP)
    cache.put(digest, extract(APP))
    path = entry_path(cache, APP)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get(digest) is None
    assert cache.stats.errors == 1

    index = WorkspaceIndex([tmp_path], cache=cache)
    app = tmp_path / "app.py"
    app.write_text(APP, encoding="utf-8")
    index.load(app)
    assert index.facts(app.resolve()) == extract(APP)
    assert FactsCache(tmp_path).get(digest) == extract(APP)  # rewritten


def test_entry_of_another_digest_is_not_trusted(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path)
    cache.put(text_digest(APP), extract(APP))
    wrong = entry_path(cache, OTHER)
    wrong.parent.mkdir(parents=True, exist_ok=True)
    wrong.write_bytes(entry_path(cache, APP).read_bytes())
    assert cache.get(text_digest(OTHER)) is None


def test_an_entry_that_unpickles_to_something_else_is_ignored(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path)
    digest = text_digest(APP)
    cache.put_pickled(digest, pickle.dumps({"not": "facts"}), parses=True)
    assert cache.get(digest) is None


def test_unwritable_cache_disables_itself_not_the_analysis(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    cache = FactsCache(blocker)
    index = WorkspaceIndex([tmp_path], cache=cache)
    app = tmp_path / "app.py"
    app.write_text(APP, encoding="utf-8")
    index.load(app)
    assert index.facts(app.resolve()) == extract(APP)
    assert cache.disabled
    assert cache.get(text_digest(APP)) is None


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_cache_folder(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    root.chmod(0o500)
    try:
        cache = FactsCache(root)
        cache.put(text_digest(APP), extract(APP))
        assert cache.disabled and cache.get(text_digest(APP)) is None
    finally:
        root.chmod(0o700)


def _write_many(root: str, salt: str, texts: list[str]) -> int:
    cache = FactsCache(Path(root), salt=salt)
    for _ in range(5):
        for text in texts:
            cache.put(text_digest(text), extract(text))
            facts = cache.get(text_digest(text))
            assert facts is None or facts == extract(text)
    return cache.stats.writes


def test_concurrent_writers_leave_only_whole_entries(tmp_path: Path) -> None:
    texts = [
        APP,
        OTHER,
        *(f"import streamlit as st\nst.session_state.k{n} = {n}\n" for n in range(8)),
    ]
    with ProcessPoolExecutor(max_workers=4, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_write_many, str(tmp_path), "shared", texts) for _ in range(4)]
        assert all(future.result() > 0 for future in futures)
    cache = FactsCache(tmp_path, salt="shared")
    for text in texts:
        assert cache.get(text_digest(text)) == extract(text)
    leftovers = [path for path in tmp_path.rglob("*") if path.name.startswith(".tmp-")]
    assert leftovers == []


def test_prune_removes_least_recently_used_first(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path, salt="s")
    texts = [
        f"import streamlit as st\nst.session_state.k{n} = {'x' * 2000}{n}\n" for n in range(10)
    ]
    for number, text in enumerate(texts):
        cache.put(text_digest(text), extract(text))
        os.utime(entry_path(cache, text), (1000 + number, 1000 + number))
    size = entry_path(cache, texts[0]).stat().st_size
    cache.get(text_digest(texts[0]))  # the oldest, used again: it stays
    cache.max_bytes = size * 5
    removed = cache.prune()
    assert removed >= 5
    assert cache.get(text_digest(texts[0])) is not None
    assert cache.get(text_digest(texts[1])) is None
    assert cache.get(text_digest(texts[-1])) is not None
    assert sum(path.stat().st_size for path in tmp_path.rglob("*") if path.is_file()) <= size * 5


def test_prune_looks_at_the_entries_only_when_they_may_be_over_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A look stats every entry: 2.8 s for a full cache of 100,000 entries.
    looks = calls_of(monkeypatch, facts_cache, "_entries")
    cache = FactsCache(tmp_path, salt="s")
    texts = [f"import streamlit as st\nst.session_state.k{n} = {'x' * 500}\n" for n in range(4)]
    for text in texts[:3]:
        cache.put(text_digest(text), extract(text))
    assert cache.prune() == 0 and len(looks) == 1  # no ledger yet: a look
    cache.put(text_digest(texts[3]), extract(texts[3]))
    assert cache.prune() == 0 and len(looks) == 1  # well under the limit: none
    size = entry_path(cache, texts[0]).stat().st_size
    cache.max_bytes = size * 3  # what was written since makes four entries: over it
    assert cache.prune() >= 1 and len(looks) == 2


@pytest.mark.parametrize(
    "ledger",
    [b"damaged", None, "a day old"],
    ids=["damaged", "missing", "a-day-old"],
)
def test_prune_looks_when_the_ledger_cannot_be_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ledger: object
) -> None:
    cache = FactsCache(tmp_path, salt="s")
    cache.put(text_digest(APP), extract(APP))
    cache.prune()
    looks = calls_of(monkeypatch, facts_cache, "_entries")
    where = tmp_path / facts_cache._LEDGER
    if ledger is None:
        where.unlink()
    elif isinstance(ledger, bytes):
        where.write_bytes(ledger)
    else:
        old = time.time() - facts_cache.PRUNE_LOOK_EVERY_SECONDS - 60
        facts_cache.write_kept(where, facts_cache._LEDGER_FORMAT, (old, 0))
    cache.prune()
    assert len(looks) == 1


def test_entries_written_by_workers_count_towards_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    generate(root, 40, seed=2)
    for name, value in [
        ("POOL_MIN_FILES", 1),
        ("READY_POOL_MIN_FILES", 1),
        ("POOL_CHUNK_CHARS", 4_000),  # a few of these files each
        ("POOL_MIN_CHUNK_CHARS", 1),
        ("_pool_pays", lambda busy: True),
    ]:
        monkeypatch.setattr(bulk, name, value)
    from_workers = calls_of(monkeypatch, bulk, "_apply")  # (work, chunk, future)
    cache = FactsCache(tmp_path / "cache", salt="s")
    ledger = cache.root / facts_cache._LEDGER
    facts_cache.write_kept(ledger, facts_cache._LEDGER_FORMAT, (time.time(), 0))
    index = WorkspaceIndex([root], cache=cache)
    call_with_deep_stack(lambda: bulk.index_paths(index, list(iter_python_files(root)), workers=2))
    assert from_workers  # chunks the workers extracted, and wrote the entries of
    entries = [path for path in cache.folder.rglob("*") if path.is_file()]
    written = sum(path.stat().st_size for path in entries)
    _, estimate = facts_cache.read_kept(ledger, facts_cache._LEDGER_FORMAT)
    # A worker's entry counts as the facts it sent (all but the entry's short header);
    # a text two files share counts twice (written twice, one entry).
    assert written - 100 * len(entries) <= estimate <= written * 1.1


def test_a_hit_on_an_entry_used_within_the_hour_leaves_it_as_is(tmp_path: Path) -> None:
    # A warm start reads thousands of entries: marking each used again costs a system
    # call apiece, and an hour is recent enough for pruning.
    cache = FactsCache(tmp_path, salt="s")
    text = "import streamlit as st\nst.session_state.k = 1\n"
    cache.put(text_digest(text), extract(text))
    recent = time.time() - 60
    os.utime(entry_path(cache, text), (recent, recent))
    assert cache.get(text_digest(text)) == extract(text)
    assert entry_path(cache, text).stat().st_mtime == pytest.approx(recent)


def test_deferred_entries_are_stored_when_asked_and_not_before(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path, salt="s")
    texts = [APP, OTHER, "import streamlit as st\nst.session_state.third = 3\n"]
    for text in texts:
        cache.defer(text_digest(text), extract(text))
    assert cache.deferred == 3
    assert not any(entry_path(cache, text).exists() for text in texts)

    # A slice of no time still stores one entry: each call makes progress.
    assert cache.write_deferred(0.0) is True
    assert cache.deferred == 2 and cache.stats.writes == 1
    assert cache.write_deferred() is False  # the rest
    later = FactsCache(tmp_path, salt="s")
    assert [later.get(text_digest(text)) for text in texts] == [extract(text) for text in texts]


def test_deferred_entries_of_a_cache_that_cannot_be_written_are_dropped(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    cache = FactsCache(blocker)
    cache.defer(text_digest(APP), extract(APP))
    cache.defer(text_digest(OTHER), extract(OTHER))
    assert cache.write_deferred() is False
    assert cache.disabled and cache.deferred == 0
    cache.defer(text_digest(APP), extract(APP))  # nothing is kept for a disabled cache
    assert cache.deferred == 0


def test_an_index_that_defers_its_entries_leaves_them_to_write_deferred(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    generate(root, 40, seed=2)
    paths = list(iter_python_files(root))
    cache = FactsCache(tmp_path / "cache", salt="s")
    index = WorkspaceIndex([root], cache=cache)
    asyncio.run(bulk.index_paths_async(index, paths, workers=1, defer_cache_writes=True))
    assert cache.stats.writes == 0 and cache.deferred > 0
    assert not any(path.is_file() for path in cache.folder.rglob("*"))

    cache.write_deferred()
    warm = FactsCache(tmp_path / "cache", salt="s")
    again = WorkspaceIndex([root], cache=warm)
    index_paths(again, paths, workers=1)
    # Every file the cold index missed is a hit now (two files may share one entry).
    assert warm.stats.hits == cache.stats.misses > 0 and warm.stats.misses == 0
    assert all(again.facts(path.resolve()) == index.facts(path.resolve()) for path in paths)


def test_environment_chooses_or_disables_the_folder(tmp_path: Path) -> None:
    assert default_directory({"STREAMLIT_LSP_CACHE_DIR": ""}) is None
    assert FactsCache.from_environment({"STREAMLIT_LSP_CACHE_DIR": ""}) is None
    assert default_directory({"STREAMLIT_LSP_CACHE_DIR": str(tmp_path)}) == tmp_path
    user = default_directory({})
    assert user is not None and "streamlit-lsp" in str(user)


def test_index_uses_the_cache_for_files_not_buffers(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP, encoding="utf-8")
    cold = FactsCache(tmp_path / "cache")
    WorkspaceIndex([tmp_path], cache=cold).load(app)
    assert cold.stats.writes == 1

    warm = FactsCache(tmp_path / "cache")
    index = WorkspaceIndex([tmp_path], cache=warm)
    index.load(app)
    assert warm.stats.hits == 1 and index.facts(app.resolve()) == extract(APP)

    index.set_text(app, OTHER, keep_last_good=True)  # an editor buffer
    assert warm.stats.writes == 0 and warm.stats.hits == 1
    assert index.facts(app.resolve()) == extract(OTHER)


# ------------------------------------------------------------------ the warm start

BROKEN = "import streamlit as st\nif st.session_state.ready\n    st.write(1)\n"


def warm_start_folder(tmp_path: Path) -> Path:
    """A workspace indexed once (its cache entries written): what a warm start reads."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "other.py").write_text(OTHER, encoding="utf-8")
    (root / "broken.py").write_text(BROKEN, encoding="utf-8")
    index_paths(WorkspaceIndex([root], cache=FactsCache(tmp_path / "cache")), [*root.iterdir()])
    return root.resolve()


def warm_index(root: Path, cache: FactsCache) -> WorkspaceIndex:
    index = WorkspaceIndex([root], cache=cache)
    index_paths(index, list(iter_python_files(root)), workers=1)
    return index


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The digests of the entries unpickled from now on."""
    loaded: list[str] = []
    original = StoredFacts.load

    def load(self: StoredFacts):
        loaded.append(self.digest)
        return original(self)

    monkeypatch.setattr(StoredFacts, "load", load)
    return loaded


def test_a_warm_start_unpickles_an_entry_when_its_facts_are_first_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = warm_start_folder(tmp_path)
    loaded = count_loads(monkeypatch)
    cache = FactsCache(tmp_path / "cache")
    index = warm_index(root, cache)
    assert cache.stats.hits == 3 and cache.stats.misses == 0
    # Which files do not parse is known from the entries' headers (ST000 asks at once).
    assert index.unparsed_paths == [root / "broken.py"]
    assert index.parse_error(root / "app.py") is None
    assert loaded == []

    assert index.facts(root / "app.py") == extract(APP)
    assert index.facts(root / "app.py") == extract(APP)
    assert loaded == [text_digest(APP)]  # once: the facts replace the entry
    error = index.parse_error(root / "broken.py")
    assert error is not None and error == extract(BROKEN).parse_error
    assert loaded == [text_digest(APP), text_digest(BROKEN)]


def test_an_entry_that_cannot_be_unpickled_is_extracted_again_when_asked_for(
    tmp_path: Path,
) -> None:
    root = warm_start_folder(tmp_path)
    cache = FactsCache(tmp_path / "cache")
    path = entry_path(cache, APP)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # the header whole, the pickle cut short
    index = warm_index(root, cache)
    assert index.facts(root / "app.py") == extract(APP)


def test_the_files_that_do_not_parse_follow_the_facts_once_unpickled(tmp_path: Path) -> None:
    root = warm_start_folder(tmp_path)
    cache = FactsCache(tmp_path / "cache")
    # The entry of the text that parses, its header saying it does not (and the other
    # way round): once unpickled, the facts are what ST000's list follows.
    cache.put_pickled(text_digest(APP), pickle.dumps(extract(APP)), parses=False)
    cache.put_pickled(text_digest(BROKEN), pickle.dumps(extract(BROKEN)), parses=True)
    index = warm_index(root, cache)
    assert index.facts(root / "app.py") == extract(APP)
    assert index.facts(root / "broken.py") == extract(BROKEN)
    assert index.unparsed_paths == [root / "broken.py"]
    assert index.parse_error(root / "app.py") is None


def test_a_file_gone_before_its_entry_is_unpickled_counts_as_empty(tmp_path: Path) -> None:
    root = warm_start_folder(tmp_path)
    cache = FactsCache(tmp_path / "cache")
    path = entry_path(cache, OTHER)
    path.write_bytes(path.read_bytes()[:-10])
    index = warm_index(root, cache)
    (root / "other.py").unlink()  # the watcher's event is still on its way
    facts = index.facts(root / "other.py")
    assert facts is not None and not facts.uses_streamlit and not facts.accesses


# ------------------------------------------------------- files unchanged since a start

OLD = time.time() - 86400  # a modification time put back (as ``tar`` and ``cp -p`` do)


@pytest.fixture
def an_hour_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The starts happen an hour after the files were last written (or changed)."""
    monkeypatch.setattr(bulk, "now_ns", lambda: time.time_ns() + 3600 * 10**9)


def settled_folder(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    for name, text in (("app.py", APP), ("other.py", OTHER), ("plain.py", "print(1)\n")):
        (root / name).write_text(text, encoding="utf-8")
        os.utime(root / name, (OLD, OLD))
    return root.resolve()


def start(root: Path, cache_root: Path) -> WorkspaceIndex:
    """What a server's start (or ``check``) indexes: the workspace's every file."""
    index = WorkspaceIndex([root], cache=FactsCache(cache_root))
    index_paths(index, list(iter_python_files(root)), workers=1, whole_workspace=True)
    return index


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files bulk indexing reads from now on."""
    names: list[str] = []
    original = bulk.read_accepted_file

    def read(path: Path) -> bytes:
        names.append(path.name)
        return original(path)

    monkeypatch.setattr(bulk, "read_accepted_file", read)
    return names


def test_a_start_reads_only_the_files_changed_since_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, an_hour_later: None
) -> None:
    root = settled_folder(tmp_path)
    start(root, tmp_path / "cache")
    reads = count_reads(monkeypatch)
    again = start(root, tmp_path / "cache")
    assert reads == []  # the file the prefilter skips included
    assert again.paths == (root / "app.py", root / "other.py")
    assert again.facts(root / "app.py") == extract(APP)

    # The same size, the modification time put back: the change time still tells.
    changed = APP.replace("count", "total")
    assert len(changed) == len(APP)
    (root / "app.py").write_text(changed, encoding="utf-8")
    os.utime(root / "app.py", (OLD, OLD))
    third = start(root, tmp_path / "cache")
    assert reads == ["app.py"]
    assert third.facts(root / "app.py") == extract(changed)
    assert third.facts(root / "other.py") == extract(OTHER)


def test_a_file_written_just_before_it_was_read_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Written within the clock's resolution of the read, it could change again without
    # its times changing: its signature is not kept. Here every file was written just
    # now, its modification time put back: the change time is the recent one.
    root = settled_folder(tmp_path)
    start(root, tmp_path / "cache")
    reads = count_reads(monkeypatch)
    start(root, tmp_path / "cache")
    assert sorted(reads) == ["app.py", "other.py", "plain.py"]


def test_indexing_some_files_leaves_the_workspace_s_signatures_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, an_hour_later: None
) -> None:
    root = settled_folder(tmp_path)
    start(root, tmp_path / "cache")
    one = WorkspaceIndex([root], cache=FactsCache(tmp_path / "cache"))
    index_paths(one, [root / "app.py"], workers=1)  # a file the watcher reported
    reads = count_reads(monkeypatch)
    start(root, tmp_path / "cache")
    assert reads == []


def test_a_damaged_book_of_signatures_means_reading_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, an_hour_later: None
) -> None:
    root = settled_folder(tmp_path)
    start(root, tmp_path / "cache")
    (book,) = (FactsCache(tmp_path / "cache").folder / "signatures").iterdir()
    book.write_bytes(book.read_bytes()[:20])
    reads = count_reads(monkeypatch)
    index = start(root, tmp_path / "cache")
    assert sorted(reads) == ["app.py", "other.py", "plain.py"]
    assert index.facts(root / "app.py") == extract(APP)
    reads.clear()
    start(root, tmp_path / "cache")  # the book written whole again
    assert reads == []


def test_an_unchanged_file_whose_entry_is_gone_is_read_and_extracted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, an_hour_later: None
) -> None:
    root = settled_folder(tmp_path)
    start(root, tmp_path / "cache")
    entry_path(FactsCache(tmp_path / "cache"), APP).unlink()  # pruned, say
    reads = count_reads(monkeypatch)
    index = start(root, tmp_path / "cache")
    assert reads == ["app.py"]
    assert index.facts(root / "app.py") == extract(APP)
