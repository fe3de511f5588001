"""TOML profiles load into a Couple; problems name the file and the field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import novelty
from novelty import ProfileError
from novelty.files import PROFILE_LIMIT

from .conftest import EXAMPLE_PROFILE


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
[home]
lat = 52.52
lon = 13.40
timezone = "Europe/Berlin"

[[partners]]
name = "Ada"

[[partners]]
name = "Bo"
"""


def test_the_example_profile_is_a_realistic_couple() -> None:
    couple = novelty.load_profile(EXAMPLE_PROFILE)
    assert [p.name for p in couple.partners] == ["Maya", "Jordan"]
    assert all(p.interests and p.dislikes for p in couple.partners)
    assert len(couple.history) >= 12
    assert couple.budget == novelty.Budget(per_outing=80, currency="USD")


def test_a_minimal_profile_loads(tmp_path: Path) -> None:
    couple = novelty.load_profile(write(tmp_path, MINIMAL))
    assert couple.name == "us"
    assert couple.budget is None


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"nope\.toml: no such profile file"):
        novelty.load_profile(tmp_path / "nope.toml")


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"invalid TOML.*line 2"):
        novelty.load_profile(write(tmp_path, "name = 'x'\nbroken = \n"))


def test_one_partner_only_is_named(tmp_path: Path) -> None:
    text = MINIMAL.replace('[[partners]]\nname = "Bo"\n', "")
    with pytest.raises(ProfileError, match=r"partners: Tuple should have at least 2 items"):
        novelty.load_profile(write(tmp_path, text))


def test_a_bad_rating_names_the_outing(tmp_path: Path) -> None:
    text = MINIMAL + '\n[[history]]\nactivity_id = "x"\ndate = 2026-01-01\nrating = 7\n'
    with pytest.raises(ProfileError, match=r"history\.0\.rating"):
        novelty.load_profile(write(tmp_path, text))


def test_an_unknown_timezone_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"home\.timezone.*Europe/Atlantis"):
        novelty.load_profile(write(tmp_path, MINIMAL.replace("Europe/Berlin", "Europe/Atlantis")))


def test_a_negative_budget_is_named(tmp_path: Path) -> None:
    text = MINIMAL + "\n[budget]\nper_outing = -10\n"
    with pytest.raises(ProfileError, match=r"budget\.per_outing"):
        novelty.load_profile(write(tmp_path, text))


def test_source_paths_resolve_against_the_profile_folder(tmp_path: Path) -> None:
    text = MINIMAL + '\n[[sources]]\ntype = "ical"\nlocation = "feeds/town.ics"\n'
    couple = novelty.load_profile(write(tmp_path, text))
    (spec,) = couple.sources
    assert spec.type == "ical"
    assert spec.options["location"] == str((tmp_path / "feeds" / "town.ics").resolve())


def test_a_cache_folder_resolves_against_the_profile_folder_or_home(tmp_path: Path) -> None:
    text = MINIMAL + (
        '\n[[sources]]\ntype = "ical"\nlocation = "https://example.org/a.ics"\n'
        'cache_ttl = 60\ncache_dir = "cache"\n'
        '\n[[sources]]\ntype = "ical"\nlocation = "b.ics"\ncache_ttl = 60\ncache_dir = "~/c"\n'
    )
    first, second = novelty.load_profile(write(tmp_path, text)).sources
    assert first.options["location"] == "https://example.org/a.ics"
    assert first.options["cache_dir"] == str((tmp_path / "cache").resolve())
    assert second.options["cache_dir"] == str(Path.home() / "c")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                '[[partners]]\nname = "Ada"',
                '[[partners]]\nname = "Ada"\nx = ' + "[" * 3000 + "]" * 3000,
            ),
            "nested too deeply",
        ),
        (('name = "Ada"', 'name = "Ada"\ninterests = [[[]]]'), "a list of interests holds labels"),
        (
            ('name = "Ada"', 'name = "Ada"\ninterests = { hiking = 1e39 }'),
            "expected a number > 0 and <= 1000",
        ),
        (('"Europe/Berlin"', '"America"'), "unknown timezone 'America'"),
        (("[home]", "sources = 3\n[home]"), "sources: Input should be a valid tuple"),
    ],
)
def test_hostile_profiles_give_a_profile_error(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, MINIMAL.replace(*change, 1))
    with pytest.raises(ProfileError, match=message):
        novelty.load_profile(path)


def test_a_home_path_of_an_unknown_user_is_named(tmp_path: Path) -> None:
    text = MINIMAL + '\n[[sources]]\ntype = "ical"\npath = "~no-such-user-zz/feed.ics"\n'
    with pytest.raises(ProfileError, match=r"sources\.0\.path: cannot expand"):
        novelty.load_profile(write(tmp_path, text))


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_profile_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "profile.toml"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    with pytest.raises(ProfileError, match="not a regular file"):
        novelty.load_profile(path)


def test_an_oversized_profile_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "#" * PROFILE_LIMIT)
    with pytest.raises(ProfileError, match="too large for a profile file"):
        novelty.load_profile(path)


@pytest.mark.parametrize("path", [None, 5, b"examples/couple.toml"])
def test_a_profile_path_of_another_type_is_an_argument_error(path: object) -> None:
    with pytest.raises(novelty.ArgumentError, match=r"^path: expected a profile file's path"):
        novelty.load_profile(path)  # type: ignore[arg-type]
