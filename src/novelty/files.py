"""Where the library's files are: the bundled data, and a bounded read of a user's text file."""

from __future__ import annotations

import logging
import os
import stat
from importlib import resources
from pathlib import Path

from .errors import NoveltyError

_log = logging.getLogger(__name__)

#: Largest profile file read (a profile is a few kilobytes).
PROFILE_LIMIT = 1 << 20
#: Largest catalog file read (the bundled one is about 150 KB).
CATALOG_LIMIT = 1 << 29


def bundled_data(name: str) -> Path:
    """Path of a file shipped in `data/` (inside the wheel, or in a source checkout)."""
    packaged = resources.files("novelty") / "_data" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data" / name


def read_text_file(path: Path, *, limit: int, what: str, error: type[NoveltyError]) -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes, or `error` naming the file.

    FIFOs, devices and directories are refused before they are opened: reading one could
    block forever (a FIFO with no writer) or never end (/dev/zero).
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise error(f"{path}: not a regular file; expected a {what} file")
        # O_NONBLOCK: if the path became a FIFO since the check, opening it must not wait.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise error(f"{path}: not a regular file; expected a {what} file")
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} file ({exc.strerror or exc})") from None
    except ValueError as exc:  # a path with a NUL character
        raise error(f"{path!r}: not a usable file name ({exc})") from None
    if len(data) > limit:
        raise error(f"{path}: larger than {limit:,} bytes; too large for a {what} file")
    _log.debug("read %s (%d bytes)", path, len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start})") from None
