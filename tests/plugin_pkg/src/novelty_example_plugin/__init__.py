"""An example novelty event source: the board-game café's Friday night, every week."""

from __future__ import annotations

import datetime as dt

from novelty.models import Activity, Location, Window


class BoardGameNights:
    """Friday board-game nights at one café (an example plugin)."""

    def __init__(self, *, cafe: str = "Vigilante Gaming Bar", name: str = "boardgames") -> None:
        self.cafe = cafe
        self.name = name

    def fetch(self, window: Window, near: Location | None) -> list[Activity]:
        """One event on each Friday at 19:00 in the window, in the window's timezone."""
        day = window.start.date()
        events = []
        while day <= window.end.date():
            start = dt.datetime.combine(day, dt.time(19), tzinfo=window.start.tzinfo)
            if day.weekday() == 4 and window.start <= start < window.end:
                events.append(
                    Activity(
                        id=f"boardgames-{day.isoformat()}",
                        title=f"Board-game night at {self.cafe}",
                        category="games",
                        tags=("board-games", "social"),
                        cost_min=10,
                        cost_max=30,
                        interactive=True,
                        starts_at=start,
                        ends_at=start + dt.timedelta(hours=3),
                        source=self.name,
                    )
                )
            day += dt.timedelta(days=1)
        return events
