"""``record``: the class decorator of the facts a file's text yields (and of spans, and
of what the run simulation observes: hundreds of thousands per workspace analysis).

Facts are immutable: extraction makes them, nothing changes them after (the index, the
analysis and the on-disk cache share them). A frozen dataclass enforces that at run
time by routing every field of ``__init__`` through ``object.__setattr__``, which
makes constructing one three times slower: the facts of a 2,000-file workspace are
590,000 objects, built on every cold index and again on every warm start (unpickling
calls the constructor). Measured on the benchmark's workspace: a warm start 1.26 s ->
0.72 s, extraction 11% faster.

A record pickles as a call of its constructor with its fields (read by one C-level
``attrgetter``): several times faster to load than the ``__setstate__`` dataclasses
give slotted classes, and a third faster to dump than a generic ``__reduce__``.

So a record is declared frozen to type checkers (``dataclass_transform`` with
``frozen_default``: an assignment to a field is a type error), hashable and comparable
by value like a frozen dataclass, and constructed at plain-dataclass speed. The test
suite turns the run-time check back on (``guard_writes``), so a test that reaches
code assigning to a fact fails as it would with a frozen dataclass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True)
def record(cls: type[T] | None = None, /, *, order: bool = False) -> Any:
    """``@dataclass(frozen=True, slots=True)`` to readers and type checkers (see the
    module's docstring for what differs at run time)."""

    def wrap(cls: type[T]) -> type[T]:
        made = dataclasses.dataclass(slots=True, unsafe_hash=True, order=order)(cls)
        made.__reduce__ = _constructor_call(made)  # type: ignore[method-assign]
        return made

    return wrap if cls is None else wrap(cls)


def _constructor_call(cls: type) -> Callable[[object], tuple[type, tuple[object, ...]]]:
    """``__reduce__`` for ``cls``: its constructor and its positional arguments."""
    names: tuple[str, ...] = cls.__match_args__  # type: ignore[attr-defined]
    if len(names) == 1:
        (name,) = names
        return lambda self: (cls, (getattr(self, name),))
    values = attrgetter(*names)
    return lambda self: (cls, values(self))


def guard_writes(cls: type) -> None:
    """Make ``cls`` refuse assignments to fields already set and deletions (for tests):
    the constructor still sets each field once."""

    def __setattr__(self: object, name: str, value: object) -> None:
        if hasattr(self, name):
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self: object, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    cls.__setattr__ = __setattr__  # type: ignore[method-assign, assignment]
    cls.__delattr__ = __delattr__  # type: ignore[method-assign, assignment]
