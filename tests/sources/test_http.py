"""The HTTP layer: timeouts, retries, Retry-After, size cap, schemes and secret redaction."""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from novelty.errors import SourceError
from novelty.sources.http import USER_AGENT, HttpClient, normalise_url, redact, where


def fast(**options: float) -> HttpClient:
    """A client whose retry backoff is a few milliseconds, so retry tests stay quick."""
    return HttpClient(backoff_factor=0.01, backoff_max=0.05, **options)  # type: ignore[arg-type]


def test_a_503_is_retried_and_the_next_answer_returned(server: HTTPServer) -> None:
    server.expect_ordered_request("/feed").respond_with_data("busy", status=503)
    server.expect_ordered_request("/feed").respond_with_data("BEGIN:VCALENDAR")

    assert fast().get(server.url_for("/feed")).content == b"BEGIN:VCALENDAR"
    assert len(server.log) == 2


def test_retry_after_is_waited_for(server: HTTPServer) -> None:
    server.expect_ordered_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    server.expect_ordered_request("/feed").respond_with_data("ok")

    started = time.monotonic()
    fast().get(server.url_for("/feed"))

    assert 0.9 <= time.monotonic() - started < 3


def test_retry_after_is_capped_by_max_retry_after(server: HTTPServer) -> None:
    server.expect_ordered_request("/feed").respond_with_data(
        "come back tomorrow", status=503, headers={"Retry-After": "86400"}
    )
    server.expect_ordered_request("/feed").respond_with_data("ok")

    started = time.monotonic()
    fast(max_retry_after=0.2).get(server.url_for("/feed"))

    assert time.monotonic() - started < 2


def test_after_the_last_retry_the_error_gives_status_host_and_path(server: HTTPServer) -> None:
    server.expect_request("/broken").respond_with_data("oops", status=500)

    with pytest.raises(SourceError, match=r"^127\.0\.0\.1/broken: HTTP 500"):
        fast(retries=1).get(server.url_for("/broken"))
    assert len(server.log) == 2


def test_an_answer_declared_larger_than_max_bytes_is_refused(server: HTTPServer) -> None:
    server.expect_request("/big").respond_with_data(b"x" * 5000)

    with pytest.raises(SourceError, match="over the limit of 1000 bytes"):
        HttpClient(max_bytes=1000).get(server.url_for("/big"))


def test_a_streamed_answer_is_cut_off_past_max_bytes(server: HTTPServer) -> None:
    def endless(_: Request) -> Response:
        return Response(iter([b"y" * 1024] * 10_000), content_type="text/calendar")

    server.expect_request("/stream").respond_with_handler(endless)

    with pytest.raises(SourceError, match="over the limit of 4096 bytes"):
        HttpClient(max_bytes=4096).get(server.url_for("/stream"))


def test_a_server_that_never_answers_times_out(
    server: HTTPServer, release: threading.Event
) -> None:
    def silent(_: Request) -> Response:
        release.wait(10)
        return Response("too late")

    server.expect_request("/silent").respond_with_handler(silent)

    started = time.monotonic()
    with pytest.raises(SourceError, match=r"no answer within 0\.5 s"):
        fast(timeout=0.5).get(server.url_for("/silent"))
    assert time.monotonic() - started < 2


def test_http_errors_never_show_the_api_key(server: HTTPServer) -> None:
    server.expect_request("/events.json").respond_with_data("bad key", status=401)

    with pytest.raises(SourceError) as caught:
        HttpClient().get(server.url_for("/events.json"), params={"apikey": "SECRET123"})
    assert "SECRET123" not in str(caught.value)
    assert "HTTP 401" in str(caught.value)


def test_connection_errors_never_show_the_api_key() -> None:
    closed = "http://127.0.0.1:9/events.json?apikey=SECRET123&size=5"

    with pytest.raises(SourceError) as caught:
        HttpClient(retries=0, timeout=1).get(closed)
    assert "SECRET123" not in str(caught.value)
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    "text",
    [
        "https://api.example/v1?apikey=SECRET123&page=2",
        "GET /events?page=1&api_key=SECRET123",
        "url: https://api.example/e?CLIENT_ID=SECRET123",
        "https://api.example/e?token=SECRET123#frag",
        "https://user:SECRET123@host.example/feed.ics",
        "https://api.example/e?access_token%3DSECRET123",
    ],
)
def test_redact_hides_secret_values(text: str) -> None:
    assert "SECRET123" not in redact(text)
    assert "***" in redact(text)


def test_redact_keeps_ordinary_parameters() -> None:
    assert redact("https://x.example/e?page=2&size=100") == "https://x.example/e?page=2&size=100"


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("http://127.0.0.1:8080/feed.ics", "127.0.0.1/feed.ics"),
        ("https://u:pw@venue.example/events?apikey=K#top", "venue.example/events"),
        ("https://venue.example", "venue.example/"),
        (
            "https://calendar.google.com/calendar/ical/me%40x.com/private-0123abcd4567ef/basic.ics",
            "calendar.google.com/.../basic.ics (#HASH)",
        ),
        (
            "webcal://p01.icloud.com/published/2/MTYxNzk5NzAxMjM0NTY3ODkw",
            "p01.icloud.com/... (#HASH)",
        ),
        ("https://feeds.example/private-0123abcd4567ef", "feeds.example/... (#HASH)"),
        ("https://feeds.example/a/b/calendar%20x.ics", "feeds.example/... (#HASH)"),
    ],
)
def test_a_feed_is_named_by_its_host_and_a_last_segment_that_is_a_name(
    url: str, named: str
) -> None:
    assert re.fullmatch(re.escape(named).replace("HASH", "[0-9a-f]{6}"), where(url))


def test_two_private_feeds_of_one_host_have_two_names() -> None:
    first = "https://calendar.google.com/calendar/ical/a%40x.com/private-0123abcd4567ef/basic.ics"
    assert where(first) != where(first.replace("0123", "9876"))
    assert where(first) == where(first.replace("%40", "@"))  # as a log line writes it


def test_requests_carry_a_novelty_user_agent(server: HTTPServer) -> None:
    server.expect_request("/ua", headers={"User-Agent": USER_AGENT}).respond_with_data("ok")

    HttpClient().get(server.url_for("/ua"))

    assert USER_AGENT.startswith("novelty/")


@pytest.mark.parametrize(
    ("given", "fetched"),
    [
        ("webcal://cal.example/feed.ics", "https://cal.example/feed.ics"),
        ("WEBCAL://cal.example/feed.ics", "https://cal.example/feed.ics"),
        ("http://cal.example/feed.ics", "http://cal.example/feed.ics"),
        ("https://cal.example/feed.ics", "https://cal.example/feed.ics"),
    ],
)
def test_webcal_means_https_and_http_stays_http(given: str, fetched: str) -> None:
    assert normalise_url(given) == fetched


def test_other_url_schemes_are_refused_without_the_path() -> None:
    with pytest.raises(SourceError, match="unsupported URL scheme 'ftp'") as refused:
        HttpClient().read("ftp://files.example/private-0123abcd4567ef/feed.ics")
    assert "0123abcd4567ef" not in str(refused.value)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HTTPServer, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    yield server, cert
    server.stop()


def test_a_webcal_url_is_fetched_over_https(
    tls_server: tuple[HTTPServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = tls_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    server.expect_request("/feed.ics").respond_with_data("BEGIN:VCALENDAR")

    url = f"webcal://127.0.0.1:{server.port}/feed.ics"

    assert HttpClient().read(url) == b"BEGIN:VCALENDAR"


def test_local_files_are_read(tmp_path: Path) -> None:
    feed = tmp_path / "feed.ics"
    feed.write_bytes(b"BEGIN:VCALENDAR")

    assert HttpClient().read(str(feed)) == b"BEGIN:VCALENDAR"


def test_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        HttpClient().read(str(tmp_path / "missing.ics"))


def test_a_file_larger_than_max_bytes_is_refused(tmp_path: Path) -> None:
    feed = tmp_path / "huge.ics"
    feed.write_bytes(b"x" * 2000)

    with pytest.raises(SourceError, match="over the limit of 1000 bytes"):
        HttpClient(max_bytes=1000).read(str(feed))


@pytest.mark.parametrize(
    ("option", "value"),
    [("timeout", 0), ("timeout", "10"), ("retries", -1), ("max_bytes", 0), ("retries", True)],
)
def test_bad_settings_name_the_option(option: str, value: object) -> None:
    with pytest.raises(SourceError, match=f"option '{option}'"):
        HttpClient(**{option: value})  # type: ignore[arg-type]
