"""The prepared catalog kept on disk: a later start reads it instead of fitting the catalog.

One file per catalog content, library version and library code, in the user cache folder
(`NOVELTY_CACHE_DIR` overrides it). The file is a numpy `.npz` read with
`allow_pickle=False`, its names and texts one JSON document inside it: a cache file is
writable by the user, so loading it must never run code. A file that is missing,
truncated, garbage or from another key is ignored and written again; failing to write
one only costs the next start the time to fit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy
import scipy.sparse as sp

from ..files import bundled_data
from .item_index import ItemIndex, context_of, shared_cells
from .space import ItemSpace, canonicaliser, synonyms
from .vocabulary import Labels, Words

_log = logging.getLogger(__name__)

#: Where the cache files go instead of the user cache folder.
CACHE_DIR_VARIABLE = "NOVELTY_CACHE_DIR"
#: Bumped when the layout of a file changes.
_LAYOUT = 1
#: Shipped files whose content shapes a prepared catalog.
_DATA_FILES = ("synonyms.csv", "stop_words.txt", "conversation_starters.txt")


@dataclass(frozen=True)
class PreparedCatalog:
    """What preparing a catalog works out: its index, each tag's most common category
    (to place events' own categories), and the general conversation starters."""

    index: ItemIndex
    category_of_tag: dict[str, str]
    starters: tuple[str, ...]


def index_catalog(frame: pd.DataFrame, starters: tuple[str, ...]) -> PreparedCatalog:
    """Fit the item space to a candidates frame and index it."""
    space, matrix = ItemSpace.fit(frame)
    index = ItemIndex.build(frame, space, matrix, like=None)
    return PreparedCatalog(index, index.category_of_tags(), starters)


def cache_dir() -> Path:
    """The folder of the cache files: `NOVELTY_CACHE_DIR`, else the user cache folder."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir  # only when not configured: it costs ~20 ms

    return Path(user_cache_dir("novelty", appauthor=False))


def cache_key(catalog_text: str) -> str:
    """What a prepared catalog depends on, hashed: the catalog's content, the library's
    version and code (a checkout keeps its version while its code changes), the shipped
    files it reads, and the numeric libraries that round its numbers."""
    from .. import __version__

    digest = hashlib.sha256()
    for part in (_LAYOUT, __version__, np.__version__, pd.__version__, scipy.__version__):
        digest.update(f"{part}\n".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\n")
        digest.update(path.read_bytes())
    for name in _DATA_FILES:
        digest.update(bundled_data(name).read_bytes())
    digest.update(catalog_text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def load_or_build(catalog_text: str, build: Callable[[], PreparedCatalog]) -> PreparedCatalog:
    """The prepared catalog of `catalog_text` from its cache file, else `build()` written
    to the cache for the next start."""
    key = cache_key(catalog_text)
    file = cache_dir() / f"catalog-{key[:32]}.npz"
    found = _read(file, key)
    if found is not None:
        return found
    prepared = build()
    _write(file, key, prepared)
    return prepared


def _read(file: Path, key: str) -> PreparedCatalog | None:
    try:
        with np.load(file, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        about = json.loads(arrays.pop("about").tobytes().decode("utf-8"))
        if about["key"] != key:
            _log.info("%s: from another catalog or library version; preparing again", file)
            return None
        return _prepared(about, arrays)
    except FileNotFoundError:
        return None
    # Anything else means a damaged file (truncated, garbage, edited): the zip, npy and
    # JSON readers each raise their own errors, and none of them may stop a start.
    except Exception as exc:
        _log.warning("%s: unreadable cache file (%s); preparing the catalog again", file, exc)
        return None


def _write(file: Path, key: str, prepared: PreparedCatalog) -> None:
    """Write the cache file whole or not at all: into a temporary file next to it, then
    renamed over it, so a reader never sees half a file."""
    try:
        about, arrays = _parts(prepared)
        about["key"] = key
        encoded = json.dumps(about, ensure_ascii=False).encode("utf-8")
        arrays["about"] = np.frombuffer(encoded, dtype=np.uint8)
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=file.parent, suffix=".tmp", delete=False) as temp:
            np.savez(temp, allow_pickle=False, **arrays)
        os.replace(temp.name, file)
    except (OSError, TypeError, ValueError) as exc:  # TypeError, ValueError: not JSON
        _log.warning("cannot write the catalog cache %s (%s)", file, exc)
        if "temp" in locals():
            Path(temp.name).unlink(missing_ok=True)
    else:
        _log.debug("wrote the catalog cache %s", file)


def _parts(prepared: PreparedCatalog) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A prepared catalog as JSON-ready names and texts, and numeric arrays."""
    index, space = prepared.index, prepared.index.space
    arrays: dict[str, np.ndarray] = {
        "idf": space.words.idf_,
        "column_weights": space.column_weights,
        "starts_ns": index.starts_ns,
        "placed": index.placed,
        "dated": index.dated,
        "dated_ends": index.dated_ends,
        "norms": index.norms,
    }
    for prefix, matrix in (("matrix", index.matrix), ("labels", index.labels)):
        for part in ("data", "indices", "indptr"):
            arrays[f"{prefix}.{part}"] = getattr(matrix, part)
        arrays[f"{prefix}.shape"] = np.array(matrix.shape, dtype=np.int64)
    for group in ("codes", "numbers", "schedules"):
        for name, values in getattr(index, group).items():
            arrays[f"{group}.{name}"] = values
    cells: dict[str, dict[str, str]] = {}
    for name, values in index.cells.items():
        if isinstance(values, pd.arrays.DatetimeArray):
            times = pd.DatetimeIndex(values)
            arrays[f"cells.{name}"] = times.as_unit("ns").asi8
            cells[name] = {"kind": "times", "zone": str(times.tz), "unit": times.unit}
        elif values.dtype == object:
            cells[name] = {"kind": "list", "values": values.tolist()}
        else:
            arrays[f"cells.{name}"] = values
            cells[name] = {"kind": "array"}
    about = {
        "labels": sorted(space.labels.columns_, key=space.labels.columns_.__getitem__),
        "words": list(space.words.columns_),
        "max_words": space.words.max_words,
        "ids": _index_parts(index.ids),
        "values": {name: _index_parts(values) for name, values in index.values.items()},
        "codes": list(index.codes),
        "numbers": list(index.numbers),
        "schedules": list(index.schedules),
        "cells": cells,
        "category_of_tag": prepared.category_of_tag,
        "starters": list(prepared.starters),
    }
    return about, arrays


def _index_parts(index: pd.Index) -> dict[str, Any]:
    return {"dtype": str(index.dtype), "values": index.tolist()}


def _prepared(about: dict[str, Any], arrays: dict[str, np.ndarray]) -> PreparedCatalog:
    """The prepared catalog from a cache file's parts (see `_parts`)."""
    labels = Labels(canonicaliser(synonyms()))
    labels.columns_ = {label: i for i, label in enumerate(about["labels"])}
    words = Words(int(about["max_words"]))
    words.columns_ = {word: i for i, word in enumerate(about["words"])}
    words.idf_ = arrays["idf"]
    space = ItemSpace(labels, words, arrays["column_weights"])
    matrix, label_block = (
        kind(
            (arrays[f"{prefix}.data"], arrays[f"{prefix}.indices"], arrays[f"{prefix}.indptr"]),
            shape=tuple(arrays[f"{prefix}.shape"].tolist()),
        )
        for prefix, kind in (("matrix", sp.csr_matrix), ("labels", sp.csc_matrix))
    )
    cells: dict[str, Any] = {}
    for name, cell in about["cells"].items():
        if cell["kind"] == "times":
            utc = pd.DatetimeIndex(arrays[f"cells.{name}"].view("M8[ns]"), tz="UTC")
            cells[name] = utc.tz_convert(cell["zone"]).as_unit(cell["unit"]).array
        elif cell["kind"] == "list":
            cells[name] = np.array(cell["values"], dtype=object)
        else:
            cells[name] = arrays[f"cells.{name}"]
    values = {name: _index_of(parts) for name, parts in about["values"].items()}
    codes = {name: arrays[f"codes.{name}"] for name in about["codes"]}
    index = ItemIndex(
        space=space,
        ids=_index_of(about["ids"]),
        codes=codes,
        values=values,
        **context_of(values),
        numbers={name: arrays[f"numbers.{name}"] for name in about["numbers"]},
        starts_ns=arrays["starts_ns"],
        schedules={name: arrays[f"schedules.{name}"] for name in about["schedules"]},
        placed=arrays["placed"],
        dated=arrays["dated"],
        dated_ends=arrays["dated_ends"],
        matrix=matrix,
        norms=arrays["norms"],
        labels=label_block,
        cells=shared_cells(cells, codes, values),
    )
    return PreparedCatalog(index, dict(about["category_of_tag"]), tuple(about["starters"]))


def _index_of(parts: dict[str, Any]) -> pd.Index:
    index: pd.Index = pd.Index(parts["values"], dtype=parts["dtype"])
    return index
