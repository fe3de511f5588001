"""The one way event sources read a feed: HTTP with timeouts, retries and a size cap, or a file.

Every HTTP request of every source goes through `HttpClient`, so there is one place that
sets the User-Agent, bounds how long and how much we read, retries what is worth
retrying, keeps API keys out of every message, and (when asked) answers a repeated GET
from the on-disk cache of `cache.py`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final, Self
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import SourceError
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


def _user_agent() -> str:
    try:
        return f"novelty/{version('novelty')}"
    except PackageNotFoundError:
        return "novelty/0"


USER_AGENT: Final = _user_agent()


def redact(text: str) -> str:
    """`text` with the values of secret query parameters and URL passwords replaced by `***`."""
    return _USERINFO.sub(r"\1***@", _SECRET_VALUE.sub(r"\1\2***", text))


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
            f"unsupported URL scheme {scheme!r} in {redact(url)}; expected https, http or webcal"
        )
    return f"{scheme}://{rest}"


def checked_location(location: object) -> str:
    """The `location` option as a URL or path string, checked when a source is built."""
    text = path_text("location", location, "a URL or a file path")
    if is_url(text):
        normalise_url(text)
    return text


def where(url: str) -> str:
    """Host and path of `url`, the part of it that is safe and useful in a message."""
    parts = urlsplit(url)
    return redact(f"{parts.hostname or '?'}{parts.path or '/'}")


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
    ) -> None:
        self.timeout = positive_number("timeout", timeout)
        self.retries = whole_number("retries", retries, 0)
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.max_bytes = whole_number("max_bytes", max_bytes, 1)
        self.cache = cache

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
        cache, key = self.cache, ""
        try:
            if cache is not None:
                asked = requests.Request("GET", url, params=params).prepare().url or url
                key = request_key(asked, headers)
                stored = cache.get(key)
                if stored is not None and len(stored.content) <= self.max_bytes:
                    return Response(stored.content, stored.headers, redact(asked), cached=True)
            with (
                self._session() as session,
                session.get(
                    url,
                    params=params,
                    headers=headers,
                    timeout=(self.timeout, self.timeout),
                    stream=True,
                ) as answer,
            ):
                if answer.status_code >= 400:
                    reason = f" {answer.reason}" if answer.reason else ""
                    raise SourceError(f"{place}: HTTP {answer.status_code}{redact(reason)}")
                content = self._body(answer, place)
                if cache is not None and 200 <= answer.status_code < 300:
                    cache.put(key, content, answer.headers)
                return Response(content, answer.headers, redact(answer.url))
        except requests.Timeout:
            raise SourceError(f"{place}: no answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise SourceError(f"{place}: {_describe(exc, self.timeout)}") from None

    def _body(self, answer: requests.Response, place: str) -> bytes:
        declared = answer.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise SourceError(f"{place}: answer of {int(declared)} bytes is over {self._limit()}")
        deadline = time.monotonic() + self.timeout
        body = bytearray()
        for chunk in answer.iter_content(_CHUNK):
            body += chunk
            if len(body) > self.max_bytes:
                raise SourceError(f"{place}: answer is over {self._limit()}")
            if time.monotonic() > deadline:
                raise SourceError(f"{place}: answer not complete within {self.timeout:g} s")
        return bytes(body)

    def _limit(self) -> str:
        return f"the limit of {self.max_bytes} bytes"

    def read(self, location: str) -> bytes:
        """The bytes at `location`: an http(s)/webcal URL, or a path to a local file."""
        if is_url(location):
            return self.get(location).content
        path = Path(location).expanduser()
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise SourceError(f"{path}: file of {size} bytes is over {self._limit()}")
            return path.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"{path}: no such file") from None
        except OSError as exc:
            raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _describe(exc: requests.RequestException, timeout: float) -> str:
    """One line saying what went wrong with a request, in words, without URLs or secrets."""
    text = str(exc)
    if "timed out" in text.lower():
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed (bad or untrusted certificate)"
    if isinstance(exc, requests.exceptions.RetryError):
        return "gave up after too many retries"
    if isinstance(exc, requests.ConnectionError):
        for hint in _CONNECTION_HINTS:
            if hint in text.lower():
                return f"cannot connect ({hint})"
        return "cannot connect or the connection broke"
    return f"request failed ({type(exc).__name__})"
