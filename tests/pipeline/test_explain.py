"""Stage 7, explain: reasons say only what the data supports."""

from __future__ import annotations

import datetime as dt

import numpy as np

import novelty
from novelty.catalog import row_to_activity
from novelty.pipeline import schedule
from novelty.pipeline.diversify import diversify
from novelty.pipeline.explain import explain, general_starters, newness_reason, when_reason

from .frames import days_ago, make_couple, make_query, scored, small_index


def _recommendations(couple: novelty.Couple) -> novelty.Recommendations:
    index = small_index()
    q = make_query(couple)
    c, allowed, s, past = scored(index, q)
    picks = diversify(c, s, novelty.Weights(), k=q.k, seed=q.seed)
    activities = [row_to_activity(c.catalog.cells, row) for row in s.rows[picks].tolist()]
    found = schedule.openings(index, q, None)
    placed = schedule.suggest(found, c, s.rows[picks], q.window.start)
    return explain(q, c, s, allowed, past, picks, activities, general_starters(), placed, found, [])


def test_every_idea_says_what_is_new_its_price_and_when() -> None:
    recs = _recommendations(make_couple())
    assert len(recs) == 3
    for rank, idea in enumerate(recs, start=1):
        assert idea.rank == rank
        # A category neither partner has done or named is a stretch, said in its own words.
        assert idea.reasons[0].startswith(("New to both of you", "New territory for both of you"))
        assert any("$" in r or r.startswith("Free") for r in idea.reasons)
        assert any(r.startswith("Suggested for") for r in idea.reasons)
        assert len(idea.conversation_starters) == 2
        assert idea.components["score"] == idea.score


def test_three_partners_are_all_of_you_never_both() -> None:
    couple = make_couple()
    # A third partner with no interest shared with the others: no idea touches all three.
    third = novelty.Partner(name="Cy", interests={"pottery": 1.0})
    trio = couple.model_copy(update={"partners": (*couple.partners, third)})
    recs = _recommendations(trio)
    said = " ".join(
        [*(r for idea in recs for r in idea.reasons), *(p.message for p in recs.problems)]
    )
    assert "both" not in said
    assert "all of you" in said


def test_an_idea_done_together_long_ago_says_so() -> None:
    q = make_query(make_couple())
    couple = make_couple(history=(novelty.Outing(activity_id="jazz-bar", date=days_ago(q, 500)),))
    jazz = next(r for r in _recommendations(couple) if r.activity.id == "jazz-bar")
    assert jazz.reasons[0].startswith("You have done this together before")


def test_a_shared_interest_is_named_as_shared() -> None:
    jazz = next(r for r in _recommendations(make_couple()) if r.activity.id == "jazz-bar")
    assert "your shared interest in live music" in " ".join(jazz.reasons)
    assert np.isclose(jazz.components["fit:Ana"], 0.85, atol=0.01)


def test_the_category_of_what_came_without_one_is_not_a_kind_of_thing() -> None:
    couple = make_couple()
    fresh = np.ones(2, dtype=np.float32)
    said = newness_reason(couple, fresh, done_together=False, category_new=True, category="other")
    assert said == "New to both of you."
    named = newness_reason(couple, fresh, done_together=False, category_new=True, category="dance")
    assert "dance" in named
    home = newness_reason(couple, fresh, done_together=False, category_new=True, category="at-home")
    assert home == "New territory for both of you: neither has done anything at home."


def test_an_events_times_are_said_as_a_person_would() -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("America/Chicago")
    saturday = dt.datetime(2026, 11, 28, tzinfo=tz)

    def said(start: dt.datetime, end: dt.datetime | None, go: dt.datetime) -> str:
        event = novelty.Activity(id="e", title="E", starts_at=start, ends_at=end)
        return when_reason(event, go, tz, None)

    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    assert said(saturday, saturday + day, saturday) == "All day Saturday 28 Nov."
    assert said(saturday, saturday + 2 * day, saturday) == "From Saturday 28 Nov to Sunday 29 Nov."
    assert said(saturday + 20 * hour, saturday + 22 * hour, saturday + 20 * hour) == (
        "On Saturday 28 Nov at 20:00."
    )
    assert said(saturday - 3 * day, saturday + 3 * day, saturday + 17 * hour) == (
        "Already on, until Monday 30 Nov: go Saturday 28 Nov at 17:00."
    )
