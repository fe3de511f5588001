"""The one cache: named, bounded, thread-safe slots that a Recommender keeps between calls.

Every slot belongs to one prepared index (a Recommender makes its Memo with its index),
and its keys are the inputs of what it remembers, so a remembered value can never differ
from the one that would be worked out again. Keys must be hashable; callers give plain
tuples (a couple's outings as a tuple, however the couple was built).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

V = TypeVar("V")


class _Key:
    """A key hashed once: some keys (a history's outings) cost a hash per item."""

    __slots__ = ("hash", "value")

    def __init__(self, value: Hashable) -> None:
        self.value = value
        self.hash = hash(value)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self.hash == other.hash and self.value == other.value


class Memo:
    """Named slots, each keeping up to its size of the most recently used values."""

    def __init__(self, sizes: Mapping[str, int]) -> None:
        self._sizes = dict(sizes)
        self._slots: dict[str, OrderedDict[_Key, Any]] = {name: OrderedDict() for name in sizes}
        self._lock = threading.Lock()

    def get(self, slot: str, key: Hashable, make: Callable[[], V]) -> V:
        """The value remembered in `slot` for `key`, made by `make()` on a miss.

        `make` runs outside the lock: two threads missing the same key both work it out,
        and the values are equal, so either may stay.
        """
        store, wrapped = self._slots[slot], _Key(key)
        with self._lock:
            if wrapped in store:
                store.move_to_end(wrapped)
                value: V = store[wrapped]
                return value
        made = make()
        with self._lock:
            store[wrapped] = made
            while len(store) > self._sizes[slot]:
                store.popitem(last=False)
        return made

    def __len__(self) -> int:
        return sum(len(store) for store in self._slots.values())
