"""The one way event sources read a feed: HTTP with timeouts, retries and a size cap, or a file.

Every HTTP request of every source goes through `HttpClient`, so there is one place that
sets the User-Agent, bounds how long and how much we read, retries what is worth
retrying, keeps API keys out of every message, and (when asked) answers a repeated GET
from the on-disk cache of `cache.py`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final, Self
from urllib.parse import unquote, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import SourceError
from . import bounds
from ._options import path_text, positive_number, whole_number
from .cache import ResponseCache, request_key

#: Largest answer or file a source reads, in bytes, unless told otherwise.
DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024

#: Query parameters whose values are secrets: never shown in a message.
SECRET_PARAMS: Final = frozenset(
    {
        "apikey", "api_key", "api-key", "key", "client_id", "client_secret", "token",
        "access_token", "auth", "password", "secret", "signature", "sig",
    }
)  # fmt: skip

_RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
_CHUNK: Final = 64 * 1024
_CONNECTION_HINTS: Final = (
    "connection refused", "name or service not known", "nodename nor servname provided",
    "temporary failure in name resolution", "connection reset", "network is unreachable",
)  # fmt: skip
_URL: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
_SECRET_VALUE: Final = re.compile(
    r"(?i)(?<![A-Za-z0-9_-])(" + "|".join(re.escape(p) for p in sorted(SECRET_PARAMS)) + r")"
    r"(=|%3D)[^&\s#'\"<>)]*"
)
_USERINFO: Final = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s]+@")
#: A last path segment shown in messages: a short file-like name ('basic.ics', 'events').
_NAME_SEGMENT: Final = re.compile(r"[A-Za-z0-9_.-]{1,40}")
#: A run of letters and digits that may be a key or an id: 8 or more with both letters
#: and digits ('abcdef0123456789'), or any 20 or more; a segment with one is not shown.
_KEY_LIKE: Final = re.compile(r"(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{8,}|[A-Za-z0-9]{20,}")
#: The loggers of the HTTP libraries, which log request lines (query and all) and retries.
HTTP_LOGGERS: Final = (
    "urllib3", "urllib3.connectionpool", "urllib3.connection", "urllib3.response",
    "urllib3.poolmanager", "urllib3.util.retry", "requests",
)  # fmt: skip
#: The secrets of the request this thread is making, while `HttpClient.get` makes it.
_REQUEST_SECRETS: ContextVar[tuple[str, ...] | None] = ContextVar(
    "novelty_request_secrets", default=None
)


def _user_agent() -> str:
    try:
        return f"novelty/{version('novelty')}"
    except PackageNotFoundError:
        return "novelty/0"


USER_AGENT: Final = _user_agent()


def redact(text: str) -> str:
    """`text` with the values of secret query parameters and URL passwords replaced by `***`."""
    return _USERINFO.sub(r"\1***@", _SECRET_VALUE.sub(r"\1\2***", text))


class _RedactRequests(logging.Filter):
    """Redacts the records the HTTP libraries log while a novelty request is being made.

    urllib3 logs every request line at DEBUG and every retry at WARNING, the query string
    included; Ticketmaster wants its key in that query. The filter sits on the libraries'
    own loggers, so it runs before any handler an application installs, and it touches
    only records logged by the thread of one of our requests.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _REQUEST_SECRETS.get()
        if secrets is not None:
            if isinstance(record.args, tuple):
                # urllib3 passes the request target ('/path?query') or a whole URL as an
                # argument of its records: each is named as messages name a feed.
                record.args = tuple(_safe_argument(arg) for arg in record.args)
            message = record.getMessage()
            clean = redact(message)
            for secret in secrets:
                clean = clean.replace(secret, "***")
            if clean != message:
                record.msg, record.args = clean, None
            if record.exc_info is not None:  # a traceback would print the URL again
                record.exc_info, record.exc_text = None, None
        return True


def _safe_argument(argument: object) -> object:
    """A log record's argument with the path of a URL or request target made safe."""
    if not isinstance(argument, str):
        return argument
    if is_url(argument):
        parts = urlsplit(argument)
        query = f"?{parts.query}" if parts.query else ""
        return f"{parts.scheme}://{where(argument)}{redact(query)}"
    if argument.startswith("/"):
        path, mark, query = argument.partition("?")
        return f"{_safe_path(path)}{mark}{redact(query)}"
    return argument


_REDACT_REQUESTS: Final = _RedactRequests()
for _logger in HTTP_LOGGERS:
    logging.getLogger(_logger).addFilter(_REDACT_REQUESTS)


@contextlib.contextmanager
def _keeping_secret(secrets: tuple[str, ...]) -> Iterator[None]:
    """While inside, the HTTP libraries' log records of this thread are redacted."""
    token = _REQUEST_SECRETS.set(secrets)
    try:
        yield
    finally:
        _REQUEST_SECRETS.reset(token)


def is_url(location: str) -> bool:
    """Whether `location` is a URL (`scheme://...`) rather than a file path."""
    return bool(_URL.match(location))


def normalise_url(url: str) -> str:
    """`url` ready to fetch: `webcal://` becomes `https://`; only http(s) is accepted.

    Plain `http://` is kept when given (some small venues serve feeds without TLS), but
    never chosen for the user.
    """
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "webcal":
        scheme = "https"
    if scheme not in ("http", "https"):
        raise SourceError(
            f"unsupported URL scheme {scheme!r} in {where(url)}; expected https, http or webcal"
        )
    return f"{scheme}://{rest}"


def checked_location(location: object) -> str:
    """The `location` option as a URL or path string, checked when a source is built."""
    text = path_text("location", location, "a URL or a file path")
    if is_url(text):
        normalise_url(text)
    return text


def where(url: str) -> str:
    """The feed at `url` as every message and log line names it: its host, and of its path
    the last segment when that is a short name, with a hash of the path when the rest of it
    is left out: `calendar.google.com/.../basic.ics (#c347f8)`.

    A private calendar's secret sits in its path (Google's `/calendar/ical/<address>/
    private-<key>/basic.ics`), where `redact` cannot tell it from an ordinary folder; the
    hash still tells apart two feeds of one host. No query, port, user or password is shown.
    """
    parts = urlsplit(url)
    return f"{parts.hostname or '?'}{_safe_path(parts.path)}"


def _safe_path(path: str) -> str:
    """`path` as `where` shows it: whole if it is one short name, else its last segment
    (when that is a short name) after `...`, and a short hash of the whole path."""
    segments = path.strip("/").split("/")
    last = segments[-1]
    if not _NAME_SEGMENT.fullmatch(last) or _KEY_LIKE.search(last):
        last = ""
    if len(segments) == 1 and (last or not segments[0]):
        return f"/{last}"
    digest = hashlib.sha256(unquote(path).encode("utf-8", "replace")).hexdigest()[:6]
    return f"/.../{last} (#{digest})" if last else f"/... (#{digest})"


class _CappedRetry(Retry):
    """urllib3's Retry, with a ceiling on how long a Retry-After header may make us sleep."""

    max_retry_after: float = 30.0

    def new(self, **kw: Any) -> Self:
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.max_retry_after)


@dataclass(frozen=True)
class Response:
    """A fully read HTTP answer: its body (at most `max_bytes`), headers and final URL.

    The URL has its secrets redacted; for an answer read from the cache it is the URL
    asked for, and the headers are those the cache keeps (`cache.KEPT_HEADERS`).
    """

    content: bytes
    headers: Mapping[str, str]
    url: str
    #: Read from the on-disk cache: no request reached the server.
    cached: bool = False


class HttpClient:
    """Reads URLs and files for the sources, with safe defaults.

    The client only holds settings; each `get` opens and closes its own
    `requests.Session`, so one client can serve several threads at once.

    Args:
        timeout: Seconds to wait for the server to accept the connection, for each read,
            and for the whole body once the headers arrived.
        retries: How many times to retry a failed connection or a 429 / 5xx answer.
        backoff_factor: Seconds of the exponential backoff between retries
            (urllib3: factor * 2 ** (retry - 1)), at most `backoff_max`.
        backoff_max: Longest sleep between two retries, in seconds.
        max_retry_after: Longest sleep a server's Retry-After header can ask for.
        max_bytes: Largest body or file read; larger ones raise SourceError.
        cache: Where successful (2xx) answers are kept and served again, for the same
            URL, query and headers, while they are fresh; None (the default) caches nothing.
        secrets: Values (API keys) sent with the requests that must never be logged; they
            are redacted from what urllib3 and requests log about this client's requests.
    """

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        backoff_factor: float = 0.5,
        backoff_max: float = 4.0,
        max_retry_after: float = 10.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        cache: ResponseCache | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.timeout = positive_number("timeout", timeout)
        self.retries = whole_number("retries", retries, 0)
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.max_bytes = whole_number("max_bytes", max_bytes, 1)
        self.cache = cache
        self._secrets = tuple(s for s in secrets if s)

    def _session(self) -> requests.Session:
        retry = _CappedRetry(
            total=self.retries,
            connect=self.retries,
            read=False,  # a server that went silent once will not answer faster next time
            status=self.retries,
            other=0,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=_RETRY_STATUSES,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.max_retry_after = self.max_retry_after
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = USER_AGENT
        return session

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """GET `url` and read its whole body; any failure raises SourceError without secrets.

        With a cache, a fresh answer it holds for the same request is read from disk
        instead, and a new 2xx answer is stored in it.
        """
        url = normalise_url(url)
        place = where(url)
        # One deadline for the whole fetch (retries, headers and body), not one per read:
        # a server that drips a byte at a time would otherwise keep us for ever.
        until = time.monotonic() + min(self.timeout, bounds.seconds_left())
        failure = ""
        with _keeping_secret(self._secrets):
            try:
                return self._get(url, place, until, params, headers)
            except requests.Timeout:
                failure = f"{place}: no answer within {self.timeout:g} s"
            except requests.RequestException as exc:
                failure = f"{place}: {_describe(exc, self.timeout)}"
            except urllib3.exceptions.HTTPError as exc:  # raised while the body streams in
                failure = f"{place}: {_describe(exc, self.timeout)}"
        # Raised out here, not in the except blocks, so that the library's exception, which
        # holds the full URL with its query, is not kept as this error's __context__.
        raise SourceError(failure)

    def _get(
        self,
        url: str,
        place: str,
        until: float,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> Response:
        cache, key = self.cache, ""
        if cache is not None:
            asked = requests.Request("GET", url, params=params).prepare().url or url
            key = request_key(asked, headers)
            stored = cache.get(key)
            if stored is not None and len(stored.content) <= self.max_bytes:
                return Response(stored.content, stored.headers, redact(asked), cached=True)
        wait = self._left(until, place)
        with (
            self._session() as session,
            session.get(url, params=params, headers=headers, timeout=wait, stream=True) as answer,
        ):
            if answer.status_code >= 400:
                reason = f" {answer.reason}" if answer.reason else ""
                raise SourceError(f"{place}: HTTP {answer.status_code}{redact(reason)}")
            content = self._body(answer, place, until)
            if cache is not None and 200 <= answer.status_code < 300:
                cache.put(key, content, answer.headers)
            return Response(content, answer.headers, redact(answer.url))

    def _left(self, until: float, place: str) -> float:
        """Seconds to the fetch's deadline; SourceError once it has passed."""
        left = until - time.monotonic()
        if left <= 0:
            raise SourceError(f"{place}: answer not complete within {self.timeout:g} s")
        return left

    def _body(self, answer: requests.Response, place: str, until: float) -> bytes:
        declared = answer.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise SourceError(f"{place}: answer of {int(declared)} bytes is over {self._limit()}")
        raw = answer.raw
        connection = raw.connection
        body = bytearray()
        while True:
            left = self._left(until, place)
            if connection is not None and connection.sock is not None:
                connection.sock.settimeout(left)  # no single read may outlast the deadline
            # read1 returns whatever has arrived: read() would wait for a whole chunk,
            # one slow byte after another.
            chunk = raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > self.max_bytes:
                raise SourceError(f"{place}: answer is over {self._limit()}")

    def _limit(self) -> str:
        return f"the limit of {self.max_bytes} bytes"

    def read(self, location: str) -> bytes:
        """The bytes at `location`: an http(s)/webcal URL, or a path to a local file."""
        if is_url(location):
            return self.get(location).content
        return self.read_file(Path(location).expanduser())

    def read_file(self, path: Path) -> bytes:
        """The bytes of a regular file, at most `max_bytes` of them.

        FIFOs, devices and folders are refused before they are opened: /dev/zero never
        ends and a FIFO blocks until someone writes to it. The file is opened without
        blocking and checked again once open, in case it was swapped in between.
        """
        failure = ""
        try:
            _regular(path, os.stat(path).st_mode)
            handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            with open(handle, "rb", buffering=0) as file:
                _regular(path, os.fstat(handle).st_mode)
                return self._capped(file, path)
        except FileNotFoundError:
            failure = f"{path}: no such file"
        except OSError as exc:
            failure = f"{path}: cannot read ({exc.strerror or exc})"
        raise SourceError(failure)

    def _capped(self, file: Any, path: Path) -> bytes:
        data = bytearray()
        while chunk := file.read(_CHUNK):
            data += chunk
            if len(data) > self.max_bytes:
                raise SourceError(f"{path}: file is over {self._limit()}")
            bounds.check(f"reading {path}")
        return bytes(data)


def _regular(path: Path, mode: int) -> None:
    """Refuse anything but a regular file, naming what it is."""
    if stat.S_ISREG(mode):
        return
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a FIFO (named pipe)",
        stat.S_ISCHR: "a device",
        stat.S_ISBLK: "a device",
        stat.S_ISSOCK: "a socket",
    }
    kind = next((name for test, name in kinds.items() if test(mode)), "not a regular file")
    raise SourceError(f"{path}: is {kind}, not a regular file")


def _describe(exc: Exception, timeout: float) -> str:
    """One line saying what went wrong with a request, in words, without URLs or secrets."""
    text = str(exc)
    if "timed out" in text.lower():
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed (bad or untrusted certificate)"
    if isinstance(exc, requests.exceptions.RetryError):
        return "gave up after too many retries"
    if isinstance(exc, requests.ConnectionError | urllib3.exceptions.ProtocolError):
        for hint in _CONNECTION_HINTS:
            if hint in text.lower():
                return f"cannot connect ({hint})"
        return "cannot connect or the connection broke"
    return f"request failed ({type(exc).__name__})"
