"""A couple's profile as a TOML file: load it into a Couple, or write a Couple back."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ProfileError
from .models import Couple

#: Source options that name a file; relative paths are resolved against the profile's folder.
_PATH_OPTIONS = ("location", "path", "cache_dir")


def describe_validation_error(error: ValidationError, *, prefix: str) -> str:
    """One line naming each bad field by its dotted path and what was expected."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    more = len(error.errors()) - len(parts)
    suffix = f" (and {more} more)" if more > 0 else ""
    return f"{prefix}: " + "; ".join(parts) + suffix


def _resolve_paths(data: dict[str, Any], folder: Path) -> None:
    """Relative paths in `[[sources]]` are relative to the profile file; `~` is home."""
    for source in data.get("sources", []) or []:
        if not isinstance(source, dict):
            continue
        for key in _PATH_OPTIONS:
            value = source.get(key)
            if isinstance(value, str) and "://" not in value:
                path = Path(value).expanduser()
                source[key] = str(path if path.is_absolute() else (folder / path).resolve())


def _restructure_sources(data: dict[str, Any]) -> None:
    """`[[sources]]` tables are flat in TOML: `type` plus options side by side."""
    sources = data.get("sources")
    if isinstance(sources, list):
        data["sources"] = [
            {"type": s.get("type"), "options": {k: v for k, v in s.items() if k != "type"}}
            if isinstance(s, dict)
            else s
            for s in sources
        ]


def couple_from_dict(data: dict[str, Any], *, origin: str = "profile") -> Couple:
    """Validate a profile mapping (as parsed from TOML) into a Couple."""
    data = dict(data)
    _restructure_sources(data)
    try:
        return Couple.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(describe_validation_error(exc, prefix=origin)) from None


def load_profile(path: str | Path) -> Couple:
    """Read a couple's TOML profile; ProfileError names the file and the bad field or line."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ProfileError(f"{file}: no such profile file") from None
    except OSError as exc:
        raise ProfileError(f"{file}: cannot read the profile ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(f"{file}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{file}: invalid TOML: {exc}") from None
    _resolve_paths(data, file.resolve().parent)
    return couple_from_dict(data, origin=str(file))
