"""Module resolution on the index: its caches never hide a module that exists.

Resolution reads each folder's listing once and skips folders whose listing has no
entry for the module's first name (most imports name third-party modules); these tests
pin the cases where such a listing is out of date.
"""

from __future__ import annotations

from pathlib import Path

from streamlit_lsp.analysis.index import WorkspaceIndex


def _workspace(tmp_path: Path) -> tuple[WorkspaceIndex, Path, Path]:
    app = tmp_path / "app"
    (app / "pages").mkdir(parents=True)
    entry = app / "streamlit_app.py"
    entry.write_text("import streamlit as st\nimport helpers\n", encoding="utf-8")
    page = app / "pages" / "1_page.py"
    page.write_text("import streamlit as st\nimport pandas\n", encoding="utf-8")
    index = WorkspaceIndex([tmp_path])
    for path in (entry, page):
        index.load(path)
    return index, entry, page


def test_a_module_on_disk_resolves_from_the_importer_and_the_extra_folders(tmp_path: Path):
    index, entry, page = _workspace(tmp_path)
    (entry.parent / "helpers.py").write_text("X = 1\n", encoding="utf-8")
    assert index.resolve_module("helpers", 0, entry) == (entry.parent / "helpers.py").resolve()
    # From a page, only through the entry folder that ``streamlit run`` puts on sys.path.
    assert index.resolve_module("helpers", 0, page) is None
    found = index.resolve_module("helpers", 0, page, (entry.parent,))
    assert found == (entry.parent / "helpers.py").resolve()
    assert index.resolve_module("pandas", 0, page, (entry.parent,)) is None


def test_an_unsaved_buffer_resolves_although_its_folder_was_listed_without_it(tmp_path: Path):
    index, entry, _ = _workspace(tmp_path)
    assert index.resolve_module("helpers", 0, entry) is None  # the folder is listed now
    unsaved = entry.parent / "helpers.py"  # opened in the editor, never written to disk
    index.set_text(unsaved, "X = 1\n")
    assert index.resolve_module("helpers", 0, entry) == unsaved.resolve()


def test_an_unsaved_package_module_resolves_too(tmp_path: Path):
    index, entry, _ = _workspace(tmp_path)
    assert index.resolve_module("lib.keys", 0, entry) is None
    index.set_text(entry.parent / "lib" / "keys.py", "K = 'k'\n")
    assert index.resolve_module("lib.keys", 0, entry) == (entry.parent / "lib" / "keys.py")


def test_a_file_created_on_disk_resolves_once_the_missing_probes_are_forgotten(tmp_path: Path):
    """What the server does on a watched file's creation (``forget_missing``)."""
    index, entry, _ = _workspace(tmp_path)
    assert index.resolve_module("helpers", 0, entry) is None
    (entry.parent / "helpers.py").write_text("X = 1\n", encoding="utf-8")
    index.forget_missing()
    assert index.resolve_module("helpers", 0, entry) == (entry.parent / "helpers.py").resolve()
