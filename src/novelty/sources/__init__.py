"""Event sources: the Source protocol, the built-in sources, plugins, and collecting events."""

from .collect import collect_events
from .ical import ICalSource
from .protocol import Source
from .registry import available_sources, build_source
from .schemaorg import SchemaOrgSource
from .ticketmaster import TicketmasterSource

__all__ = [
    "ICalSource",
    "SchemaOrgSource",
    "Source",
    "TicketmasterSource",
    "available_sources",
    "build_source",
    "collect_events",
]
