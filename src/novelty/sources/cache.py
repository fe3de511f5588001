"""An on-disk cache of successful HTTP answers, each served again for a set time (its TTL).

A small stdlib cache rather than requests-cache: what the sources need is "the same GET
within `cache_ttl` seconds is read from disk", not HTTP caching semantics (Cache-Control,
revalidation). requests-cache reads a streamed body whole before it stores it, which
would bypass the size cap that `HttpClient` enforces while the body streams in, and it
reads the time from the wall clock, which tests cannot move; it would also store the
request's URL, API keys and all, unless told which parameters to hide.

On disk an entry is one file per request, named by the sha256 of the request: a JSON
line (format, when it was stored, body size, a few headers) and then the body. The URL is
not stored, because a private calendar's secret can sit in its path, where `redact`
cannot see it. The file's modification time is set to when the entry expires, so that
expired entries can be found and deleted without reading them: each cache does that on
its first write, then at most once per TTL.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, NamedTuple

from requests.structures import CaseInsensitiveDict

from ..errors import SourceError
from ._options import optional_folder, positive_number

#: Headers about the body itself, kept with it. The others describe the moment or the
#: session (Rate-Limit-*, Set-Cookie, Date) and would be stale or secret on disk.
KEPT_HEADERS: Final = ("Content-Type", "Content-Language", "Last-Modified", "ETag")
_FORMAT: Final = 1
#: The subfolder of a cache folder that holds the entries: the folder may be shared with
#: other programs, and pruning touches nothing outside this subfolder.
SUBFOLDER: Final = "novelty-http"
#: Names of the files a cache writes: entries, and the temporary files they are written to.
_ENTRY_NAME: Final = re.compile(r"[0-9a-f]{64}")
_TEMPORARY_NAME: Final = re.compile(r"tmp\w+\.tmp")
#: A temporary file this old was left by a writer that stopped; it is deleted.
_ABANDONED_AFTER: Final = 3600.0


def default_cache_dir() -> Path:
    """Where the cache lives unless told: `novelty/http` in the platform's cache folder.

    That folder is `$XDG_CACHE_HOME` (else `~/.cache`) on Linux and other Unix systems,
    `~/Library/Caches` on macOS and `%LOCALAPPDATA%` on Windows.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"  # XDG: ignore relative
    return base / "novelty" / "http"


def request_key(url: str, headers: Mapping[str, str] | None = None) -> str:
    """The name of a request's entry: the sha256 of its full URL (query included) and headers.

    The hash is all of the request that reaches the disk, so API keys in the URL, the
    query or a header never do.
    """
    request = [url, sorted((name.lower(), value) for name, value in (headers or {}).items())]
    return hashlib.sha256(json.dumps(request).encode()).hexdigest()


class Entry(NamedTuple):
    """An answer read back from the cache: its body and the headers kept with it."""

    content: bytes
    headers: Mapping[str, str]


class ResponseCache:
    """Successful GET answers on disk, each served again for `ttl` seconds after it was stored.

    The constructor only stores its settings; the folder is made on the first `put`.

    Args:
        ttl: Seconds an answer is served from disk after it was fetched.
        folder: The cache folder, default `default_cache_dir()`; the entries are kept in
            its subfolder `novelty-http`, so the folder can be shared.
        clock: The current time in seconds since the epoch; tests pass a clock they move.
    """

    def __init__(
        self,
        ttl: float,
        folder: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl = ttl
        self.folder = folder if folder is not None else default_cache_dir()
        self.entries = self.folder / SUBFOLDER
        self.clock = clock
        self._pruned_at = -math.inf

    def get(self, key: str) -> Entry | None:
        """The answer stored under `key` if it is younger than `ttl`, else None.

        An entry that is missing, unreadable, cut short or from the future is a miss too.
        """
        try:
            with (self.entries / key).open("rb") as file:
                meta = json.loads(file.readline())
                content = file.read()
            age = self.clock() - float(meta["stored_at"])
            if meta["format"] != _FORMAT or len(content) != meta["size"] or not 0 <= age < self.ttl:
                return None
            headers = CaseInsensitiveDict({str(k): str(v) for k, v in meta["headers"].items()})
        except (OSError, ValueError, LookupError, TypeError, AttributeError):
            return None  # whatever is in the file, a bad entry only means fetching again
        return Entry(content, headers)

    def put(self, key: str, content: bytes, headers: Mapping[str, str]) -> None:
        """Store an answer under `key`; readers see the old entry or the new one, never half.

        A cache that cannot be written is passed over: the answer is in hand anyway.
        """
        kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
        stored_at = self.clock()
        meta = {"format": _FORMAT, "stored_at": stored_at, "size": len(content), "headers": kept}
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.entries.mkdir(mode=0o700, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.entries, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(json.dumps(meta).encode() + b"\n")
                file.write(content)
            # No fsync: after a power cut the entry may be short, and the size check above
            # reads a short entry as a miss.
            expires = stored_at + self.ttl
            os.utime(temporary, (expires, expires))
            os.replace(temporary, self.entries / key)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            return
        self._prune()

    def _prune(self) -> None:
        """Delete the entries that have expired, and temporary files a stopped writer left,
        at most once per TTL. Only the entries subfolder is looked at, and in it only
        files named as this module names them."""
        now = self.clock()
        if now < self._pruned_at + self.ttl:
            return
        self._pruned_at = now
        with contextlib.suppress(OSError), os.scandir(self.entries) as items:
            for item in items:
                with contextlib.suppress(OSError):
                    expired = (_ENTRY_NAME.fullmatch(item.name) and item.stat().st_mtime < now) or (
                        _TEMPORARY_NAME.fullmatch(item.name)
                        and item.stat().st_mtime < now - _ABANDONED_AFTER
                    )
                    if expired and item.is_file(follow_symlinks=False):
                        os.unlink(item.path)


def checked_cache(cache_ttl: object, cache_dir: object) -> ResponseCache | None:
    """The cache a source's `cache_ttl` and `cache_dir` options ask for; None without a TTL."""
    if cache_ttl is None:
        if cache_dir is not None:
            raise SourceError("option 'cache_dir' needs 'cache_ttl' (seconds to keep an answer)")
        return None
    return ResponseCache(
        positive_number("cache_ttl", cache_ttl), optional_folder("cache_dir", cache_dir)
    )
