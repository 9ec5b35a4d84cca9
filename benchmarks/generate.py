"""Generate a synthetic workspace of realistic multipage Streamlit apps.

The workspace imitates what the measured public repositories look like (see
``shared/notes/measured-findings.md``): each app has an entry script, pages (a
``pages/`` folder or ``st.navigation`` with ``views/``), a helper module that
initialises state, a module of key constants, and plain-Python helpers and tests that
never mention Streamlit (so the prefilter has something to skip). Pages mix the
session-state forms real apps use (attribute and item reads and writes, ``.get``,
``in``, ``setdefault``, ``pop``, ``del``, ``+=``), widget keys (literal, f-string,
imported constant), forms, callbacks with ``args``, an alias, emoji in labels and page
names, and a few deliberate mistakes, so the analysis has real work to do.

Everything is deterministic for a given seed. ``generate(root, files)`` writes exactly
``files`` Python files and returns a manifest (also written as ``manifest.json``) that
names three large pages of 100, 1,000 and 5,000 lines and an ordinary page with an emoji
in its file name and, for each, lines where a benchmark can insert code at module level
or as a function's first statement.

Usage: ``python benchmarks/generate.py OUT_DIR --files 2000``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1
BIG_PAGE_LINES = (100, 1000, 5000)

EMOJI = ["📊", "⚙️", "🚀", "✅", "🎉", "📈", "🛒", "👋", "🔍", "📝", "🧪", "🌍", "💡", "🗂️", "👩‍💻"]
TOPICS = [
    "sales",
    "inventory",
    "customers",
    "orders",
    "reports",
    "forecast",
    "budget",
    "tickets",
    "survey",
    "weather",
    "fleet",
    "payroll",
    "leads",
    "events",
    "library",
    "recipes",
]
NOUNS = ["name", "city", "amount", "limit", "region", "status", "owner", "score", "tag", "level"]
WIDGETS = [
    ("text_input", '"{label}", key={key}'),
    ("number_input", '"{label}", min_value=0, max_value=100, key={key}'),
    ("selectbox", '"{label}", ["a", "b", "c"], key={key}'),
    ("slider", '"{label}", 0, 100, 50, key={key}'),
    ("checkbox", '"{label}", key={key}'),
    ("radio", '"{label}", ["yes", "no"], horizontal=True, key={key}'),
    ("multiselect", '"{label}", ["x", "y", "z"], key={key}'),
    ("date_input", '"{label}", key={key}'),
    ("toggle", '"{label}", key={key}'),
]
KEY_CONSTANTS = [
    ("FILTER_KEY", "filter"),
    ("SORT_KEY", "sort_order"),
    ("USER_KEY", "user"),
    ("THEME_KEY", "theme"),
    ("CART_KEY", "cart"),
    ("PAGE_KEY", "page_number"),
    ("SEARCH_KEY", "search_query"),
    ("HISTORY_KEY", "history"),
]


@dataclass
class Page:
    """Lines of a script being assembled, and the insertion points found on the way."""

    lines: list[str] = field(default_factory=list)
    module_anchors: list[int] = field(default_factory=list)  # 0-based, column 0

    def add_block(self, block: list[str]) -> None:
        self.module_anchors.append(len(self.lines))
        self.lines.extend(block)
        self.lines.append("")

    def function_anchors(self) -> list[int]:
        """First body lines (indent 4) of module-level functions."""
        found = []
        for number, line in enumerate(self.lines[:-1]):
            header = line.startswith("def ") and line.endswith(":")
            if header and self.lines[number + 1].startswith("    "):
                found.append(number + 1)
        return found

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------- blocks
# Each block is module-level code that uses names suffixed with ``n`` (unique in the
# page), so blocks combine freely. ``r`` is the page's random generator.

Block = Callable[[int, random.Random], list[str]]


def _label(r: random.Random) -> str:
    return f"{r.choice(NOUNS).title()} {r.choice(EMOJI)}"


def block_init_guard(n: int, r: random.Random) -> list[str]:
    noun = r.choice(NOUNS)
    return [
        f'if "{noun}_{n}" not in st.session_state:',
        f'    st.session_state["{noun}_{n}"] = {r.randint(0, 9)}',
        f'st.session_state.setdefault("visits_{n}", 0)',
        f"st.session_state.visits_{n} += 1",
        f"st.caption(f\"Visits: {{st.session_state.visits_{n}}} · {noun}: {{st.session_state['{noun}_{n}']}}\")",
    ]


def block_widget_callback(n: int, r: random.Random) -> list[str]:
    command, args = r.choice(WIDGETS)
    return [
        f"def on_change_{n}():",
        f'    """Keep a derived value in step with the widget {r.choice(EMOJI)}."""',
        f'    value = st.session_state["field_{n}"]',
        f'    st.session_state.derived_{n} = f"{{value}} ✔"',
        "",
        "",
        f"st.{command}({args.format(label=_label(r), key=repr(f'field_{n}'))}, on_change=on_change_{n})",
        f'if "derived_{n}" in st.session_state:',
        f"    st.write(st.session_state.derived_{n})",
    ]


def block_form(n: int, r: random.Random) -> list[str]:
    topic = r.choice(TOPICS)
    return [
        f'with st.form("{topic}_form_{n}", clear_on_submit=True):',
        f'    email_{n} = st.text_input("Email 📧", key="email_{n}")',
        f'    agree_{n} = st.checkbox("I agree to the terms", key="agree_{n}")',
        f'    note_{n} = st.text_area("Notes 📝", key="note_{n}")',
        f'    submitted_{n} = st.form_submit_button("Submit {r.choice(EMOJI)}")',
        f"if submitted_{n} and agree_{n}:",
        f'    st.session_state["submissions_{n}"] = st.session_state.get("submissions_{n}", 0) + 1',
        f'    st.session_state.last_email_{n} = st.session_state["email_{n}"]',
        f'    st.success(f"Thanks {{email_{n}}}! 🎉")',
        f"elif submitted_{n}:",
        '    st.warning("Please accept the terms ⚠️")',
    ]


def block_counter(n: int, r: random.Random) -> list[str]:
    step = r.randint(1, 5)
    return [
        f"def bump_{n}(step):",
        f"    st.session_state.counter_{n} += step",
        f'    st.session_state["history_{n}"].append(st.session_state.counter_{n})',
        "",
        "",
        f"def reset_{n}():",
        f"    st.session_state.counter_{n} = 0",
        f'    st.session_state.pop("history_{n}", None)',
        f'    st.session_state["history_{n}"] = []',
        "",
        "",
        f'st.session_state.setdefault("counter_{n}", 0)',
        f'st.session_state.setdefault("history_{n}", [])',
        f"left_{n}, right_{n} = st.columns(2)",
        f'left_{n}.button("➕ Add {step}", key="add_{n}", on_click=bump_{n}, args=({step},))',
        f'right_{n}.button("🔄 Reset", key="reset_btn_{n}", on_click=reset_{n})',
        f'st.metric("Count", st.session_state.counter_{n}, delta=len(st.session_state["history_{n}"]))',
    ]


def block_constants(n: int, r: random.Random) -> list[str]:
    name, _ = r.choice(KEY_CONSTANTS)
    return [
        f"def show_{name.lower()}_{n}():",
        f"    current = st.session_state.get({name})",
        "    if current is None:",
        '        st.info("Nothing selected yet 🔍")',
        "        return",
        '    st.write(f"Current: {current}")',
        "",
        "",
        f'st.selectbox("Then by", ["name", "date", "amount"], key=f"{{SORT_KEY}}_{n}")',
        'if st.session_state[FILTER_KEY] != "all":',
        '    st.caption(f"Filtered by {st.session_state[FILTER_KEY]}")',
        f"show_{name.lower()}_{n}()",
    ]


def block_fstring_rows(n: int, r: random.Random) -> list[str]:
    count = r.randint(3, 8)
    return [
        f'rows_{n} = [{{"id": i, "title": f"Item {{i}} {r.choice(EMOJI)}"}} for i in range({count})]',
        f"for row in rows_{n}:",
        f'    st.checkbox(row["title"], key=f"row_{n}_{{row[\'id\']}}")',
        f"selected_{n} = [row for row in rows_{n} if st.session_state.get(f\"row_{n}_{{row['id']}}\")]",
        f'st.write(f"{{len(selected_{n})}} selected ✅")',
    ]


def block_helpers(n: int, r: random.Random) -> list[str]:
    return [
        f'remember("last_section_{n}", "{r.choice(TOPICS)}")',
        f"user_{n} = current_user()",
        f"if user_{n} is not None:",
        f'    add_to_cart({{"sku": "{r.randint(100, 999)}", "by": user_{n}}})',
        f'    st.toast(f"Added for {{user_{n}}} 🛒")',
    ]


def block_data(n: int, r: random.Random) -> list[str]:
    topic = r.choice(TOPICS)
    return [
        f"def summarise_{topic}_{n}(records):",
        f'    """Totals per category of the {topic} records (no session state)."""',
        "    totals = {}",
        "    for record in records:",
        '        category = record.get("category", "other")',
        '        totals[category] = totals.get(category, 0) + record.get("amount", 0)',
        "    return sorted(totals.items(), key=lambda item: item[1], reverse=True)",
        "",
        "",
        "@st.cache_data(ttl=600)",
        f"def load_{topic}_{n}(limit):",
        f'    return [{{"category": c, "amount": i * {r.randint(2, 9)}}} for i, c in enumerate("abcde" * limit)]',
        "",
        "",
        f"data_{n} = load_{topic}_{n}(st.session_state.get(PAGE_KEY, 1))",
        f"st.dataframe(summarise_{topic}_{n}(data_{n}), use_container_width=True)",
    ]


def block_alias(n: int, r: random.Random) -> list[str]:
    return [
        "ss = st.session_state",
        f'ss.setdefault("mode_{n}", "view")',
        f'tab_a_{n}, tab_b_{n} = st.tabs(["👀 View", "✏️ Edit"])',
        f"with tab_a_{n}:",
        f'    st.write(f"Mode: {{ss.mode_{n}}}")',
        f"with tab_b_{n}:",
        f'    if st.button("Switch mode", key="switch_{n}"):',
        f'        ss["mode_{n}"] = "edit" if ss["mode_{n}"] == "view" else "view"',
        "        st.rerun()",
    ]


def block_reset(n: int, r: random.Random) -> list[str]:
    return [
        'with st.expander("Advanced ⚙️", expanded=False):',
        f'    st.toggle("Show debug info", key="debug_{n}")',
        f"    if st.session_state.debug_{n}:",
        "        st.json({key: str(value) for key, value in st.session_state.items()})",
        f'    if st.button("Clear everything 🧹", key="clear_{n}"):',
        f'        for name in ["debug_{n}", "cache_{n}"]:',
        "            if name in st.session_state:",
        "                del st.session_state[name]",
    ]


def block_mistake(n: int, r: random.Random) -> list[str]:
    # A read of a key nothing initialises (ST001), as real apps sometimes have.
    return [
        f'if st.session_state.get("ready_{n}"):',
        f"    st.write(st.session_state.never_set_{n})",
    ]


def block_plain(n: int, r: random.Random) -> list[str]:
    # Code that never touches session state: layout, markdown, charts.
    return [
        f'st.subheader("{r.choice(TOPICS).title()} overview {r.choice(EMOJI)}")',
        'st.markdown("""',
        f"Use the controls on the left to explore the **{r.choice(TOPICS)}** data.",
        "Numbers refresh every ten minutes. ✨",
        '""")',
        f'chart_{n} = [{{"x": i, "y": (i * {r.randint(2, 7)}) % 11}} for i in range(20)]',
        f'st.line_chart(chart_{n}, x="x", y="y")',
    ]


BLOCKS: list[tuple[Block, int]] = [
    (block_init_guard, 3),
    (block_widget_callback, 4),
    (block_form, 2),
    (block_counter, 2),
    (block_constants, 2),
    (block_fstring_rows, 2),
    (block_helpers, 2),
    (block_data, 3),
    (block_alias, 1),
    (block_reset, 1),
    (block_mistake, 1),
    (block_plain, 4),
]
_BLOCK_FUNCS = [block for block, weight in BLOCKS for _ in range(weight)]


def page_header(title: str) -> list[str]:
    return [
        f'"""{title}."""',
        "",
        "from datetime import date",
        "",
        "import pandas as pd",
        "import streamlit as st",
        "",
        "from lib.keys import FILTER_KEY, PAGE_KEY, SORT_KEY, "
        + ", ".join(
            sorted({name for name, _ in KEY_CONSTANTS} - {"FILTER_KEY", "PAGE_KEY", "SORT_KEY"})
        ),
        "from lib.state import add_to_cart, current_user, init_state, remember",
        "",
        "init_state()",
        f'st.header("{title}")',
        'st.sidebar.selectbox("Sort by", ["name", "date", "amount"], key=SORT_KEY)',
        'st.caption(f"Today is {date.today():%A} · pandas {pd.__version__}")',
        "",
    ]


def make_page(title: str, target_lines: int, r: random.Random) -> Page:
    page = Page(lines=page_header(title))
    n = 0
    while True:
        block = r.choice(_BLOCK_FUNCS)(n, r)
        if len(page.lines) + len(block) + 1 > target_lines:
            break
        page.add_block(block)
        n += 1
    filler = 0
    while len(page.lines) < target_lines:
        page.lines.append(f"# {r.choice(EMOJI)} note {filler}: tweak the layout here")
        filler += 1
    return page


# -------------------------------------------------------------- other files


def keys_module() -> str:
    lines = ['"""Session-state keys shared by the pages."""', ""]
    lines += [f'{name} = "{value}"' for name, value in KEY_CONSTANTS]
    lines += ["", "PAGE_SIZES = (10, 25, 50)", ""]
    return "\n".join(lines)


def state_module() -> str:
    names = ", ".join(name for name, _ in KEY_CONSTANTS)
    return f'''"""Session-state helpers every page calls."""

import streamlit as st

from lib.keys import {names}


def init_state():
    st.session_state.setdefault(FILTER_KEY, "all")
    st.session_state.setdefault(SORT_KEY, "name")
    st.session_state.setdefault(PAGE_KEY, 1)
    st.session_state.setdefault(SEARCH_KEY, "")
    st.session_state.setdefault(HISTORY_KEY, [])
    if USER_KEY not in st.session_state:
        st.session_state[USER_KEY] = None
    if CART_KEY not in st.session_state:
        st.session_state[CART_KEY] = []
    st.session_state.setdefault(THEME_KEY, "light")


def remember(name, value):
    st.session_state[name] = value
    st.session_state[HISTORY_KEY].append(name)


def add_to_cart(item):
    st.session_state[CART_KEY].append(item)


def current_user():
    return st.session_state.get(USER_KEY)
'''


def data_module(r: random.Random) -> str:
    topic = r.choice(TOPICS)
    parts = [f'"""Plain helpers for {topic} data (no Streamlit here)."""', "", "import math", ""]
    for i in range(r.randint(4, 10)):
        parts += [
            "",
            f"def normalise_{i}(values, scale={r.randint(1, 9)}):",
            '    """Scale values to 0..1, ignoring None."""',
            "    clean = [v for v in values if v is not None]",
            "    if not clean:",
            "        return []",
            "    low, high = min(clean), max(clean)",
            "    span = (high - low) or 1",
            "    return [round((v - low) / span * scale, 3) for v in clean]",
            "",
            "",
            f"class {topic.title()}Record{i}:",
            "    def __init__(self, name, amount):",
            "        self.name = name",
            "        self.amount = amount",
            "",
            "    def score(self):",
            "        return math.log1p(abs(self.amount)) * len(self.name)",
        ]
    return "\n".join(parts) + "\n"


def test_module(r: random.Random) -> str:
    parts = ['"""Tests for the data helpers."""', "", "from lib.data import normalise_0", ""]
    for i in range(r.randint(3, 8)):
        parts += [
            "",
            f"def test_normalise_case_{i}():",
            f"    values = [{', '.join(str(r.randint(0, 50)) for _ in range(5))}]",
            "    result = normalise_0(values, scale=1)",
            "    assert min(result) == 0",
            "    assert max(result) == 1",
        ]
    return "\n".join(parts) + "\n"


def script_module(r: random.Random, number: int) -> str:
    topic = r.choice(TOPICS)
    return f'''"""Nightly job {number}: export the {topic} table to CSV (no Streamlit)."""

import csv
import sys
from pathlib import Path


def rows(limit):
    for i in range(limit):
        yield {{"id": i, "topic": "{topic}", "value": i * {r.randint(2, 9)}}}


def main(argv):
    out = Path(argv[1] if len(argv) > 1 else "{topic}.csv")
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "topic", "value"])
        writer.writeheader()
        writer.writerows(rows({r.randint(10, 1000)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


def entry_pages_style(title: str) -> str:
    return f'''"""{title}: the home page; the other pages are in pages/."""

import streamlit as st

from lib.keys import THEME_KEY, USER_KEY
from lib.state import init_state

st.set_page_config(page_title="{title}", page_icon="🏠", layout="wide")
init_state()

st.title("🏠 {title}")
st.sidebar.radio("Theme 🎨", ["light", "dark"], key=THEME_KEY)
name = st.text_input("Who are you? 👋", key="login_name")
if st.button("Log in", key="login"):
    st.session_state[USER_KEY] = name
if st.session_state[USER_KEY]:
    st.success(f"Welcome back, {{st.session_state[USER_KEY]}}!")
'''


def entry_navigation_style(title: str, views: list[tuple[str, str]]) -> str:
    pages = "\n".join(
        f'        st.Page("views/{file}", title="{label}"{", default=True" if i == 0 else ""}),'
        for i, (file, label) in enumerate(views)
    )
    return f'''"""{title}: st.navigation decides which view runs."""

import streamlit as st

from lib.keys import THEME_KEY
from lib.state import init_state

st.set_page_config(page_title="{title}", page_icon="🧭")
init_state()
st.sidebar.selectbox("Theme 🎨", ["light", "dark"], key=THEME_KEY)

navigation = st.navigation(
    [
{pages}
    ]
)
navigation.run()
'''


# --------------------------------------------------------------- workspace


def _app_files(
    app: int, r: random.Random, big: dict[int, str] | None
) -> tuple[dict[str, str], dict[str, Page]]:
    """Relative path -> text of one app; big pages are returned as ``Page`` too."""
    topic = TOPICS[app % len(TOPICS)]
    title = f"{topic.title()} app {app}"
    files: dict[str, str] = {
        "lib/__init__.py": "",
        "lib/keys.py": keys_module(),
        "lib/state.py": state_module(),
        "lib/data.py": data_module(r),
        "tests/test_data.py": test_module(r),
    }
    pages: dict[str, Page] = {}
    count = r.randint(3, 7)
    navigation = app % 2 == 1
    folder = "views" if navigation else "pages"
    views = []
    for number in range(count):
        emoji = r.choice(EMOJI)
        page_topic = r.choice(TOPICS)
        if navigation:
            file = f"{page_topic}_{number}.py"
        else:
            file = f"{number + 1}_{emoji}_{page_topic.title()}.py"
        views.append((file, f"{emoji} {page_topic.title()}"))
        page = make_page(f"{emoji} {page_topic.title()}", r.randint(60, 250), r)
        files[f"{folder}/{file}"] = page.text()
        if number == 0 and big is not None:
            pages[f"{folder}/{file}"] = page
    for lines, name in (big or {}).items():
        page = make_page(f"📚 Big page of {lines} lines", lines, r)
        views.append((name, f"📚 {lines} lines"))
        files[f"{folder}/{name}"] = page.text()
        pages[f"{folder}/{name}"] = page
    if navigation:
        files["streamlit_app.py"] = entry_navigation_style(title, views)
    else:
        files["streamlit_app.py"] = entry_pages_style(title)
    return files, pages


def generate(root: Path, files: int, seed: int = 0, big_pages: bool = True) -> dict:
    """Write a workspace of exactly ``files`` Python files under ``root``."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    written = 0
    app = 0
    manifest: dict = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "files": files,
        "apps": 0,
        "streamlit_files": 0,
        "lines": 0,
        "big_pages": {},
        "emoji_page": None,
    }
    while True:
        r = random.Random(seed * 1_000_003 + app)
        big = None
        if app == 0 and big_pages:
            # Page names of the big pages: pages/ style needs a digit prefix for order.
            # ASCII names: the figures measure speed; the emoji page below checks paths.
            big = {lines: f"9{i}_big_{lines}.py" for i, lines in enumerate(BIG_PAGE_LINES)}
        app_files, pages = _app_files(app, r, big)
        if written + len(app_files) > files:
            break
        base = root / "apps" / f"app_{app:03d}"
        for relative, text in app_files.items():
            path = base / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            manifest["lines"] += text.count("\n")
            if "streamlit" in text:
                manifest["streamlit_files"] += 1
        for relative, page in pages.items():
            entry = {
                "path": str((base / relative).relative_to(root)),
                "lines": len(page.lines),
                "module_anchors": page.module_anchors,
                "function_anchors": page.function_anchors(),
            }
            if "_big_" in relative:
                manifest["big_pages"][str(len(page.lines))] = entry
            else:
                manifest["emoji_page"] = entry
        written += len(app_files)
        app += 1
    manifest["apps"] = app
    r = random.Random(seed * 1_000_003 - 1)
    scripts = root / "scripts"
    number = 0
    while written < files:
        scripts.mkdir(exist_ok=True)
        text = script_module(r, number)
        (scripts / f"job_{number:04d}.py").write_text(text, encoding="utf-8")
        manifest["lines"] += text.count("\n")
        written += 1
        number += 1
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to (re)create")
    parser.add_argument("--files", type=int, default=250, help="number of Python files")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    manifest = generate(arguments.out, arguments.files, arguments.seed)
    print(
        f"{manifest['files']} files ({manifest['streamlit_files']} mention Streamlit), "
        f"{manifest['apps']} apps, {manifest['lines']:,} lines -> {arguments.out}"
    )


if __name__ == "__main__":
    main()
