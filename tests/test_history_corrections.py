"""A correctable, hardened history: ids, remove/undo/update, no repeats or future dates,
exact tags, and malformed files refused by name without being touched (API and CLI)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from novelty import ArgumentError, HistoryError, HistoryStore, Outing
from novelty.history import SCHEMA_VERSION, export_outings, import_outings

from .conftest import EXAMPLE_PROFILE
from .test_cli import novelty

TODAY = dt.date(2026, 11, 27)
DAY = dt.date(2026, 11, 20)


def store_with(path: Path, *outings: Outing) -> HistoryStore:
    store = HistoryStore(path)
    store.add_many(outings, couple="us", today=TODAY)
    return store


def test_each_outing_has_an_id_and_can_be_removed(tmp_path: Path) -> None:
    store = store_with(
        tmp_path / "h.db", Outing(activity_id="a", date=DAY), Outing(title="Picnic", date=DAY)
    )
    logged = store.logged_outings(couple="us")
    assert [o.id for o in logged] == [1, 2]
    assert logged[0].logged_at.tzinfo is not None
    removed = store.remove(1, couple="us")
    assert removed.activity_id == "a"
    assert [o.title for o in store.outings(couple="us")] == ["Picnic"]
    with pytest.raises(HistoryError, match=r"h\.db: no outing 2 for couple 'them'"):
        store.remove(2, couple="them")  # another couple's outing is not theirs to delete


def test_undo_removes_the_last_logged_whatever_its_date(tmp_path: Path) -> None:
    store = store_with(tmp_path / "h.db", Outing(activity_id="late", date=DAY))
    store.add(
        Outing(activity_id="early", date=DAY - dt.timedelta(days=30)), couple="us", today=TODAY
    )
    assert store.undo(couple="us").activity_id == "early"
    assert store.undo(couple="us").activity_id == "late"
    with pytest.raises(HistoryError, match="no outings logged for couple 'us'"):
        store.undo(couple="us")


def test_update_changes_fields_with_the_same_checks(tmp_path: Path) -> None:
    store = store_with(
        tmp_path / "h.db", Outing(activity_id="a", date=DAY), Outing(activity_id="b", date=DAY)
    )
    updated = store.update(1, couple="us", rating=4, notes="rainy", today=TODAY)
    assert (updated.id, updated.rating, updated.notes) == (1, 4, "rainy")
    with pytest.raises(ArgumentError, match="rating"):
        store.update(1, couple="us", rating=9)
    with pytest.raises(ArgumentError, match="unknown field"):
        store.update(1, couple="us", colour="red")
    with pytest.raises(HistoryError, match="already logged"):
        store.update(1, couple="us", activity_id="b", today=TODAY)
    with pytest.raises(HistoryError, match="after today"):
        store.update(1, couple="us", date=TODAY + dt.timedelta(days=1), today=TODAY)
    assert store.logged_outings(couple="us")[0].activity_id == "a"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Outing(activity_id="a", date=DAY), Outing(activity_id="a", date=DAY, rating=2)),
        (Outing(title="Picnic", date=DAY), Outing(title="picnic", date=DAY)),
    ],
)
def test_the_same_outing_twice_a_day_needs_again(
    tmp_path: Path, first: Outing, second: Outing
) -> None:
    store = store_with(tmp_path / "h.db", first)
    with pytest.raises(HistoryError, match="already logged"):
        store.add(second, couple="us", today=TODAY)
    with pytest.raises(HistoryError, match="already logged"):
        store.add_many([Outing(title="x", date=DAY)] * 2, couple="us", today=TODAY)
    store.add(second, couple="us", again=True, today=TODAY)
    store.add(
        second.model_copy(update={"date": DAY - dt.timedelta(days=1)}), couple="us", today=TODAY
    )
    store.add(second, couple="them", today=TODAY)
    assert len(store.outings(couple="us")) == 3


def test_a_future_date_is_refused(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.db")
    store.add(Outing(title="tonight", date=TODAY), couple="us", today=TODAY)
    with pytest.raises(HistoryError, match=r"dated 2026-11-28, after today \(2026-11-27\)"):
        store.add(
            Outing(title="tomorrow", date=TODAY + dt.timedelta(days=1)), couple="us", today=TODAY
        )
    # By default a couple given by name is refused only once the date is in the future everywhere.
    with pytest.raises(HistoryError, match="after today"):
        store.add(Outing(title="later", date=dt.date.max), couple="us")
    assert len(store.outings(couple="us")) == 1


def test_a_date_before_1900_is_refused_on_add_and_update(tmp_path: Path) -> None:
    store = store_with(tmp_path / "h.db", Outing(title="Picnic", date=DAY))
    with pytest.raises(HistoryError, match=r"outing 'Ball' is dated 1899-12-31, out of range; "
                       r"expected a date in the years 1900 to 2199"):  # fmt: skip
        store.add(Outing(title="Ball", date=dt.date(1899, 12, 31)), couple="us", today=TODAY)
    with pytest.raises(HistoryError, match=r"outing 1 is dated 0001-01-01, out of range"):
        store.update(1, couple="us", date=dt.date(1, 1, 1), today=TODAY)
    assert store.outings(couple="us") == (Outing(title="Picnic", date=DAY),)


def test_tags_round_trip_exactly(tmp_path: Path) -> None:
    tags = ("rock;roll", "a,b", 'quote"s', "ünïcode")
    store = store_with(tmp_path / "h.db", Outing(title="Gig", tags=tags, date=DAY))
    assert store.outings(couple="us")[0].tags == tags


def v1_file(path: Path, tags: str = "music;outdoors") -> None:
    """A history as novelty wrote it before tags became JSON."""
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '1');
            CREATE TABLE outings (
                id INTEGER PRIMARY KEY AUTOINCREMENT, couple TEXT NOT NULL, activity_id TEXT,
                title TEXT, category TEXT, tags TEXT NOT NULL DEFAULT '', date TEXT NOT NULL,
                rating INTEGER CHECK (rating BETWEEN 1 AND 5), cost REAL CHECK (cost >= 0),
                notes TEXT NOT NULL DEFAULT '', logged_at TEXT NOT NULL);
            """
        )
        db.execute(
            "INSERT INTO outings (couple, title, tags, date, logged_at)"
            " VALUES ('us', 'Gig', ?, '2026-11-01', '2026-11-01T20:00:00+00:00')",
            (tags,),
        )


def test_a_version_1_file_is_read_as_is_and_migrated_on_the_first_write(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    v1_file(path)
    before = path.read_bytes()
    store = HistoryStore(path)
    assert store.outings(couple="us")[0].tags == ("music", "outdoors")
    assert path.read_bytes() == before  # reading does not migrate
    store.add(Outing(title="Quiz", tags=("a;b",), date=DAY), couple="us", today=TODAY)
    assert [o.tags for o in store.outings(couple="us")] == [("music", "outdoors"), ("a;b",)]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)
        assert db.execute("SELECT tags FROM outings WHERE id = 1").fetchone() == (
            '["music", "outdoors"]',
        )


def _sql(*statements: str) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        store_with(path, Outing(activity_id="a", date=DAY, tags=("x",)))
        with sqlite3.connect(path) as db:
            # Back to a rollback journal, so that a WAL switch would show in the file's bytes.
            db.execute("PRAGMA journal_mode=DELETE")
            for statement in statements:
                db.execute(statement)

    return spoil


def _text(path: Path) -> None:
    path.write_text("not a database, just some text " * 100)


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)")


MALFORMED = {
    "version 'abc'": (_sql("UPDATE meta SET value = 'abc'"), "schema_version 'abc' is not a whole"),
    "newer version": (_sql("UPDATE meta SET value = '99'"), "schema version 99 is newer"),
    "no version": (_sql("DELETE FROM meta"), "no schema_version"),
    "row dated 'garbage'": (
        _sql("UPDATE outings SET date = 'garbage'"),
        "outing 1 is malformed: date",
    ),
    "row with no id, no title": (
        _sql("UPDATE outings SET activity_id = NULL"),
        "outing 1 is malformed.*activity_id or a title",
    ),
    "row with tags not JSON": (
        _sql("UPDATE outings SET tags = 'x;y'"),
        "outing 1: tags: expected a JSON",
    ),
    "row with a cost as text": (
        _sql("UPDATE outings SET cost = 'lots'"),
        "outing 1 is malformed: cost",
    ),
    "a column missing": (
        _sql("ALTER TABLE outings DROP COLUMN notes"),
        "lacks column",
    ),
    "not a database": (_text, "file is not a database"),
    "another program's database": (_foreign, "not a novelty history database"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_is_refused_by_name_and_left_untouched(tmp_path: Path, case: str) -> None:
    spoil, message = MALFORMED[case]
    path = tmp_path / "h.db"
    spoil(path)
    before = path.read_bytes()
    store = HistoryStore(path, timeout=1)
    attempts: list[Callable[[], object]] = [
        lambda: store.outings(couple="us"),
        lambda: store.undo(couple="us"),
    ]
    if not case.startswith("row"):
        # A bad row is found when it is read; a bad file on any use.
        attempts.append(lambda: store.add(Outing(activity_id="b", date=DAY), couple="us"))
    for attempt in attempts:
        with pytest.raises(HistoryError, match=rf"^{tmp_path}/h\.db: .*{message}"):
            attempt()
    assert path.read_bytes() == before
    assert not (tmp_path / "h.db-wal").exists()


def test_a_directory_is_not_a_history(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="not a file"):
        HistoryStore(tmp_path).outings(couple="us")


def test_export_and_import_round_trip_as_csv_and_json(tmp_path: Path) -> None:
    store = store_with(
        tmp_path / "h.db",
        Outing(title="Gig", tags=("rock;roll", "live"), date=DAY, rating=5, cost=40.5, notes="a,b"),
        Outing(activity_id="thai-cooking-class", date=DAY - dt.timedelta(days=2)),
    )
    for name in ("out.csv", "out.json"):
        export_outings(store.logged_outings(couple="us"), tmp_path / name)
        assert import_outings(tmp_path / name) == list(store.outings(couple="us"))
    records = json.loads((tmp_path / "out.json").read_text())
    assert [r["id"] for r in records] == [2, 1]


def test_a_bad_import_file_names_the_file_and_the_outing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"title": "ok", "date": "2026-11-01"}, {"date": "2026-11-02"}]')
    with pytest.raises(HistoryError, match=r"bad\.json: outing 2: .*activity_id or a title"):
        import_outings(bad)
    (tmp_path / "bad.csv").write_text('title,date,tags\nx,2026-11-01,"[oops"\n')
    with pytest.raises(HistoryError, match=r"bad\.csv: outing 1: tags"):
        import_outings(tmp_path / "bad.csv")


# Through the command line, in a subprocess, with a real SQLite file.


def cli(db: Path, *args: str) -> tuple[int, str, str]:
    result = novelty(*args[:1], "--profile", str(EXAMPLE_PROFILE), *args[1:], db=db)
    return result.returncode, result.stdout, result.stderr


def test_the_cli_logs_lists_deletes_undoes_exports_and_imports(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    assert cli(db, "log", "thai-cooking-class", "--date", "2026-11-20", "--rating", "5")[0] == 0
    code, _, err = cli(db, "log", "thai-cooking-class", "--date", "2026-11-20")
    assert code == 2
    assert "already logged on 2026-11-20" in err
    assert len(err.splitlines()) == 1
    assert cli(db, "log", "thai-cooking-class", "--date", "2026-11-20", "--again")[0] == 0
    assert cli(db, "log", "--title", "Gig", "--tags", "rock;roll", "--date", "2026-11-21")[0] == 0
    code, _, err = cli(db, "log", "--title", "Later", "--date", "2199-01-01")
    assert code == 2
    assert "after today" in err

    code, out, _ = cli(db, "history")
    assert code == 0
    assert "    1  2026-11-20  *****  Hands-on Thai cooking class  (logged)" in out
    assert "    3  2026-11-21  -      Gig  (logged)" in out

    assert cli(db, "history", "--export", str(tmp_path / "all.csv"))[1].startswith("Exported 3")
    assert cli(db, "history", "--export", str(tmp_path / "all.json"))[0] == 0
    assert cli(db, "history", "--undo")[1] == "Deleted outing 3: 2026-11-21  Gig\n"
    assert cli(db, "history", "--delete", "1")[0] == 0
    code, _, err = cli(db, "history", "--delete", "1")
    assert code == 2
    assert "no outing 1" in err
    assert [o.id for o in HistoryStore(db).logged_outings(couple="maya-and-jordan")] == [2]

    code, _, err = cli(db, "history", "--import", str(tmp_path / "all.json"))
    assert code == 2
    assert "already logged" in err
    assert cli(db, "history", "--import", str(tmp_path / "all.csv"), "--again")[0] == 0
    outings = HistoryStore(db).outings(couple="maya-and-jordan")
    assert [o.activity_id or o.title for o in outings] == [
        "thai-cooking-class", "thai-cooking-class", "thai-cooking-class", "Gig"
    ]  # fmt: skip
    assert outings[-1].tags == ("rock;roll",)


def test_the_cli_refuses_to_import_an_outing_before_1900(tmp_path: Path) -> None:
    db, outings = tmp_path / "h.db", tmp_path / "old.json"
    outings.write_text('[{"title": "Ball", "date": "0001-01-01"}]')
    code, _, err = cli(db, "history", "--import", str(outings))
    assert code == 2
    assert err == (
        f"novelty: error: {db}: outing 'Ball' is dated 0001-01-01, out of range; "
        "expected a date in the years 1900 to 2199\n"
    )
    assert not db.exists()


def test_the_cli_refuses_a_malformed_file_in_one_line_and_leaves_it(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    _sql("UPDATE meta SET value = 'abc'")(db)
    before = db.read_bytes()
    for args in (
        ("history",),
        ("log", "--title", "X", "--date", "2026-11-01"),
        ("history", "--undo"),
    ):
        code, _, err = cli(db, *args)
        assert code == 2, err
        assert (
            err
            == f"novelty: error: {db}: schema_version 'abc' is not a whole number; expected 1..2\n"
        )
    assert db.read_bytes() == before
