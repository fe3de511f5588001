"""Checks of the options the built-in sources are built with; errors name the option."""

from __future__ import annotations

import math
import os
from pathlib import Path, PurePath
from urllib.parse import urlsplit

from ..errors import SourceError


def checked_name(name: object, default: str) -> str:
    """The `name` option stripped, or `default` when it is None."""
    if name is None:
        return default
    if not isinstance(name, str) or not name.strip():
        raise SourceError(f"option 'name' must be a non-empty string, got {name!r}")
    return name.strip()


def location_name(kind: str, location: str) -> str:
    """A default source name from where its feed is: `<kind>:<host or file name>`."""
    parts = urlsplit(location)
    short = parts.hostname if parts.scheme and parts.netloc else PurePath(location).name
    return f"{kind}:{short or location}"


def positive_number(option: str, value: object) -> float:
    """`value` as a finite float > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise SourceError(f"option {option!r} must be a number > 0, got {value!r}")
    return float(value)


def whole_number(option: str, value: object, low: int, high: int | None = None) -> int:
    """`value` as an int in [low, high] (no upper bound when high is None)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"{low}-{high}" if high is not None else f">= {low}"
        raise SourceError(f"option {option!r} must be a whole number {bounds}, got {value!r}")
    return value


def path_text(option: str, value: object, expected: str) -> str:
    """`value`, a string or path, as a non-empty stripped string; `expected` says what it names."""
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise SourceError(f"option {option!r} must be {expected}, got {value!r}")
    return str(os.fspath(value)).strip()


def optional_folder(option: str, value: object) -> Path | None:
    """`value` as a folder path with `~` expanded, or None when it is None."""
    return None if value is None else Path(path_text(option, value, "a folder path")).expanduser()
