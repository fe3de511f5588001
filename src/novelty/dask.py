"""`recommend_many` on Dask: a bag of couples in, a Dask DataFrame of the same table out.

Needs the `novelty[dask]` extra. The prepared Recommender travels as one `dask.delayed`
value that every partition's task depends on: it is a single key of the graph, so the
scheduler sends it to each worker once (the worker keeps it while its tasks need it),
not once per task, and the synchronous and threaded schedulers use it in place. That
works the same with the synchronous scheduler, a `LocalCluster` and any
`distributed.Client`, with no state to set up on the workers first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import batch
from .context.weather import Forecast
from .models import Budget
from .pipeline.query import CoupleLike, PlaceLike, check_options
from .recommender import Recommender, _shared
from .windows import When

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe

    from .sources import Source


def _partition(
    couples: Iterable[CoupleLike],
    earlier: Sequence[int],
    recommender: Recommender,
    options: dict[str, Any],
) -> pd.DataFrame:
    """The table of one partition; `earlier` are the sizes of the partitions before it
    (so a couple without a name is named by its position in the whole bag)."""
    chunks = recommender.recommend_chunks(couples, start=sum(earlier), **options)
    return pd.concat(chunks, ignore_index=True)


def recommend_many(
    couples: dask.bag.Bag,
    *,
    recommender: Recommender | None = None,
    when: When = "this weekend",
    k: int = 5,
    budget: Budget | float | None = None,
    near: PlaceLike | None = None,
    radius_km: float | None = None,
    sources: Sequence[Source] = (),
    now: dt.datetime | None = None,
    seed: int | None = None,
    strict: bool = False,
    history: Any = None,
    adventure: float | str | None = None,
    energy: str | None = None,
    setting: str | None = None,
    max_minutes: int | None = None,
    forecast: Forecast | str | None = None,
    partners: int = batch.PARTNERS,
) -> dask.dataframe.DataFrame:
    """`Recommender.recommend_many` over a bag of couples (Couples, dicts or JSON texts):
    one partition of the result per partition of the bag, same columns and rows, with the
    same keywords.

    `recommender` defaults to the shared one of the bundled catalog; it is prepared here,
    once, and sent to each worker once. `now` defaults to this call's clock, so every
    partition asks about the same moment.
    """
    import dask.dataframe as dd
    from dask.delayed import delayed

    ready = (recommender or _shared(None)).prepare()
    checked = {
        "when": when, "k": k, "budget": budget, "near": near, "radius_km": radius_km,
        "now": now or dt.datetime.now(dt.UTC), "seed": seed, "strict": strict,
        "history": history, "adventure": adventure, "energy": energy, "setting": setting,
        "max_minutes": max_minutes,
    }  # fmt: skip
    # Options every couple would fail on are refused here, not in each partition.
    check_options(**checked)
    options = {**checked, "sources": sources, "forecast": forecast, "partners": partners}
    shipped = delayed(ready, pure=True)
    parts = couples.to_delayed()
    sizes = [delayed(len, pure=True)(part) for part in parts]
    tables = [
        delayed(_partition, pure=True)(part, sizes[:i], shipped, options)
        for i, part in enumerate(parts)
    ]
    frame: dask.dataframe.DataFrame = dd.from_delayed(
        tables, meta=batch.empty(partners), verify_meta=False
    )
    return frame
