"""The country of a home, offline: the IANA timezone's country in the tz database's zone.tab."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: Where zone.tab is read from when the `tzdata` package is missing: the system's database.
SYSTEM_ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


def _zone_tab() -> str:
    try:
        return files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return SYSTEM_ZONE_TAB.read_text(encoding="utf-8") if SYSTEM_ZONE_TAB.is_file() else ""


def country_of_timezone(timezone: str) -> str | None:
    """The ISO 3166 alpha-2 code zone.tab gives a canonical zone ('Europe/London' -> 'GB'),
    or None for zones without one (UTC, 'Etc/GMT+5', old aliases such as 'US/Central')."""
    if not timezone:
        return None
    # zone.tab lines: code, coordinates, zone name, comment; '#' starts a comment line.
    for line in _zone_tab().splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[2] == timezone and not line.startswith("#"):
            return fields[0]
    return None
