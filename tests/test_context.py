"""When and where: no idea is suggested on a date, time, place, weather or for a body
where it cannot happen; money across currencies; the couple's day; the forecast."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import astral
import astral.moon
import astral.sun
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

import novelty
from novelty.context.weather import OpenMeteo
from novelty.errors import SourceError

FIXTURES = Path(__file__).parent / "fixtures" / "open_meteo"

#: Cities of both hemispheres and several countries: (name, lat, lon, zone, country).
CITIES = (
    ("Austin", 30.27, -97.74, "America/Chicago", "US"),
    ("Minneapolis", 44.98, -93.27, "America/Chicago", "US"),
    ("London", 51.51, -0.13, "Europe/London", "GB"),
    ("Delhi", 28.61, 77.21, "Asia/Kolkata", "IN"),
    ("Sydney", -33.87, 151.21, "Australia/Sydney", "AU"),
    ("Buenos Aires", -34.60, -58.38, "America/Argentina/Buenos_Aires", "AR"),
)
#: Seasons by month north of the equator; south of it, the opposite.
NORTH = dict.fromkeys((12, 1, 2), "winter") | dict.fromkeys((3, 4, 5), "spring")
NORTH |= dict.fromkeys((6, 7, 8), "summer") | dict.fromkeys((9, 10, 11), "autumn")
OPPOSITE = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}
#: Ideas bound to a day, as facts written out here (not read from the code): id -> test.
FIXED_DAYS = {
    "new-years-eve-dinner-dance": lambda d: (d.month, d.day) == (12, 31),
    "fourth-of-july-fireworks-picnic": lambda d: (d.month, d.day) == (7, 4),
    "christmas-market-ornament": lambda d: (11, 20) <= (d.month, d.day) <= (12, 24),
    "first-friday-gallery-crawl": lambda d: d.weekday() == 4 and d.day <= 7,
    # Holi 2027 is 22 March; Lunar New Year 2027 is 6 February (REFERENCES.md).
    "community-holi-celebration": lambda d: (
        d.year != 2027 or abs((d - dt.date(2027, 3, 22)).days) <= 1
    ),
    "lunar-new-year-parade": lambda d: d.year != 2027 or 0 <= (d - dt.date(2027, 2, 5)).days <= 15,
    "juneteenth-community-festival": lambda d: d.month == 6 and 18 <= d.day <= 21,
    "hosting-friendsgiving": lambda d: d.month == 11 and 12 <= d.day <= 29,
}  # fmt: skip
US_ONLY = {
    "fourth-of-july-fireworks-picnic",
    "juneteenth-community-festival",
    "hosting-friendsgiving",
}


def couple_in(lat: float, lon: float, zone: str, **changes: object) -> novelty.Couple:
    base = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    home = novelty.Location(lat=lat, lon=lon, timezone=zone)
    return novelty.Couple.model_validate(
        {**base.model_dump(exclude={"country"}), "home": home.model_dump(), **changes}
    )


def season_of(day: dt.date, lat: float) -> str:
    return NORTH[day.month] if lat >= 0 else OPPOSITE[NORTH[day.month]]


def assert_possible(idea: novelty.Recommendation, couple: novelty.Couple) -> None:
    """Every rule of docs/when-where.md, checked against astral and the facts above."""
    a, home, tz = idea.activity, couple.home, couple.timezone
    start, end = idea.starts_at.astimezone(tz), idea.ends_at.astimezone(tz)
    day = start.date()
    where = f"{a.id} at {start:%Y-%m-%d %H:%M} in {home.timezone}"
    if a.seasons:
        assert season_of(day, home.lat) in a.seasons, where
    if a.id in FIXED_DAYS:
        assert FIXED_DAYS[a.id](day), where
    if a.id in US_ONLY or a.countries:
        assert couple.country in (a.countries or ("US",)), where
    # Free time: weekday evenings (18:00-23:30) and weekends (05:00-24:00) by default.
    opens = dt.time(18) if day.weekday() < 5 else dt.time(5)
    assert start.time() >= opens, where
    # Overnight and longer ideas (8 hours or more) may end after the day's free time.
    if end - start < dt.timedelta(hours=8):
        assert end <= dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz), where
        if day.weekday() < 5:
            assert end.time() <= dt.time(23, 30), where
    observer = astral.Observer(latitude=home.lat, longitude=home.lon)
    if "sunrise" in a.when:
        sunrise = astral.sun.sunrise(observer, day, tzinfo=tz)
        assert abs((start - sunrise).total_seconds()) <= 5 * 60, where
    if "sunset" in a.when:
        assert start <= astral.sun.sunset(observer, day, tzinfo=tz) <= end, where
    if "dark" in a.when:
        assert start >= astral.sun.dusk(observer, day, tzinfo=tz, depression=12), where
    if "full moon" in a.when:
        assert 11.5 <= astral.moon.phase(day) <= 17.5, where
    if "snow" in a.weather:
        # Offline, snow lies only in winter beyond 42° from the equator.
        assert abs(home.lat) >= 42, where
        assert season_of(day, home.lat) == "winter", where


def test_a_year_of_weekends_in_six_cities_suggests_nothing_impossible() -> None:
    recommender = novelty.Recommender()
    for name, lat, lon, zone, country in CITIES:
        couple = couple_in(lat, lon, zone)
        assert couple.country == country, name
        friday = dt.datetime(2027, 1, 1, 10, tzinfo=ZoneInfo(zone))
        for week in range(52):
            now = friday + dt.timedelta(weeks=week)
            recs = recommender.recommend(couple, now=now, k=5, budget=200)
            assert len(recs) >= 3, (name, now)
            for idea in recs:
                assert recs.window.start <= idea.starts_at < idea.ends_at <= recs.window.end
                assert_possible(idea, couple)


@settings(max_examples=40, deadline=None)
@given(
    day=st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)),
    lat=st.floats(-55, 60),
    lon=st.floats(-179, 179),
    when=st.sampled_from(["this weekend", "this week", "tomorrow"]),
    mobility=st.sampled_from(["full", "limited", "wheelchair"]),
)
def test_random_dates_and_places_get_only_possible_ideas(
    day: dt.date, lat: float, lon: float, when: str, mobility: str
) -> None:
    couple = couple_in(lat, lon, "UTC", country="US")
    couple = couple.model_copy(
        update={
            "partners": (
                couple.partners[0].model_copy(update={"mobility": mobility}),
                couple.partners[1],
            )
        }
    )
    now = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    recs = novelty.recommend(couple, when=when, now=now, k=5, budget=300)
    for idea in recs:
        assert recs.window.start <= idea.starts_at < idea.ends_at <= recs.window.end
        assert_possible(idea, couple)
        if mobility != "full":
            assert idea.activity.demand in ("none", "light")
        if mobility == "wheelchair":
            assert idea.activity.step_free


def test_london_with_a_budget_in_pounds_gets_ideas_priced_in_pounds() -> None:
    couple = couple_in(51.51, -0.13, "Europe/London")
    now = dt.datetime(2027, 3, 5, 9, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, now=now, budget=novelty.Budget(per_outing=60, currency="GBP"))
    assert len(recs) >= 5
    priced = [i for i in recs if i.activity.cost_max]
    assert priced
    for idea in priced:
        assert any(r.startswith(("≈ £", "From ≈ £")) and "ECB rate of" in r for r in idea.reasons)


@pytest.mark.parametrize(
    ("options", "holds"),
    [
        ({"energy": "low"}, lambda a, c: a.energy == "low"),
        ({"setting": "indoor"}, lambda a, c: a.setting in ("indoor", "either")),
        ({"max_minutes": 90}, lambda a, c: (a.duration_minutes or 120) <= 90),
        ({"mobility": "limited"}, lambda a, c: a.demand in ("none", "light")),
    ],
)
def test_the_couples_day_holds_on_every_idea_and_five_still_come_back(options, holds) -> None:  # type: ignore[no-untyped-def]
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    if "mobility" in options:
        limited = couple.partners[0].model_copy(update={"mobility": options.pop("mobility")})
        couple = couple.model_copy(update={"partners": (limited, couple.partners[1])})
    now = dt.datetime(2027, 3, 5, 9, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, now=now, **options)
    assert len(recs) >= 5
    assert all(holds(i.activity, couple) for i in recs)


def test_a_friday_morning_weekend_spreads_ideas_over_two_days_or_more() -> None:
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    now = dt.datetime(2026, 12, 11, 9, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, now=now, k=5)
    assert len({i.starts_at.astimezone(couple.timezone).date() for i in recs}) >= 2


def test_a_weekday_range_keeps_daytime_ideas_out_of_working_hours() -> None:
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    now = dt.datetime(2026, 12, 1, 9, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, when="2026-12-10..2026-12-13", now=now, k=8)
    for idea in recs:
        start = idea.starts_at.astimezone(couple.timezone)
        if start.weekday() < 5:
            assert start.time() >= dt.time(18), idea.activity.id
    free = couple.model_copy(update={"free_time": novelty.FreeTime(thursday="09:00-23:30")})
    days = novelty.recommend(free, when="2026-12-10..2026-12-10", now=now, k=8)
    assert any(i.starts_at.astimezone(couple.timezone).hour < 18 for i in days)


def _serve_forecast(server: HTTPServer, name: str) -> OpenMeteo:
    body = (FIXTURES / name).read_text(encoding="utf-8")
    server.expect_request("/v1/forecast").respond_with_data(body, content_type="application/json")
    return OpenMeteo(url=server.url_for("/v1/forecast"), cache_hours=None)


def test_rain_all_saturday_keeps_outdoor_ideas_off_saturday(httpserver: HTTPServer) -> None:
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    forecast = _serve_forecast(httpserver, "austin-rainy-saturday.json")
    now = dt.datetime(2027, 4, 16, 9, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, now=now, k=8, forecast=forecast, setting="outdoor")
    assert len(recs) >= 3
    assert not recs.problems
    for idea in recs:
        local = idea.starts_at.astimezone(couple.timezone)
        assert not (local.weekday() == 5 and idea.activity.setting == "outdoor"), idea.activity.id
    said = [r for i in recs for r in i.reasons if r.startswith("Forecast:")]
    assert any("dry" in r and "°C" in r for r in said)


def test_a_forecast_server_that_is_down_is_a_problem_not_an_error(httpserver: HTTPServer) -> None:
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    httpserver.expect_request("/v1/forecast").respond_with_data("down", status=503)
    forecast = OpenMeteo(url=httpserver.url_for("/v1/forecast"), cache_hours=None)
    now = dt.datetime(2027, 4, 16, 9, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, now=now, forecast=forecast)
    assert len(recs) == 5
    assert [p.source for p in recs.problems] == ["open-meteo"]
    assert "503" in recs.problems[0].message


def test_an_open_meteo_error_answer_is_a_problem(httpserver: HTTPServer) -> None:
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    error = {"error": True, "reason": "Parameter 'end_date' is out of allowed range"}
    httpserver.expect_request("/v1/forecast").respond_with_json(error, status=400)
    forecast = OpenMeteo(url=httpserver.url_for("/v1/forecast"), cache_hours=None)
    now = dt.datetime(2027, 4, 16, 9, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, now=now, forecast=forecast)
    assert len(recs) == 5
    assert "400" in recs.problems[0].message


def test_a_forecast_problem_shows_no_password_key_or_url(
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # where the forecast's cache goes
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request("/html").respond_with_data("<html>", content_type="text/html")
    secrets = ("pass_SECRET", "OMSECRET")
    url = f"http://u:pass_SECRET@127.0.0.1:{httpserver.port}/html?apikey=OMSECRET"
    now = dt.datetime(2027, 4, 16, 9, tzinfo=couple.timezone)

    recs = novelty.recommend(couple, now=now, forecast=OpenMeteo(url=url))
    with pytest.raises(SourceError) as strict:
        novelty.recommend(
            couple, now=now, forecast=OpenMeteo(url=url, cache_hours=None), strict=True
        )

    [problem] = recs.problems
    assert problem.message.startswith("no forecast, so the climate was used: 127.0.0.1/html: ")
    assert "not an Open-Meteo hourly forecast" in str(strict.value)
    cached = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    assert cached  # the answer was stored, so the cache is checked too
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")]
    assert any("GET /html?apikey=***" in message for message in ours)
    for secret in secrets:
        assert secret not in problem.message
        assert secret not in f"{strict.value} {strict.value!r} {strict.value.__context__!r}"
        assert all(secret not in message for message in ours)  # werkzeug is the test server
        assert all(secret.encode() not in data for data in cached)


def _earliest(idea: str, couple: novelty.Couple, now: dt.datetime) -> dt.datetime | None:
    """The earliest opening the schedule stage finds for a catalog idea this weekend."""
    from novelty.pipeline import query, schedule

    index = novelty.Recommender().index_
    q = query.make_query(
        couple, when="this weekend", k=5, budget=None, near=None, radius_km=None, now=now,
        seed=None, strict=False, history=None,
    )  # fmt: skip
    found = schedule.openings(index, q, None)
    row = int(index.rows_of_ids([idea])[0])
    ns = int(found.earliest[index.codes["schedule"][row]])
    if ns == np.iinfo(np.int64).min:
        return None
    return dt.datetime.fromtimestamp(ns / 1e9, tz=couple.timezone)


def test_sky_ideas_start_at_sunrise_end_after_sunset_and_start_after_dark() -> None:
    couple = couple_in(30.27, -97.74, "America/Chicago")
    now = dt.datetime(2027, 4, 16, 9, tzinfo=couple.timezone)
    observer = astral.Observer(latitude=30.27, longitude=-97.74)
    walk = _earliest("sunrise-hilltop-walk", couple, now)
    assert walk is not None
    sunrise = astral.sun.sunrise(observer, walk.date(), tzinfo=couple.timezone)
    assert dt.timedelta(0) <= sunrise - walk < dt.timedelta(minutes=5)
    picnic = _earliest("single-colour-sunset-picnic", couple, now)
    assert picnic is not None
    sunset = astral.sun.sunset(observer, picnic.date(), tzinfo=couple.timezone)
    assert picnic < sunset < picnic + dt.timedelta(minutes=120)
    autumn = dt.datetime(2027, 11, 12, 9, tzinfo=couple.timezone)
    stars = _earliest("dark-sky-stargazing-drive", couple, autumn)
    assert stars is not None
    assert stars >= astral.sun.dusk(observer, stars.date(), tzinfo=couple.timezone, depression=12)


def test_date_bound_ideas_have_no_opening_outside_their_dates() -> None:
    couple = couple_in(30.27, -97.74, "America/Chicago")
    july = dt.datetime(2027, 7, 16, 9, tzinfo=couple.timezone)
    assert _earliest("christmas-market-ornament", couple, july) is None
    assert _earliest("new-years-eve-dinner-dance", couple, july) is None
    december = dt.datetime(2027, 12, 17, 9, tzinfo=couple.timezone)
    assert _earliest("christmas-market-ornament", couple, december) is not None


def test_tonight_offers_no_idea_that_needs_booking_ahead() -> None:
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")
    now = dt.datetime(2027, 3, 3, 17, tzinfo=couple.timezone)
    recs = novelty.recommend(couple, when="tonight", now=now, k=10, budget=500)
    assert recs
    for idea in recs:
        assert not idea.activity.needs_booking or idea.activity.same_day_booking
    later = novelty.recommend(couple, when="next weekend", now=now, k=10, budget=500)
    booked = [i for i in later if i.activity.needs_booking and not i.activity.same_day_booking]
    assert all("Book ahead." in i.reasons for i in booked)


def test_a_forecast_of_your_own_that_fails_has_its_secrets_redacted() -> None:
    couple = novelty.load_profile(Path(__file__).parents[1] / "examples" / "couple.toml")

    class Leaky:
        name = "leaky"

        def hourly(self, place: object, start: object, end: object) -> object:
            raise RuntimeError("GET https://u:pw_SECRET@weather.test/v1?apikey=KEY_SECRET: 503")

    now = dt.datetime(2027, 4, 16, 9, tzinfo=couple.timezone)
    [problem] = novelty.recommend(couple, now=now, forecast=Leaky()).problems  # type: ignore[arg-type]
    assert problem.source == "leaky"
    assert "SECRET" not in problem.message
    assert "weather.test" in problem.message
