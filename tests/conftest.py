"""Test setup: make ``tests/`` helpers importable; an empty facts cache per test."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _facts_cache_per_test(tmp_path_factory, monkeypatch):
    """Every test (and every server or CLI it starts) gets a fresh, empty facts cache:
    nothing is read from or written to the user's own cache directory."""
    monkeypatch.setenv("STREAMLIT_LSP_CACHE_DIR", str(tmp_path_factory.mktemp("facts-cache")))
