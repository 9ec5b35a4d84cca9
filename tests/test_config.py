"""``[tool.streamlit-lsp]`` loading and the decisions made from it.

The fixtures under ``tests/fixtures/config/`` are real pyproject files, because what a
user gets wrong is the TOML itself (a string where an array belongs, a misspelled key).
Loading must never raise: each broken key falls back to its default, the valid keys
survive, and each problem is one line that names the key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from streamlit_lsp.config import (
    KNOWN_CODES,
    Config,
    ConfigProblem,
    find_pyproject,
    is_valid_selector,
    load_config,
    split_codes,
)
from streamlit_lsp.diagnostics import Severity

FIXTURES = Path(__file__).parent / "fixtures" / "config"
REPO_ROOT = Path(__file__).resolve().parent.parent


def messages(problems: list[ConfigProblem]) -> list[str]:
    return [problem.message for problem in problems]


# --- find_pyproject ---------------------------------------------------------------


def test_find_pyproject_from_a_file_uses_its_folder() -> None:
    start = FIXTURES / "full" / "app" / "pages" / "1_page.py"
    assert find_pyproject(start) == (FIXTURES / "full" / "pyproject.toml").absolute()


def test_find_pyproject_at_the_start_folder_itself() -> None:
    assert find_pyproject(FIXTURES / "full") == (FIXTURES / "full" / "pyproject.toml").absolute()


def test_find_pyproject_walks_up_past_folders_without_one() -> None:
    # tests/fixtures/config has no pyproject.toml: the repository's own is the nearest.
    assert find_pyproject(FIXTURES) == REPO_ROOT / "pyproject.toml"


def test_find_pyproject_from_a_path_that_does_not_exist_yet() -> None:
    start = FIXTURES / "full" / "app" / "not_created" / "deeper"
    assert find_pyproject(start) == (FIXTURES / "full" / "pyproject.toml").absolute()


def test_find_pyproject_none_without_any(tmp_path: Path) -> None:
    assert find_pyproject(tmp_path / "project") is None


def test_find_pyproject_ignores_a_folder_named_pyproject_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()
    assert find_pyproject(tmp_path) is None


# --- load_config: valid files ----------------------------------------------------------


def test_load_full_configuration() -> None:
    root = (FIXTURES / "full").absolute()
    config, problems = load_config(root / "app" / "main.py")
    assert problems == []
    assert config == Config(
        root=root,
        select=("ST0", "ST010"),
        ignore=("ST00", "ST001"),
        per_file_ignores=(("app/pages/*.py", ("ST008",)), ("test_*.py", ("ST0",))),
        exclude=("build/**", "legacy_*.py", "tests"),
        entrypoints=(root / "app" / "main.py", root / "app" / "admin.py"),
        severity=(
            ("ST002", Severity.ERROR),
            ("ST009", Severity.INFORMATION),
            ("ST00", Severity.WARNING),
        ),
        pyproject=root / "pyproject.toml",
    )


def test_full_configuration_decisions() -> None:
    config, _ = load_config(FIXTURES / "full")
    root = config.root
    # select ST0 + ST010, ignore ST00 + ST001.
    assert not config.rule_enabled("ST001")
    assert not config.rule_enabled("ST002")
    assert config.rule_enabled("ST010")
    # per-file-ignores: ST010 is off only in test_*.py files.
    assert config.rule_enabled("ST010", root / "app" / "main.py")
    assert not config.rule_enabled("ST010", root / "app" / "test_main.py")
    # severity: the longest matching prefix wins, else the rule's default.
    assert config.severity_for("ST002", Severity.HINT) is Severity.ERROR
    assert config.severity_for("ST009", Severity.HINT) is Severity.INFORMATION
    assert config.severity_for("ST003", Severity.ERROR) is Severity.WARNING
    assert config.severity_for("ST010", Severity.HINT) is Severity.HINT
    # exclude
    assert config.is_excluded(root / "build" / "lib" / "out.py")
    assert config.is_excluded(root / "src" / "legacy" / "legacy_v1.py")
    assert config.is_excluded(root / "tests" / "unit" / "helpers.py")
    assert config.is_excluded(root / "tests")
    assert not config.is_excluded(root / "app" / "main.py")


def test_per_file_ignores_from_fixture_are_globs_relative_to_root() -> None:
    config, _ = load_config(FIXTURES / "full")
    pages = config.root / "app" / "pages"
    assert not config.rule_enabled("ST010", pages / "test_x.py")
    # The fixture's select/ignore turn ST008 off everywhere; widen them to see the glob.
    widened = config.with_overrides(select="ST", ignore="")
    assert not widened.rule_enabled("ST008", pages / "1_page.py")
    assert widened.rule_enabled("ST008", config.root / "app" / "main.py")
    # "*" stays within one folder, as in .gitignore.
    assert widened.rule_enabled("ST008", pages / "sub" / "2_page.py")


def test_no_section_gives_defaults_rooted_at_that_pyproject() -> None:
    root = (FIXTURES / "no_section").absolute()
    config, problems = load_config(root)
    assert problems == []
    assert config == Config(root=root, pyproject=root / "pyproject.toml")


def test_no_pyproject_gives_defaults_rooted_at_start(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert (config, problems) == (Config(root=tmp_path), [])


def test_no_pyproject_from_a_file_roots_at_its_folder(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text("import streamlit as st\n", encoding="utf-8")
    config, problems = load_config(app)
    assert (config.root, config.pyproject, problems) == (tmp_path, None, [])


def test_lenient_spellings() -> None:
    config, problems = load_config(FIXTURES / "lenient")
    assert problems == []
    assert config.select == ("ALL",)
    assert config.ignore == ("ST009",)
    assert config.severity == (("ST001", Severity.WARNING), ("ALL", Severity.HINT))
    assert config.rule_enabled("ST001")
    assert not config.rule_enabled("ST009")
    assert config.severity_for("ST001", Severity.ERROR) is Severity.WARNING
    assert config.severity_for("ST005", Severity.ERROR) is Severity.HINT


# --- load_config: broken files ---------------------------------------------------------


def test_invalid_toml_gives_defaults_and_one_problem(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text((FIXTURES / "broken.toml").read_text(encoding="utf-8"), encoding="utf-8")
    config, problems = load_config(tmp_path)
    assert config == Config(root=tmp_path, pyproject=pyproject)
    assert len(problems) == 1
    assert problems[0].path == pyproject
    assert problems[0].message.startswith("invalid TOML: ")
    assert "line 5" in problems[0].message


def test_wrong_types_fall_back_per_key_and_keep_valid_keys() -> None:
    root = (FIXTURES / "wrong_types").absolute()
    config, problems = load_config(root)
    assert config.select == ()
    assert config.ignore == ("ST009",)  # the one valid key survives
    assert config.exclude == ()
    assert config.per_file_ignores == ()
    assert config.severity == ()
    # The missing entry point is reported but kept: the file may appear later.
    assert config.entrypoints == (root / "missing.py",)
    assert all(problem.path == root / "pyproject.toml" for problem in problems)
    assert messages(problems) == [
        "[tool.streamlit-lsp] select: expected an array of strings like "
        '["ST001", "ST00"], got a string (\'ST001\')',
        "[tool.streamlit-lsp] exclude: expected an array of strings like "
        '["build/**", "legacy_*.py"], got a string (\'build\')',
        "[tool.streamlit-lsp] entrypoints[0]: expected a string, got an integer (1)",
        f"[tool.streamlit-lsp] entrypoints[1]: 'missing.py' does not exist under {root}",
        "[tool.streamlit-lsp] per-file-ignores: expected a table of glob = array of codes "
        '(like "tests/**" = ["ST001"]), got an array',
        '[tool.streamlit-lsp] severity.ST002: expected "error", "warning", '
        '"information" or "hint", got \'loud\'',
        '[tool.streamlit-lsp] severity.ST003: expected "error", "warning", '
        '"information" or "hint", got an integer (3)',
    ]


def test_unknown_keys_and_codes_are_reported_and_dropped() -> None:
    config, problems = load_config(FIXTURES / "unknown_keys")
    assert config.select == ("ST001",)
    assert config.ignore == ()
    assert config.per_file_ignores == (("tests/**", ("ST001",)),)
    assert config.severity == ()
    found = messages(problems)
    assert len(found) == 10
    assert found[0] == (
        "[tool.streamlit-lsp] per_file_ignores: unknown key (known keys: select, ignore, "
        "per-file-ignores, exclude, entrypoints, severity); did you mean 'per-file-ignores'?"
    )
    assert found[1].startswith("[tool.streamlit-lsp] colour: unknown key")
    assert found[2].startswith(
        "[tool.streamlit-lsp] select[1]: unknown rule code or prefix 'ST999' (expected one of "
        "ST000, ST001,"
    )
    assert found[3].startswith("[tool.streamlit-lsp] select[2]: unknown rule code or prefix 'E501'")
    assert found[4].startswith("[tool.streamlit-lsp] select[3]: unknown rule code or prefix 'ST1'")
    assert found[5].startswith("[tool.streamlit-lsp] ignore[0]: unknown rule code or prefix ''")
    assert found[6] == "[tool.streamlit-lsp] ignore[1]: expected a string, got an integer (5)"
    assert found[7].startswith(
        "[tool.streamlit-lsp] per-file-ignores.\"tests/**\"[1]: unknown rule code or prefix 'F401'"
    )
    assert found[8].startswith(
        "[tool.streamlit-lsp] per-file-ignores.\"docs/**\"[0]: unknown rule code or prefix 'X1'"
    )
    assert found[9].startswith("[tool.streamlit-lsp] severity.ST42: unknown rule code")


def test_section_that_is_not_a_table() -> None:
    root = (FIXTURES / "not_a_table").absolute()
    config, problems = load_config(root)
    assert config == Config(root=root, pyproject=root / "pyproject.toml")
    assert messages(problems) == ["[tool.streamlit-lsp] expected a table, got an array"]


def test_undecodable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.streamlit-lsp]\nselect = ['\xff']\n")
    config, problems = load_config(tmp_path)
    assert config == Config(root=tmp_path, pyproject=tmp_path / "pyproject.toml")
    assert len(problems) == 1
    assert problems[0].message.startswith("cannot read the file: ")


def test_problems_are_single_lines_naming_their_file() -> None:
    for name in ("wrong_types", "unknown_keys", "not_a_table"):
        _, problems = load_config(FIXTURES / name)
        assert problems, name
        for problem in problems:
            assert "\n" not in problem.message
            assert str(problem) == f"{problem.path}: {problem.message}"


def test_known_codes_can_be_passed_in(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.streamlit-lsp]\nselect = ["ST011", "ST0"]\n', encoding="utf-8"
    )
    config, problems = load_config(tmp_path, known_codes=KNOWN_CODES | {"ST011"})
    assert (config.select, problems) == (("ST011", "ST0"), [])
    _, default_problems = load_config(tmp_path)
    assert len(default_problems) == 1


def test_empty_glob_and_entrypoint_strings_are_problems(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.streamlit-lsp]\nexclude = ["", "build"]\nentrypoints = [" ", "app.py"]\n'
        '[tool.streamlit-lsp.per-file-ignores]\n"" = ["ST001"]\n',
        encoding="utf-8",
    )
    config, problems = load_config(tmp_path)
    assert config.exclude == ("build",)
    assert config.entrypoints == (tmp_path / "app.py",)
    assert config.per_file_ignores == ()
    assert messages(problems) == [
        "[tool.streamlit-lsp] exclude[0]: expected a non-empty glob",
        "[tool.streamlit-lsp] entrypoints[0]: expected a file path, got an empty string",
        '[tool.streamlit-lsp] per-file-ignores."": expected a non-empty glob as the key',
    ]


# --- select / ignore semantics ------------------------------------------------------------


@pytest.mark.parametrize(
    ("select", "ignore", "code", "enabled"),
    [
        ((), (), "ST001", True),  # nothing configured: every rule
        (("ST00",), (), "ST001", True),
        (("ST00",), (), "ST010", False),  # not selected
        (("ST",), ("ST00",), "ST001", False),  # the more specific ignore wins
        (("ST",), ("ST00",), "ST010", True),
        (("ST001",), ("ST00",), "ST001", True),  # the more specific select wins
        (("ST001",), ("ST00",), "ST002", False),
        (("ST001",), ("ST001",), "ST001", False),  # a tie goes to ignore
        (("ALL",), ("ST",), "ST003", False),
        ((), ("ALL",), "ST003", False),
        (("ALL",), (), "ST003", True),
        ((), ("ST009",), "ST009", False),
        ((), ("ST009",), "ST000", True),
    ],
)
def test_select_ignore_precedence(
    select: tuple[str, ...], ignore: tuple[str, ...], code: str, enabled: bool
) -> None:
    config = Config(root=Path("/project"), select=select, ignore=ignore)
    assert config.rule_enabled(code) is enabled


def test_per_file_ignores_need_both_glob_and_code() -> None:
    config = Config(
        root=Path("/project"),
        per_file_ignores=(("tests/**", ("ST001", "ST00")), ("legacy_*.py", ("ALL",))),
    )
    assert not config.rule_enabled("ST001", Path("/project/tests/a/b.py"))
    assert not config.rule_enabled("ST005", Path("/project/tests/b.py"))
    assert config.rule_enabled("ST010", Path("/project/tests/b.py"))
    assert config.rule_enabled("ST001", Path("/project/app.py"))
    assert not config.rule_enabled("ST010", Path("/project/pages/legacy_1.py"))
    # Without a path only select/ignore apply.
    assert config.rule_enabled("ST001")


def test_per_file_ignores_cannot_enable_a_rule() -> None:
    config = Config(
        root=Path("/project"), ignore=("ST001",), per_file_ignores=(("x.py", ("ST002",)),)
    )
    assert not config.rule_enabled("ST001", Path("/project/x.py"))


def test_with_overrides_replaces_lists() -> None:
    config = Config(root=Path("/p"), select=("ST0",), ignore=("ST009",))
    assert config.with_overrides() is config
    assert config.with_overrides(select="ST001, st003").select == ("ST001", "ST003")
    assert config.with_overrides(select="ST001").ignore == ("ST009",)
    assert config.with_overrides(ignore=["ST002", " "]).ignore == ("ST002",)
    assert config.with_overrides(ignore="").ignore == ()
    overridden = config.with_overrides(select=["ST010"], ignore=[])
    assert (overridden.select, overridden.ignore) == (("ST010",), ())
    assert overridden.root == config.root


@pytest.mark.parametrize(
    ("selector", "valid"),
    [
        ("ST001", True),
        ("ST0", True),
        ("ST", True),
        ("S", True),
        ("ALL", True),
        ("ST010", True),
        ("ST011", False),
        ("ST1", False),
        ("E501", False),
        ("", False),
        ("st001", False),  # callers normalize case first
    ],
)
def test_is_valid_selector(selector: str, valid: bool) -> None:
    assert is_valid_selector(selector) is valid


def test_split_codes() -> None:
    assert split_codes(" st001,ST003 ,, ST0 ") == ("ST001", "ST003", "ST0")
    assert split_codes("") == ()


def test_known_codes_are_the_catalog() -> None:
    assert sorted(KNOWN_CODES) == [f"ST{number:03d}" for number in range(11)]


# --- exclude -----------------------------------------------------------------------------------


ROOT = Path("/project")


@pytest.mark.parametrize(
    ("pattern", "path", "excluded"),
    [
        ("build/**", "build/x.py", True),
        ("build/**", "build/a/b.py", True),
        ("build/**", "src/build/x.py", False),  # a slash anchors the pattern at the root
        ("build", "src/build/x.py", True),  # a bare name matches at any depth
        ("legacy_*.py", "legacy_a.py", True),
        ("legacy_*.py", "pages/deep/legacy_b.py", True),
        ("legacy_*.py", "legacy_a.pyc", False),
        ("legacy_*.py", "notlegacy_a.py", False),
        ("tests", "tests/x.py", True),  # a folder name excludes the folder's content
        ("tests", "app/tests/unit/x.py", True),
        ("tests", "tests_data.py", False),
        ("tests", "mytests/a.py", False),
        ("/scripts", "scripts/a.py", True),
        ("/scripts", "app/scripts/a.py", False),
        ("./scripts/*.py", "scripts/a.py", True),
        ("**/generated/*.py", "generated/a.py", True),
        ("**/generated/*.py", "x/y/generated/a.py", True),
        ("**/generated/*.py", "generated/sub/a.py", False),
        ("a/**/b.py", "a/b.py", True),
        ("a/**/b.py", "a/x/y/b.py", True),
        ("a/**/b.py", "c/a/b.py", False),
        ("?.py", "a.py", True),
        ("?.py", "ab.py", False),
        ("[ab]*.py", "a1.py", True),
        ("[ab]*.py", "c1.py", False),
        ("[!a]*.py", "b.py", True),
        ("[!a]*.py", "a.py", False),
        ("weird[.py", "weird[.py", True),  # an unclosed bracket is literal
        ("pages/*.py", "pages/1_home.py", True),
        ("pages/*.py", "pages/sub/1_home.py", False),
        ("build\\**", "build/x.py", True),  # Windows separators in the pattern
        ("**", "anything/at/all.py", True),
    ],
)
def test_exclude_globs(pattern: str, path: str, excluded: bool) -> None:
    config = Config(root=ROOT, exclude=(pattern,))
    assert config.is_excluded(ROOT / path) is excluded
    # Relative paths are taken relative to the root.
    assert config.is_excluded(Path(path)) is excluded


def test_exclude_outside_root() -> None:
    config = Config(root=ROOT, exclude=("build/**", "legacy_*.py", "tests"))
    assert not config.is_excluded(Path("/elsewhere/build/x.py"))  # anchored: root-relative
    assert config.is_excluded(Path("/elsewhere/legacy_1.py"))  # a name is a name anywhere
    assert not config.is_excluded(Path("/tests/app.py"))  # folders outside root don't count
    assert not config.is_excluded(Path("../tests/app.py"))


def test_exclude_normalizes_dots() -> None:
    config = Config(root=ROOT, exclude=("build/**",))
    assert config.is_excluded(Path("./build/x.py"))
    assert config.is_excluded(Path("/project/app/../build/x.py"))
    assert not config.is_excluded(ROOT)


def test_trailing_slash_matches_folders_only(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "notes").write_text("", encoding="utf-8")
    config = Config(root=tmp_path, exclude=("docs/", "notes/"))
    assert config.is_excluded(tmp_path / "docs")
    assert config.is_excluded(tmp_path / "docs" / "a.py")
    assert config.is_excluded(tmp_path / "notes" / "x.py")  # an ancestor is a folder
    assert not config.is_excluded(tmp_path / "notes")  # a file of that name is not


def test_exclude_through_a_symlinked_root(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "build").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    config = Config(root=link, exclude=("build/**",))
    assert config.is_excluded(real / "build" / "x.py")
    assert config.is_excluded(link / "build" / "x.py")
