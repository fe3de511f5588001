"""Feedback on typos in a profile: history ids and interests that match nothing, with a guess."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from .errors import ProfileError
from .models import Problem

if TYPE_CHECKING:
    from .index.item_index import ItemIndex

#: How alike a known name must be to be offered as "did you mean" (difflib's ratio).
SIMILAR_ENOUGH = 0.75
#: The `source` of the problems found here.
SOURCE = "profile"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """ "; did you mean 'NAME'?" for the name of `known` most like `word`, or "" if none is
    alike enough."""
    # Names much longer or shorter cannot reach the cutoff; skipping them first keeps a
    # catalog of a million ids quick.
    # The word itself is no suggestion (a label no idea carries yet is still known).
    near = [
        name for name in known if name != word and abs(len(name) - len(word)) <= len(word) // 3 + 1
    ]
    close = difflib.get_close_matches(word, near, n=1, cutoff=SIMILAR_ENOUGH)
    return f"; did you mean {close[0]!r}?" if close else ""


def _problems(names: Iterable[str], complaint: str, known: frozenset[str]) -> list[Problem]:
    """One problem per distinct name: `complaint` is formatted with the quoted name."""
    return [
        Problem(source=SOURCE, message=complaint.format(repr(name)) + did_you_mean(name, known))
        for name in dict.fromkeys(names)
    ]


def unknown_history_ids(ids: Iterable[str], catalog_ids: Collection[str]) -> list[Problem]:
    """A problem for each distinct history id of `ids` (ids the catalog lacks), with the
    closest of `catalog_ids` (a set or a pandas Index) as a suggestion."""
    return _problems(sorted(ids), "history id {} is not in the catalog", frozenset(catalog_ids))


def unmatched_interests(interests: Iterable[str], labels: Collection[str]) -> list[Problem]:
    """A problem for each distinct interest of `interests` (interests that match no idea),
    with the closest of `labels` (the catalog's tags and categories) as a suggestion."""
    return _problems(interests, "interest {} matches no catalog label", frozenset(labels))


def profile_typos(
    catalog: ItemIndex, unknown_ids: Iterable[str], unmatched: Iterable[str], *, strict: bool
) -> list[Problem]:
    """The problems of a call's history ids the catalog lacks and interests that match no
    idea; with `strict`, a ProfileError that lists them instead."""
    found = [
        *unknown_history_ids(unknown_ids, catalog.ids),
        *unmatched_interests(unmatched, catalog.space.labels.columns_),
    ]
    if strict and found:
        raise ProfileError("; ".join(problem.message for problem in found))
    return found
