"""HistoryStore and the export helpers refuse bad arguments by name and write nothing."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from novelty import ArgumentError, Couple, HistoryError, HistoryStore, NoveltyError, Outing
from novelty.history import export_outings, import_outings

DAY = dt.date(2026, 11, 1)
PICNIC = Outing(title="Picnic", date=DAY)

#: A call on a store holding one outing (id `n`) of couple "us": the call, the error it
#: must raise and a pattern its message must match.
Call = Callable[[HistoryStore, int], object]

BAD_CALLS: list[Any] = [
    pytest.param(lambda s, n: s.add(PICNIC, couple=5), ArgumentError, "^couple: .* got 5$",
                 id="add-couple-int"),
    pytest.param(lambda s, n: s.add(PICNIC, couple=""), ArgumentError, "^couple: .* got ''$",
                 id="add-couple-empty"),
    pytest.param(lambda s, n: s.add(PICNIC, couple="  "), ArgumentError, "^couple: ",
                 id="add-couple-blank"),
    pytest.param(lambda s, n: s.add(PICNIC, couple="\ud800"), ArgumentError,
                 "^couple: .*surrogate", id="add-couple-surrogate"),
    pytest.param(lambda s, n: s.add_many([PICNIC], couple=None), ArgumentError, "^couple: ",
                 id="add_many-couple-none"),
    pytest.param(lambda s, n: s.outings(couple=None), ArgumentError, "^couple: .* got None$",
                 id="outings-couple-none"),
    pytest.param(lambda s, n: s.logged_outings(couple=["us"]), ArgumentError, "^couple: ",
                 id="logged_outings-couple-list"),
    pytest.param(lambda s, n: s.remove(n, couple=b"us"), ArgumentError, "^couple: ",
                 id="remove-couple-bytes"),
    pytest.param(lambda s, n: s.undo(couple=None), ArgumentError, "^couple: ",
                 id="undo-couple-none"),
    pytest.param(lambda s, n: s.update(n, couple=0, rating=3), ArgumentError, "^couple: ",
                 id="update-couple-int"),
    pytest.param(lambda s, n: s.add(None, couple="us"), ArgumentError, "^outing: .* got None$",
                 id="add-outing-none"),
    pytest.param(lambda s, n: s.add_many(None, couple="us"), ArgumentError,
                 "^outings: .* got None$", id="add_many-none"),
    pytest.param(lambda s, n: s.add_many(7, couple="us"), ArgumentError, "^outings: ",
                 id="add_many-int"),
    pytest.param(lambda s, n: s.add_many(PICNIC, couple="us"), ArgumentError, "^outings: ",
                 id="add_many-one-outing"),
    pytest.param(lambda s, n: s.add_many({"title": "x", "date": "2026-10-01"}, couple="us"),
                 ArgumentError, "^outings: ", id="add_many-one-dict"),
    pytest.param(lambda s, n: s.add_many([PICNIC.model_copy(update={"title": "y"}), None],
                                         couple="us"),
                 ArgumentError, "^outings: item 2: .* got None$", id="add_many-item-none"),
    pytest.param(lambda s, n: s.add(PICNIC, couple="them", again="no"), ArgumentError,
                 "^again: .* got 'no'$", id="add-again-str"),
    pytest.param(lambda s, n: s.add(PICNIC, couple="them", today="2026-11-01"), ArgumentError,
                 "^today: ", id="add-today-str"),
    pytest.param(lambda s, n: s.add(PICNIC, couple="them", today=dt.datetime(2026, 11, 2)),
                 ArgumentError, "^today: ", id="add-today-datetime"),
    pytest.param(lambda s, n: s.remove(10**30, couple="us"), HistoryError,
                 f": no outing {10**30} for couple 'us'$", id="remove-id-huge"),
    pytest.param(lambda s, n: s.remove(-(2**63) - 1, couple="us"), HistoryError,
                 ": no outing -9223372036854775809 ", id="remove-id-below-int64"),
    pytest.param(lambda s, n: s.remove(str(n), couple="us"), ArgumentError,
                 "^outing_id: .* got '1'$", id="remove-id-str"),
    pytest.param(lambda s, n: s.remove(True, couple="us"), ArgumentError, "^outing_id: ",
                 id="remove-id-bool"),
    pytest.param(lambda s, n: s.remove(1.0, couple="us"), ArgumentError, "^outing_id: ",
                 id="remove-id-float"),
    pytest.param(lambda s, n: s.update(10**30, couple="us", rating=3), HistoryError,
                 ": no outing 10+ for couple", id="update-id-huge"),
    pytest.param(lambda s, n: s.update(None, couple="us", rating=3), ArgumentError,
                 "^outing_id: ", id="update-id-none"),
    pytest.param(lambda s, n: s.update(n, couple="us", again=1, notes="x"), ArgumentError,
                 "^again: ", id="update-again-int"),
    pytest.param(lambda s, n: s.update(n, couple="us", today=dt.datetime(2026, 11, 2),
                                       notes="x"),
                 ArgumentError, "^today: ", id="update-today-datetime"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "message"), BAD_CALLS)
def test_a_bad_argument_is_refused_by_name_and_nothing_is_written(
    tmp_path: Path, call: Call, error: type[NoveltyError], message: str
) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    outing_id = store.add(PICNIC, couple="us")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(error, match=message) as raised:
        call(store, outing_id)
    assert type(raised.value) is error
    assert "\n" not in str(raised.value)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize(
    ("path", "timeout", "message"),
    [
        (None, 30.0, "^path: .* got None$"),
        (5, 30.0, "^path: .* got 5$"),
        ("", 30.0, "^path: .* got ''$"),
        (b"h.sqlite3", 30.0, "^path: "),
        ("h\0.sqlite3", 30.0, "^path: .*NUL"),
        ("h.sqlite3", "x", "^timeout: .* got 'x'$"),
        ("h.sqlite3", None, "^timeout: "),
        ("h.sqlite3", 0, "^timeout: .* got 0$"),
        ("h.sqlite3", -1.5, "^timeout: "),
        ("h.sqlite3", math.nan, "^timeout: "),
        ("h.sqlite3", math.inf, "^timeout: "),
        ("h.sqlite3", True, "^timeout: "),
    ],
)
def test_a_store_is_made_only_from_a_path_and_a_positive_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: object, timeout: object, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ArgumentError, match=message):
        HistoryStore(path, timeout=timeout)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_the_documented_forms_of_each_argument_keep_working(tmp_path: Path, couple: Couple) -> None:
    assert couple.name == "maya-and-jordan"
    store = HistoryStore(str(tmp_path / "h.sqlite3"), timeout=5)
    assert store.path == tmp_path / "h.sqlite3"
    assert store.timeout == 5.0
    first = store.add(PICNIC, couple=couple, today=DAY)
    store.add({"title": "Walk", "date": "2026-10-30"}, couple="maya-and-jordan", again=True)
    assert [o.title for o in HistoryStore(tmp_path / "h.sqlite3").outings(couple=couple)] == [
        "Walk",
        "Picnic",
    ]
    # An id read from a DataFrame of logged outings is a numpy integer.
    assert store.update(np.int64(first), couple=couple, rating=5).rating == 5
    assert store.remove(np.int64(first), couple="maya-and-jordan").title == "Picnic"


def test_removing_or_undoing_in_a_missing_database_does_not_create_it(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    with pytest.raises(HistoryError, match=r"no outing 1 for couple 'us'$"):
        store.remove(1, couple="us")
    with pytest.raises(HistoryError, match=r"no outing 1 for couple 'us'$"):
        store.update(1, couple="us", rating=4)
    with pytest.raises(HistoryError, match=r"no outings logged for couple 'us'$"):
        store.undo(couple="us")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("outings", "path", "message"),
    [
        (None, "out.json", "^outings: .* got None$"),
        ("logged", "out.csv", "^outings: "),  # one LoggedOuting, not a list of them
        ([PICNIC], "out.json", "^outings: item 1: expected a LoggedOuting"),
        ([], None, "^path: .* got None$"),
        ([], 3, "^path: "),
    ],
)
def test_export_refuses_bad_arguments_before_writing(
    tmp_path: Path, outings: object, path: object, message: str
) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(PICNIC, couple="us")
    if outings == "logged":
        outings = store.logged_outings(couple="us")[0]
    target = tmp_path / path if isinstance(path, str) else path
    with pytest.raises(ArgumentError, match=message):
        export_outings(outings, target)  # type: ignore[arg-type]
    assert [p.name for p in tmp_path.iterdir()] == ["h.sqlite3"]


@pytest.mark.parametrize("path", [None, 5, "", "a\0b.json"])
def test_import_refuses_what_is_not_a_path(path: object) -> None:
    with pytest.raises(ArgumentError, match=r"^path: "):
        import_outings(path)  # type: ignore[arg-type]
