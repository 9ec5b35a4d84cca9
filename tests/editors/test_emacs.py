"""The README's Emacs (eglot) configuration, run in a batch Emacs.

The elisp block marked ``tested by tests/editors/test_emacs.py`` in README.md is loaded
as it is (only the placeholder server path is replaced by this environment's), then
``emacs_check.el`` opens views/checkout.py of a copy of examples/bookshop and checks,
through eglot, the server's start, its diagnostics in flymake (with the configured
``ignore``), go-to-definition (xref) and completion (eglot's completion-at-point).

Skipped, saying so, when ``emacs`` or eglot is not installed (Debian 12:
``apt-get install emacs-nox elpa-eglot``; Emacs 29+ has eglot built in). CI does not
install Emacs (about 230 MB); Neovim is the editor CI runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EMACS = shutil.which("emacs")
GIT = shutil.which("git")
PLACEHOLDER = '("/path/to/.venv/bin/streamlit-lsp" "serve")'


def _has_eglot() -> bool:
    if EMACS is None or GIT is None:
        return False
    # Not -Q: Debian's site-start is what puts elpa-eglot on the load path.
    result = subprocess.run(
        [EMACS, "--batch", "--eval", '(princ (if (require \'eglot nil t) "yes" "no"))'],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    return result.stdout.strip().endswith("yes")


pytestmark = pytest.mark.skipif(
    not _has_eglot(),
    reason="emacs with eglot (or git) is not installed (apt-get install emacs-nox elpa-eglot); "
    "the README's Emacs configuration was not run",
)


def readme_elisp() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- tested by tests/editors/test_emacs.py -->")
    match = re.search(r"```elisp\n(.*?)```", text[start:], re.S)
    assert match, "no elisp block after the marker in README.md"
    return match.group(1)


def server_command() -> list[str]:
    script = Path(sys.executable).parent / "streamlit-lsp"
    if script.is_file():
        return [str(script), "serve"]
    return [sys.executable, "-m", "streamlit_lsp", "serve"]


def test_readme_emacs_eglot_configuration(tmp_path: Path) -> None:
    config = readme_elisp()
    assert PLACEHOLDER in config, "the README's Emacs block no longer names the placeholder command"
    command = "(" + " ".join(json.dumps(part) for part in server_command()) + ")"
    config_file = tmp_path / "config.el"
    config_file.write_text(config.replace(PLACEHOLDER, command), encoding="utf-8")
    app = tmp_path / "bookshop"
    shutil.copytree(ROOT / "examples" / "bookshop", app)
    # eglot's workspace is project.el's project: the version-control root (without one,
    # the file's own folder, where views/checkout.py would not see state.py).
    subprocess.run(["git", "init", "-q", str(app)], check=True, timeout=60)
    env = dict(os.environ, HOME=str(tmp_path / "home"))  # no user init, no ~/.emacs.d writes
    result = subprocess.run(
        [EMACS, "--batch", "-l", str(config_file), "-l", str(HERE / "emacs_check.el")],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    report = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr[-3000:]}"
    assert "FAIL" not in result.stdout, report
    assert "5 passed, 0 failed" in result.stdout, report
    assert result.returncode == 0, report
