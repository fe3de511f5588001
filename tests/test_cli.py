"""The `novelty` command, run as a real subprocess: output, exit codes, history, no tracebacks."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import icalendar
import pytest

import novelty as novelty_package

from .conftest import EXAMPLE_PROFILE, ROOT

NOW = "2026-11-27T20:00"


def novelty(
    *args: str, db: Path | None = None, timeout: float = 120, env: Mapping[str, str] = {}
) -> subprocess.CompletedProcess[str]:
    """Run the command; `env` adds to (or, with "", blanks) the environment's variables."""
    env = {**os.environ, "NOVELTY_DB": str(db or "/nonexistent/never.sqlite3"), **env}
    env.pop("NOVELTY_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-m", "novelty.cli", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout, check=False,
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
        (("catalog", "list", "README.md"), "README.md, line 1: missing column"),
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
    typo = novelty("log", *profile, "escape-room-for-tw", db=db)
    assert (typo.returncode, typo.stderr) == (
        2,
        "novelty: error: activity id 'escape-room-for-tw' is not in the catalog; did you mean "
        "'escape-room-for-two'? (use --title for anything else)\n",
    )
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


HOSTILE = [
    (("--when", "9999-12-31"), "when: 9999-12-31 is out of range"),
    (("--now", "9999-12-31T23:59"), "now: 9999-12-31T23:59:00-06:00 is out of range"),
    (("--now", "0001-01-01T00:00"), "now: 0001-01-01T00:00:00"),
    (("--ics", "/nonexistent/dir/x.ics"), "--ics /nonexistent/dir/x.ics: cannot write"),
    (("--ics", "{tmp}"), "cannot write (Is a directory)"),
    (("--ics", "/dev/full"), "--ics /dev/full: cannot write (No space left on device)"),
    (("--catalog", "{tmp}/dup.csv"), "dup.csv, line 1: column(s) id appear more than once"),
    (("--catalog", "{tmp}/fifo"), "fifo: not a regular file; expected a catalog file"),
]


@pytest.mark.parametrize(("args", "message"), HOSTILE)
def test_hostile_ideas_options_exit_2_with_one_line_within_seconds(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "dup.csv").write_text("id,title,id,category,tags,cost_min,cost_max\n")
    os.mkfifo(tmp_path / "fifo")
    result = novelty(
        "ideas", "--profile", str(EXAMPLE_PROFILE), "--now", NOW,
        *(arg.format(tmp=tmp_path) for arg in args), timeout=30,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert message.format(tmp=tmp_path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args", [("ideas", "--profile", "{fifo}"), ("catalog", "validate", "{fifo}")]
)
def test_a_fifo_is_refused_at_once(tmp_path: Path, args: tuple[str, ...]) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = novelty(*(arg.format(fifo=fifo) for arg in args), timeout=30)
    assert result.returncode == 2
    assert result.stderr == f"novelty: error: {fifo}: not a regular file; " + (
        "expected a profile file\n" if args[0] == "ideas" else "expected a catalog file\n"
    )


def test_catalog_validate_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    header = "id,title,category,tags,cost_min,cost_max,duration_minutes"
    rows = ["Bad Id,A,food,a,1,2,60", "ok-one,,food,a,1,2,60", "ok-two,B,food,a,1,2,90.7"]
    path = tmp_path / "three.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    result = novelty("catalog", "validate", str(path))
    assert result.returncode == 2
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        f"{path}, line 2, column 'id'",
        f"{path}, line 3, column 'title'",
        f"{path}, line 4, column 'duration_minutes'",
    ]
    assert result.stderr == f"novelty: error: {path}: 3 problem(s)\n"


def test_a_range_of_dates_is_a_window() -> None:
    result = ideas("--when", "2026-12-10..2026-12-13")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2026-12-10..2026-12-13 (Thu 10 Dec 00:00 – Mon 14 Dec 00:00)")


def test_version_and_a_description_for_each_subcommand() -> None:
    assert novelty("--version").stdout == f"novelty {novelty_package.__version__}\n"
    for command in ("ideas", "log", "catalog", "sources"):
        # Usage, then the description, then sections such as "options:".
        second_block = novelty(command, "--help").stdout.split("\n\n")[1]
        assert not second_block.splitlines()[0].endswith(":"), command


def test_verbose_shows_the_librarys_log_records_on_stderr() -> None:
    quiet, verbose, debug = (
        novelty(*flags, "catalog", "validate").stderr for flags in ((), ("-v",), ("-vv",))
    )
    assert quiet == ""
    assert "novelty: INFO: novelty.catalog: checked" in verbose
    assert "DEBUG" not in verbose
    assert "novelty: DEBUG: novelty.files: read" in debug


def test_the_couples_day_options_hold_on_every_idea() -> None:
    result = ideas("--json", "--energy", "low", "--indoor", "--minutes", "90")
    assert result.returncode == 0, result.stderr
    found = [i["activity"] for i in json.loads(result.stdout)["ideas"]]
    assert len(found) == 5
    for activity in found:
        assert activity["energy"] == "low"
        assert activity["setting"] in ("indoor", "either")
        assert (activity["duration_minutes"] or 120) <= 90


def test_a_budget_currency_without_a_rate_is_named_as_the_cause(tmp_path: Path) -> None:
    profile = tmp_path / "couple.toml"
    text = EXAMPLE_PROFILE.read_text(encoding="utf-8")
    profile.write_text(text.replace('currency = "USD"', 'currency = "XYZ"'), encoding="utf-8")
    result = novelty("ideas", "--profile", str(profile), "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert "no exchange rate" in result.stdout
    assert "larger --budget" not in result.stdout
