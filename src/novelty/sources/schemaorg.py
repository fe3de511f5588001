"""Events published in web pages as schema.org `Event` JSON-LD (venue and ticket sites)."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any, Final
from urllib.parse import urljoin

from icalendar.prop import vDuration

from ..errors import SourceError
from ..models import Activity, Location, Window
from ._event import (
    convert_each,
    couple_timezone,
    duration_minutes,
    event_id,
    labels,
    number,
    overlaps,
    place,
    plain_text,
    with_place,
)
from ._options import checked_name, location_name
from .cache import checked_cache
from .http import DEFAULT_MAX_BYTES, HttpClient, checked_location, is_url

#: schema.org Event types -> (our category, tags, excitement). EventSeries is left out on
#: purpose: it spans its whole run and is not something one goes to on a given evening.
EVENT_TYPES: Final[Mapping[str, tuple[str, tuple[str, ...], int]]] = {
    "Event": ("other", (), 3),
    "MusicEvent": ("music-performance", ("live-music",), 4),
    "TheaterEvent": ("music-performance", ("theatre",), 4),
    "ComedyEvent": ("music-performance", ("comedy",), 4),
    "DanceEvent": ("music-performance", ("dancing",), 4),
    "ScreeningEvent": ("culture", ("film",), 3),
    "ExhibitionEvent": ("culture", ("museums",), 3),
    "VisualArtsEvent": ("culture", ("museums",), 3),
    "LiteraryEvent": ("culture", ("reading",), 3),
    "Festival": ("culture", ("festivals",), 4),
    "FoodEvent": ("food-drink", ("restaurants",), 3),
    "SportsEvent": ("sport", ("competition",), 4),
    "EducationEvent": ("classes", ("learning",), 3),
    "CourseInstance": ("classes", ("learning",), 3),
    "SocialEvent": ("connection", ("social",), 3),
    "ChildrensEvent": ("other", (), 3),
    "BusinessEvent": ("other", (), 2),
    "SaleEvent": ("other", ("shopping",), 2),
    "Hackathon": ("classes", ("technology",), 3),
    "DeliveryEvent": ("other", (), 1),
    "PublicationEvent": ("culture", (), 2),
    "BroadcastEvent": ("culture", (), 2),
    "OnDemandEvent": ("culture", (), 2),
}
_DROPPED_STATUSES: Final = ("EventCancelled", "EventPostponed")
_ONLINE: Final = ("OnlineEventAttendanceMode", "EventMovedOnline")
_CURRENCY_SIGNS: Final = {"$": "USD", "€": "EUR", "£": "GBP"}
_AMOUNT: Final = re.compile(r"\d[\d,.]*")
_DATE_ONLY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WRAPPING: Final = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_MAX_DEPTH: Final = 32
_TAG_END: Final = frozenset(" \t\r\n\f/>")
_TYPE: Final = re.compile(r"""(?<![\w-])type\s*=\s*["']?([^"'>\s]*(?:;[^"'>]*)?)""")
#: Byte-order marks and the encodings they announce (UTF-32 before UTF-16: they overlap).
_BOMS: Final = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CHARSET: Final = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


def json_ld_blocks(page: str) -> list[str]:
    """The texts of the page's `<script type="application/ld+json">` elements.

    A linear scan rather than html.parser, which takes quadratic time on some hostile
    markup before Python 3.11.13 (CVE-2025-6069): every `find` starts where the last one
    ended, so each character is looked at a bounded number of times. Commented-out
    markup is skipped, as a browser does; script text is raw, never unescaped.
    """
    lower = page.lower()
    blocks: list[str] = []
    at = 0
    while True:
        tag = lower.find("<script", at)
        comment = lower.find("<!--", at)
        if tag == -1:
            return blocks
        if comment != -1 and comment < tag:
            at = lower.find("-->", comment + 4)
            if at == -1:  # the rest of the page is a comment
                return blocks
            continue
        opened = lower.find(">", tag)
        if opened == -1:
            return blocks
        if lower[tag + 7 : tag + 8] not in _TAG_END:  # `<scripts>` or `<script-x>`
            at = tag + 7
            continue
        closed = lower.find("</script", opened)
        end = len(page) if closed == -1 else closed
        if _is_json_ld(lower[tag + 7 : opened]):
            blocks.append(page[opened + 1 : end])
        at = end


def _is_json_ld(attributes: str) -> bool:
    found = _TYPE.search(attributes)
    return found is not None and found.group(1).split(";")[0].strip() == "application/ld+json"


def _type_names(node: Mapping[str, Any]) -> list[str]:
    """`@type` values without their vocabulary prefix (`https://schema.org/`, `schema:`)."""
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    return [re.split(r"[/:#]", t)[-1] for t in names if isinstance(t, str)]


def _events(node: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every Event object anywhere in a JSON-LD document (`@graph`, lists, nested)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _events(item, depth + 1)
    elif isinstance(node, dict):
        if any(name in EVENT_TYPES for name in _type_names(node)):
            yield node
        for value in node.values():
            yield from _events(value, depth + 1)


def _first_dict(value: object) -> dict[str, Any]:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else {}


def _moment(value: object, tz: dt.tzinfo, *, end_of_day: bool = False) -> dt.datetime | None:
    """A schema.org date or date-time; no offset means local time in `tz`.

    A bare date is the whole local day: its start, or (for an end date) the next midnight.
    """
    text = plain_text(value)
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if _DATE_ONLY.match(text) and end_of_day:
        moment += dt.timedelta(days=1)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _address(value: object) -> tuple[str, str]:
    """(street address, city) of a string or PostalAddress."""
    if isinstance(value, str):
        return plain_text(value), ""
    address = _first_dict(value)
    street = ", ".join(
        filter(None, (plain_text(address.get(k)) for k in ("streetAddress", "postalCode")))
    )
    return street, plain_text(address.get("addressLocality"))


def _location(event: Mapping[str, Any]) -> tuple[Location | None, str | None, bool]:
    """(the venue as a Location, else its text; whether the event is online)."""
    places = event.get("location")
    items = places if isinstance(places, list) else [places]
    online = False
    for item in items:
        if isinstance(item, str) and item.strip():
            return None, plain_text(item), online
        if not isinstance(item, dict):
            continue
        if "VirtualLocation" in _type_names(item):
            online = True
            continue
        name = plain_text(item.get("name"))
        street, city = _address(item.get("address"))
        geo = _first_dict(item.get("geo"))
        found = place(
            geo.get("latitude"), geo.get("longitude"), name=name, address=street, city=city
        )
        if found is not None:
            return found, None, online
        return None, ", ".join(filter(None, (name, street, city))) or None, online
    return None, None, online


def _amount(value: object) -> float | None:
    """A price as given in the wild: 35, "35.00", "$35", "1.234,50", "Free"."""
    if not isinstance(value, str):
        return number(value)
    if "free" in value.lower():
        return 0.0
    match = _AMOUNT.search(value)
    if match is None:
        return None
    digits = match.group().rstrip(".,")
    if "," in digits and "." in digits:
        thousands = "." if digits.rfind(",") > digits.rfind(".") else ","
        digits = digits.replace(thousands, "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d{1,2}", digits):
        digits = digits.replace(",", ".")
    else:
        digits = digits.replace(",", "")
    return number(digits)


def _currency(offer: Mapping[str, Any], *prices: object) -> str | None:
    code = offer.get("priceCurrency")
    if isinstance(code, str) and re.fullmatch(r"[A-Za-z]{3}", code.strip()):
        return code.strip().upper()
    for price in prices:
        for sign, currency in _CURRENCY_SIGNS.items():
            if isinstance(price, str) and sign in price:
                return currency
    return None


def _price(event: Mapping[str, Any]) -> tuple[float | None, float | None, str]:
    """Cost for two (offers are priced per ticket) and its currency; None when unknown."""
    offers = event.get("offers")
    found: list[tuple[float, float, str | None]] = []
    for offer in offers if isinstance(offers, list) else [offers]:
        if not isinstance(offer, dict):
            continue
        low_raw = offer.get("lowPrice", offer.get("price"))
        high_raw = offer.get("highPrice", low_raw)
        low, high = _amount(low_raw), _amount(high_raw)
        if low is not None and low >= 0:
            found.append((low, max(low, high or low), _currency(offer, low_raw, high_raw)))
    if not found and event.get("isAccessibleForFree") is True:
        found.append((0.0, 0.0, None))
    if not found:
        return None, None, "USD"
    currency = next((c for *_, c in found if c), None)
    same = [(low, high) for low, high, c in found if c in (currency, None)]
    low, high = min(p[0] for p in same), max(p[1] for p in same)
    if currency is None and high > 0:  # an amount in an unknown currency is no price at all
        return None, None, "USD"
    return 2 * low, 2 * high, currency or "USD"


def _to_activity(
    event: Mapping[str, Any], *, tz: dt.tzinfo, source: str, base_url: str | None
) -> Activity | None:
    status = plain_text(event.get("eventStatus"))
    title = plain_text(event.get("name"))
    start = _moment(event.get("startDate"), tz)
    if status.endswith(_DROPPED_STATUSES) or not title or start is None:
        return None
    end = _moment(event.get("endDate"), tz, end_of_day=True)
    all_day = bool(_DATE_ONLY.match(plain_text(event.get("startDate"))))
    if end is None and all_day:
        end = start + dt.timedelta(days=1)
    if end is None and plain_text(event.get("duration")):
        # icalendar's reader of ISO 8601 durations is untyped
        end = start + vDuration.from_ical(plain_text(event.get("duration")))  # type: ignore[no-untyped-call]
    if end is not None and end <= start:
        end = None
    location, where_text, online = _location(event)
    online = online or plain_text(event.get("eventAttendanceMode")).endswith(_ONLINE)
    online = online or status.endswith(_ONLINE)
    kind = next((n for n in _type_names(event) if n in EVENT_TYPES), "Event")
    category, tags, excitement = EVENT_TYPES[kind]
    cost_min, cost_max, currency = _price(event)
    link = plain_text(event.get("url"))
    url = urljoin(base_url, link) if base_url and link else link
    return Activity(
        id=event_id("schemaorg", plain_text(event.get("@id")) or url or title, start.isoformat()),
        title=title,
        description=with_place(plain_text(event.get("description")), where_text),
        category=category,
        tags=labels(tags),
        cost_min=cost_min,
        cost_max=cost_max,
        currency=currency,
        duration_minutes=None if all_day else duration_minutes(start, end),
        excitement=excitement,
        needs_booking=bool(cost_max),
        location=location,
        starts_at=start,
        ends_at=end,
        url=url if url.lower().startswith(("https://", "http://")) else None,
        source=source,
        online=online,
    )


def _encoding(page: bytes, declared: str | None) -> str:
    """How the page is encoded: its byte-order mark, else the encoding the server
    declared, else a `<meta charset>` near the top, else UTF-16 when every other byte of
    the first characters is zero, else UTF-8."""
    for bom, encoding in _BOMS:
        if page.startswith(bom):
            return encoding
    named = declared or ""
    if not named and (meta := _CHARSET.search(page[:2048])):
        named = meta.group(1).decode("ascii")
    if named:
        try:
            return codecs.lookup(named).name
        except LookupError:
            pass
    if page[:1] == b"\x00" and page[1:2] not in (b"", b"\x00"):
        return "utf-16-be"
    if page[1:2] == b"\x00" and page[:1] not in (b"", b"\x00"):
        return "utf-16-le"
    return "utf-8"


def _decode(page: bytes, declared: str | None = None) -> str:
    """The page as text, read in its encoding (see `_encoding`); cp1252 when that fails."""
    encoding = _encoding(page, declared)
    try:
        return page.decode(encoding)
    except UnicodeDecodeError:
        return page.decode("cp1252" if encoding.startswith("utf-8") else encoding, "replace")


def parse_schemaorg(
    page: bytes,
    window: Window,
    tz: dt.tzinfo,
    *,
    source: str = "schemaorg",
    base_url: str | None = None,
    encoding: str | None = None,
) -> list[Activity]:
    """The schema.org Events of an HTML page's JSON-LD that fall in `window`.

    Dates without an offset are local times in `tz`; a date without a time is that whole
    local day. Cancelled and postponed events are left out; prices are per ticket, so the
    cost is doubled for the two of them. Relative event URLs are resolved against
    `base_url`. The page is read in its byte-order mark's encoding, else `encoding` (the
    server's charset), else its `<meta charset>`. A page without JSON-LD has no events;
    raises SourceError only when the page has JSON-LD and none of it is readable.
    """
    blocks = json_ld_blocks(_decode(page, encoding))
    documents: list[object] = []
    failure = ""
    for block in blocks:
        try:
            documents.append(json.loads(_WRAPPING.sub("", block.strip()), strict=False))
        except (ValueError, RecursionError) as exc:
            failure = f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"
    if blocks and not documents:
        raise SourceError(f"no readable JSON-LD on the page ({failure})")
    convert = partial(_to_activity, tz=tz, source=source, base_url=base_url)
    found = convert_each((e for d in documents for e in _events(d)), convert)
    unique = {a.id: a for a in reversed(found)}  # the same event linked twice is one event
    return [a for a in reversed(unique.values()) if overlaps(window, a.starts_at, a.ends_at)]


class SchemaOrgSource:
    """Events marked up as schema.org Event JSON-LD in a web page (URL or saved HTML file).

    Args:
        location: URL or path of the HTML page.
        name: Name shown in problems and on each event; default `schemaorg:<host or file>`.
        timeout: Seconds to wait for the server (connect, each read, the whole body).
        retries: Retries on connection errors and 429/5xx answers.
        max_bytes: Largest page read.
        cache_ttl: Seconds a fetched page is kept on disk and read from there instead of
            the network; None (the default) fetches every time.
        cache_dir: Folder of that cache; default `novelty/http` in the user's cache folder.
    """

    def __init__(
        self,
        location: str | os.PathLike[str],
        *,
        name: str | None = None,
        timeout: float = 10.0,
        retries: int = 2,
        max_bytes: int = DEFAULT_MAX_BYTES,
        cache_ttl: float | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.location = checked_location(location)
        self.name = checked_name(name, location_name("schemaorg", self.location))
        cache = checked_cache(cache_ttl, cache_dir)
        self.http = HttpClient(timeout=timeout, retries=retries, max_bytes=max_bytes, cache=cache)

    def fetch(self, window: Window, near: Location | None) -> list[Activity]:
        """The page's events in `window`; times without offset read in the couple's timezone."""
        tz = couple_timezone(window, near)
        if not is_url(self.location):
            page = self.http.read(self.location)
            return parse_schemaorg(page, window, tz, source=self.name)
        answer = self.http.get(self.location)
        content_type = answer.headers.get("Content-Type", "").encode("latin-1", "replace")
        charset = _CHARSET.search(content_type)
        return parse_schemaorg(
            answer.content,
            window,
            tz,
            source=self.name,
            base_url=self.location,
            encoding=charset.group(1).decode("ascii") if charset else None,
        )

    def __repr__(self) -> str:
        return f"SchemaOrgSource({self.name!r})"
