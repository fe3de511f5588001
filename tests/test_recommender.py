"""recommend(): hard limits always hold, results are explained truthfully and reproducibly."""

from __future__ import annotations

import datetime as dt
import pickle
import re
from pathlib import Path
from typing import Any

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import novelty
from novelty.config import MAX_WEIGHT
from novelty.files import bundled_data
from novelty.index.space import canonicaliser, synonyms
from novelty.pipeline.schedule import season_bits
from novelty.sources import ICalSource
from novelty.windows import resolve_window

from .strategies import couples, nows

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


canonical = canonicaliser(synonyms())


def dislike_hits(activity: novelty.Activity, couple: novelty.Couple) -> set[str]:
    labels = {canonical(t) for t in (*activity.tags, activity.category)} | {activity.id}
    return labels & {canonical(d) for p in couple.partners for d in p.dislikes}


@PROPERTY
@given(couple=couples(), now=nows(), seed=st.integers(0, 2**31), k=st.integers(1, 12))
def test_hard_limits_always_hold(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime, seed: int, k: int
) -> None:
    recs = recommender.recommend(couple, now=now, seed=seed, k=k)
    window = resolve_window("this weekend", now=now, tz=couple.timezone)
    ids = [r.activity.id for r in recs]
    assert len(ids) == len(set(ids)) <= k
    recent = {
        o.activity_id
        for o in couple.history
        if (now.astimezone(couple.timezone).date() - o.date).days <= 90
    }
    for idea in recs:
        a = idea.activity
        if couple.budget is not None:
            assert a.cost_min is not None
            assert a.cost_min <= couple.budget.per_outing + 1e-9
        assert window.start <= idea.starts_at < idea.ends_at <= window.end
        local_day = idea.starts_at.astimezone(couple.timezone).date()
        bit = int(season_bits([local_day], southern=couple.home.lat < 0)[0])
        assert not a.seasons or any(novelty.catalog.SEASON_BITS[s] == bit for s in a.seasons), (
            a.seasons,
            local_day,
        )
        assert not dislike_hits(a, couple)
        assert a.id not in recent
        assert all(
            0.0 <= v <= 1.0 + 1e-6 for k_, v in idea.components.items() if k_ != "familiarity"
        )
        assert idea.components["familiarity"] >= 0


@PROPERTY
@given(couple=couples(), now=nows(), seed=st.integers(0, 2**31))
def test_same_inputs_and_seed_give_the_same_list(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime, seed: int
) -> None:
    first = recommender.recommend(couple, now=now, seed=seed, k=5)
    again = novelty.Recommender().recommend(couple, now=now, seed=seed, k=5)
    assert [r.activity.id for r in first] == [r.activity.id for r in again]
    assert [r.score for r in first] == [r.score for r in again]


def test_k_distinct_ideas_when_enough_are_eligible(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    recs = recommender.recommend(couple, now=now, k=10)
    assert len({r.activity.id for r in recs}) == 10


def test_fewer_ideas_when_few_are_eligible(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    recs = recommender.recommend(couple, now=now, k=400, budget=0)
    assert 0 < len(recs) < 400
    assert all(r.activity.cost_min == 0 for r in recs)


def test_each_partner_finds_an_idea_matching_their_interests(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    recs = recommender.recommend(couple, now=now, k=5)
    for partner in couple.partners:
        assert any(r.components[f"fit:{partner.name}"] >= 0.5 for r in recs), partner.name


def test_reasons_quote_the_real_price(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    for idea in recommender.recommend(couple, now=now, k=10):
        a = idea.activity
        text = " ".join(idea.reasons)
        if a.cost_max == 0:
            assert "Free." in idea.reasons
            continue
        price = re.search(r"\$([\d,.]+)(?:–([\d,.]+))? for the two of you", text)
        assert price is not None, text
        low = float(price.group(1).replace(",", ""))
        high = float((price.group(2) or price.group(1)).replace(",", ""))
        assert (low, high) == (a.cost_min, a.cost_max)


def test_new_to_both_only_when_neither_did_it(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    done = {o.activity_id for o in couple.history}
    recs = recommender.recommend(couple, now=now, k=10)
    claimed = [r for r in recs if "New to both of you" in " ".join(r.reasons)]
    assert claimed
    for idea in claimed:
        a = idea.activity
        assert a.id not in done
        for partner in couple.partners:
            assert a.id not in partner.tried
            assert not ({*a.tags, a.category} & set(partner.tried))


def test_a_partner_who_tried_it_alone_is_named() -> None:
    couple = novelty.Couple(
        partners=(
            novelty.Partner(
                name="Ana", interests={"pottery": 2}, tried=("pottery-wheel-date-night",)
            ),
            novelty.Partner(name="Ben", interests={"pottery": 2}),
        ),
        home=novelty.Location(lat=40.7, lon=-74.0, timezone="America/New_York"),
    )
    now = dt.datetime(2026, 11, 27, 20, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, now=now, k=10)
    pottery = [r for r in recs if r.activity.id == "pottery-wheel-date-night"]
    assert pottery, [r.activity.id for r in recs]
    assert pottery[0].reasons[0].startswith("New to Ben; Ana has done it before")


def test_a_budget_argument_overrides_the_profile(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    recs = recommender.recommend(couple, now=now, k=10, budget=15)
    assert all((r.activity.cost_min or 0) <= 15 for r in recs)


def test_a_negative_budget_argument_is_refused(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    with pytest.raises(novelty.BudgetError, match="budget"):
        recommender.recommend(couple, now=now, budget=-1)


def test_a_budget_in_another_currency_converts_prices_and_states_the_rate(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    recs = recommender.recommend(
        couple, now=now, budget=novelty.Budget(per_outing=50, currency="EUR")
    )
    assert len(recs) == 5
    priced = [r for idea in recs for r in idea.reasons if "≈ €" in r]
    assert priced
    assert all("ECB rate of" in r for r in priced)


def test_a_currency_without_a_rate_is_left_out_and_the_problem_says_why(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    recs = recommender.recommend(
        couple, now=now, budget=novelty.Budget(per_outing=50, currency="XYZ")
    )
    assert len(recs) == 0
    assert any("no exchange rate" in p.message for p in recs.problems)


def test_a_users_own_rate_replaces_the_ecbs(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    # 1 EUR = 1 USD = 1 XYZ: a budget of 80 XYZ is the profile's $80.
    own = novelty.Budget(per_outing=80, currency="XYZ", rates={"USD": 1.0, "XYZ": 1.0, "EUR": 1.0})
    recs = recommender.recommend(couple, now=now, budget=own)
    usd = recommender.recommend(couple, now=now)
    assert [i.activity.id for i in recs] == [i.activity.id for i in usd]
    assert all("your rate" in " ".join(i.reasons) for i in recs if i.activity.cost_max)


def test_to_frame_has_one_row_per_idea_with_components(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    frame = recommender.recommend(couple, now=now, k=5).to_frame()
    assert len(frame) == 5
    assert {"score", "fit", "novelty", "newness", "fit:Maya", "fit:Jordan"} <= set(frame.columns)


def test_a_window_given_in_utc_is_planned_on_the_couples_clock(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    local = (
        now.replace(hour=18, minute=0) + dt.timedelta(days=3),
        now.replace(hour=0, minute=0) + dt.timedelta(days=4),
    )
    utc = tuple(moment.astimezone(dt.UTC) for moment in local)
    here, there = (
        recommender.recommend(couple, when=w, now=now, k=3, seed=1) for w in (local, utc)
    )
    assert [r.activity.id for r in here] == [r.activity.id for r in there]
    assert len(here) == 3
    assert [r.starts_at for r in here] == [r.starts_at for r in there]
    assert all(r.starts_at.astimezone(couple.timezone).hour >= 18 for r in there)


def test_an_empty_list_as_a_frame_has_the_same_columns(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    moment = now + dt.timedelta(days=1)
    empty = recommender.recommend(couple, now=now, when=(moment, moment + dt.timedelta(seconds=1)))
    assert not len(empty)
    full = recommender.recommend(couple, now=now, k=3).to_frame()
    per_partner = [c for c in full.columns if ":" in c]
    assert per_partner
    assert list(empty.to_frame().columns) == list(full.drop(columns=per_partner))
    assert empty.to_frame().empty


def test_to_ics_parses_back_with_one_event_per_idea_inside_the_window(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    recs = recommender.recommend(couple, now=now, k=5)
    calendar = icalendar.Calendar.from_ical(recs.to_ics())
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == [r.activity.title for r in recs]
    for event in events:
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None
        assert recs.window.start <= start < recs.window.end
        assert event.decoded("DTEND") > start
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_the_calendar_carries_its_zones_rules_for_the_ideas_years(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    recs = recommender.recommend(couple, now=now, when="2100-07-04", k=2)
    zone = next(iter(icalendar.Calendar.from_ical(recs.to_ics()).walk("VTIMEZONE")))
    changes = [
        part.decoded("DTSTART") for part in zone.walk() if part.name in ("DAYLIGHT", "STANDARD")
    ]
    # Summer time in 2100 starts in March: the rules reach past the ideas' day.
    assert min(changes) < dt.datetime(2100, 7, 4)
    assert any(c.year == 2100 for c in changes)


def test_a_recommender_takes_a_dataframe_catalog(couple: novelty.Couple, now: dt.datetime) -> None:
    frame = novelty.load_catalog().head(60)
    recs = novelty.Recommender(frame).recommend(couple, now=now, k=3)
    assert {r.activity.id for r in recs} <= set(frame["id"])


def test_a_weekend_straddling_spring_offers_spring_ideas_on_its_spring_day(
    recommender: novelty.Recommender, couple: novelty.Couple
) -> None:
    friday = dt.datetime(2026, 2, 27, 9, tzinfo=couple.timezone)
    recs = recommender.recommend(couple, now=friday, k=60)
    spring_only = [r for r in recs if r.activity.seasons and "winter" not in r.activity.seasons]
    assert spring_only
    assert all(
        r.starts_at.astimezone(couple.timezone).date() == dt.date(2026, 3, 1) for r in spring_only
    )


def test_what_a_recommender_remembers_between_calls_never_changes_a_list(
    couple: novelty.Couple, now: dt.datetime
) -> None:
    """Rows of a history, lookups and a window's schedule are remembered between calls;
    another couple, another history or another place in between must not leak into a list."""
    catalog = novelty.load_catalog()
    done = catalog["id"].iloc[:40].tolist()
    history = tuple(
        novelty.Outing(activity_id=i, date=now.date() - dt.timedelta(days=7 * n), rating=4)
        for n, i in enumerate(done)
    )
    other = couple.model_copy(
        update={
            "history": history,
            "home": novelty.Location(lat=-33.87, lon=151.21, timezone="Australia/Sydney"),
        }
    )

    def ideas(recommender: novelty.Recommender, who: novelty.Couple, **day: Any) -> list[str]:
        recs = recommender.recommend(who, now=now, k=8, seed=3, **day)
        return [r.activity.id for r in recs]

    shared = novelty.Recommender(catalog)
    first, second, again = ideas(shared, couple), ideas(shared, other), ideas(shared, couple)
    assert first == again == ideas(novelty.Recommender(catalog), couple)
    assert second == ideas(novelty.Recommender(catalog), other)
    assert first != second
    # Another kind of day (energy, setting, minutes) in between, and back.
    quiet = {"energy": "low", "setting": "indoor", "max_minutes": 90}
    assert ideas(shared, couple, **quiet) == ideas(novelty.Recommender(catalog), couple, **quiet)
    assert ideas(shared, couple) == first


class _Gigs:
    """An in-process event source whose events the test can change between calls;
    `fields` (energy, demand, ...) are given to every event."""

    name = "gigs"

    def __init__(self, titles: list[str], **fields: Any) -> None:
        self.titles = titles
        self.fields = fields

    def fetch(
        self, window: novelty.Window, near: novelty.Location | None
    ) -> list[novelty.Activity]:
        start = window.start + dt.timedelta(hours=20)
        return [
            novelty.Activity(
                id=f"gig-{i}",
                title=title,
                category="music",
                tags=("live-music",),
                cost_min=0,
                cost_max=0,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                source=self.name,
                **self.fields,
            )
            for i, title in enumerate(self.titles)
        ]


def test_events_that_change_between_calls_give_the_lists_of_fresh_recommenders(
    couple: novelty.Couple, now: dt.datetime
) -> None:
    """The last events and their index are remembered: a call with other events, or
    the first ones again, must list what a fresh recommender lists."""
    gigs = _Gigs(["Jazz in the park", "Late-night blues"])
    shared = novelty.Recommender(sources=[gigs])

    def ideas(recommender: novelty.Recommender) -> list[str]:
        return [r.activity.title for r in recommender.recommend(couple, now=now, k=10, seed=2)]

    first = ideas(shared)
    assert ideas(shared) == first
    assert set(first) & set(gigs.titles)
    gigs.titles = ["Salsa social", "Jazz in the park"]
    second = ideas(shared)
    assert second == ideas(novelty.Recommender(sources=[_Gigs(gigs.titles)]))
    assert set(second) & set(gigs.titles)
    gigs.titles = ["Jazz in the park", "Late-night blues"]
    assert ideas(shared) == first


def test_events_are_held_to_the_couples_day_as_ideas_are(
    couple: novelty.Couple, now: dt.datetime
) -> None:
    """The catalog's rows within a day are remembered; an event's are judged per call."""
    shared = novelty.Recommender()
    climb = _Gigs(["Night bouldering jam"], energy="high", demand="strenuous")

    def ideas(recommender: novelty.Recommender, **day: Any) -> list[str]:
        recs = recommender.recommend(couple, now=now, k=20, seed=2, sources=[climb], **day)
        return [r.activity.id for r in recs]

    assert "gig-0" in ideas(shared)
    calm = ideas(shared, energy="low")
    assert "gig-0" not in calm
    assert calm == ideas(novelty.Recommender(), energy="low")
    plain = shared.recommend(couple, now=now, k=20, seed=2, energy="low")
    assert [r.activity.id for r in plain] == calm


def test_events_of_whole_days_and_events_already_on_when_the_window_opens(
    couple: novelty.Couple, now: dt.datetime, tmp_path: Path
) -> None:
    window = resolve_window("this weekend", now=now, tz=couple.timezone)
    first = window.start.date()
    feed = tmp_path / "on.ics"
    feed.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        # A winter market from three days before the window to the day after it.
        "BEGIN:VEVENT\r\nUID:market@test\r\nSUMMARY:Winter market\r\n"
        f"DTSTART;VALUE=DATE:{first - dt.timedelta(days=3):%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{window.end.date() + dt.timedelta(days=1):%Y%m%d}\r\n"
        "END:VEVENT\r\n"
        # A fair over the day before the window opens.
        "BEGIN:VEVENT\r\nUID:fair@test\r\nSUMMARY:Autumn fair\r\n"
        f"DTSTART;VALUE=DATE:{first - dt.timedelta(days=2):%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{first:%Y%m%d}\r\n"
        "END:VEVENT\r\n"
        # A craft fair all day on the window's last day.
        "BEGIN:VEVENT\r\nUID:craft@test\r\nSUMMARY:Craft fair\r\n"
        f"DTSTART;VALUE=DATE:{window.end.date() - dt.timedelta(days=1):%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{window.end.date():%Y%m%d}\r\n"
        "END:VEVENT\r\n"
        # A concert already an hour in when the window opens: missed.
        "BEGIN:VEVENT\r\nUID:gig@test\r\nSUMMARY:Late concert\r\n"
        f"DTSTART:{(window.start - dt.timedelta(hours=1)).astimezone(dt.UTC):%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{(window.start + dt.timedelta(hours=2)).astimezone(dt.UTC):%Y%m%dT%H%M%SZ}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    source = ICalSource(feed)
    recs = novelty.Recommender().recommend(couple, now=now, k=400, sources=[source])
    titles = {r.activity.title: r for r in recs}
    assert "Autumn fair" not in titles
    assert "Late concert" not in titles
    market = titles["Winter market"]
    assert market.starts_at == window.start
    assert any(r.startswith("Already on, until") for r in market.reasons)
    fair = titles["Craft fair"]
    assert any(r.startswith("All day ") for r in fair.reasons)
    calendar = icalendar.Calendar.from_ical(recs.to_ics())
    [exported] = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Craft fair"]
    assert exported.decoded("DTSTART") == fair.starts_at.date()
    assert exported.decoded("DTEND") == fair.ends_at.date()


def test_an_outing_added_by_model_copy_as_a_list_counts(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    before = recommender.recommend(couple, now=now, k=5)
    done = novelty.Outing(activity_id=before[0].activity.id, date=now.date())
    later = couple.model_copy(update={"history": [*couple.history, done]})
    after = recommender.recommend(later, now=now, k=5)
    assert done.activity_id not in {r.activity.id for r in after}
    again = couple.model_copy(update={"history": (*couple.history, done)})
    assert [r.activity.id for r in recommender.recommend(again, now=now, k=5)] == [
        r.activity.id for r in after
    ]


def test_fresh_recommenders_used_by_many_threads_at_once_give_the_sequential_lists(
    couple: novelty.Couple, now: dt.datetime
) -> None:
    """8 threads × 10 fresh Recommenders, every thread calling each one as soon as it
    exists: the first calls prepare concurrently."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    catalog = novelty.load_catalog()
    others = [
        couple.model_copy(update={"history": tuple(
            novelty.Outing(activity_id=i, date=now.date() - dt.timedelta(days=5 * n))
            for n, i in enumerate(catalog["id"].iloc[start : start + 12])
        )})
        for start in range(0, 96, 12)
    ]  # fmt: skip

    def ideas(recommender: novelty.Recommender, who: novelty.Couple) -> list[str]:
        return [r.activity.id for r in recommender.recommend(who, now=now, k=6, seed=4)]

    expected = [ideas(novelty.Recommender(catalog), who) for who in others]
    fresh = [novelty.Recommender(catalog) for _ in range(10)]
    start = threading.Barrier(8)

    def worker(t: int) -> list[list[str]]:
        start.wait()
        return [ideas(r, others[t]) for r in fresh]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(worker, range(8)))
    assert results == [[expected[t]] * 10 for t in range(8)]


def test_one_recommender_serves_threads_as_it_serves_calls_in_turn(
    couple: novelty.Couple, now: dt.datetime
) -> None:
    """What a recommender remembers is shared by threads (a web app's workers)."""
    from concurrent.futures import ThreadPoolExecutor

    catalog = novelty.load_catalog()
    couples = [
        couple.model_copy(
            update={
                "history": tuple(
                    novelty.Outing(activity_id=i, date=now.date() - dt.timedelta(days=3 * n))
                    for n, i in enumerate(catalog["id"].iloc[start : start + 30])
                )
            }
        )
        for start in range(0, 240, 30)
    ]

    def ideas(recommender: novelty.Recommender, who: novelty.Couple) -> list[str]:
        return [r.activity.id for r in recommender.recommend(who, now=now, k=8, seed=5)]

    alone = [ideas(novelty.Recommender(catalog), who) for who in couples]
    shared = novelty.Recommender(catalog).prepare()
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda who: ideas(shared, who), couples * 4))
    assert together == alone * 4


def test_a_prepared_recommender_pickles_and_gives_the_same_lists(
    recommender: novelty.Recommender, couple: novelty.Couple, now: dt.datetime
) -> None:
    # A process pool or a Spark broadcast ships it with the standard pickle.
    copy = pickle.loads(pickle.dumps(recommender.prepare()))
    assert copy.recommend(couple, now=now, seed=3) == recommender.recommend(couple, now=now, seed=3)


@pytest.mark.parametrize("heavy", [0.0, MAX_WEIGHT])
def test_scores_stay_in_0_1_with_every_weight_at_its_limit(
    couple: novelty.Couple, now: dt.datetime, heavy: float
) -> None:
    terms = ("excitement", "interactive", "budget", "distance", "taste", "timely", "unlike")
    weights = novelty.Weights(**dict.fromkeys(terms, heavy))
    recs = novelty.Recommender(weights=weights).recommend(couple, now=now, k=10, seed=1)
    assert len(recs) == 10
    assert all(0.0 <= r.score <= 1.0 for r in recs)


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), 1e39, -1.0])
def test_a_weight_that_would_break_the_scores_is_refused(bad: float) -> None:
    with pytest.raises(ValidationError, match="excitement"):
        novelty.Weights(excitement=bad)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"sources": None}, "sources"),
        ({"sources": "ical"}, "sources"),
        ({"sources": [1]}, r"sources\[0\]"),
        ({"forecast": 5}, "forecast"),
        ({"source_deadline": -1}, "source_deadline"),
        ({"source_deadline": "soon"}, "source_deadline"),
    ],
)
def test_a_recommender_of_wrong_sources_forecast_or_deadline_is_refused(
    options: dict[str, Any], named: str
) -> None:
    with pytest.raises(novelty.ArgumentError, match=f"^{named}: expected"):
        novelty.Recommender(**options)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"sources": "ical"}, "sources"),
        ({"sources": [1]}, r"sources\[0\]"),
        ({"forecast": 5}, "forecast"),
    ],
)
def test_a_call_with_wrong_sources_or_forecast_is_refused_not_a_problem(
    recommender: novelty.Recommender,
    couple: novelty.Couple,
    now: dt.datetime,
    options: dict[str, Any],
    named: str,
) -> None:
    with pytest.raises(novelty.ArgumentError, match=f"^{named}: expected"):
        recommender.recommend(couple, now=now, **options)


def test_recommend_takes_its_own_catalog_as_novelty_recommend_takes_one(
    couple: novelty.Couple, now: dt.datetime
) -> None:
    file = bundled_data("activities.csv")
    by_file = novelty.Recommender(str(file))
    assert by_file.recommend(couple, now=now, catalog=file) == by_file.recommend(couple, now=now)
    frame = novelty.load_catalog().head(80)
    by_frame = novelty.Recommender(frame)
    assert len(by_frame.recommend(couple, now=now, catalog=frame, k=2)) == 2
    with pytest.raises(novelty.ArgumentError, match=r"^catalog: a Recommender keeps"):
        by_frame.recommend(couple, now=now, catalog=frame.head(10))
