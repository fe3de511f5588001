"""Amounts of money as text: '$40', '€12.50', '40 CHF', and an idea's price for two."""

from __future__ import annotations

from .models import Activity

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}


def money(amount: float, currency: str) -> str:
    """'$40', '€12.50' or '40 CHF'."""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def money_range(low: float, high: float, currency: str) -> str:
    """'$25–45' or '25–45 CHF': one symbol for both ends."""
    symbol = _SYMBOLS.get(currency)
    if symbol:
        return f"{money(low, currency)}–{money(high, currency).removeprefix(symbol)}"
    return f"{money(low, currency).removesuffix(' ' + currency)}–{money(high, currency)}"


def price_phrase(activity: Activity) -> str:
    """The idea's price for two as words: free, about $X, or $X–Y."""
    low, high, currency = activity.cost_min, activity.cost_max, activity.currency
    if low is None:
        return "Price not listed; check before you go"
    if high is None:
        return f"From {money(low, currency)} for the two of you"
    if high == 0:
        return "Free"
    if low == high:
        return f"About {money(low, currency)} for the two of you"
    return f"{money_range(low, high, currency)} for the two of you"
