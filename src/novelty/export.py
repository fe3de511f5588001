"""iCalendar export: one VEVENT per idea, built with the `icalendar` library."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from . import __name__ as _package
from .models import Recommendation


def to_ics(ideas: Sequence[Recommendation], *, stamp: dt.datetime) -> bytes:
    """A valid RFC 5545 calendar with one VEVENT per idea, in the ideas' (couple's) timezone."""
    # Imported here: every start imports this module (through results), few export, and
    # importing icalendar costs about 30 ms of a cold start.
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{_package}//this weekend's ideas//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "novelty ideas")
    for idea in ideas:
        activity = idea.activity
        event = icalendar.Event()
        key = f"{activity.source}:{activity.id}:{idea.starts_at.isoformat()}"
        event.add("uid", hashlib.sha1(key.encode()).hexdigest() + f"@{_package}")
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("summary", activity.title)
        start, end = idea.starts_at, idea.ends_at
        if activity.starts_at == start and start.time() == end.time() == dt.time(0) and end > start:
            # Whole days (a fair, a festival): an all-day event, its end the day after,
            # that does not mark the days busy.
            event.add("dtstart", start.date())
            event.add("dtend", end.date())
            event.add("transp", "TRANSPARENT")
        else:
            event.add("dtstart", start)
            event.add("dtend", end)
        lines = [activity.description, "", *idea.reasons, "", "Talk about it afterwards:"]
        lines += [f"- {question}" for question in idea.conversation_starters]
        event.add("description", "\n".join(line for line in lines if line is not None).strip())
        if activity.tags:
            event.add("categories", list(activity.tags))
        if activity.url:
            event.add("url", activity.url)
        place = activity.location
        if place is not None:
            event.add("geo", (place.lat, place.lon))
            label = ", ".join(part for part in (place.name, place.address, place.city) if part)
            if label:
                event.add("location", label)
        if activity.starts_at is None:
            event.add("transp", "TRANSPARENT")
            event.add("status", "TENTATIVE")
        calendar.add_component(event)
    if ideas:
        # The zone's rules for the years the ideas are in (icalendar's default covers 1970
        # to 2038 only), from a year before the first to a year after the last.
        days = [moment.date() for idea in ideas for moment in (idea.starts_at, idea.ends_at)]
        calendar.add_missing_timezones(
            first_date=min(days) - dt.timedelta(days=366),
            last_date=max(days) + dt.timedelta(days=366),
        )
    return bytes(calendar.to_ical())
