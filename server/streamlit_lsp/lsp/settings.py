"""Editor settings: ``initializationOptions``, ``workspace/configuration``, changes.

The analysis keys are those of ``[tool.streamlit-lsp]`` (``config.apply_editor_settings``
validates them and lays them over the project's pyproject.toml). The server's own
switches are structured here with cattrs; a wrong value is reported once and the
default kept.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

logger = logging.getLogger(__name__)

SECTION = "streamlitLsp"


@attrs.frozen
class ServerSettings:
    enable: bool = True
    inlay_hints: bool = False


def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=False)

    def strict_bool(value: object, _: type) -> bool:
        # cattrs would turn "no" into True: a setting must be a real boolean.
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, got {value!r}")
        return value

    converter.register_structure_hook(bool, strict_bool)
    converter.register_structure_hook(
        ServerSettings,
        make_dict_structure_fn(
            ServerSettings, converter, inlay_hints=override(rename="inlayHints")
        ),
    )
    return converter


CONVERTER = _converter()


FIELDS = {"enable": "enable", "inlayHints": "inlay_hints"}


def server_settings(raw: Mapping[str, Any] | None) -> tuple[ServerSettings, list[str]]:
    """The server switches in ``raw`` and a message for each one that was ignored.

    Each key is structured on its own, so one wrong value keeps the others.
    """
    values: dict[str, Any] = {}
    messages: list[str] = []
    for key, field_name in FIELDS.items():
        if not raw or key not in raw:
            continue
        try:
            structured = CONVERTER.structure({key: raw[key]}, ServerSettings)
        except cattrs.BaseValidationError as error:
            details = "; ".join(cattrs.transform_error(error))
            messages.append(f"{SECTION}.{key}: {details}; using the default")
            continue
        values[field_name] = getattr(structured, field_name)
    return ServerSettings(**values), messages


def section_of(raw: object) -> Mapping[str, Any] | None:
    """Clients send either the section itself or an object holding it."""
    if not isinstance(raw, Mapping):
        return None
    inner = raw.get(SECTION)
    return inner if isinstance(inner, Mapping) else raw
