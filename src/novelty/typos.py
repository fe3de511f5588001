"""Feedback on typos in a profile: history ids and interests that match nothing, with a guess."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from .models import Couple, Problem

#: How alike a known name must be to be offered as "did you mean" (difflib's ratio).
SIMILAR_ENOUGH = 0.75
#: The `source` of the problems found here.
SOURCE = "profile"


def _suggestion(word: str, known: Iterable[str]) -> str:
    # Names much longer or shorter cannot reach the cutoff; skipping them first keeps a
    # catalog of a million ids quick.
    near = [name for name in known if abs(len(name) - len(word)) <= len(word) // 3 + 1]
    close = difflib.get_close_matches(word, near, n=1, cutoff=SIMILAR_ENOUGH)
    return f"; did you mean {close[0]!r}?" if close else ""


def _problems(names: Iterable[str], complaint: str, known: frozenset[str]) -> list[Problem]:
    """One problem per distinct name: `complaint` is formatted with the quoted name."""
    return [
        Problem(source=SOURCE, message=complaint.format(repr(name)) + _suggestion(name, known))
        for name in dict.fromkeys(names)
    ]


def unknown_history_ids(couple: Couple, catalog_ids: Collection[str]) -> list[Problem]:
    """A problem for each distinct activity id in the profile's history that the catalog
    lacks, with the closest catalog id as a suggestion. `catalog_ids` may be a set or a
    pandas Index."""
    known = frozenset(catalog_ids)
    missing = (
        outing.activity_id
        for outing in couple.history
        if outing.activity_id and outing.activity_id not in known
    )
    return _problems(missing, "history id {} is not in the catalog", known)


def unmatched_interests(couple: Couple, labels: Collection[str]) -> list[Problem]:
    """A problem for each distinct interest of the partners that is not a known label or
    word (`labels`: tags, categories, synonyms, words of the catalog), with the closest
    one as a suggestion. An interest of several words matches when each word is known."""
    known = frozenset(labels)
    missing = (
        interest
        for partner in couple.partners
        for interest in partner.interests
        if interest not in known and not all(word in known for word in interest.split("-"))
    )
    return _problems(missing, "interest {} matches no catalog label", known)
