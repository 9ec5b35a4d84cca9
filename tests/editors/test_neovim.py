"""The README's Neovim configuration, run in a real headless Neovim.

The Lua block marked ``tested by tests/editors/test_neovim.py`` in README.md is taken
as it is (only the placeholder server path is replaced by this environment's), loaded
as Neovim's init.lua, and Neovim opens views/checkout.py of a copy of
examples/bookshop. ``nvim_check.lua`` then checks that the server starts and attaches,
that its diagnostics arrive (with the configured ``ignore``), go-to-definition and
completion. Debian 12's Neovim is 0.7.2; the block is written for 0.7 to 0.10. The
0.11+ block (``vim.lsp.config``) is only syntax-checked here: no 0.11 is installable.

Skipped, saying so, when ``nvim`` is not installed (``apt-get install neovim``).
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
NVIM = shutil.which("nvim")
PLACEHOLDER = '{ "/path/to/.venv/bin/streamlit-lsp", "serve" }'

pytestmark = pytest.mark.skipif(
    NVIM is None,
    reason="nvim is not installed (apt-get install neovim); the README's Neovim configuration was not run",
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


def test_readme_neovim_07_configuration(tmp_path: Path) -> None:
    config = readme_block("<!-- tested by tests/editors/test_neovim.py -->")
    assert PLACEHOLDER in config, (
        "the README's Neovim block no longer names the placeholder command"
    )
    config = config.replace(PLACEHOLDER, lua_list(server_command()))

    app = tmp_path / "bookshop"
    shutil.copytree(ROOT / "examples" / "bookshop", app)
    init = tmp_path / "init.lua"
    init.write_text(
        # Keep the run fast and quiet: no provider probes (they start Python).
        "for _, p in ipairs({ 'python3', 'ruby', 'perl', 'node' }) do vim.g['loaded_' .. p .. '_provider'] = 0 end\n"
        + config
        + f"\ndofile({json.dumps(str(HERE / 'nvim_check.lua'))})\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [NVIM, "--headless", "--clean", "-n", "-u", str(init), "views/checkout.py"],
        cwd=app,
        env=nvim_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    report = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "FAIL" not in result.stdout, report
    assert "5 passed, 0 failed" in result.stdout, report
    assert result.returncode == 0, report


def test_readme_neovim_011_configuration_parses(tmp_path: Path) -> None:
    """Not runnable on 0.7 (vim.lsp.config arrived in 0.11): compiled, not run."""
    config = readme_block("<!-- Neovim 0.11 and newer -->")
    assert "vim.lsp.config(" in config and "vim.lsp.enable(" in config
    source = tmp_path / "config.lua"
    source.write_text(config, encoding="utf-8")
    result = subprocess.run(
        [
            NVIM,
            "--headless",
            "--clean",
            "-n",
            "-c",
            f"lua local f, e = loadfile({json.dumps(str(source))}); io.stdout:write(f and 'OK' or e)",
            "-c",
            "qa!",
        ],
        env=nvim_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.stdout.strip() == "OK", result.stdout + result.stderr
