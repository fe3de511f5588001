"""Options the command checks itself (run as a real subprocess), and docs/cli.md documenting
every option `--help` lists."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from novelty.cli import build_parser

from .conftest import EXAMPLE_PROFILE, ROOT
from .test_cli import NOW, novelty

PROFILE = ("--profile", str(EXAMPLE_PROFILE))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("ideas", *PROFILE, "--now", NOW, "--seed", "-1"), "a whole number >= 0"),
        (("batch", "couples.jsonl", "--out", "x.csv", "--seed", "-1"), "a whole number >= 0"),
        (("batch", "couples.jsonl", "--out", "x.csv", "--partners", "1"), "a whole number >= 2"),
        (("serve", "--port", "99999"), "a whole number from 0 to 65535"),
        (("log", *PROFILE, "wild-cave-tour", "--date", "0001-01-01"),
         "YYYY-MM-DD in the years 1900 to 2199"),
    ],
)  # fmt: skip
def test_an_out_of_range_number_or_date_is_refused_naming_its_option(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    db = tmp_path / "h.sqlite3"
    result = novelty(*args, db=db)
    assert result.returncode == 2
    option, value = args[-2:]
    assert (
        result.stderr == f"novelty: error: argument {option}: expected {expected}, got {value!r}\n"
    )
    assert not db.exists()


def test_log_refuses_a_catalog_id_and_a_title_together(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    result = novelty("log", *PROFILE, "wild-cave-tour", "--title", "Caving", db=db)
    assert result.returncode == 2
    assert result.stderr == (
        "novelty: error: log: give a catalog activity id, or --title for an outing outside "
        "the catalog, not both\n"
    )
    assert not db.exists()


def test_catalog_list_shows_at_most_limit_ideas() -> None:
    result = novelty("catalog", "list", "--limit", "2")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_a_catalog_option_its_action_ignores_is_refused() -> None:
    result = novelty("catalog", "stats", "--limit", "2")
    assert result.returncode == 2
    assert result.stderr == "novelty: error: catalog stats: --limit is for validate and list\n"


def test_a_named_database_in_a_missing_folder_is_refused_not_created(tmp_path: Path) -> None:
    db = tmp_path / "missing" / "h.sqlite3"
    result = novelty("log", *PROFILE, "wild-cave-tour", "--date", "2026-11-20", db=db)
    assert result.returncode == 2
    assert result.stderr == (
        f"novelty: error: NOVELTY_DB={db}: the folder {db.parent} does not exist; "
        "create it or name another file\n"
    )
    assert not db.parent.exists()


def test_the_default_database_folder_is_created(tmp_path: Path) -> None:
    env = {"NOVELTY_DB": "", "XDG_DATA_HOME": str(tmp_path / "data")}
    result = novelty("log", *PROFILE, "wild-cave-tour", "--date", "2026-11-20", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "novelty" / "history.sqlite3").is_file()


def _options(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of the parser and its subcommands."""
    found = set()
    for action in parser._actions:
        found.update(o for o in action.option_strings if o not in ("-h", "--help"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
    return found


def test_every_option_and_subcommand_is_documented_in_cli_md() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", text))
    assert _options(build_parser()) - documented == set()
    subcommands = re.search(r"\{([a-z,]+)\}", text)
    assert subcommands is not None
    for command in ("ideas", "batch", "log", "history", "catalog", "serve", "sources"):
        assert command in subcommands[1].split(","), command
        assert f"## `novelty {command}`" in text, command


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("history", "--plot", "x.png"), "history: --plot is for --report"),
        (("history", "--now", NOW), "history: --now is for --report"),
        (("history", "--again"), "history: --again is for --import"),
        (("log", "wild-cave-tour", "--tags", "caves"), "log: --category and --tags describe"),
    ],
)
def test_an_option_its_action_would_ignore_is_refused(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    db = tmp_path / "h.sqlite3"
    result = novelty(*args, *PROFILE, db=db)
    assert result.returncode == 2
    assert result.stderr.startswith(f"novelty: error: {said}")
    assert not db.exists()
