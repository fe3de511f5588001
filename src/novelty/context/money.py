"""Money across currencies: the European Central Bank's reference rates (shipped offline by
`currencyconverter`), a user's own rates over them, and prices in the couple's currency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from ..models import Activity, Budget
from ..money import money, money_range

#: A currency whose last ECB rate is this much older than the newest is treated as
#: having none (the ECB stops quoting some, e.g. the rouble in 2022).
STALE_AFTER: Final = dt.timedelta(days=14)


@dataclass(frozen=True)
class Rates:
    """Units of each currency per euro, the day the ECB's rates are from, and which
    currencies the user set."""

    per_euro: Mapping[str, float]
    date: dt.date | None
    own: frozenset[str] = frozenset()

    @classmethod
    def load(cls, own: Mapping[str, float]) -> Rates:
        """The ECB's latest rates under the user's `own` (loading them costs about 0.2 s)."""
        from currency_converter import CurrencyConverter  # heavy: only when currencies differ

        ecb = CurrencyConverter()
        newest = max(ecb.bounds[c].last_date for c in ecb.currencies)
        per_euro = {
            c: float(ecb.convert(1.0, "EUR", c, date=ecb.bounds[c].last_date))
            for c in sorted(ecb.currencies)
            if newest - ecb.bounds[c].last_date <= STALE_AFTER
        }
        return cls({**per_euro, **own}, newest, frozenset(own))

    def rate(self, source: str, target: str) -> float | None:
        """How many `target` one `source` is worth, or None without a rate for either."""
        if source == target:
            return 1.0
        if source not in self.per_euro or target not in self.per_euro:
            return None
        return self.per_euro[target] / self.per_euro[source]

    def stated(self, source: str, target: str) -> str:
        """Where a rate comes from, for a reason: 'your rate' or 'ECB rate of 30 Oct 2026'."""
        if {source, target} & self.own:
            return "your rate"
        return f"ECB rate of {self.date:%-d %b %Y}" if self.date else "ECB rate"


def budget_per_currency(
    budget: Budget, currencies: Sequence[str], rates: Rates | None
) -> np.ndarray:
    """The budget in each of `currencies` (NaN where there is no rate), one more entry
    (NaN) last for rows without a currency: a table the rows read by currency code."""
    amounts = np.full(len(currencies) + 1, np.nan)
    for i, currency in enumerate(currencies):
        rate = (
            1.0 if currency == budget.currency else rates and rates.rate(budget.currency, currency)
        )
        if rate:
            amounts[i] = budget.per_outing * rate
    return amounts


def approximate_price(activity: Activity, currency: str, rates: Rates) -> str | None:
    """An idea's price in `currency` as approximate words ('≈ £25–45 for the two of you,
    USD at the ECB rate of 30 Oct 2026'), or None without a price or a rate."""
    rate = rates.rate(activity.currency, currency)
    if rate is None or activity.cost_min is None:
        return None
    low, high = activity.cost_min * rate, activity.cost_max
    if high is None:
        text = f"From ≈ {money(round(low), currency)}"
    elif round(high * rate) == round(low):
        text = f"≈ {money(round(low), currency)}"
    else:
        text = f"≈ {money_range(round(low), round(high * rate), currency)}"
    stated = rates.stated(activity.currency, currency)
    return f"{text} for the two of you ({activity.currency} at {stated})"
