"""The one cache: named, bounded, thread-safe slots that a Recommender keeps between calls.

Every slot belongs to one prepared index (a Recommender makes its Memo with its index),
and its keys are the inputs of what it remembers, so a remembered value can never differ
from the one that would be worked out again. Keys must be hashable; callers give plain
tuples (a couple's outings as a tuple, however the couple was built).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
#: Marks a key not found (None may be a remembered value).
_MISSING: Any = object()


class Memo:
    """Named slots, each keeping up to its size of the most recently used values."""

    def __init__(self, sizes: Mapping[str, int]) -> None:
        self._sizes = dict(sizes)
        # Entries by the key's hash, each holding the key itself: a key is hashed once
        # (some keys, a history's outings, cost a hash per item) and compared on a hit.
        self._slots: dict[str, OrderedDict[int, tuple[Hashable, Any]]] = {
            name: OrderedDict() for name in sizes
        }
        self._lock = threading.Lock()

    def get(self, slot: str, key: Hashable, make: Callable[[], V]) -> V:
        """The value remembered in `slot` for `key`, made by `make()` on a miss.

        `make` runs outside the lock: two threads missing the same key both work it out,
        and the values are equal, so either may stay.
        """
        return self.get_many(slot, [key], lambda _: make())[0]

    def get_many(
        self,
        slot: str,
        keys: Sequence[K],
        make: Callable[[K], V],
        hashes: Sequence[int] | None = None,
    ) -> list[V]:
        """`get` for several keys at once, `make(key)` making each value missed. `hashes`
        are the keys' hashes when the caller knows them cheaper than `hash` would work
        them out: equal keys must have equal ones, every time the slot is asked."""
        store = self._slots[slot]
        hashes = list(map(hash, keys)) if hashes is None else list(hashes)
        found: list[Any] = []
        with self._lock:
            for key, at in zip(keys, hashes, strict=True):
                entry = store.get(at)
                if entry is not None and entry[0] == key:
                    store.move_to_end(at)
                    found.append(entry[1])
                else:
                    found.append(_MISSING)
        for i, value in enumerate(found):
            if value is _MISSING:
                made = found[i] = make(keys[i])
                with self._lock:
                    store[hashes[i]] = (keys[i], made)
                    while len(store) > self._sizes[slot]:
                        store.popitem(last=False)
        return found

    def __len__(self) -> int:
        return sum(len(store) for store in self._slots.values())

    def __reduce__(self) -> tuple[type[Memo], tuple[dict[str, int]]]:
        # A copy in another process (a Dask worker) starts empty: a lock cannot travel,
        # and what is remembered is cheap to work out again there.
        return Memo, (self._sizes,)
