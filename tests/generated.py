"""The benchmark's workspace generator (``benchmarks/generate.py``), for tests that
need a realistic multipage workspace of many apps."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_generate", REPO / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def generate(root: Path, files: int, seed: int) -> dict:
    """A workspace of ``files`` files in ``root``; its manifest."""
    return generator().generate(root, files, seed=seed)
