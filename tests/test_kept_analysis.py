"""The findings kept between starts (of the server, or ``check`` of a folder): a start
takes an app's findings from the last one only when the app and every file it read are
as they were, and module resolution would see what it saw; whatever it takes equals
what a fresh analysis finds."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from spies import calls_of
from streamlit_lsp import kept_analysis
from streamlit_lsp.analysis.bulk import index_paths
from streamlit_lsp.analysis.facts_cache import FactsCache, StoredFacts
from streamlit_lsp.analysis.program import Program
from streamlit_lsp.checker import check_paths
from streamlit_lsp.diagnostics import Diagnostic
from streamlit_lsp.lsp.engine import Engine

WORKSPACES = Path(__file__).resolve().parent / "fixtures" / "workspaces"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Two multipage apps (the shop's ``keys.py`` does not mention Streamlit: it is
    read when an app imports it, not when the workspace is indexed)."""
    root = tmp_path / "ws"
    for name in ("shop", "kiosk"):
        shutil.copytree(WORKSPACES / name, root / name)
    return root.resolve()


@pytest.fixture
def analysed(analysed_apps: list[Path]) -> list[Path]:
    """The entry scripts of the apps whose rules run from now on."""
    return analysed_apps


def start(root: Path, cache: Path) -> tuple[Engine, dict[Path, list[Diagnostic]]]:
    """What a server's start does: index the workspace, take what the last start kept,
    analyse, keep the findings for the next."""
    engine = Engine([root])
    engine.index.cache = FactsCache(cache)
    index_paths(engine.index, list(engine.workspace_files()), workers=1, whole_workspace=True)
    engine.keep_analysis_at(kept_analysis.location(cache, engine.index.roots))
    diagnostics = engine.snapshot().diagnostics
    engine.keep_analysis()
    return engine, diagnostics


def fresh(root: Path) -> dict[Path, list[Diagnostic]]:
    engine = Engine([root])
    index_paths(engine.index, list(engine.workspace_files()), workers=1)
    return engine.snapshot().diagnostics


def test_an_unchanged_workspace_takes_every_app_s_findings_from_the_last_start(
    workspace: Path, tmp_path: Path, analysed: list[Path]
) -> None:
    _, first = start(workspace, tmp_path / "cache")
    assert sorted(analysed) == [workspace / "kiosk" / "app.py", workspace / "shop" / "app.py"]
    assert any(first.values())  # the fixtures have mistakes to report
    analysed.clear()
    _, second = start(workspace, tmp_path / "cache")
    assert analysed == []
    assert second == first == fresh(workspace)


def test_an_app_with_a_changed_file_is_analysed_again_and_only_it(
    workspace: Path, tmp_path: Path, analysed: list[Path]
) -> None:
    start(workspace, tmp_path / "cache")
    page = workspace / "kiosk" / "pages" / "1_Loyalty.py"
    page.write_text(page.read_text(encoding="utf-8") + "st.write(st.session_state.nope)\n")
    analysed.clear()
    _, second = start(workspace, tmp_path / "cache")
    assert analysed == [workspace / "kiosk" / "app.py"]
    assert second == fresh(workspace)
    assert any(item.key == "nope" for item in second[page])


def test_a_changed_module_that_only_an_import_reads_is_seen(
    workspace: Path, tmp_path: Path, analysed: list[Path]
) -> None:
    start(workspace, tmp_path / "cache")
    keys = workspace / "shop" / "keys.py"
    keys.write_text('DISCOUNT = "rebate"\n', encoding="utf-8")  # the page reads "discount"
    analysed.clear()
    _, second = start(workspace, tmp_path / "cache")
    assert analysed == [workspace / "shop" / "app.py"]
    assert second == fresh(workspace)


def test_a_new_module_where_an_import_found_none_means_a_whole_analysis(
    workspace: Path, tmp_path: Path, analysed: list[Path]
) -> None:
    state = workspace / "kiosk" / "state.py"
    state.write_text(
        state.read_text(encoding="utf-8") + "from settings import LIMIT  # not written yet\n",
        encoding="utf-8",
    )
    start(workspace, tmp_path / "cache")
    (workspace / "kiosk" / "settings.py").write_text('LIMIT = "limit"\n', encoding="utf-8")
    analysed.clear()
    _, second = start(workspace, tmp_path / "cache")
    assert sorted(analysed) == [workspace / "kiosk" / "app.py", workspace / "shop" / "app.py"]
    assert second == fresh(workspace)


def test_a_new_file_no_import_could_name_changes_nothing(
    workspace: Path, tmp_path: Path, analysed: list[Path]
) -> None:
    start(workspace, tmp_path / "cache")
    (workspace / "shop" / "notes.txt").write_text("to do\n", encoding="utf-8")
    analysed.clear()
    start(workspace, tmp_path / "cache")
    assert analysed == []


def test_a_damaged_or_foreign_file_is_not_used(
    workspace: Path, tmp_path: Path, analysed: list[Path]
) -> None:
    engine, first = start(workspace, tmp_path / "cache")
    where = engine.kept_analysis
    assert where is not None and where.is_file()
    for content in (where.read_bytes()[:50], b"not a pickle", os.urandom(64)):
        where.write_bytes(content)
        analysed.clear()
        _, again = start(workspace, tmp_path / "cache")
        assert len(analysed) == 2 and again == first


def test_another_version_of_the_tool_keeps_its_own(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roots = (workspace,)
    before = kept_analysis.location(tmp_path, roots)
    monkeypatch.setattr(kept_analysis, "_tool_salt", lambda: "another")
    assert kept_analysis.location(tmp_path, roots) != before


def test_a_new_app_means_a_whole_analysis(
    workspace: Path, tmp_path: Path, analysed: list[Path]
) -> None:
    # Its folder is one more where every app's imports are resolved.
    start(workspace, tmp_path / "cache")
    shutil.copytree(WORKSPACES / "garden", workspace / "garden")
    analysed.clear()
    _, second = start(workspace, tmp_path / "cache")
    assert len(analysed) == 3
    assert second == fresh(workspace)


def test_an_unchanged_workspace_s_apps_are_found_without_its_facts(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(workspace, tmp_path / "cache")
    asked = calls_of(monkeypatch, Program, "_as_candidate")
    unpickled = calls_of(monkeypatch, StoredFacts, "load")
    _, second = start(workspace, tmp_path / "cache")
    assert asked == []  # no file asked whether it is an entry point
    # Facts are unpickled only to apply the noqa comments of the files reported on.
    assert 0 < len(unpickled) <= len([path for path, items in second.items() if items])
    assert second == fresh(workspace)


def test_only_a_changed_file_is_asked_again_whether_it_is_an_entry_point(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(workspace, tmp_path / "cache")
    page = workspace / "kiosk" / "pages" / "1_Loyalty.py"
    page.write_text(page.read_text(encoding="utf-8") + "st.write(st.session_state.nope)\n")
    asked = calls_of(monkeypatch, Program, "_as_candidate")
    _, second = start(workspace, tmp_path / "cache")
    assert [arguments[1] for arguments in asked] == [page]
    assert second == fresh(workspace)


def test_a_page_added_to_a_pages_folder_is_found(tmp_path: Path) -> None:
    # Nothing here imports a module: no folder was listed to resolve one, so only the
    # pages folder's own listing tells that the app changed.
    root = tmp_path / "ws"
    (root / "pages").mkdir(parents=True)
    (root / "app.py").write_text("import streamlit as st\n\nst.session_state.seen = 1\n")
    (root / "pages" / "1_First.py").write_text("import streamlit as st\n\nst.write(1)\n")
    start(root, tmp_path / "cache")
    page = root / "pages" / "2_Added.py"
    page.write_text("import streamlit as st\n\nst.write(st.session_state.added)\n")
    _, second = start(root, tmp_path / "cache")
    assert any(item.key == "added" for item in second[page.resolve()])
    assert second == fresh(root)


# ------------------------------------------------------------------------- check


def check(root: Path, *, processes: int = 1) -> list[Diagnostic]:
    """``streamlit-lsp check root`` (with the facts cache of the test), in this process
    alone or with forked copies."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("streamlit_lsp.checker.usable_cores", lambda: processes)
        patch.setattr("streamlit_lsp.checker.FORK_MIN_APPS", 2)
        return check_paths([root]).diagnostics


def test_a_second_check_of_an_unchanged_folder_analyses_no_app(
    workspace: Path, analysed: list[Path]
) -> None:
    first = check(workspace)
    assert len(analysed) == 2 and first
    analysed.clear()
    assert check(workspace) == first
    assert analysed == []


def test_a_check_after_a_change_analyses_the_changed_app_only(
    workspace: Path, analysed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    check(workspace)
    page = workspace / "kiosk" / "pages" / "1_Loyalty.py"
    page.write_text(page.read_text(encoding="utf-8") + "st.write(st.session_state.nope)\n")
    analysed.clear()
    second = check(workspace)
    assert analysed == [workspace / "kiosk" / "app.py"]
    assert any(item.key == "nope" for item in second)
    monkeypatch.setenv("STREAMLIT_LSP_CACHE_DIR", "")  # nothing kept, nothing taken
    analysed.clear()
    assert check(workspace) == second
    assert len(analysed) == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")
def test_findings_of_apps_analysed_by_forked_copies_are_kept_too(
    workspace: Path, analysed: list[Path]
) -> None:
    # Two processes share the two apps: the copy's findings come back to be kept.
    first = check(workspace, processes=2)
    assert len(analysed) == 1
    analysed.clear()
    assert check(workspace) == first
    assert analysed == []


def test_a_check_of_one_file_keeps_nothing(workspace: Path) -> None:
    check_paths([workspace / "shop" / "app.py"])
    cache = Path(os.environ["STREAMLIT_LSP_CACHE_DIR"])
    assert not (cache / "analysis").exists()
