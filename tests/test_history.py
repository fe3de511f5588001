"""HistoryStore keeps every outing, per couple, transactionally, across processes."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import novelty
from novelty import HistoryError, HistoryStore, Outing

DAY = dt.date(2026, 11, 1)


def test_outings_come_back_per_couple_oldest_first(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(Outing(activity_id="b", date=DAY, rating=4), couple="us")
    store.add(Outing(title="Picnic", tags=["nature"], date=DAY - dt.timedelta(days=3)), couple="us")
    store.add(Outing(activity_id="c", date=DAY), couple="them")
    outings = store.outings(couple="us")
    assert [o.title or o.activity_id for o in outings] == ["Picnic", "b"]
    assert outings[0].tags == ("nature",)
    assert outings[1].rating == 4


def test_an_outing_may_be_given_as_a_dict_of_its_fields(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add({"title": "y", "date": "2026-10-19"}, couple="us", today=DAY)
    assert store.outings(couple="us") == (Outing(title="y", date=dt.date(2026, 10, 19)),)


def test_a_dict_that_is_not_an_outing_is_refused_naming_its_field(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    good, bad = {"title": "y", "date": "2026-10-01"}, {"title": "z", "date": "soon"}
    with pytest.raises(HistoryError, match=r"h\.sqlite3: outing 2: date: Input should be a valid"):
        store.add_many([good, bad], couple="us", today=DAY)
    assert not store.path.exists()


def test_a_missing_database_has_no_outings(tmp_path: Path) -> None:
    assert HistoryStore(tmp_path / "none.sqlite3").outings(couple="us") == ()
    assert not (tmp_path / "none.sqlite3").exists()


def test_add_many_is_all_or_nothing(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(Outing(activity_id="a", date=DAY), couple="us")
    bad = Outing.model_construct(activity_id="x", title=None, category=None, tags=(), date=DAY,
                                 rating=9, cost=None, notes="")  # fmt: skip
    with pytest.raises(HistoryError, match="CHECK constraint"):
        store.add_many([Outing(activity_id="ok", date=DAY), bad], couple="us")
    assert [o.activity_id for o in store.outings(couple="us")] == ["a"]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    HistoryStore(path).add(Outing(activity_id="a", date=DAY), couple="us")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(HistoryError, match="schema version 99 is newer"):
        HistoryStore(path).outings(couple="us")


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_text("not a database, just some text" * 100)
    with pytest.raises(HistoryError, match=r"h\.sqlite3"):
        HistoryStore(path).outings(couple="us")


WRITER = """
import datetime as dt, sys
from novelty import HistoryStore, Outing
store = HistoryStore(sys.argv[1])
for i in range(200):
    store.add(Outing(activity_id=f"{sys.argv[2]}-{i}", date=dt.date(2026, 1, 1)), couple="us")
"""


def test_two_processes_logging_200_outings_each_lose_none(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name]) for name in ("p", "q")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    ids = [o.activity_id for o in HistoryStore(path).outings(couple="us")]
    assert len(ids) == len(set(ids)) == 400


def test_logged_outings_join_the_profile_history(
    tmp_path: Path, couple: novelty.Couple, now: dt.datetime, recommender: novelty.Recommender
) -> None:
    first = recommender.recommend(couple, now=now, k=1)[0].activity.id
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(Outing(activity_id=first, date=now.date(), rating=5), couple=couple)
    again = recommender.recommend(couple, now=now, k=10, history=store)
    assert first not in [r.activity.id for r in again]
