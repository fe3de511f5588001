"""The registry of source types: built-ins, entry-point plugins and build_source errors."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

import novelty.sources
from novelty.errors import SourceError
from novelty.models import SourceSpec
from novelty.sources import ICalSource, Source, available_sources, build_source

from .examples import AUSTIN, FIXTURES, WEEKEND, at

PLUGIN = Path(__file__).resolve().parents[1] / "plugin_pkg"


def install(project: Path, site: Path, entry_points: dict[str, str] | None = None) -> None:
    """Install a pure-Python project the way pip lays it out: its code importable and a
    `*.dist-info` with METADATA and entry_points.txt (no build backend, no network)."""
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    points = entry_points or meta["entry-points"]["novelty.sources"]
    dist_info = site / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n"
        f"Summary: {meta['description']}\n"
    )
    lines = "".join(f"{name} = {target}\n" for name, target in points.items())
    (dist_info / "entry_points.txt").write_text(f"[novelty.sources]\n{lines}")


@pytest.fixture
def plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(PLUGIN, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(PLUGIN / "src"))


def test_the_package_exports_the_public_names() -> None:
    assert set(novelty.sources.__all__) == {
        "Source", "ICalSource", "TicketmasterSource", "SchemaOrgSource",
        "available_sources", "build_source", "collect_events",
    }  # fmt: skip


def test_available_sources_describes_the_builtins_in_one_line() -> None:
    described = available_sources()

    assert list(described)[:3] == ["ical", "ticketmaster", "schemaorg"]
    assert described["ical"].startswith("Events from an iCalendar feed")
    assert all("\n" not in text for text in described.values())


def test_build_source_builds_a_builtin_from_a_profile_table() -> None:
    spec = SourceSpec(
        type="ical", options={"location": str(FIXTURES / "austin.ics"), "name": "austin"}
    )

    source = build_source(spec)

    assert isinstance(source, ICalSource)
    assert source.name == "austin"
    assert len(source.fetch(WEEKEND, AUSTIN)) == 6


def test_an_unknown_type_lists_the_known_ones() -> None:
    with pytest.raises(SourceError, match=r"unknown source type 'meetup'; known types: .*ical"):
        build_source(SourceSpec(type="meetup"))


def test_an_unknown_option_names_the_type_and_the_option() -> None:
    spec = SourceSpec(type="ical", options={"location": "x.ics", "colour": "red"})

    with pytest.raises(SourceError, match=r"source 'ical': .*'colour'.*accepted options: location"):
        build_source(spec)


def test_a_missing_required_option_is_named() -> None:
    with pytest.raises(SourceError, match=r"source 'schemaorg': .*'location'"):
        build_source(SourceSpec(type="schemaorg"))


def test_a_bad_option_value_names_the_type_and_the_option() -> None:
    spec = SourceSpec(type="ical", options={"location": "x.ics", "timeout": -1})

    with pytest.raises(SourceError, match=r"^source 'ical': option 'timeout' must be a number > 0"):
        build_source(spec)


@pytest.mark.usefixtures("plugin_installed")
def test_a_plugin_registered_by_entry_point_is_built_and_fetched() -> None:
    source = build_source(SourceSpec(type="boardgames", options={"cafe": "Emerald Tavern"}))

    events = list(source.fetch(WEEKEND, AUSTIN))

    assert isinstance(source, Source)
    assert [(e.title, e.starts_at) for e in events] == [
        ("Board-game night at Emerald Tavern", at(13, 19)),
    ]
    assert events[0].ends_at == at(13, 19) + dt.timedelta(hours=3)


@pytest.mark.usefixtures("plugin_installed")
def test_a_plugin_is_listed_with_its_description() -> None:
    assert (
        available_sources()["boardgames"]
        == "Friday board-game nights at one café (an example plugin)."
    )


def test_a_broken_plugin_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(PLUGIN, tmp_path, {"broken": "no_such_module_anywhere:Source"})
    monkeypatch.syspath_prepend(str(tmp_path))

    assert available_sources()["broken"].startswith("unavailable: source type 'broken'")
    with pytest.raises(SourceError, match="cannot be loaded: ModuleNotFoundError"):
        build_source(SourceSpec(type="broken"))


def test_a_plugin_cannot_replace_a_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(PLUGIN, tmp_path, {"ical": "novelty_example_plugin:BoardGameNights"})
    monkeypatch.syspath_prepend(str(tmp_path))

    source = build_source(SourceSpec(type="ical", options={"location": "x.ics"}))

    assert isinstance(source, ICalSource)


def test_a_plugin_that_builds_no_source_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(PLUGIN, tmp_path, {"notasource": "builtins:dict"})
    monkeypatch.syspath_prepend(str(tmp_path))

    with pytest.raises(SourceError, match="not a Source"):
        build_source(SourceSpec(type="notasource"))
