"""`novelty batch`: couples from a JSON Lines file to a table file, a chunk at a time.

Each line is one Couple as JSON. A line that is not a couple is reported on stderr with its
number and skipped; a couple without a name is named `line N`. The table (see
`novelty.batch`) is written as JSON Lines, CSV or Parquet by the output file's suffix, to
a temporary file beside it that replaces it only when everything is written. Options that
would fail for every couple, and an output that cannot be written, are refused first.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from pydantic import ValidationError

from .batch import PARTNERS
from .errors import ArgumentError
from .models import Couple
from .pipeline.query import check_options
from .profile import describe_validation_error
from .recommender import Recommender

#: Output formats by suffix.
FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
}
#: Couples handed to Dask at once: the client holds only this many.
DASK_BLOCK = 20_000
#: The end of a couple's error row when it has more partners than the table has columns
#: for: the library's keyword, said here as this command's option.
_PARTNERS_HINT = re.compile(r"; pass partners=(\d+)$")


@dataclass
class Tally:
    """What a batch did, for its one-line summary."""

    couples: int = 0
    ideas: int = 0
    errors: int = 0
    bad_lines: list[int] = field(default_factory=list)


def read_couples(path: Path, tally: Tally, warn: Callable[[str], None]) -> Iterator[Couple]:
    """The couples of a JSON Lines file, in order; malformed lines are warned about and skipped."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ArgumentError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError(f"expected a JSON object, got {type(data).__name__}")
                data.setdefault("name", f"line {number}")
                couple = Couple.model_validate(data)
            except ValidationError as exc:
                tally.bad_lines.append(number)
                warn(f"{path}:{number}: {describe_validation_error(exc, prefix='couple')}")
            except ValueError as exc:
                tally.bad_lines.append(number)
                warn(f"{path}:{number}: not a JSON couple ({exc})")
            else:
                tally.couples += 1
                yield couple


class _Writer:
    """Appends frames of the table to one file in the format its suffix names."""

    def __init__(self, handle: IO[bytes], kind: str) -> None:
        self.handle, self.kind = handle, kind
        self.parquet: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.kind == "jsonl":
            text = frame.to_json(orient="records", lines=True, date_format="iso", date_unit="s")
            self.handle.write(text.encode("utf-8"))
            if text and not text.endswith("\n"):
                self.handle.write(b"\n")
        elif self.kind == "csv":
            self.handle.write(frame.to_csv(index=False, header=self.handle.tell() == 0).encode())
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(self.handle, table.schema)
            self.parquet.write_table(table.cast(self.parquet.schema))

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()


def _local_frames(
    recommender: Recommender, couples: Iterator[Couple], options: dict[str, Any]
) -> Iterator[pd.DataFrame]:
    yield from recommender.recommend_chunks(couples, **options)


def _dask_frames(
    recommender: Recommender,
    couples: Iterator[Couple],
    options: dict[str, Any],
    workers: int | None,
    scheduler: str | None,
) -> Iterator[pd.DataFrame]:
    """The table from a Dask cluster: a local one of `workers` processes, or `scheduler`'s."""
    try:
        import dask.bag as db
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ArgumentError(
            f"batch: --workers/--scheduler need the dask extra ({exc.name} is missing): "
            "pip install 'novelty[dask]'"
        ) from None
    from .dask import recommend_many

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = Client(cluster if cluster is not None else scheduler)
    try:
        parts = max(2 * len(client.scheduler_info()["workers"]), 1)
        block: list[Couple] = []
        done = False
        while not done:
            block.clear()
            for couple in couples:
                block.append(couple)
                if len(block) == DASK_BLOCK:
                    break
            else:
                done = True
            if block:
                bag = db.from_sequence(block, npartitions=min(parts, len(block)))
                frame = recommend_many(bag, recommender=recommender, **options)
                yield client.compute(frame).result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run(
    source: Path,
    out: Path,
    *,
    catalog: str | None,
    options: dict[str, Any],
    partners: int = PARTNERS,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Tally:
    """Recommend for every couple in `source` and write the table to `out`, with columns
    for up to `partners` partners; a summary and every malformed line go to stderr, a
    progress bar too when it is a terminal."""
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise ArgumentError(f"--out {out}: expected a name ending in {', '.join(FORMATS)}")
    if kind == "parquet":
        try:
            import pyarrow  # noqa: F401  (checked before any work is done)
        except ImportError:
            raise ArgumentError(
                "--out: Parquet needs pyarrow: pip install 'novelty[dask]'"
            ) from None
    began = time.perf_counter()
    options = {**options, "now": options.get("now") or dt.datetime.now(dt.UTC)}
    # Options every couple would fail on (a --when no timezone can use) are refused
    # before any work or output.
    check_options(**options)
    table = {**options, "partners": partners}
    handle, temporary = _open_beside(out)
    tally = Tally()
    bar = None
    try:
        bar = _progress(source)
        warn = bar.write if bar is not None else _stderr
        couples = read_couples(source, tally, warn)
        recommender = Recommender(catalog).prepare()
        frames = (
            _local_frames(recommender, couples, table)
            if workers is None and scheduler is None
            else _dask_frames(recommender, couples, table, workers, scheduler)
        )
        writer = _Writer(handle, kind)
        for frame in frames:
            good = frame["error"].isna()
            if not good.all():
                frame["error"] = frame["error"].str.replace(
                    _PARTNERS_HINT, r"; pass --partners \1", regex=True
                )
            writer.write(frame)
            tally.ideas += int(good.sum())
            tally.errors += int((~good).sum())
            if bar is not None:
                bar.update(tally.couples + len(tally.bad_lines) - bar.n)
        writer.close()
        handle.close()
        try:
            os.replace(temporary, out)
        except OSError as exc:
            raise _cannot_write(out, exc) from None
    except BaseException:
        handle.close()
        temporary.unlink(missing_ok=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - began
    bad = ", ".join(map(str, tally.bad_lines[:10])) + (" ..." if len(tally.bad_lines) > 10 else "")
    _stderr(
        f"novelty batch: {tally.couples:,} couples, {tally.ideas:,} ideas, "
        f"{tally.errors:,} errors, {len(tally.bad_lines):,} bad lines"
        + (f" ({bad})" if bad else "")
        + f", {seconds:.1f} s -> {out}"
    )
    return tally


def _open_beside(out: Path) -> tuple[IO[bytes], Path]:
    """A new file beside `out` to write the table to, made as any new file is (its mode
    from the umask: tempfile's would be 0600), and its path."""
    if out.is_dir():
        raise ArgumentError(f"--out {out}: cannot write (Is a directory)")
    temporary = out.parent / f".{out.name}.{secrets.token_hex(4)}"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    return os.fdopen(descriptor, "wb"), temporary


def _cannot_write(out: Path, exc: OSError) -> ArgumentError:
    return ArgumentError(f"--out {out}: cannot write ({exc.strerror or exc})")


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


def _progress(source: Path) -> Any:
    """A tqdm bar over the file's lines when stderr is a terminal and tqdm is installed."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    try:
        with source.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None  # reading the couples says why, in one line
    return tqdm(total=lines, unit="couple", file=sys.stderr)
