"""Bad input: a clear message on stderr, the rest of the workspace analysed, exit per contract.

Each test builds a small workspace in a temporary folder next to a valid app whose
ST001 must still be reported: the bad file must never stop the analysis of the others.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from streamlit_lsp import checker
from streamlit_lsp.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "bad_input"
GOOD_APP = (FIXTURES / "good_app.py").read_text(encoding="utf-8")


def workspace(tmp_path: Path) -> Path:
    (tmp_path / "good_app.py").write_text(GOOD_APP, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_good_app_still_checked(out: str) -> None:
    assert "good_app.py:4:" in out and "ST001" in out, out


def test_syntax_error_is_st000_and_the_rest_is_analysed(tmp_path, capsys):
    ws = workspace(tmp_path)
    (ws / "half_typed.py").write_text(
        'import streamlit as st\nst.session_state["k"\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, str(ws))
    assert code == 1
    assert "half_typed.py:2:" in out and "ST000" in out
    assert_good_app_still_checked(out)


def test_non_utf8_file(tmp_path, capsys):
    ws = workspace(tmp_path)
    (ws / "latin1.py").write_bytes(
        "import streamlit as st\nst.write('caf\xe9')\n".encode("latin-1")
    )
    code, out, err = run(capsys, str(ws))
    assert code == 1
    assert "latin1.py" in err and "not valid utf-8" in err
    assert "latin1.py" not in out
    assert_good_app_still_checked(out)


def test_pep263_cookie_is_honoured(tmp_path, capsys):
    ws = workspace(tmp_path)
    source = (
        "# -*- coding: latin-1 -*-\nimport streamlit as st\nst.write(st.session_state.caf\xe9)\n"
    )
    (ws / "cookie.py").write_bytes(source.encode("latin-1"))
    code, out, err = run(capsys, str(ws))
    assert code == 1
    assert "cookie.py:3:" in out and "café" in out
    assert err == ""


def test_binary_file_named_py(tmp_path, capsys):
    ws = workspace(tmp_path)
    (ws / "blob.py").write_bytes(b"streamlit\x00\x01\x02\xff" * 100)
    code, out, err = run(capsys, str(ws))
    assert code == 1
    assert "blob.py" in err and "binary" in err
    assert_good_app_still_checked(out)


def test_huge_file(tmp_path, capsys):
    ws = workspace(tmp_path)
    line = b"st.write('streamlit padding line for a very large generated page')\n"
    (ws / "huge.py").write_bytes(
        b"import streamlit as st\n" + line * (20 * 1024 * 1024 // len(line))
    )
    code, out, err = run(capsys, str(ws))
    assert code == 1
    assert "huge.py" in err and "too large" in err
    assert_good_app_still_checked(out)


def test_deeply_nested_expression(tmp_path, capsys):
    ws = workspace(tmp_path)
    depth = 10_000
    (ws / "nested.py").write_text(
        "import streamlit as st\nx = " + "[" * depth + "]" * depth + "\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, str(ws))
    assert code == 1
    assert "nested.py:" in out and "ST000" in out  # Python itself refuses to compile it
    assert_good_app_still_checked(out)


def test_long_elif_chain_is_analysed_not_rejected(tmp_path, capsys):
    ws = tmp_path
    branches = "".join(f"elif choice == {i}:\n    st.write({i})\n" for i in range(1, 600))
    source = (
        "import streamlit as st\nchoice = st.number_input('n', key='choice')\n"
        f"if choice == 0:\n    st.write(0)\n{branches}"
        "st.write(st.session_state.never_set)\n"
    )
    (ws / "chain.py").write_text(source, encoding="utf-8")
    code, out, err = run(capsys, str(ws))
    assert code == 1, err
    assert "ST001" in out and "never_set" in out
    assert "ST000" not in out


def test_file_deleted_between_listing_and_reading(tmp_path, capsys, monkeypatch):
    ws = workspace(tmp_path)
    vanished = ws / "vanished.py"
    original = checker.iter_python_files

    def listing_with_a_ghost(root, is_excluded=None):
        yield vanished  # listed, then gone before it is read
        yield from original(root, is_excluded)

    monkeypatch.setattr(checker, "iter_python_files", listing_with_a_ghost)
    code, out, err = run(capsys, str(ws))
    assert code == 1
    assert "vanished.py" in err and "disappeared" in err
    assert_good_app_still_checked(out)


@pytest.mark.skipif(os.name != "posix", reason="symlinks need a POSIX file system")
def test_symlink_loop(tmp_path, capsys):
    ws = workspace(tmp_path)
    (ws / "sub").mkdir()
    (ws / "sub" / "loop").symlink_to(ws, target_is_directory=True)
    (ws / "self.py").symlink_to(ws / "self.py")
    code, out, _ = run(capsys, str(ws))
    assert code == 1
    assert out.count("good_app.py:4:") == 1
    assert_good_app_still_checked(out)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path, capsys):
    ws = workspace(tmp_path)
    locked = ws / "locked.py"
    locked.write_text("import streamlit as st\n", encoding="utf-8")
    locked.chmod(0)
    code, out, err = run(capsys, str(ws))
    assert code == 1
    assert "locked.py" in err and "cannot be read" in err
    assert_good_app_still_checked(out)


def test_missing_path_is_a_clear_message(tmp_path, capsys):
    code, out, err = run(capsys, str(tmp_path / "nowhere"))
    assert "no such file or folder" in err
    assert code == 2 and out == ""


def test_unknown_code_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, "--select", "ST999", str(workspace(tmp_path)))
    assert code == 2 and "ST999" in err


def test_module_entry_point_runs_as_a_process(tmp_path):
    ws = workspace(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-m", "streamlit_lsp", "check", "--format", "json", str(ws)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert '"code": "ST001"' in completed.stdout
    assert "Traceback" not in completed.stderr


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    """``streamlit-lsp check | head -1``: the reader leaves early; no traceback."""
    ws = workspace(tmp_path)
    for index in range(40):
        (ws / f"page_{index}.py").write_text(GOOD_APP, encoding="utf-8")
    command = f'"{sys.executable}" -m streamlit_lsp check "{ws}" | head -1'
    completed = subprocess.run(
        command, shell=True, capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in completed.stderr
    assert completed.stdout.count("\n") == 1


@pytest.mark.skipif(os.name != "posix", reason="named pipes need a POSIX file system")
def test_named_pipe_is_refused_without_being_opened(tmp_path, capsys, monkeypatch):
    """Opening a FIFO waits for a writer: the check would hang for ever."""
    ws = workspace(tmp_path)
    pipe = ws / "named_pipe.py"
    os.mkfifo(pipe)
    original = checker.iter_python_files

    def listing_with_the_pipe(root, is_excluded=None):
        yield pipe  # the walk skips special files; a race could still hand one over
        yield from original(root, is_excluded)

    monkeypatch.setattr(checker, "iter_python_files", listing_with_the_pipe)
    code, out, err = run(capsys, str(ws))
    assert code == 1
    assert "named_pipe.py" in err and "a named pipe, not a regular file" in err
    assert_good_app_still_checked(out)


@pytest.mark.skipif(os.name != "posix", reason="named pipes need a POSIX file system")
def test_named_pipe_given_by_name(tmp_path, capsys):
    pipe = tmp_path / "named_pipe.py"
    os.mkfifo(pipe)
    code, _, err = run(capsys, str(pipe))
    assert "named_pipe.py" in err and "a named pipe, not a regular file" in err, (code, err)
