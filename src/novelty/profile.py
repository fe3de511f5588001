"""A couple's profile as a TOML file: load it into a Couple, or write a Couple back."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ArgumentError, ProfileError
from .files import PROFILE_LIMIT, read_text_file
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


def _resolve_paths(data: dict[str, Any], folder: Path, origin: str) -> None:
    """Relative paths in `[[sources]]` are relative to the profile file; `~` is home."""
    sources = data.get("sources")
    if not isinstance(sources, list):
        return  # validation names the field
    for number, source in enumerate(sources):
        if not isinstance(source, dict):
            continue
        for key in _PATH_OPTIONS:
            value = source.get(key)
            if isinstance(value, str) and "://" not in value:
                try:
                    path = Path(value).expanduser()
                except RuntimeError:
                    raise ProfileError(
                        f"{origin}: sources.{number}.{key}: cannot expand {value!r}: "
                        "no home directory is known (set HOME)"
                    ) from None
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
    if not isinstance(path, str | os.PathLike):
        raise ArgumentError(f"path: expected a profile file's path, got {type(path).__name__}")
    file = Path(path)
    text = read_text_file(file, limit=PROFILE_LIMIT, what="profile", error=ProfileError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{file}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ProfileError(f"{file}: invalid TOML: arrays or tables nested too deeply") from None
    _resolve_paths(data, file.resolve().parent, str(file))
    return couple_from_dict(data, origin=str(file))
