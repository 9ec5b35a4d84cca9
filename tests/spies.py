"""Spies for tests: what a function was called with, while it still does its work."""

from __future__ import annotations

import pytest


def calls_of(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[object, ...]]:
    """The arguments of every call of ``owner.name`` (a module's function or a class's
    method) from now on, until the test ends."""
    calls: list[tuple[object, ...]] = []
    original = getattr(owner, name)

    def spy(*arguments: object) -> object:
        calls.append(arguments)
        return original(*arguments)

    monkeypatch.setattr(owner, name, spy)
    return calls
