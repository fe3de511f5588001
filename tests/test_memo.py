"""The Memo: the one cache, bounded per slot, shared safely by threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from novelty.memo import Memo


def test_a_value_is_made_once_and_then_remembered() -> None:
    memo, made = Memo({"x": 4}), []
    for _ in range(3):
        assert memo.get("x", ("a", 1), lambda: made.append(1) or "value") == "value"
    assert made == [1]


def test_a_slot_forgets_its_least_recently_used_entry_past_its_size() -> None:
    memo = Memo({"x": 2})
    memo.get("x", 1, lambda: "one")
    memo.get("x", 2, lambda: "two")
    memo.get("x", 1, lambda: "again")
    memo.get("x", 3, lambda: "three")
    assert memo.get("x", 2, lambda: "made anew") == "made anew"
    assert len(memo) == 2


def test_none_is_a_value_that_can_be_remembered() -> None:
    memo, made = Memo({"x": 2}), []
    memo.get("x", "k", lambda: made.append(1))
    memo.get("x", "k", lambda: made.append(1))
    assert made == [1]


def test_slots_are_separate() -> None:
    memo = Memo({"a": 1, "b": 1})
    memo.get("a", 1, lambda: "in a")
    assert memo.get("b", 1, lambda: "in b") == "in b"


def test_get_many_makes_only_what_is_missing_in_order() -> None:
    memo, made = Memo({"x": 8}), []

    def make(key: int) -> int:
        made.append(key)
        return key * 10

    assert memo.get_many("x", [1, 2], make) == [10, 20]
    assert memo.get_many("x", [2, 3, 1], make) == [20, 30, 10]
    assert made == [1, 2, 3]


def test_given_hashes_find_equal_keys_and_still_tell_unequal_ones_apart() -> None:
    memo = Memo({"x": 8})
    memo.get_many("x", [("a", 1)], lambda key: "first", hashes=[7])
    assert memo.get_many("x", [("a", 1)], lambda key: "again", hashes=[7]) == ["first"]
    # Another key under the same hash is compared, not taken for the first.
    assert memo.get_many("x", [("b", 2)], lambda key: "second", hashes=[7]) == ["second"]


def test_threads_share_a_memo_without_losing_its_bound() -> None:
    memo = Memo({"x": 16})
    start = threading.Barrier(8)

    def work(n: int) -> list[int]:
        start.wait()
        return [memo.get("x", i % 40, lambda i=i: i % 40) for i in range(n, n + 400)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert all(r == [i % 40 for i in range(n, n + 400)] for n, r in enumerate(results))
    assert len(memo) <= 16
