"""The registry of source types: built-in sources and plugins, built from profile specs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Final

from ..errors import SourceError
from ..models import SourceSpec
from .http import redact
from .ical import ICalSource
from .protocol import Source
from .schemaorg import SchemaOrgSource
from .ticketmaster import TicketmasterSource

#: Entry-point group under which other packages register source types.
ENTRY_POINT_GROUP: Final = "novelty.sources"


SourceFactory = Callable[..., Source]

BUILTIN_SOURCES: Final[dict[str, SourceFactory]] = {
    "ical": ICalSource,
    "ticketmaster": TicketmasterSource,
    "schemaorg": SchemaOrgSource,
}


def _plugins() -> dict[str, EntryPoint]:
    """Installed third-party source types; built-in names cannot be taken over."""
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name not in BUILTIN_SOURCES:
            found.setdefault(point.name, point)
    return found


def _load(type_name: str, point: EntryPoint) -> SourceFactory:
    try:
        factory = point.load()
    except Exception as exc:  # a broken plugin must not break the others
        raise SourceError(
            f"source type {type_name!r} ({point.value}) cannot be loaded: "
            f"{type(exc).__name__}: {redact(str(exc))}"
        ) from None
    if not callable(factory):
        raise SourceError(f"source type {type_name!r} ({point.value}) is not a class or function")
    return factory  # type: ignore[no-any-return]  # checked to be callable; result checked


def _summary(factory: object) -> str:
    doc = inspect.getdoc(factory) or ""
    return doc.strip().splitlines()[0] if doc.strip() else "(no description)"


def available_sources() -> dict[str, str]:
    """Every known source type -> a one-line description (built-ins first, then plugins)."""
    described = {name: _summary(factory) for name, factory in BUILTIN_SOURCES.items()}
    for name, point in sorted(_plugins().items()):
        try:
            described[name] = _summary(_load(name, point))
        except SourceError as exc:
            described[name] = f"unavailable: {exc}"
    return described


def _factory(type_name: str) -> SourceFactory:
    if type_name in BUILTIN_SOURCES:
        return BUILTIN_SOURCES[type_name]
    point = _plugins().get(type_name)
    if point is None:
        known = ", ".join(sorted({*BUILTIN_SOURCES, *_plugins()}))
        raise SourceError(f"unknown source type {type_name!r}; known types: {known}")
    return _load(type_name, point)


def _check_options(type_name: str, factory: SourceFactory, options: dict[str, Any]) -> None:
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # some builtins and C callables have no signature
        return
    try:
        signature.bind(**options)
    except TypeError as exc:
        accepted = ", ".join(
            p.name
            for p in signature.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY)
        )
        raise SourceError(
            f"source {type_name!r}: {exc}; accepted options: {accepted or 'none'}"
        ) from None


def build_source(spec: SourceSpec) -> Source:
    """The source a profile's `[[sources]]` table describes: its `type` built with `options`.

    Raises SourceError naming the type and the bad option, or listing the known types.
    """
    factory = _factory(spec.type)
    _check_options(spec.type, factory, spec.options)
    try:
        source = factory(**spec.options)
    except SourceError as exc:
        raise SourceError(f"source {spec.type!r}: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise SourceError(f"source {spec.type!r}: bad option ({redact(str(exc))})") from None
    if not isinstance(source, Source) or not isinstance(source.name, str) or not source.name:
        raise SourceError(
            f"source {spec.type!r} built a {type(source).__name__}, which is not a Source "
            "(it needs a non-empty `name` and a `fetch(window, near)` method)"
        )
    return source
