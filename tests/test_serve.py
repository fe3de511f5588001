"""`novelty serve`: the real app under uvicorn on 127.0.0.1, spoken to with requests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer

import novelty
from novelty.sources import ICalSource

from .conftest import EXAMPLE_PROFILE, FRIDAY_EVENING, ROOT

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from novelty.serve import MAX_BODY, create_app  # noqa: E402

TOKEN = "s3cret-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """One uvicorn server in a thread, stopped at the end of the module."""

    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def recommender() -> novelty.Recommender:
    return novelty.Recommender().prepare()


@pytest.fixture(scope="module")
def server(
    recommender: novelty.Recommender, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    db = tmp_path_factory.mktemp("serve") / "history.sqlite3"
    running = Server(create_app(recommender=recommender, history=db))
    yield running.url
    running.stop()


@pytest.fixture(scope="module")
def guarded(recommender: novelty.Recommender) -> Iterator[str]:
    running = Server(create_app(recommender=recommender, token=TOKEN))
    yield running.url
    running.stop()


def couple_json() -> dict[str, Any]:
    return novelty.load_profile(EXAMPLE_PROFILE).model_dump(mode="json")


def ask(url: str, **fields: Any) -> requests.Response:
    body = {"couple": couple_json(), "now": FRIDAY_EVENING.isoformat(), **fields}
    # json.dumps writes NaN and Infinity as clients do (requests' json= refuses them).
    return requests.post(
        f"{url}/recommendations", data=json.dumps(body),
        headers={"content-type": "application/json"}, timeout=60,
    )  # fmt: skip


def assert_problem(response: requests.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:novelty:problem:")
    assert problem["title"]
    assert problem["detail"]
    assert "Traceback" not in response.text
    if field is not None:
        assert problem["field"] == field, problem


def test_the_example_couple_gets_the_same_envelope_as_the_library(
    server: str, recommender: novelty.Recommender
) -> None:
    response = ask(server, k=6)
    assert response.status_code == 200, response.text
    envelope = response.json()
    assert len(envelope["ideas"]) >= 5
    local = recommender.recommend(novelty.load_profile(EXAMPLE_PROFILE), now=FRIDAY_EVENING, k=6)
    assert envelope == local.model_dump(mode="json")


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"k": -1}, 422, "k"),
        ({"k": 51}, 422, "k"),
        ({"when": "someday soon"}, 422, "when"),
        ({"budget": -5}, 422, "budget"),
        ({"radius_km": 0}, 422, "radius_km"),
        ({"colour": "red"}, 422, "colour"),
        ({"seed": -1}, 422, "seed"),  # numpy's own ValueError was a 500
        ({"k": True}, 422, "k"),  # JSON's true is no count
        ({"seed": "2"}, 422, "seed"),
        ({"now": "2999-01-01T00:00:00+00:00"}, 422, "now"),  # was named "when"
    ],
)
def test_bad_options_are_problems_naming_the_field(
    server: str, change: dict[str, Any], status: int, field: str
) -> None:
    response = ask(server, **change)
    assert_problem(response, status)
    assert response.json()["field"].split(".")[0] == field


@pytest.mark.parametrize(
    ("change", "field", "detail"),
    [
        ({"budget": -1}, "budget", "Input should be greater than or equal to 0"),
        ({"budget": float("nan")}, "budget", "Input should be a finite number"),
        ({"budget": float("inf")}, "budget", "Input should be a finite number"),
        (
            {"budget": {"per_outing": -5, "currency": "EUR"}},
            "budget.per_outing",
            "Input should be greater than or equal to 0",
        ),
        ({"when": 5}, "when", "Input should be a valid string, or a valid tuple"),
    ],
)
def test_a_bad_union_field_is_one_line_naming_the_member_that_fits(
    server: str, change: dict[str, Any], field: str, detail: str
) -> None:
    response = ask(server, **change)
    assert_problem(response, 422, field)
    assert response.json()["detail"] == f"{field}: {detail}"


def test_a_bad_union_field_of_no_accepted_type_lists_the_types(server: str) -> None:
    response = ask(server, budget="cheap")
    assert_problem(response, 422, "budget")
    detail = response.json()["detail"]
    assert detail.startswith("budget: Input should be a valid dictionary")
    assert ", or a valid number" in detail


@pytest.mark.parametrize("location", ["/etc/passwd", "/no/such/file.ics", "LOCAL"])
def test_a_couple_bringing_sources_is_refused_and_nothing_is_read(
    server: str, httpserver: HTTPServer, location: str
) -> None:
    httpserver.expect_request("/internal").respond_with_data("secret admin page")
    where = httpserver.url_for("/internal") if location == "LOCAL" else location
    couple = {**couple_json(), "sources": [{"type": "ical", "options": {"location": where}}]}
    response = ask(server, couple=couple)
    assert_problem(response, 422, "couple.sources")
    # The same words whatever the location: nothing tells an existing file from a missing one.
    assert response.json()["detail"] == (
        "couple.sources: event sources are configured on the server, not sent with a "
        "request; remove them from the couple"
    )
    assert httpserver.log == []


@pytest.mark.parametrize("field", ["forecast", "sources", "cache_dir", "catalog", "history"])
def test_a_request_cannot_name_a_forecast_a_source_or_a_file(server: str, field: str) -> None:
    response = ask(server, **{field: "/etc/passwd"})
    assert_problem(response, 422, field)


def test_the_services_own_sources_still_apply(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.ics").respond_with_data("not a calendar")
    configured = novelty.Recommender(sources=[ICalSource(httpserver.url_for("/feed.ics"))])
    running = Server(create_app(recommender=configured))
    try:
        response = ask(running.url)
    finally:
        running.stop()
    assert response.status_code == 200, response.text
    assert [p["source"] for p in response.json()["problems"]] == ["ical:localhost"]
    assert len(httpserver.log) == 1


def test_a_couple_with_one_partner_is_a_problem_naming_partners(server: str) -> None:
    couple = couple_json()
    couple["partners"] = couple["partners"][:1]
    response = requests.post(f"{server}/recommendations", json={"couple": couple}, timeout=30)
    assert_problem(response, 422, "couple.partners")


def test_bad_json_is_a_400_problem(server: str) -> None:
    response = requests.post(
        f"{server}/recommendations",
        data=b'{"couple": {',
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert_problem(response, 400, "body")


def test_a_body_over_one_mib_is_413_declared_or_not(server: str) -> None:
    big = b'{"couple": "' + b"x" * (2 * MAX_BODY) + b'"}'
    declared = requests.post(
        f"{server}/recommendations", data=big, headers={"content-type": "application/json"},
        timeout=30,
    )  # fmt: skip
    assert_problem(declared, 413)
    # Chunked, with no Content-Length: counted as it arrives.
    chunks = (big[i : i + 65536] for i in range(0, len(big), 65536))
    streamed = requests.post(
        f"{server}/recommendations", data=chunks, headers={"content-type": "application/json"},
        timeout=30,
    )  # fmt: skip
    assert "content-length" not in streamed.request.headers
    assert_problem(streamed, 413)


def test_openapi_and_health_are_served(server: str) -> None:
    spec = requests.get(f"{server}/openapi.json", timeout=30).json()
    assert {"/recommendations", "/catalog", "/catalog/{activity_id}", "/health"} <= set(
        spec["paths"]
    )
    assert "Recommendations" in json.dumps(spec["components"]["schemas"])
    health = requests.get(f"{server}/health", timeout=30).json()
    assert health["status"] == "ok"
    assert health["activities"] > 100


def test_the_catalog_is_paged_and_filtered(server: str) -> None:
    page = requests.get(f"{server}/catalog", params={"limit": 3, "offset": 2}, timeout=30).json()
    assert len(page["items"]) == 3
    assert page["total"] > 100
    food = requests.get(f"{server}/catalog", params={"category": "food-drink"}, timeout=30).json()
    assert food["items"]
    assert all(a["category"] == "food-drink" for a in food["items"])
    one = requests.get(f"{server}/catalog/thai-cooking-class", timeout=30)
    assert one.json()["title"] == "Hands-on Thai cooking class"
    assert_problem(requests.get(f"{server}/catalog/no-such-idea", timeout=30), 404, "activity_id")
    assert_problem(requests.get(f"{server}/catalog", params={"limit": 0}, timeout=30), 422, "limit")


def test_outings_are_logged_listed_and_deleted(server: str) -> None:
    url = f"{server}/couples/maya-and-jordan/outings"
    outing = {"activity_id": "thai-cooking-class", "date": "2026-11-20", "rating": 5}
    created = requests.post(url, json=outing, timeout=30)
    assert created.status_code == 201, created.text
    outing_id = created.json()["id"]
    assert_problem(requests.post(url, json=outing, timeout=30), 422)  # the same outing twice
    again = requests.post(url, json=outing, params={"again": "true"}, timeout=30)
    assert again.status_code == 201
    assert_problem(requests.post(url, json={**outing, "date": "2999-01-01"}, timeout=30), 422)
    assert_problem(requests.post(url, json={"date": "2026-11-20"}, timeout=30), 422)
    listed = requests.get(url, timeout=30).json()
    assert [o["id"] for o in listed] == [outing_id, again.json()["id"]]
    deleted = requests.delete(f"{url}/{outing_id}", timeout=30)
    assert deleted.json()["id"] == outing_id
    assert_problem(requests.delete(f"{url}/{outing_id}", timeout=30), 404, "outing_id")
    assert [o["id"] for o in requests.get(url, timeout=30).json()] == [again.json()["id"]]
    refused = requests.post(url, json={**outing, "date": "2026-11-21"}, timeout=30).json()
    assert "history.sqlite3" not in json.dumps(refused)  # the server's paths stay private


def test_an_unknown_catalog_id_is_refused_with_a_guess(server: str) -> None:
    url = f"{server}/couples/sam-and-alex/outings"
    typo = requests.post(
        url, json={"activity_id": "thai-cooking-clas", "date": "2026-11-21"}, timeout=30
    )
    assert_problem(typo, 422, "activity_id")
    assert "did you mean 'thai-cooking-class'?" in typo.json()["detail"]
    unknown = requests.post(
        url, json={"activity_id": "no-such-id", "date": "2026-11-21"}, timeout=30
    )
    assert_problem(unknown, 422, "activity_id")
    assert "'no-such-id' is not in the catalog" in unknown.json()["detail"]
    free_text = requests.post(
        url, json={"title": "Picnic by the lake", "date": "2026-11-21"}, timeout=30
    )
    assert free_text.status_code == 201, free_text.text
    assert [o["title"] for o in requests.get(url, timeout=30).json()] == ["Picnic by the lake"]


def test_the_token_is_required_when_set(guarded: str) -> None:
    assert_problem(requests.get(f"{guarded}/openapi.json", timeout=30), 401)
    wrong = {"Authorization": "Bearer nope"}
    assert_problem(requests.get(f"{guarded}/catalog", headers=wrong, timeout=30), 401)
    right = {"Authorization": f"Bearer {TOKEN}"}
    assert requests.get(f"{guarded}/catalog", headers=right, timeout=30).status_code == 200
    assert requests.get(f"{guarded}/health", timeout=30).status_code == 200
    assert (
        "/couples/{name}/outings"
        not in requests.get(f"{guarded}/openapi.json", headers=right, timeout=30).json()["paths"]
    )


def test_serving_beyond_loopback_without_a_token_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "novelty.cli", "serve", "--host", "0.0.0.0", "--port", "1",
         "--db", str(tmp_path / "h.db")],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "novelty: error: --host 0.0.0.0: serving beyond this machine needs a bearer token; "
        "set NOVELTY_TOKEN"
    ]
