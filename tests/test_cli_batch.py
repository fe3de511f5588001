"""`novelty batch`, run as a real subprocess: a JSON Lines file of couples to a table file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import novelty

from .conftest import EXAMPLE_PROFILE, FRIDAY_EVENING, ROOT

NOW = FRIDAY_EVENING.isoformat()
#: Lines (1-based) replaced by malformed ones.
BAD = (7, 150, 299)


def couples_file(path: Path, lines: int) -> Path:
    """`lines` couples (the example one under other names and budgets), three of them broken."""
    base = novelty.load_profile(EXAMPLE_PROFILE).model_dump(mode="json")
    with path.open("w", encoding="utf-8") as out:
        for number in range(1, lines + 1):
            if number in BAD:
                out.write(["{not json", "[1, 2]", '{"partners": []}'][BAD.index(number)] + "\n")
                continue
            couple = {**base, "name": f"couple {number}"}
            couple["budget"] = {**base["budget"], "per_outing": 20 + number % 150}
            out.write(json.dumps(couple) + "\n")
    return path


def add_three_partners(path: Path) -> Path:
    """Add a couple of three partners, named `three`, at the end of a couples file."""
    couple = novelty.load_profile(EXAMPLE_PROFILE).model_dump(mode="json")
    couple["partners"].append({**couple["partners"][0], "name": "Sam"})
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps({**couple, "name": "three"}) + "\n")
    return path


def batch(*args: str, timeout: float = 300, umask: int = -1) -> subprocess.CompletedProcess[str]:
    """Run `novelty batch` (as of NOW, 3 ideas each; later options win); umask -1 keeps ours."""
    return subprocess.run(
        [sys.executable, "-m", "novelty.cli", "batch", "--now", NOW, "-k", "3", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout, check=False, umask=umask,
    )  # fmt: skip


def test_bad_lines_are_reported_by_number_and_the_rest_is_written(tmp_path: Path) -> None:
    source = couples_file(tmp_path / "couples.jsonl", 300)
    result = batch(str(source), "--out", str(tmp_path / "ideas.jsonl"))
    assert result.returncode == 0, result.stderr
    for number in BAD:
        assert f"couples.jsonl:{number}:" in result.stderr
    table = pd.read_json(tmp_path / "ideas.jsonl", lines=True)
    assert len(table) == 297 * 3
    assert table["couple"].nunique() == 297
    summary = result.stderr.strip().splitlines()[-1]
    assert "297 couples, 891 ideas, 0 errors, 3 bad lines (7, 150, 299)" in summary
    # Piped: no progress bar.
    assert "\r" not in result.stderr


def test_rows_are_what_recommend_gives(tmp_path: Path) -> None:
    source = couples_file(tmp_path / "couples.jsonl", 10)
    result = batch(str(source), "--out", str(tmp_path / "ideas.csv"), "--seed", "3")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "ideas.csv")
    couple = novelty.Couple.model_validate_json(source.read_text().splitlines()[4])
    recs = novelty.recommend(couple, now=FRIDAY_EVENING, k=3, seed=3)
    rows = table[table["couple"] == "couple 5"]
    assert rows["id"].tolist() == [r.activity.id for r in recs]
    assert rows["score"].round(5).tolist() == [round(r.score, 5) for r in recs]


def test_partners_gives_a_couple_of_three_its_columns(tmp_path: Path) -> None:
    source = add_three_partners(couples_file(tmp_path / "couples.jsonl", 2))
    result = batch(str(source), "--out", str(tmp_path / "two.csv"))
    assert result.returncode == 0, result.stderr
    (error,) = pd.read_csv(tmp_path / "two.csv").query("couple == 'three'")["error"]
    assert error == "couple: 3 partners, but the table has columns for 2; pass --partners 3"
    result = batch(str(source), "--out", str(tmp_path / "three.csv"), "--partners", "3")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "three.csv")
    assert table.columns.tolist() == novelty.batch.columns(3)
    assert table["error"].isna().all()
    assert table.query("couple == 'three'")["fit_partner_3"].notna().sum() == 3


def test_parquet_holds_the_same_table_as_json_lines(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    source = couples_file(tmp_path / "couples.jsonl", 12)
    for name in ("ideas.parquet", "ideas.jsonl"):
        assert batch(str(source), "--out", str(tmp_path / name)).returncode == 0
    parquet = pd.read_parquet(tmp_path / "ideas.parquet")
    lines = pd.read_json(tmp_path / "ideas.jsonl", lines=True)
    assert parquet.columns.tolist() == novelty.batch.columns()
    assert parquet["id"].tolist() == lines["id"].tolist()


def test_an_unknown_output_suffix_is_one_line_and_exit_2(tmp_path: Path) -> None:
    source = couples_file(tmp_path / "couples.jsonl", 3)
    result = batch(str(source), "--out", str(tmp_path / "ideas.xlsx"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--out" in result.stderr
    assert not (tmp_path / "ideas.xlsx").exists()


@pytest.mark.parametrize(
    ("out", "why"),
    [("missing/ideas.csv", "No such file or directory"), ("a.csv", "Is a directory")],
)
def test_an_output_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path: Path, out: str, why: str
) -> None:
    source = couples_file(tmp_path / "couples.jsonl", 3)
    (tmp_path / "a.csv").mkdir()
    result = batch(str(source), "--out", str(tmp_path / out))
    assert result.returncode == 2
    assert result.stderr == f"novelty: error: --out {tmp_path / out}: cannot write ({why})\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "couples.jsonl"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--when", "nope"), "when: unknown value 'nope'"),
        # Over on the 27th in every timezone once it is the 28th (UTC) at 13:00.
        (("--when", "2026-11-27", "--now", "2026-11-28T13:00"), "that day is already over"),
    ],
)
def test_a_when_no_couple_can_use_is_refused_before_any_output(
    tmp_path: Path, option: tuple[str, ...], message: str
) -> None:
    source = couples_file(tmp_path / "couples.jsonl", 3)
    result = batch(str(source), "--out", str(tmp_path / "ideas.csv"), *option)
    assert result.returncode == 2
    assert result.stderr.startswith("novelty: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["couples.jsonl"]


def test_the_table_file_has_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    source = couples_file(tmp_path / "couples.jsonl", 2)
    result = batch(str(source), "--out", str(tmp_path / "ideas.csv"), umask=0o022)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ideas.csv").stat().st_mode & 0o777 == 0o644


def test_two_local_workers_write_the_same_rows(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    source = add_three_partners(couples_file(tmp_path / "couples.jsonl", 20))
    one = batch(str(source), "--out", str(tmp_path / "one.jsonl"), "--partners", "3")
    assert one.returncode == 0, one.stderr
    result = batch(
        str(source), "--out", str(tmp_path / "two.jsonl"), "--workers", "2", "--partners", "3"
    )
    assert result.returncode == 0, result.stderr
    assert "0 errors" in result.stderr
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("NOVELTY_SLOW"), reason="slow: set NOVELTY_SLOW=1")
def test_a_hundred_thousand_lines_with_three_bad_ones(tmp_path: Path) -> None:
    source = couples_file(tmp_path / "couples.jsonl", 100_000)
    result = batch(str(source), "--out", str(tmp_path / "ideas.csv"), timeout=3600)
    assert result.returncode == 0, result.stderr
    assert "3 bad lines (7, 150, 299)" in result.stderr
    with (tmp_path / "ideas.csv").open() as table:
        assert sum(1 for _ in table) == 1 + (100_000 - 3) * 3


def test_a_missing_couples_file_on_a_terminal_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # On a terminal the progress bar counts the lines first: that must not be what fails.
    main, other = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "novelty.cli", "batch", str(tmp_path / "missing.jsonl"),
             "--out", str(tmp_path / "o.csv"), "--now", NOW],
            stdout=subprocess.PIPE, stderr=other, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
        os.close(other)
        said = os.read(main, 65536).decode()
    finally:
        os.close(main)
    assert done.returncode == 2
    assert said.strip().splitlines() == [
        f"novelty: error: {tmp_path / 'missing.jsonl'}: cannot read (No such file or directory)"
    ]
    assert not list(tmp_path.iterdir())
