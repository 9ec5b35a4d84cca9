"""The rule catalog: one module per rule (``../shared/spec/RULES.md``), in code order."""

from __future__ import annotations

from streamlit_lsp.rules import (
    st000_syntax_error,
    st001_uninitialized_key,
    st002_read_before_init,
    st003_assign_after_widget,
    st004_value_and_state_conflict,
    st005_readonly_widget_key,
    st006_duplicate_widget_key,
    st007_module_level_mutable_state,
    st008_widget_state_across_pages,
    st009_unused_key,
    st010_callback_reads_return_value,
)
from streamlit_lsp.rules.base import Rule

RULES: dict[str, Rule] = {
    module.RULE.code: module.RULE
    for module in (
        st000_syntax_error,
        st001_uninitialized_key,
        st002_read_before_init,
        st003_assign_after_widget,
        st004_value_and_state_conflict,
        st005_readonly_widget_key,
        st006_duplicate_widget_key,
        st007_module_level_mutable_state,
        st008_widget_state_across_pages,
        st009_unused_key,
        st010_callback_reads_return_value,
    )
}

__all__ = ["RULES", "Rule"]
