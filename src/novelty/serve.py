"""The HTTP service behind `novelty serve`: recommendations, the catalog and histories as JSON.

Needs the `serve` extra (FastAPI and uvicorn). `create_app()` builds the ASGI app around one
prepared Recommender shared by every request; `serve()` runs it with uvicorn.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from . import __version__
from .catalog import row_to_activity
from .errors import ArgumentError, BudgetError, NoveltyError, WindowError
from .history import HistoryStore, LoggedOuting
from .models import Activity, Budget, Couple, Location, Outing
from .recommender import Recommender
from .results import Recommendations
from .typos import did_you_mean

#: Largest request body accepted, in bytes; a larger one is answered 413.
MAX_BODY = 1024 * 1024
#: Most ideas one request may ask for.
MAX_K = 50
#: Environment variable holding the bearer token every request (but /health) must carry.
TOKEN_VARIABLE = "NOVELTY_TOKEN"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: RFC 9110's names, which older Pythons' HTTPStatus predates; fixed so `type` never varies.
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
#: Which request field an error of each kind is about.
_FIELD_OF = {WindowError: "when", BudgetError: "budget"}


class RecommendationRequest(BaseModel):
    """The body of `POST /recommendations`: a couple and the same options as `recommend()`."""

    model_config = ConfigDict(extra="forbid")

    couple: Couple
    when: str | tuple[str, str] = Field(
        default="this weekend",
        description="'this weekend', 'tonight', a weekday, YYYY-MM-DD or a [start, end] pair.",
    )
    # Strict: JSON's true or "2" is not a count (the library refuses them too).
    k: int = Field(
        default=5, ge=1, le=MAX_K, strict=True, description=f"How many ideas (1..{MAX_K})."
    )
    budget: Budget | Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        default=None, description="Most to spend on one outing for two; overrides the couple's."
    )
    now: AwareDatetime | None = Field(default=None, description="The clock (default: now).")
    # numpy takes only seeds >= 0; a negative one would fail deep inside the ranking.
    seed: int | None = Field(
        default=None, ge=0, strict=True, description="Vary the ideas reproducibly."
    )
    near: Location | None = Field(default=None, description="Where to look (default: home).")
    radius_km: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    strict: bool = False


class CatalogPage(BaseModel):
    """One page of catalog activities, and how many match in all."""

    total: int
    limit: int
    offset: int
    items: list[Activity]


class Health(BaseModel):
    """The service is up: its version and the size of its prepared catalog."""

    status: str = "ok"
    version: str
    activities: int


class ProblemError(Exception):
    """An error answered as RFC 9457 problem details."""

    def __init__(self, status: int, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field

    def response(self) -> Response:
        """The problem as an `application/problem+json` response."""
        title = _TITLES.get(self.status) or HTTPStatus(self.status).phrase
        body: dict[str, Any] = {
            "type": f"urn:novelty:problem:{title.lower().replace(' ', '-')}",
            "title": title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.field is not None:
            body["field"] = self.field
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return Response(
            json.dumps(body), self.status, headers, media_type="application/problem+json"
        )


def _invalid(exc: RequestValidationError) -> ProblemError:
    """A request that does not match its model, with the first bad field named and why."""
    errors = [dict(error) for error in exc.errors()]
    if errors[0].get("type") == "json_invalid":
        reason = dict(errors[0].get("ctx") or {}).get("error", "")
        return ProblemError(400, f"the body is not valid JSON ({reason})", field="body")
    # The errors of one field, all of a union's members' together.
    fields: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for error in errors:
        path, union = _located(error, exc.body)
        fields.setdefault(union or path, []).append((path, error))
    (named, first), *others = fields.items()
    more = f" (and {len(others)} more)" if others else ""
    # Of a union's members, the one the value has the type of says what is wrong with it.
    telling = [(path, error) for path, error in first if not _wrong_type(error)]
    if telling:
        field, error = telling[0]
        reason = _message(error)
    else:
        field = named
        reasons = dict.fromkeys(_message(error) for _, error in first)
        reason = ", or ".join(
            r if i == 0 else r.removeprefix("Input should be ") for i, r in enumerate(reasons)
        )
    return ProblemError(422, f"{field}: {reason}{more}", field=field)


def _located(error: dict[str, Any], body: Any) -> tuple[str, str | None]:
    """The dotted path of the request field an error is about, and of the union it is in
    (None if none). Pydantic puts a union member's name ('float', 'Budget') into the
    location: a part that is not in the body is such a name, unless the error says a field
    is missing."""
    where, *parts = error.get("loc", ()) or ("body",)
    if where != "body":  # query and path parameters: plain names
        return ".".join(map(str, parts)) or str(where), None
    path: list[str] = []
    union: str | None = None
    value = body
    for number, part in enumerate(parts, start=1):
        inside = (isinstance(value, dict) and part in value) or (
            isinstance(value, list) and isinstance(part, int) and part < len(value)
        )
        if inside:
            value = value[part]
        elif not (number == len(parts) and error.get("type") == "missing"):
            union = union or ".".join(path) or "body"
            continue
        path.append(str(part))
    return ".".join(path) or "body", union


def _wrong_type(error: dict[str, Any]) -> bool:
    """Whether the error only says the value is not of the expected type at all."""
    kind = str(error.get("type", ""))
    return kind.endswith(("_type", "_parsing")) or kind == "none_required"


def _message(error: dict[str, Any]) -> str:
    # A validator's own message needs no "Value error, " before it.
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def _refused(exc: NoveltyError, store: HistoryStore | None = None) -> ProblemError:
    """A library error as a 422 problem; the server's own file path is not disclosed."""
    detail = str(exc)
    if store is not None:
        detail = detail.removeprefix(f"{store.path}: ")
    field = next((f for kind, f in _FIELD_OF.items() if isinstance(exc, kind)), None)
    name = detail.split(":", 1)[0]
    if isinstance(exc, ArgumentError | WindowError) and name.isidentifier():
        # These start with the argument's name: "k: expected ...", "now: ... is out of range".
        field = name
    return ProblemError(422, detail, field=field)


class _Guard:
    """ASGI middleware in front of the app: the bearer token (when one is set) and the body
    size limit, counted as the body arrives since a Content-Length can lie or be absent."""

    def __init__(self, app: ASGIApp, *, token: str | None, limit: int = MAX_BODY) -> None:
        self.app, self.token, self.limit = app, token, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.token is not None and scope["path"] != "/health":
            given = headers.get("authorization", "")
            expected = f"Bearer {self.token}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                await _answer(
                    send, ProblemError(401, "a valid 'Authorization: Bearer' header is needed")
                )
                return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await _answer(send, self._too_large())
            return
        received = 0
        answered = False

        async def counted() -> Message:
            nonlocal received, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                answered = True
                await _answer(send, self._too_large())
                # The app sees the client go away and stops reading.
                return {"type": "http.disconnect"}
            return message

        async def unless_answered(message: Message) -> None:
            if not answered:
                await send(message)

        await self.app(scope, counted, unless_answered)

    def _too_large(self) -> ProblemError:
        return ProblemError(413, f"the body is larger than {self.limit} bytes")


async def _answer(send: Send, problem: ProblemError) -> None:
    response = problem.response()
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": response.body})


def create_app(
    *,
    recommender: Recommender | None = None,
    history: HistoryStore | str | Path | None = None,
    token: str | None = None,
) -> FastAPI:
    """The ASGI app. `recommender` (default: the bundled catalog) is prepared once here and
    shared by all requests; `history` (a HistoryStore or a database path) enables the
    outings endpoints and joins the logged outings to recommendations; with `token`, every
    request but `GET /health` needs `Authorization: Bearer <token>`."""
    shared = (recommender or Recommender()).prepare()
    store = HistoryStore(history) if isinstance(history, str | Path) else history
    index = shared.index_
    catalog = [row_to_activity(index.cells, row) for row in range(len(index))]
    by_id = {activity.id: activity for activity in catalog}

    app = FastAPI(
        title="novelty",
        version=__version__,
        description="Novel shared experiences for couples. Errors are RFC 9457 problem details.",
    )
    app.add_middleware(_Guard, token=token)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return _invalid(exc).response()

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        return ProblemError(exc.status_code, str(exc.detail)).response()

    @app.exception_handler(NoveltyError)
    async def _novelty(request: Request, exc: NoveltyError) -> Response:
        return _refused(exc, store).response()

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return ProblemError(500, f"unexpected error ({type(exc).__name__})").response()

    @app.get("/health")
    def health() -> Health:
        """The service is up."""
        return Health(version=__version__, activities=len(catalog))

    @app.post("/recommendations", response_model=Recommendations)
    def recommendations(request: RecommendationRequest) -> Response:
        """Up to `k` ideas for the couple: the same envelope as `novelty ideas --json`.
        The couple may not bring `sources`: the service's are configured on the server."""
        if request.couple.sources:
            # A source reads the file or fetches the URL it is given: built from a request,
            # it would let any client read the server's files and reach its network.
            raise ProblemError(
                422,
                "couple.sources: event sources are configured on the server, not sent with "
                "a request; remove them from the couple",
                field="couple.sources",
            )
        logged = store if store is not None and store.path.exists() else None
        recs = shared.recommend(
            request.couple,
            when=request.when,
            k=request.k,
            budget=request.budget,
            near=request.near,
            radius_km=request.radius_km,
            now=request.now,
            seed=request.seed,
            strict=request.strict,
            history=logged,
        )
        return Response(recs.model_dump_json(), media_type="application/json")

    @app.get("/catalog")
    def catalog_page(
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
        category: str | None = None,
        tag: str | None = None,
    ) -> CatalogPage:
        """Catalog activities in catalog order, optionally of one category or with one tag."""
        chosen = [
            a
            for a in catalog
            if (category is None or a.category == category) and (tag is None or tag in a.tags)
        ]
        items = chosen[offset : offset + limit]
        return CatalogPage(total=len(chosen), limit=limit, offset=offset, items=items)

    @app.get("/catalog/{activity_id}")
    def catalog_activity(activity_id: str) -> Activity:
        """One catalog activity by id."""
        if activity_id not in by_id:
            raise ProblemError(
                404, f"no activity {activity_id!r} in the catalog", field="activity_id"
            )
        return by_id[activity_id]

    if store is not None:
        _outings_routes(app, store, by_id.keys())
    return app


def _outings_routes(app: FastAPI, store: HistoryStore, catalog_ids: Collection[str]) -> None:
    """The history endpoints, over one HistoryStore; outings name ids of the catalog."""

    @app.get("/couples/{name}/outings")
    def outings(name: str) -> list[LoggedOuting]:
        """The couple's logged outings with their ids, oldest first."""
        return list(store.logged_outings(couple=name))

    @app.post("/couples/{name}/outings", status_code=201)
    def log_outing(
        name: str,
        outing: Annotated[Outing, Body()],
        again: Annotated[bool, Query(description="Allow the same outing twice a day.")] = False,
    ) -> LoggedOuting:
        """Record an outing (not dated in the future; not twice on one day unless `again`);
        an `activity_id` must be in the catalog, as `novelty log` requires."""
        if outing.activity_id and outing.activity_id not in catalog_ids:
            raise ProblemError(
                422,
                f"activity_id: {outing.activity_id!r} is not in the catalog"
                f"{did_you_mean(outing.activity_id, catalog_ids)} "
                "(for anything else, send a title instead)",
                field="activity_id",
            )
        outing_id = store.add(outing, couple=name, again=again)
        return next(o for o in store.logged_outings(couple=name) if o.id == outing_id)

    @app.delete("/couples/{name}/outings/{outing_id}")
    def delete_outing(name: str, outing_id: int) -> LoggedOuting:
        """Delete one of the couple's outings; answers the deleted outing."""
        if outing_id not in {o.id for o in store.logged_outings(couple=name)}:
            raise ProblemError(404, f"no outing {outing_id} for couple {name!r}", field="outing_id")
        return store.remove(outing_id, couple=name)


def is_loopback(host: str) -> bool:
    """Whether `host` only listens on this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    history: HistoryStore | str | Path | None = None,
    catalog: str | Path | None = None,
    token: str | None = None,
) -> None:
    """Run the service with uvicorn until interrupted. Binding to any address but a
    loopback one needs a `token`: the service is not opened to a network without one."""
    import uvicorn

    if token is None and not is_loopback(host):
        raise ArgumentError(
            f"--host {host}: serving beyond this machine needs a bearer token; set {TOKEN_VARIABLE}"
        )
    app = create_app(recommender=Recommender(catalog), history=history, token=token)
    uvicorn.run(app, host=host, port=port, log_level="info")
