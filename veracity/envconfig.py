"""Reading settings dataclasses from ``VERACITY_<FIELD>`` environment variables.

Shared by :class:`veracity.settings.Settings` and the sections nested in it, so every
setting is read the same way: booleans as 1/0/true/false/yes/no/on/off, numbers as
written, tuples as comma-separated lists.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any, TypeVar

from veracity.errors import ConfigError

T = TypeVar("T")


def from_env(cls: type[T], environ: Mapping[str, str] | None, overrides: Mapping[str, Any]) -> T:
    """Defaults of ``cls``, then its ``VERACITY_<FIELD>`` variables, then non-None ``overrides``.

    Fields whose default is itself a settings dataclass are read the same way, recursively.
    """
    env = os.environ if environ is None else environ
    defaults = cls()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        default = getattr(defaults, f.name)
        if dataclasses.is_dataclass(default):
            values[f.name] = from_env(type(default), env, {})
            continue
        raw = env.get(f"VERACITY_{f.name.upper()}")
        if raw:
            values[f.name] = parse_value(f.name, raw, default)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return dataclasses.replace(defaults, **values)  # type: ignore[type-var]


def parse_value(name: str, raw: str, default: Any) -> Any:
    """``raw`` read as the type of ``default``; :class:`ConfigError` when it cannot be."""
    try:
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if isinstance(default, bool):
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise ConfigError(f"cannot read {raw!r} as a value for {name}", f"VERACITY_{name.upper()}") from None
    return raw
