"""The exception hierarchy: every error the library raises on purpose is a NoveltyError."""

from __future__ import annotations


class NoveltyError(Exception):
    """Base class of every error raised by novelty on purpose."""


class ArgumentError(NoveltyError, ValueError):
    """An argument of a call or a command-line option has the wrong type or value; the
    message names it and says what was expected."""


class ProfileError(NoveltyError):
    """A couple's profile (TOML file or objects) is missing, unreadable or invalid."""


class CatalogError(NoveltyError):
    """An activity catalog file does not match the schema; names the file, line and column."""


class WindowError(NoveltyError):
    """A `when` value cannot be turned into a time window."""


class BudgetError(NoveltyError):
    """A budget is invalid or would be compared with prices in another currency."""


class HistoryError(NoveltyError):
    """The history database cannot be opened, read or written."""


class SourceError(NoveltyError):
    """An event source failed: unreachable, too slow, or returned something unparseable."""
