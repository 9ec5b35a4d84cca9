"""The on-disk facts cache: a warm start must never read wrong or stale facts.

Entries are keyed by the text's digest under a salt (package version, schema, Python,
the extractor's source). Anything unusable in the cache (missing, truncated, corrupt,
another digest's entry, a folder that cannot be written) falls back to extracting.
"""

from __future__ import annotations

import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from streamlit_lsp.analysis import facts_cache
from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts_cache import FactsCache, default_directory, version_salt
from streamlit_lsp.analysis.index import WorkspaceIndex, text_digest

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
    cache.put_pickled(digest, pickle.dumps({"not": "facts"}))
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
