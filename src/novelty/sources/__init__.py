"""Event sources: the Source protocol, the built-in sources, plugins, and collecting events."""

from .base import Source, available_sources, build_source
from .collect import collect_events
from .ical import ICalSource
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
