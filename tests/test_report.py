"""The rut report: a friendly mirror of the couple's outings, in the library and the CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import novelty
from novelty.report import plot_report, rut_report

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "couple.toml"
TODAY = dt.date(2026, 11, 27)


def test_the_example_profile_reads_like_a_mirror() -> None:
    couple = novelty.load_profile(EXAMPLE)
    report = rut_report(couple, today=TODAY)
    text = str(report)
    assert len(report.sparkline) == len(couple.history)
    assert report.outings[0].newness == 1.0
    assert "Last 3 months" in text
    assert "Never served yet for Maya" in text
    assert report.periods[-1].outings == len(couple.history)


def test_an_outing_like_the_one_before_it_is_not_new() -> None:
    couple = novelty.load_profile(EXAMPLE)
    again = [novelty.Outing(activity_id="food-truck-crawl", date=TODAY)]
    report = rut_report(couple, history=again, today=TODAY)
    assert report.outings[-1].newness < 0.05
    assert report.sparkline[-1] == "▁"


def test_an_empty_history_says_so(tmp_path: Path) -> None:
    couple = novelty.load_profile(EXAMPLE).model_copy(update={"history": ()})
    report = rut_report(couple, today=TODAY)
    assert "No outings yet" in str(report)
    assert report.unserved["Maya"] == tuple(couple.partners[0].interests)
    assert plot_report(report, tmp_path / "empty.png").stat().st_size > 0


def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "novelty.cli", *args, "--db", str(tmp_path / "h.sqlite3")],
        capture_output=True,
        text=True,
        check=False,
    )


def test_history_report_in_the_terminal_with_a_picture(tmp_path: Path) -> None:
    picture = tmp_path / "rut.png"
    done = _cli(
        "history", "--report", "--profile", str(EXAMPLE), "--now", "2026-11-27T18:00",
        "--plot", str(picture), tmp_path=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Your last 12 outing(s)" in done.stdout
    assert picture.stat().st_size > 0


def test_history_report_on_an_empty_history(tmp_path: Path) -> None:
    profile = tmp_path / "empty.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    profile.write_text(text[: text.index("[[history]]")], encoding="utf-8")
    done = _cli("history", "--report", "--profile", str(profile), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "No outings yet" in done.stdout
