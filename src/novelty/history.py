"""HistoryStore: the outings a couple logged, kept in a SQLite file (stdlib sqlite3)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import HistoryError
from .models import Couple, Outing

#: Version of the table layout; a newer file is refused rather than misread.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    couple      TEXT NOT NULL,
    activity_id TEXT,
    title       TEXT,
    category    TEXT,
    tags        TEXT NOT NULL DEFAULT '',
    date        TEXT NOT NULL,
    rating      INTEGER CHECK (rating BETWEEN 1 AND 5),
    cost        REAL CHECK (cost >= 0),
    notes       TEXT NOT NULL DEFAULT '',
    logged_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outings_by_couple ON outings (couple, date);
"""


def _key(couple: Couple | str) -> str:
    return couple.name if isinstance(couple, Couple) else couple


class HistoryStore:
    """Outings per couple in one SQLite file; every write is one transaction.

    Safe with several processes writing at once: writers wait (up to `timeout` seconds)
    for each other instead of failing, and WAL mode lets readers carry on meanwhile.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.timeout = timeout

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        if not write and not self.path.exists():
            raise HistoryError(f"{self.path}: no such history database")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"{self.path}: cannot open the history database ({exc})") from None
        try:
            self._use_wal(connection)
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            self._check_schema(connection)
            yield connection
            connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise HistoryError(f"{self.path}: {exc}") from None
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """Put the database in WAL mode (a lasting property of the file, so only its first
        opening converts it). The conversion needs the file to itself and SQLite does not
        wait for that as it waits for locks: when two processes create the database at
        once, one is refused at once ("database is locked"). Retry until `timeout`."""
        deadline = time.monotonic() + self.timeout
        while connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            if time.monotonic() > deadline:
                return  # still correct in the old mode, writers just block readers
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            time.sleep(0.01)

    def _check_schema(self, connection: sqlite3.Connection) -> None:
        # executescript() would commit the open transaction, so run the statements one by one.
        for statement in filter(str.strip, _SCHEMA.split(";")):
            connection.execute(statement)
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: schema version {row[0]} is newer than this novelty "
                f"understands ({SCHEMA_VERSION}); upgrade novelty"
            )

    def add(self, outing: Outing, *, couple: Couple | str) -> int:
        """Record one outing for a couple; returns its row id."""
        return self.add_many([outing], couple=couple)[0]

    def add_many(self, outings: Iterable[Outing], *, couple: Couple | str) -> list[int]:
        """Record several outings in one transaction: all of them or none."""
        outings = list(outings)
        logged = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect(write=True) as connection:
            return [
                int(
                    connection.execute(
                        "INSERT INTO outings (couple, activity_id, title, category, tags, date,"
                        " rating, cost, notes, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            _key(couple),
                            o.activity_id,
                            o.title,
                            o.category,
                            ";".join(o.tags),
                            o.date.isoformat(),
                            o.rating,
                            o.cost,
                            o.notes,
                            logged,
                        ),
                    ).lastrowid
                    or 0
                )
                for o in outings
            ]

    def outings(self, *, couple: Couple | str) -> tuple[Outing, ...]:
        """The couple's outings, oldest first; none if the database does not exist yet."""
        if not self.path.exists():
            return ()
        with self._connect(write=False) as connection:
            rows = connection.execute(
                "SELECT activity_id, title, category, tags, date, rating, cost, notes"
                " FROM outings WHERE couple = ? ORDER BY date, id",
                (_key(couple),),
            ).fetchall()
        return tuple(
            Outing(
                activity_id=a,
                title=t,
                category=c,
                tags=tags,
                date=dt.date.fromisoformat(d),
                rating=r,
                cost=cost,
                notes=notes,
            )
            for a, t, c, tags, d, r, cost, notes in rows
        )
