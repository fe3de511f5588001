"""Labels (tags, categories, interests, dislikes): one normaliser, and their names for people."""

from __future__ import annotations

import csv
import re
from functools import cache
from typing import Final

from .files import bundled_data

#: Anything that cannot be part of a label when a free text (an event's genre) becomes one.
_NOT_LABEL: Final = re.compile(r"[^a-z0-9]+")
#: Longest label kept from a free text.
MAX_LABEL: Final = 80


def normalise_label(text: str) -> str:
    """A label compared case- and spacing-insensitively: ' Live_Music ' -> 'live-music'."""
    return "-".join(text.strip().lower().replace("_", " ").split())


def label_from_text(text: str) -> str:
    """Free text as a label: lower-case kebab-case ascii, 'Arts & Theatre' ->
    'arts-theatre'; empty when nothing is left. Stricter than `normalise_label`, for
    words from feeds that were never meant as labels."""
    return _NOT_LABEL.sub("-", text.lower()).strip("-")[:MAX_LABEL].strip("-")


@cache
def display_names() -> dict[str, str]:
    """Each tag's and category's name as a person would say it (data/tags.csv)."""
    with bundled_data("tags.csv").open(encoding="utf-8", newline="") as handle:
        return {row["tag"]: row["display"] for row in csv.DictReader(handle)}


def display_label(label: str) -> str:
    """A label as a person would say it: 'food-drink' -> 'food and drink' (from
    data/tags.csv); a label not listed there reads with spaces for dashes."""
    return display_names().get(label) or label.replace("-", " ")
