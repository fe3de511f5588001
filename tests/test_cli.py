"""The `novelty` command, run as a real subprocess: output, exit codes, history, no tracebacks."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

from .conftest import EXAMPLE_PROFILE, ROOT

NOW = "2026-11-27T20:00"


def novelty(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NOVELTY_DB": str(db or "/nonexistent/never.sqlite3")}
    env.pop("NOVELTY_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-m", "novelty.cli", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip


def ideas(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    return novelty("ideas", "--profile", str(EXAMPLE_PROFILE), "--now", NOW, *args, db=db)


def test_ideas_prints_five_explained_ideas_within_budget() -> None:
    result = ideas()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("This weekend (Fri 27 Nov 20:00")
    assert out.count("   Why:") == out.count("   Talk:") == out.count("   Price:") == 5


def test_ideas_json_is_machine_readable() -> None:
    result = ideas("--json", "-k", "3")
    payload = json.loads(result.stdout)
    assert len(payload["ideas"]) == 3
    assert all(i["activity"]["cost_min"] <= 80 for i in payload["ideas"])
    assert payload["window"]["label"] == "this weekend"


def test_ideas_can_be_saved_as_a_calendar(tmp_path: Path) -> None:
    target = tmp_path / "ideas.ics"
    assert ideas("--ics", str(target)).returncode == 0
    events = list(icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert len(events) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ideas", "--profile", "missing.toml"), "missing.toml: no such profile file"),
        (
            ("ideas", "--profile", str(EXAMPLE_PROFILE), "--when", "someday"),
            "unknown value 'someday'",
        ),
        (("ideas", "--profile", str(EXAMPLE_PROFILE), "--budget", "-5"), "--budget: per_outing"),
        (("ideas", "--profile", str(EXAMPLE_PROFILE), "-k", "0"), "k: expected a whole"),
        (("ideas",), "no profile given"),
        (("catalog", "validate", "README.md"), "README.md, line 1: missing column"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(
    args: tuple[str, ...], message: str
) -> None:
    result = novelty(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_log_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    profile = ("--profile", str(EXAMPLE_PROFILE))
    assert novelty("log", *profile, "escape-room-for-two", "--rating", "7", db=db).returncode == 2
    assert novelty("log", *profile, "no-such-activity", db=db).returncode == 2
    assert novelty("log", *profile, "--title", "X", "--date", "yesterday", db=db).returncode == 2
    assert not db.exists()


def test_a_logged_outing_is_not_suggested_again(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    activity = json.loads(ideas("--json", "-k", "1", db=db).stdout)["ideas"][0]["activity"]
    first = activity["id"]
    logged = novelty(
        "log", "--profile", str(EXAMPLE_PROFILE), first, "--date", "2026-11-20", "--rating", "5",
        db=db,
    )  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    again = json.loads(ideas("--json", "-k", "10", db=db).stdout)["ideas"]
    assert first not in [i["activity"]["id"] for i in again]
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM outings").fetchone() == (1,)
    history = novelty("history", "--profile", str(EXAMPLE_PROFILE), db=db)
    assert f"*****  {activity['title']}  (logged)" in history.stdout


def test_catalog_stats_shows_the_spread() -> None:
    result = novelty("catalog", "stats")
    assert result.returncode == 0
    for heading in ("By category:", "By cost for two", "By setting:", "By season", "By energy:"):
        assert heading in result.stdout


def test_sources_lists_the_built_ins() -> None:
    result = novelty("sources")
    assert result.returncode == 0
    for name in ("ical", "ticketmaster", "schemaorg"):
        assert name in result.stdout


def test_the_example_script_runs_from_another_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "this_weekend.py")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "1. " in result.stdout


def test_events_from_an_icalendar_feed_join_the_catalogs_ideas() -> None:
    profile = ROOT / "examples" / "couple-with-events.toml"
    result = novelty("ideas", "--profile", str(profile), "--now", NOW, "-k", "10")
    assert result.returncode == 0, result.stderr
    assert "[culture, catalog]" in result.stdout or ", catalog]" in result.stdout
    assert "austin-events]" in result.stdout
    assert "When:  Sun 29 Nov 11:00 at Congress Avenue Supper Club" in result.stdout
