"""Module resolution on the index: its caches never hide a module that exists.

Resolution reads each folder's listing once and skips folders whose listing has no
entry for the module's first name (most imports name third-party modules); these tests
pin the cases where such a listing is out of date.
"""

from __future__ import annotations

from pathlib import Path

from streamlit_lsp.analysis.index import WorkspaceIndex, walk_reaches


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


def test_resolutions_share_the_key_sets_and_the_reads_they_keep(tmp_path: Path):
    """A program keeps every key and function it resolved, and what each read: in
    2,000 files a set for each took megabytes. The keys of the same name (a literal's,
    an imported constant's) are one object, and so are the reads of one file alone."""
    from streamlit_lsp.analysis.facts import Access, FunctionRef
    from streamlit_lsp.analysis.model import iter_nodes
    from streamlit_lsp.analysis.program import Program

    (tmp_path / "keys.py").write_text('COUNT = "count"\nLEVEL = "level"\n')
    (tmp_path / "helpers.py").write_text("def show():\n    pass\n\ndef hide():\n    pass\n")
    app = tmp_path / "app.py"
    app.write_text(
        "import streamlit as st\nfrom keys import COUNT, LEVEL\nfrom helpers import show, hide\n"
        'st.write(st.session_state[COUNT], st.session_state["count"])\n'
        "st.write(st.session_state[LEVEL])\n"
    )
    index = WorkspaceIndex([tmp_path])
    for path in tmp_path.iterdir():
        index.load(path)
    program = Program(index)
    facts = program.facts(app)
    assert facts is not None
    keys = [
        program.resolve_key(app, node.key)
        for node in iter_nodes(facts.body)
        if isinstance(node, Access)
    ]
    assert [sorted(found.names) for found in keys] == [["count"], ["count"], ["level"]]
    assert keys[0] is keys[1]
    program.resolve_function(app, FunctionRef("show"))
    program.resolve_function(app, FunctionRef("hide"))
    reads = [kept[1] for kept in program._function_cache.values()]
    assert reads[0] is reads[1]


def test_the_files_under_a_folder_are_those_indexed_inside_it(tmp_path: Path):
    index, entry, page = _workspace(tmp_path)
    sibling = tmp_path / "app_2" / "main.py"  # shares "app" as the start of its name
    sibling.parent.mkdir()
    sibling.write_text("import streamlit as st\n", encoding="utf-8")
    index.load(sibling)
    assert index.paths_under(tmp_path / "app") == sorted([entry.resolve(), page.resolve()])
    assert index.paths_under(tmp_path / "app" / "pages") == [page.resolve()]
    assert index.paths_under(tmp_path / "gone") == []
    assert index.paths_under(entry) == []  # a file holds no files


def test_the_walk_reaches_what_the_workspace_walk_would_index(tmp_path: Path):
    """A file or folder the editor reports is the user's code where the workspace's walk
    (``iter_python_files``) would take it: not in a virtualenv, a skipped or hidden
    folder, nor excluded."""
    root = tmp_path.resolve()
    venv = root / "env311"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (root / "app" / "pages").mkdir(parents=True)

    def excluded(path: Path) -> bool:
        return path.name == "legacy"

    reached = {
        relative: walk_reaches(root, root / relative, excluded)
        for relative in (
            "app/pages",
            "app/pages/1_page.py",
            "env311",
            "env311/lib/site.py",
            "node_modules/pkg/x.py",
            ".hidden/x.py",
            "build",
            "legacy",
            "legacy/x.py",
            "app/legacy/x.py",
        )
    }
    assert reached == {
        "app/pages": True,
        "app/pages/1_page.py": True,
        "env311": False,
        "env311/lib/site.py": False,
        "node_modules/pkg/x.py": False,
        ".hidden/x.py": False,
        "build": False,
        "legacy": False,
        "legacy/x.py": False,
        "app/legacy/x.py": False,
    }
    assert not walk_reaches(root, root, excluded)
    assert not walk_reaches(root / "app", root / "other.py", excluded)
