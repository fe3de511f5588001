"""The one label normaliser: tags, categories, interests and dislikes compare as kebab-case."""

from __future__ import annotations

import re
from typing import Final

#: Anything that cannot be part of a label when a free text (an event's genre) becomes one.
_NOT_LABEL: Final = re.compile(r"[^a-z0-9]+")
#: Longest label kept from a free text.
MAX_LABEL: Final = 80


def normalise_label(text: str) -> str:
    """A label compared case- and spacing-insensitively: ' Live_Music ' -> 'live-music'."""
    return "-".join(text.strip().lower().replace("_", " ").split())


def label_from_text(text: str) -> str:
    """Free text as a label: lower-case kebab-case ascii, 'Arts & Theatre' ->
    'arts-theatre'; empty when nothing is left. Stricter than `normalise_label`, for
    words from feeds that were never meant as labels."""
    return _NOT_LABEL.sub("-", text.lower()).strip("-")[:MAX_LABEL].strip("-")
