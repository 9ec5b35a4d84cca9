"""The one table of Streamlit's keyed elements that the whole analyzer reads.

Every rule that cares about ``key=`` asks this module, never its own list:

* ST001/ST002 - does ``key=`` create a ``st.session_state`` entry (table 3.3 of
  ``shared/spec/RULES.md``), and what does it hold on a fresh session?
* ST003/ST006 - does the key go into the per-run duplicate-key set, or into the
  separate set of form ids?
* ST004 - does the call pass a non-``None`` ``default_value`` to
  ``check_widget_policies`` (table 3.2)?
* ST005 - are writes through Session State refused (``writes_allowed=False``,
  table 3.1)?
* ST008/ST010 - which parameters keep a value across pages, which take callbacks?

The facts below were read in the installed Streamlit 1.67.0 source
(``streamlit/elements/**``); ``tests/test_widget_table.py`` checks them against
whatever Streamlit is installed (signatures, the ``check_widget_policies`` calls
in the source, and small apps run under ``AppTest``), so a new Streamlit release
is one edit of :data:`WIDGETS` guided by the failing tests.

Calls are described by the *literal* values of their arguments: ``positional``
holds the positional arguments as written (the label is position 0, ``self`` is
not counted) and ``keywords`` the keyword arguments. An argument that is present
but not a literal (a name, a call, a lambda ...) is :data:`UNKNOWN_VALUE`. When
the call has ``*args`` / ``**kwargs`` whose contents are unknown, pass
``star_args=True`` / ``star_kwargs=True``: every parameter they could supply is
then unknown rather than omitted.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = [
    "LAYOUT_COMMANDS",
    "MULTI_CONTAINER_COMMANDS",
    "OMITTED",
    "UNKNOWN_VALUE",
    "WIDGETS",
    "DefaultParam",
    "FirstRunCase",
    "FirstRunValue",
    "WidgetSpec",
    "argument",
    "first_run_value",
    "has_default",
    "readonly_in_call",
    "registers_key_in_call",
    "stores_value_in_call",
    "widget_spec",
]


class _Sentinel(enum.Enum):
    UNKNOWN_VALUE = "unknown-value"
    OMITTED = "omitted"

    def __repr__(self) -> str:
        return self.name


UNKNOWN_VALUE: Final = _Sentinel.UNKNOWN_VALUE
"""An argument that is present in the call but whose value is not a static literal."""

OMITTED: Final = _Sentinel.OMITTED
"""Returned by :func:`argument` (and usable in :class:`FirstRunCase`) for a parameter not passed."""


class FirstRunValue(enum.Enum):
    """What ``st.session_state[key]`` holds after the element's first run in a fresh session."""

    FALSE = "false"  # False (buttons, checkbox/toggle without value=True, popover, expander)
    NONE = "none"  # None (uploaders, chat_input, feedback, single-select pills, index=None ...)
    EMPTY = "empty"  # a falsy empty value: "" (text_input/text_area), [] (multiselect ...)
    UNKNOWN = "unknown"  # anything else, or depends on the arguments


@dataclass(frozen=True)
class DefaultParam:
    """How the widget computes Streamlit's ``default_value`` for the ST004 check (RULES.md 3.2)."""

    name: str
    """Parameter name: ``"value"``, ``"index"``, ``"default"``."""
    position: int | None
    """0-based index among the positional arguments (label = 0); ``None`` if keyword-only."""
    neutral: tuple[object, ...]
    """Literal values that do not count as a default (``None`` never counts).

    Compared like Streamlit does: ``==`` (so ``index=False`` equals ``0``), except a
    ``bool`` neutral, which Streamlit tests with ``is`` (``value is False``).
    """
    empty_is_neutral: bool = False
    """An empty list/tuple does not count either (pills, segmented_control)."""
    implicit: bool = False
    """Omitting the parameter still counts as a default (``st.pagination``: ``default=1``)."""


@dataclass(frozen=True)
class FirstRunCase:
    """When the call passes ``param`` as one of ``literals``, the first-run value is ``value``.

    Literals are compared strictly (same type and equal; ``OMITTED`` matches a
    parameter that is not passed), so ``True`` does not match ``1``.
    """

    param: str
    literals: tuple[object, ...]
    value: FirstRunValue


@dataclass(frozen=True)
class WidgetSpec:
    """One keyed Streamlit element (a row of the table)."""

    command: str
    """The attribute name: ``"slider"`` is called as ``st.slider``, ``st.sidebar.slider``, ..."""
    key_position: int | None
    """0-based positional index of ``key`` (``st.form("name")``: 0); ``None`` if keyword-only."""
    stores_value: bool
    """``key=`` creates a session-state entry unconditionally (table 3.3)."""
    stores_value_if: str | None = None
    """Else: the parameter whose presence (not ``"ignore"``) makes it store one."""
    registers_key: bool = True
    """The key goes into the per-run duplicate-key set (ST006) unconditionally."""
    registers_key_if: str | None = None
    """Else: the parameter that makes it register (dataframe, altair/vega/pydeck: on_select)."""
    readonly: bool = False
    """Writes through Session State are refused (``writes_allowed=False``, table 3.1)."""
    readonly_if: str | None = None
    """Else: the parameter that makes it read-only (charts: ``"on_select"``)."""
    is_form: bool = False
    """``st.form``: its key lives in the separate set of form ids, not the widget-key set."""
    default: DefaultParam | None = None
    """``None``: never passes a default (buttons, uploaders, chat_input, data_editor, ...)."""
    first_run: FirstRunValue = FirstRunValue.UNKNOWN
    """Value on a fresh session when no default argument (and no :attr:`first_run_cases`) applies."""
    callbacks: tuple[str, ...] = ()
    """Callback parameter names (``on_change``, ``on_click``, ``on_submit``, ``on_select``)."""
    persist_params: tuple[str, ...] = ()
    """Parameters that keep the value across pages (``persist_state``, ``bind``)."""
    # -- additions beyond the minimal interface (all have defaults) --
    params: tuple[str, ...] = ()
    """Names of the parameters that can be passed positionally, in order (``self`` excluded)."""
    stores_value_also_if: tuple[str, ...] = ()
    """More parameters that make it store a value (tabs/expander: ``bind="query-params"``)."""
    first_run_cases: tuple[FirstRunCase, ...] = ()
    """Arguments other than a counted default that change the first-run value (first match wins)."""
    note: str = ""
    """Where the facts come from, or what is surprising about them."""

    def position_of(self, param: str) -> int | None:
        """Positional index of ``param`` (label = 0), or ``None`` if it is keyword-only."""
        try:
            return self.params.index(param)
        except ValueError:
            return None


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------

_F = FirstRunValue
_ON_CHANGE: Final = ("on_change",)
_ON_CLICK: Final = ("on_click",)
_ON_SELECT: Final = ("on_select",)
_PERSIST: Final = ("bind", "persist_state")


def _case(param: str, *literals: object, value: FirstRunValue) -> FirstRunCase:
    return FirstRunCase(param, tuple(literals), value)


_SPECS: tuple[WidgetSpec, ...] = (
    # ---- value widgets (elements/widgets/*.py) -------------------------------------
    WidgetSpec(
        command="slider",
        params=(
            "label",
            "min_value",
            "max_value",
            "value",
            "step",
            "format",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=6,
        stores_value=True,
        default=DefaultParam("value", 3, ()),
        first_run=_F.UNKNOWN,  # min_value, or 0
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="slider.py: default_value=value",
    ),
    WidgetSpec(
        command="select_slider",
        params=(
            "label",
            "options",
            "value",
            "format_func",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=4,
        stores_value=True,
        default=DefaultParam("value", 2, ()),
        first_run=_F.UNKNOWN,  # the first option
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="select_slider.py: default_value=value",
    ),
    WidgetSpec(
        command="number_input",
        params=(
            "label",
            "min_value",
            "max_value",
            "value",
            "step",
            "format",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=6,
        stores_value=True,
        default=DefaultParam("value", 3, ("min",)),
        first_run=_F.UNKNOWN,  # min_value, or 0 / 0.0
        first_run_cases=(_case("value", None, value=_F.NONE),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note='number_input.py: default_value=value if value != "min" else None',
    ),
    WidgetSpec(
        command="text_input",
        params=(
            "label",
            "value",
            "max_chars",
            "key",
            "type",
            "help",
            "autocomplete",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=3,
        stores_value=True,
        default=DefaultParam("value", 1, ("",)),
        first_run=_F.EMPTY,
        first_run_cases=(_case("value", None, value=_F.NONE),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note='text_widgets.py: default_value=None if value == "" else value',
    ),
    WidgetSpec(
        command="text_area",
        params=(
            "label",
            "value",
            "height",
            "max_chars",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=4,
        stores_value=True,
        default=DefaultParam("value", 1, ("",)),
        first_run=_F.EMPTY,
        first_run_cases=(_case("value", None, value=_F.NONE),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note='text_widgets.py: default_value=None if value == "" else value',
    ),
    WidgetSpec(
        command="checkbox",
        params=("label", "value", "key", "help", "on_change", "args", "kwargs"),
        key_position=2,
        stores_value=True,
        default=DefaultParam("value", 1, (False,)),
        first_run=_F.FALSE,  # bool(value): value=None is False too
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="checkbox.py: default_value=None if value is False else value",
    ),
    WidgetSpec(
        command="toggle",
        params=("label", "value", "key", "help", "on_change", "args", "kwargs"),
        key_position=2,
        stores_value=True,
        default=DefaultParam("value", 1, (False,)),
        first_run=_F.FALSE,
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="checkbox.py (shared _checkbox): default_value=None if value is False else value",
    ),
    WidgetSpec(
        command="radio",
        params=(
            "label",
            "options",
            "index",
            "format_func",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=4,
        stores_value=True,
        default=DefaultParam("index", 2, (0,)),
        first_run=_F.UNKNOWN,  # options[index]
        first_run_cases=(_case("index", None, value=_F.NONE),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="radio.py: default_value=None if index == 0 else index",
    ),
    WidgetSpec(
        command="selectbox",
        params=(
            "label",
            "options",
            "index",
            "format_func",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=4,
        stores_value=True,
        default=DefaultParam("index", 2, (0,)),
        first_run=_F.UNKNOWN,  # options[index] (None if there are no options)
        first_run_cases=(_case("index", None, value=_F.NONE),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="selectbox.py: default_value=None if index == 0 else index",
    ),
    WidgetSpec(
        command="multiselect",
        params=(
            "label",
            "options",
            "default",
            "format_func",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=4,
        stores_value=True,
        default=DefaultParam("default", 2, ()),  # [] counts!
        first_run=_F.EMPTY,
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="multiselect.py: default_value=default (so default=[] warns)",
    ),
    WidgetSpec(
        command="pills",
        params=("label", "options"),
        key_position=None,
        stores_value=True,
        default=DefaultParam("default", None, (), empty_is_neutral=True),
        first_run=_F.NONE,
        first_run_cases=(_case("selection_mode", "multi", value=_F.EMPTY),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="button_group.py: default_value=_default, where an empty default becomes None",
    ),
    WidgetSpec(
        command="segmented_control",
        params=("label", "options"),
        key_position=None,
        stores_value=True,
        default=DefaultParam("default", None, (), empty_is_neutral=True),
        first_run=_F.NONE,
        first_run_cases=(_case("selection_mode", "multi", value=_F.EMPTY),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="button_group.py: default_value=_default, where an empty default becomes None",
    ),
    WidgetSpec(
        command="color_picker",
        params=("label", "value", "key", "help", "on_change", "args", "kwargs"),
        key_position=2,
        stores_value=True,
        default=DefaultParam("value", 1, ()),
        first_run=_F.UNKNOWN,  # "#000000"
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="color_picker.py: default_value=value",
    ),
    WidgetSpec(
        command="date_input",
        params=(
            "label",
            "value",
            "min_value",
            "max_value",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=4,
        stores_value=True,
        default=DefaultParam("value", 1, ("today",)),
        first_run=_F.UNKNOWN,  # today's date
        first_run_cases=(_case("value", None, value=_F.NONE),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note='time_widgets.py: default_value=value if value != "today" else None',
    ),
    WidgetSpec(
        command="time_input",
        params=("label", "value", "key", "help", "on_change", "args", "kwargs"),
        key_position=2,
        stores_value=True,
        default=DefaultParam("value", 1, ("now",)),
        first_run=_F.UNKNOWN,  # the current time
        first_run_cases=(_case("value", None, value=_F.NONE),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note='time_widgets.py: default_value=value if value != "now" else None',
    ),
    WidgetSpec(
        command="datetime_input",
        params=("label", "value", "min_value", "max_value"),
        key_position=None,
        stores_value=True,
        default=DefaultParam("value", 1, ("now",)),
        first_run=_F.UNKNOWN,
        first_run_cases=(_case("value", None, value=_F.NONE),),
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note='time_widgets.py: default_value=value if value != "now" else None',
    ),
    WidgetSpec(
        command="feedback",
        params=("options",),
        key_position=None,
        stores_value=True,
        default=DefaultParam("default", None, ()),
        first_run=_F.NONE,
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="feedback.py: default_value=default",
    ),
    WidgetSpec(
        command="pagination",
        params=("num_pages",),
        key_position=None,
        stores_value=True,
        default=DefaultParam("default", None, (), implicit=True),
        first_run=_F.UNKNOWN,  # the page number, 1 by default
        callbacks=_ON_CHANGE,
        persist_params=_PERSIST,
        note="pagination.py: default_value=default, whose own default is 1 (always warns)",
    ),
    WidgetSpec(
        command="chat_input",
        params=("placeholder",),
        key_position=None,
        stores_value=True,
        first_run=_F.NONE,
        callbacks=("on_submit",),
        note="chat.py: writes_allowed=True (writing the key pre-fills the input)",
    ),
    WidgetSpec(
        command="data_editor",
        params=("data",),
        key_position=None,
        stores_value=True,
        readonly=True,
        first_run=_F.UNKNOWN,  # the editing-state dict
        callbacks=_ON_CHANGE,
        note="data_editor.py: writes_allowed=False",
    ),
    WidgetSpec(
        command="file_uploader",
        params=(
            "label",
            "type",
            "accept_multiple_files",
            "key",
            "help",
            "on_change",
            "args",
            "kwargs",
        ),
        key_position=3,
        stores_value=True,
        readonly=True,
        first_run=_F.NONE,
        first_run_cases=(_case("accept_multiple_files", True, "directory", value=_F.EMPTY),),
        callbacks=_ON_CHANGE,
        note="file_uploader.py: writes_allowed=False; multiple/directory uploads start as []",
    ),
    WidgetSpec(
        command="camera_input",
        params=("label", "key", "help", "on_change", "args", "kwargs"),
        key_position=1,
        stores_value=True,
        readonly=True,
        first_run=_F.NONE,
        callbacks=_ON_CHANGE,
        note="camera_input.py: writes_allowed=False",
    ),
    WidgetSpec(
        command="audio_input",
        params=("label",),
        key_position=None,
        stores_value=True,
        readonly=True,
        first_run=_F.NONE,
        callbacks=_ON_CHANGE,
        note="audio_input.py: writes_allowed=False",
    ),
    # ---- buttons (elements/widgets/button.py, menu_button.py) ----------------------
    WidgetSpec(
        command="button",
        params=("label", "key", "help", "on_click", "args", "kwargs"),
        key_position=1,
        stores_value=True,
        readonly=True,
        first_run=_F.FALSE,
        callbacks=_ON_CLICK,
        note="button.py _button: writes_allowed=False; trigger value",
    ),
    WidgetSpec(
        command="download_button",
        params=("label", "data", "file_name", "mime", "key", "help", "on_click", "args", "kwargs"),
        key_position=4,
        stores_value=True,
        readonly=True,
        first_run=_F.FALSE,
        callbacks=_ON_CLICK,
        note="button.py: writes_allowed=False; registered even with on_click='ignore'",
    ),
    WidgetSpec(
        command="link_button",
        params=("label", "url"),
        key_position=None,
        stores_value=False,
        stores_value_if="on_click",
        readonly=True,
        first_run=_F.FALSE,
        callbacks=_ON_CLICK,
        note=(
            "button.py _link_button: any key is checked with writes_allowed=False and "
            "registered; a value is stored only when on_click is not 'ignore' (the default)"
        ),
    ),
    WidgetSpec(
        command="form_submit_button",
        params=("label", "help", "on_click", "args", "kwargs"),
        key_position=None,
        stores_value=True,
        readonly=True,
        first_run=_F.FALSE,
        callbacks=_ON_CLICK,
        note=(
            "form.py -> button.py _button: writes_allowed=False; a keyless one gets the "
            "implicit key FormSubmitter:<form>-<label>"
        ),
    ),
    WidgetSpec(
        command="menu_button",
        params=("label", "options"),
        key_position=None,
        stores_value=True,
        readonly=True,
        first_run=_F.NONE,  # string trigger value
        callbacks=_ON_CLICK,
        note="menu_button.py: writes_allowed=False; string trigger value",
    ),
    # ---- layout elements with key (elements/layouts.py, form.py) ------------------
    WidgetSpec(
        command="container",
        params=(),
        key_position=None,
        stores_value=False,
        note="layouts.py: key only registered (CSS class st-key-<key>)",
    ),
    WidgetSpec(
        command="grid",
        params=("columns",),
        key_position=None,
        stores_value=False,
        note="layouts.py: key only registered (new in 1.67)",
    ),
    WidgetSpec(
        command="expander",
        params=("label", "expanded"),
        key_position=None,
        stores_value=False,
        stores_value_if="on_change",
        stores_value_also_if=("bind",),
        first_run=_F.FALSE,
        first_run_cases=(_case("expanded", True, 1, value=_F.UNKNOWN),),
        callbacks=_ON_CHANGE,
        persist_params=("bind",),
        note='layouts.py: stateful iff on_change != "ignore" or bind == "query-params"',
    ),
    WidgetSpec(
        command="tabs",
        params=("tabs",),
        key_position=None,
        stores_value=False,
        stores_value_if="on_change",
        stores_value_also_if=("bind",),
        first_run=_F.UNKNOWN,  # the label of the default tab
        callbacks=_ON_CHANGE,
        persist_params=("bind",),
        note='layouts.py: stateful iff on_change != "ignore" or bind == "query-params"',
    ),
    WidgetSpec(
        command="popover",
        params=("label",),
        key_position=None,
        stores_value=False,
        stores_value_if="on_change",
        first_run=_F.FALSE,
        callbacks=_ON_CHANGE,
        note='layouts.py: stateful iff on_change != "ignore"',
    ),
    WidgetSpec(
        command="form",
        params=("key", "clear_on_submit"),
        key_position=0,
        stores_value=False,
        registers_key=False,
        readonly=True,
        is_form=True,
        note="form.py: check_session_state_rules(writes_allowed=False); form_ids_this_run",
    ),
    # ---- dataframe and charts with selections --------------------------------------
    WidgetSpec(
        command="dataframe",
        params=("data", "width", "height"),
        key_position=None,
        stores_value=False,
        stores_value_if="on_select",
        registers_key=False,
        registers_key_if="on_select",
        first_run=_F.UNKNOWN,  # the selection-state dict
        callbacks=_ON_SELECT,
        note="arrow.py: a widget only with on_select; writes allowed but validated",
    ),
    WidgetSpec(
        command="altair_chart",
        params=("altair_chart",),
        key_position=None,
        stores_value=False,
        stores_value_if="on_select",
        registers_key=False,
        registers_key_if="on_select",
        readonly_if="on_select",
        first_run=_F.UNKNOWN,
        callbacks=_ON_SELECT,
        note="vega_charts.py: writes_allowed=False with on_select",
    ),
    WidgetSpec(
        command="vega_lite_chart",
        params=("data", "spec"),
        key_position=None,
        stores_value=False,
        stores_value_if="on_select",
        registers_key=False,
        registers_key_if="on_select",
        readonly_if="on_select",
        first_run=_F.UNKNOWN,
        callbacks=_ON_SELECT,
        note="vega_charts.py: writes_allowed=False with on_select",
    ),
    WidgetSpec(
        command="plotly_chart",
        params=("figure_or_data", "use_container_width"),
        key_position=None,
        stores_value=False,
        stores_value_if="on_select",
        registers_key=True,
        readonly_if="on_select",
        first_run=_F.UNKNOWN,
        callbacks=_ON_SELECT,
        note=(
            "plotly_chart.py: the element id (with the key) is registered for every chart, "
            "on_select or not; writes_allowed=False with on_select"
        ),
    ),
    WidgetSpec(
        command="pydeck_chart",
        params=("pydeck_obj",),
        key_position=None,
        stores_value=False,
        stores_value_if="on_select",
        registers_key=False,
        registers_key_if="on_select",
        readonly_if="on_select",
        first_run=_F.UNKNOWN,
        callbacks=_ON_SELECT,
        note="deck_gl_json_chart.py: writes_allowed=False with on_select",
    ),
    WidgetSpec(
        command="echarts_chart",
        params=("spec",),
        key_position=None,
        stores_value=False,
        stores_value_if="on_select",
        registers_key=True,
        readonly_if="on_select",
        first_run=_F.UNKNOWN,
        callbacks=_ON_SELECT,
        note=(
            "echarts_chart.py: registered when on_select is active or a key is given; "
            "writes_allowed=False with on_select"
        ),
    ),
    # ---- others ----------------------------------------------------------------------
    WidgetSpec(
        command="pdf",
        params=("data",),
        key_position=None,
        stores_value=True,
        first_run=_F.UNKNOWN,
        note=(
            "pdf.py: forwards key to the optional streamlit-pdf custom component, which "
            "registers a widget (components v1/v2) without check_widget_policies"
        ),
    ),
    WidgetSpec(
        command="ButtonColumn",
        params=("label",),
        key_position=None,
        stores_value=True,
        readonly=True,
        first_run=_F.NONE,  # string trigger value
        callbacks=_ON_CLICK,
        note=(
            "st.column_config.ButtonColumn: registered (writes_allowed=False) by the "
            "st.dataframe / st.data_editor call that uses the column config "
            "(column_config_utils.register_button_column_widgets)"
        ),
    ),
)

WIDGETS: Mapping[str, WidgetSpec] = MappingProxyType({spec.command: spec for spec in _SPECS})
"""Command name -> spec, for every element of Streamlit 1.67 that takes ``key=``.

Not here, on purpose: ``st.fragment(key=...)`` (a decorator; its key lives in a
separate fragment-key set and never in Session State) and ``st.get_option`` /
``st.set_option`` (config option names).
"""

LAYOUT_COMMANDS: frozenset[str] = frozenset(
    {
        # return one container (a DeltaGenerator block) that widgets can be called on
        "container",
        "expander",
        "popover",
        "form",
        "chat_message",
        "status",
        "grid",
        "cell",  # GridContainer.cell(): a method of the object returned by st.grid
        # return a list of containers
        "columns",
        "tabs",
        # single-element placeholders whose methods replace their content
        "empty",
        "skeleton",
        # attributes rather than calls: st.sidebar.slider(...), with st.sidebar: ...
        "sidebar",
        "bottom",
    }
)
"""Names that yield containers one can call widgets on (``with x:`` or ``x.button(...)``).

``st.dialog`` is not here: it is a decorator, and widgets inside the decorated
function are ordinary ``st.*`` calls.
"""

MULTI_CONTAINER_COMMANDS: frozenset[str] = frozenset({"columns", "tabs"})
"""Layout commands that return a sequence of containers (``a, b = st.columns(2)``)."""


def widget_spec(command: str) -> WidgetSpec | None:
    """The spec of a keyed element, or ``None`` if ``command`` takes no element key."""
    return WIDGETS.get(command)


# --------------------------------------------------------------------------------------
# Evaluating a call
# --------------------------------------------------------------------------------------


def argument(
    spec: WidgetSpec,
    name: str,
    positional: Sequence[object],
    keywords: Mapping[str, object],
    *,
    star_args: bool = False,
    star_kwargs: bool = False,
) -> object:
    """The literal bound to parameter ``name`` in the call, ``UNKNOWN_VALUE`` or ``OMITTED``."""
    if name in keywords:
        return keywords[name]
    position = spec.position_of(name)
    if position is None and spec.default is not None and spec.default.name == name:
        position = spec.default.position
    if position is None and name == "key":
        position = spec.key_position
    if position is not None:
        if position < len(positional):
            return positional[position]
        if star_args:
            return UNKNOWN_VALUE
    if star_kwargs:
        return UNKNOWN_VALUE
    return OMITTED


def _equals_like_streamlit(value: object, neutral: object) -> bool:
    """``value`` compared to a neutral literal the way the widget's source compares it."""
    if isinstance(neutral, bool) or neutral is None:
        return value is neutral
    try:
        return bool(value == neutral)
    except Exception:  # a literal never raises here, but stay total
        return False


def _strictly_equal(value: object, literal: object) -> bool:
    if value is literal:
        return True
    if type(value) is not type(literal):
        return False
    try:
        return bool(value == literal)
    except Exception:
        return False


def _is_empty_sequence(value: object) -> bool:
    return isinstance(value, (list, tuple)) and len(value) == 0


def _counts_as_default(param: DefaultParam, value: object) -> bool:
    if value is None:
        return False
    if param.empty_is_neutral and _is_empty_sequence(value):
        return False
    return not any(_equals_like_streamlit(value, neutral) for neutral in param.neutral)


def has_default(
    spec: WidgetSpec,
    positional: Sequence[object],
    keywords: Mapping[str, object],
    *,
    star_args: bool = False,
    star_kwargs: bool = False,
) -> bool | None:
    """Would Streamlit pass a non-``None`` ``default_value`` for this call (ST004, table 3.2)?

    ``True``: yes, so setting the key through Session State logs the warning;
    ``False``: certainly not; ``None``: the argument is not a literal.
    """
    param = spec.default
    if param is None:
        return False
    value = argument(
        spec, param.name, positional, keywords, star_args=star_args, star_kwargs=star_kwargs
    )
    if value is OMITTED:
        return param.implicit
    if value is UNKNOWN_VALUE:
        return None
    return _counts_as_default(param, value)


def _classify(value: object) -> FirstRunValue:
    if value is False:
        return FirstRunValue.FALSE
    if value is None:
        return FirstRunValue.NONE
    if value == "" or _is_empty_sequence(value):
        return FirstRunValue.EMPTY
    return FirstRunValue.UNKNOWN


def first_run_value(
    spec: WidgetSpec,
    positional: Sequence[object],
    keywords: Mapping[str, object],
    *,
    star_args: bool = False,
    star_kwargs: bool = False,
) -> FirstRunValue:
    """The value of ``st.session_state[key]`` after the element's first run, given the call.

    A counted default argument is the value itself (``multiselect(default=[])`` is
    EMPTY, ``checkbox(value=True)`` UNKNOWN); an ``index`` picks an option (UNKNOWN).
    """
    param = spec.default
    if param is not None:
        value = argument(
            spec, param.name, positional, keywords, star_args=star_args, star_kwargs=star_kwargs
        )
        if value is UNKNOWN_VALUE:
            return FirstRunValue.UNKNOWN
        if value is not OMITTED and _counts_as_default(param, value):
            if param.name == "index":
                return FirstRunValue.UNKNOWN
            return _classify(value)
    for case in spec.first_run_cases:
        value = argument(
            spec, case.param, positional, keywords, star_args=star_args, star_kwargs=star_kwargs
        )
        if value is UNKNOWN_VALUE:
            return FirstRunValue.UNKNOWN
        if any(_strictly_equal(value, literal) for literal in case.literals):
            return case.value
    return spec.first_run


def _condition(
    spec: WidgetSpec,
    params: Sequence[str],
    positional: Sequence[object],
    keywords: Mapping[str, object],
    star_args: bool,
    star_kwargs: bool,
) -> bool | None:
    """Is any of ``params`` active: passed and not its inactive value?

    ``on_*`` parameters are inactive when omitted or ``"ignore"``; ``bind`` when
    omitted or ``None``.
    """
    result: bool | None = False
    for name in params:
        value = argument(
            spec, name, positional, keywords, star_args=star_args, star_kwargs=star_kwargs
        )
        if value is OMITTED:
            continue
        if value is UNKNOWN_VALUE:
            result = None
            continue
        inactive: object = None if name == "bind" else "ignore"
        if not _strictly_equal(value, inactive):
            return True
    return result


def stores_value_in_call(
    spec: WidgetSpec,
    positional: Sequence[object],
    keywords: Mapping[str, object],
    *,
    star_args: bool = False,
    star_kwargs: bool = False,
) -> bool | None:
    """Does this call's ``key=`` create a session-state entry? ``None``: not statically known."""
    if spec.stores_value:
        return True
    params = [p for p in (spec.stores_value_if, *spec.stores_value_also_if) if p]
    return _condition(spec, params, positional, keywords, star_args, star_kwargs)


def registers_key_in_call(
    spec: WidgetSpec,
    positional: Sequence[object],
    keywords: Mapping[str, object],
    *,
    star_args: bool = False,
    star_kwargs: bool = False,
) -> bool | None:
    """Does this call put its key into the per-run widget-key set (ST006)?

    Always ``False`` for ``st.form``, whose key goes into the separate form-id set.
    """
    if spec.registers_key:
        return True
    params = [spec.registers_key_if] if spec.registers_key_if else []
    return _condition(spec, params, positional, keywords, star_args, star_kwargs)


def readonly_in_call(
    spec: WidgetSpec,
    positional: Sequence[object],
    keywords: Mapping[str, object],
    *,
    star_args: bool = False,
    star_kwargs: bool = False,
) -> bool | None:
    """Are writes to this call's key refused (ST005)? ``None``: not statically known."""
    if spec.readonly:
        return True
    params = [spec.readonly_if] if spec.readonly_if else []
    return _condition(spec, params, positional, keywords, star_args, star_kwargs)
