"""Every feed parser, fed random, truncated and mangled feeds, raises SourceError or nothing."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novelty.errors import SourceError
from novelty.sources.ical import parse_ical
from novelty.sources.schemaorg import parse_schemaorg
from novelty.sources.ticketmaster import parse_ticketmaster

from .examples import CHICAGO, WEEKEND, fixture_bytes

#: Longest one parse may take on a 2-core machine before we call it a hang.
HANG_SECONDS = 2.0
FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mangled(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` with a few bytes overwritten, dropped or inserted at random places."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        chunk = draw(st.binary(min_size=1, max_size=8))
        edit = draw(st.sampled_from(["overwrite", "drop", "insert"]))
        if edit == "overwrite":
            data[at : at + len(chunk)] = chunk
        elif edit == "drop":
            del data[at : at + len(chunk)]
        else:
            data[at:at] = chunk
    return bytes(data)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def json_swapped(draw: st.DrawFn, document: Any) -> Any:
    """`document` with one value, anywhere in it, replaced by arbitrary JSON."""
    path = draw(st.sampled_from(_paths(document)[1:]))
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = draw(json_values)
    return copy


def feeds(original: bytes, structured: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Random bytes, a cut-off or mangled copy of a fixture, or a structurally odd one."""
    return st.one_of(
        st.binary(max_size=2000),
        st.integers(0, len(original)).map(lambda n: original[:n]),
        mangled(original),
        structured,
    )


def only_source_errors(parse: Callable[[bytes], object], data: bytes) -> None:
    started = time.monotonic()
    with contextlib.suppress(SourceError):
        parse(data)
    assert time.monotonic() - started < HANG_SECONDS


ICS = fixture_bytes("austin.ics")
ICS_LINES = ICS.split(b"\r\n")
TICKETMASTER = fixture_bytes("ticketmaster-page-0.json")
HTML = fixture_bytes("venue-calendar.html")
JSON_LD = json.loads(HTML.split(b'<script type="application/ld+json">')[1].split(b"</script>")[0])

ical_shuffled = st.lists(st.sampled_from(ICS_LINES), max_size=60).map(b"\r\n".join)
ticketmaster_swapped = json_swapped(json.loads(TICKETMASTER)).map(lambda d: json.dumps(d).encode())
schemaorg_swapped = json_swapped(JSON_LD).map(
    lambda d: b'<script type="application/ld+json">' + json.dumps(d).encode() + b"</script>"
)


@FUZZ
@given(feeds(ICS, ical_shuffled))
def test_parse_ical_raises_only_source_error(data: bytes) -> None:
    only_source_errors(lambda d: parse_ical(d, WEEKEND, CHICAGO), data)


@FUZZ
@given(feeds(TICKETMASTER, ticketmaster_swapped))
def test_parse_ticketmaster_raises_only_source_error(data: bytes) -> None:
    only_source_errors(parse_ticketmaster, data)


@FUZZ
@given(feeds(HTML, schemaorg_swapped))
def test_parse_schemaorg_raises_only_source_error(data: bytes) -> None:
    only_source_errors(lambda d: parse_schemaorg(d, WEEKEND, CHICAGO), data)
