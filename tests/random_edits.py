"""Random edits of a file's lines, as a user makes them while typing (shared by the
tests of what is computed again after an edit)."""

from __future__ import annotations

import random
import re


def random_edit(lines: list[str], words: list[str], rng: random.Random) -> list[str]:
    """Lines inserted, removed, typed into, or an identifier replaced by another."""
    edited = list(lines)
    at = rng.randrange(len(lines) + 1)
    choice = rng.random()
    if choice < 0.3 and lines:
        edited.insert(at, rng.choice(lines))  # a line copied from elsewhere
    elif choice < 0.45 and at < len(lines):
        del edited[at]
    elif choice < 0.7 and at < len(lines):
        line = edited[at]
        cut = rng.randrange(len(line) + 1)
        typed = rng.choice(["x", " ", "(", ")", '"', ":", "ss.k", "\n    pass", "\n"])
        edited[at] = line[:cut] + typed + line[cut:]
    elif choice < 0.9 and at < len(lines):
        found = list(re.finditer(r"[A-Za-z_]\w*", edited[at]))
        if found:
            word = rng.choice(found)
            line = edited[at]
            edited[at] = line[: word.start()] + rng.choice(words) + line[word.end() :]
    else:
        edited.insert(at, f'typed_{at} = st.session_state["typed_{at}"]')
    return "\n".join(edited).split("\n")
