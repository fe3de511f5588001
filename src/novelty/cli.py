"""The `novelty` command: a thin shell over the library (ideas, log, history, catalog, sources)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from .catalog import PROBLEM_LIMIT, check_catalog, load_catalog, read_catalog_file
from .errors import ArgumentError, NoveltyError, ProfileError
from .history import HistoryStore, LoggedOuting, export_outings, import_outings
from .labels import display_label
from .models import Budget, Couple, Outing
from .money import money, price_phrase
from .profile import describe_validation_error, load_profile
from .recommender import Recommender
from .results import Recommendations
from .windows import FIRST_YEAR, LAST_YEAR


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ArgumentError(message)


def default_db() -> Path:
    """$NOVELTY_DB, else $XDG_DATA_HOME/novelty/history.sqlite3 (~/.local/share by default)."""
    if os.environ.get("NOVELTY_DB"):
        return Path(os.environ["NOVELTY_DB"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "novelty" / "history.sqlite3"


def _profile(args: argparse.Namespace) -> Couple:
    path = args.profile or os.environ.get("NOVELTY_PROFILE")
    if not path:
        raise ProfileError("no profile given: pass --profile FILE or set NOVELTY_PROFILE")
    return load_profile(path)


def _now(value: str | None, tz: dt.tzinfo) -> dt.datetime | None:
    if value is None:
        return None
    try:
        now = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ArgumentError(f"--now: expected an ISO datetime, got {value!r}") from None
    return now if now.tzinfo else now.replace(tzinfo=tz)


def _store(args: argparse.Namespace, *, writes: bool = False) -> HistoryStore:
    """The history database; one the command `writes` to must be in an existing folder
    when the user named it (--db, $NOVELTY_DB): only the default location is created."""
    path: Path = args.db or default_db()
    named = None
    if args.db:
        named = f"--db {path}"
    elif os.environ.get("NOVELTY_DB"):
        named = f"NOVELTY_DB={path}"
    if writes and named and not path.parent.is_dir():
        raise ArgumentError(
            f"{named}: the folder {path.parent} does not exist; create it or name another file"
        )
    return HistoryStore(path)


def _print_ideas(recs: Recommendations, couple: Couple, budget: Budget | None) -> None:
    tz = couple.timezone
    w = recs.window
    span = f"{w.start.astimezone(tz):%a %d %b %H:%M} – {w.end.astimezone(tz):%a %d %b %H:%M}"
    names = " & ".join(p.name for p in couple.partners)
    limit = f", up to {money(budget.per_outing, budget.currency)}" if budget else ""
    print(f"{(w.label or 'Ideas').capitalize()} ({span}) for {names}{limit}\n")
    if not recs and any(p.source == "budget" for p in recs.problems):
        print(
            f"No ideas: no exchange rate converts the catalog's prices into "
            f"{budget.currency if budget else 'your currency'}. Add it to the budget's `rates`."
        )
    elif not recs:
        print(
            "No ideas fit this window, budget and day. Try --when 'next weekend', a larger "
            "--budget, or fewer limits (--energy, --indoor/--outdoor, --minutes)."
        )
    for idea in recs:
        a = idea.activity
        start = idea.starts_at.astimezone(tz)
        when = f"{start:%a %d %b %H:%M}" + ("" if a.starts_at else f" (suggested, {a.time_of_day})")
        place = ""
        if a.location and a.location.name:
            place = f" at {a.location.name}"
        print(f"{idea.rank}. {a.title}  [{display_label(a.category)}, {a.source}]")
        print(f"   When:  {when}{place}")
        # A price converted into the budget's currency is said in the reasons, approximately.
        converted = (r for r in idea.reasons if r.startswith(("≈", "From ≈")))
        print(f"   Price: {next(converted, price_phrase(a))}")
        print(f"   Why:   {' '.join(idea.reasons[:2])}")
        print(f"   Talk:  {idea.conversation_starters[0]}")
        print()
    for problem in recs.problems:
        print(f"note: {problem.source}: {problem.message}", file=sys.stderr)


def cmd_ideas(args: argparse.Namespace) -> int:
    """Print (or export) ideas for the profile's couple."""
    couple = _profile(args)
    budget = None
    if args.budget is not None:
        currency = couple.budget.currency if couple.budget else "USD"
        try:
            budget = Budget(per_outing=args.budget, currency=currency)
        except ValidationError as exc:
            raise ArgumentError(describe_validation_error(exc, prefix="--budget")) from None
    store = _store(args)
    recommender = Recommender(args.catalog)
    recs = recommender.recommend(
        couple,
        when=args.when,
        k=args.k,
        budget=budget,
        now=_now(args.now, couple.timezone),
        seed=args.seed,
        history=store if store.path.exists() else None,
        adventure=args.adventure,
        energy=args.energy,
        setting=args.setting,
        max_minutes=args.minutes,
        forecast=args.forecast,
    )
    if args.ics:
        _save(Path(args.ics), recs.to_ics(), option="--ics")
    if args.json:
        print(recs.to_json())
    else:
        _print_ideas(recs, couple, budget or couple.budget)
        if args.ics:
            print(f"Saved {len(recs)} idea(s) to {args.ics}")
    return 0


def _save(path: Path, data: bytes, *, option: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ArgumentError(f"{option} {path}: cannot write ({exc.strerror or exc})") from None


def cmd_log(args: argparse.Namespace) -> int:
    """Record an outing in the history database."""
    if bool(args.activity) == bool(args.title):
        raise ArgumentError(
            "log: give a catalog activity id, or --title for an outing outside the catalog"
            + (", not both" if args.activity else "")
        )
    if args.activity and (args.category or args.tags):
        raise ArgumentError(
            "log: --category and --tags describe an outing given by --title; "
            "a catalog id has the catalog's"
        )
    couple = _profile(args)
    if args.activity:
        known = load_catalog(args.catalog)["id"]
        if not known.isin([args.activity]).any():
            from .typos import did_you_mean  # difflib only for a typo

            raise ArgumentError(
                f"activity id {args.activity!r} is not in the catalog"
                f"{did_you_mean(args.activity, known)} (use --title for anything else)"
            )
    try:
        outing = Outing(
            activity_id=args.activity,
            title=args.title,
            category=args.category,
            tags=args.tags or (),
            date=args.date or dt.datetime.now(couple.timezone).date(),
            rating=args.rating,
            cost=args.cost,
            notes=args.notes,
        )
    except ValidationError as exc:
        raise ArgumentError(describe_validation_error(exc, prefix="outing")) from None
    store = _store(args, writes=True)
    store.add(outing, couple=couple, again=args.again)
    label = outing.activity_id or outing.title
    print(f"Logged {label!r} on {outing.date.isoformat()} for {couple.name} in {store.path}")
    return 0


#: The `history` options that only one action reads, and its flag: elsewhere they would be
#: silently ignored.
_HISTORY_OPTIONS = {"plot": "--report", "now": "--report", "again": "--import"}


def cmd_history(args: argparse.Namespace) -> int:
    """List the couple's outings (profile and database), or correct, export or import them."""
    for option, action in _HISTORY_OPTIONS.items():
        chosen = args.report if action == "--report" else args.import_file
        if getattr(args, option) not in (None, False) and not chosen:
            raise ArgumentError(f"history: --{option} is for {action}")
    couple = _profile(args)
    store = _store(args, writes=args.delete is not None or args.undo or bool(args.import_file))
    if args.delete is not None or args.undo:
        removed = (
            store.undo(couple=couple) if args.undo else store.remove(args.delete, couple=couple)
        )
        print(f"Deleted outing {removed.id}: {removed.date}  {_title(removed, args.catalog)}")
        return 0
    if args.export:
        logged = store.logged_outings(couple=couple)
        export_outings(logged, args.export)
        print(f"Exported {len(logged)} outing(s) to {args.export}")
        return 0
    if args.report:
        from .report import plot_report, rut_report  # matplotlib only for --plot

        now = _now(args.now, couple.timezone) or dt.datetime.now(couple.timezone)
        index = Recommender(args.catalog).index_
        report = rut_report(
            couple, history=store if store.path.exists() else None, catalog=index,
            today=now.astimezone(couple.timezone).date(),
        )  # fmt: skip
        print(report)
        if args.plot:
            print(f"Saved the picture to {plot_report(report, args.plot)}")
        return 0
    if args.import_file:
        ids = store.add_many(import_outings(args.import_file), couple=couple, again=args.again)
        print(f"Imported {len(ids)} outing(s) into {store.path}")
        return 0
    logged = store.logged_outings(couple=couple)
    rows: list[tuple[str, Outing]] = [("profile", o) for o in couple.history]
    rows += [("logged", o) for o in logged]
    rows.sort(key=lambda row: row[1].date)
    if args.json:
        print(json.dumps([{"from": f, **o.model_dump(mode="json")} for f, o in rows], indent=2))
        return 0
    if not rows:
        print("No outings yet. Record one with: novelty log ID --rating 5")
    titles = _catalog_titles(args.catalog) if rows else {}
    for origin, o in rows:
        stars = "*" * o.rating if o.rating else "-"
        outing_id = str(o.id) if isinstance(o, LoggedOuting) else "-"
        title = titles.get(o.activity_id or "", o.title or o.activity_id)
        print(f"{outing_id:>5}  {o.date.isoformat()}  {stars:<5}  {title}  ({origin})")
    return 0


def _catalog_titles(catalog: str | None) -> dict[str, str]:
    frame = load_catalog(catalog)
    return dict(zip(frame["id"], frame["title"], strict=True))


def _title(outing: Outing, catalog: str | None) -> str:
    """The outing's catalog title when it has a catalog id, else its own title or id."""
    return _catalog_titles(catalog).get(
        outing.activity_id or "", outing.title or outing.activity_id or ""
    )


def cmd_batch(args: argparse.Namespace) -> int:
    """Write ideas for every couple of a JSON Lines file to a table file."""
    from .batchfile import run

    if args.workers is not None and args.scheduler is not None:
        raise ArgumentError("batch: give --workers or --scheduler, not both")
    run(
        Path(args.couples),
        Path(args.out),
        catalog=args.catalog,
        # A naive --now is UTC here: the couples live in many zones.
        options={"when": args.when, "k": args.k, "now": _now(args.now, dt.UTC), "seed": args.seed},
        partners=args.partners,
        workers=args.workers,
        scheduler=args.scheduler,
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve recommendations, the catalog and histories over HTTP until interrupted."""
    try:
        from .serve import TOKEN_VARIABLE, serve
    except ImportError as exc:
        raise ArgumentError(
            f"serve: needs the serve extra ({exc.name} is missing): pip install 'novelty[serve]'"
        ) from None
    serve(
        host=args.host,
        port=args.port,
        history=_store(args, writes=True),
        catalog=args.catalog,
        token=os.environ.get(TOKEN_VARIABLE) or None,
    )
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    """Validate, list or summarise a catalog."""
    for option, actions in _CATALOG_OPTIONS.items():
        if getattr(args, option.removeprefix("--")) is not None and args.action not in actions:
            raise ArgumentError(f"catalog {args.action}: {option} is for {' and '.join(actions)}")
    if args.action == "validate":
        return _validate_catalog(args.file, limit=args.limit or PROBLEM_LIMIT)
    frame = load_catalog(args.file)
    if args.action == "list":
        shown = frame if not args.category else frame[frame["category"] == args.category]
        for line in (
            shown["id"].str.ljust(40) + " " + shown["category"].str.ljust(18) + " " + shown["title"]
        ).iloc[: args.limit]:
            print(line)
    else:
        from .catalog_stats import catalog_stats

        print(catalog_stats(frame))
    return 0


#: The actions each `catalog` option is for; elsewhere it would be silently ignored.
_CATALOG_OPTIONS = {"--category": ("list",), "--limit": ("validate", "list")}


def _validate_catalog(file: str | None, *, limit: int) -> int:
    """Print every problem of a catalog (up to `limit`); exit 2 if there are any."""
    name = file or "bundled catalog"
    checked = check_catalog(read_catalog_file(file), file or name, limit=limit)
    if checked.frame is not None:
        print(f"{name}: {len(checked.frame)} activities, all valid")
        return 0
    for problem in checked.problems:
        print(problem)
    unlisted = checked.total - len(checked.problems)
    more = f" ({unlisted} not listed; raise --limit to see them)" if unlisted else ""
    print(f"novelty: error: {name}: {checked.total} problem(s){more}", file=sys.stderr)
    return 2


def cmd_sources(args: argparse.Namespace) -> int:
    """List the event source types installed (built-in and plugins)."""
    from .sources import available_sources

    for name, description in sorted(available_sources().items()):
        print(f"{name:<16} {description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `novelty` command."""
    parser = _Parser(prog="novelty", description="Novel shared experiences for couples.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="show what the library does on stderr (-v: steps, -vv: details)",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def with_profile(p: argparse.ArgumentParser) -> None:
        p.add_argument("--profile", help="couple's TOML profile (default: $NOVELTY_PROFILE)")
        p.add_argument("--db", type=Path, help=f"history database (default: {default_db()})")
        p.add_argument("--catalog", help="catalog CSV (default: the bundled one)")

    ideas = commands.add_parser(
        "ideas",
        help="ideas for your free time",
        description="Suggest things to do together in a time window: ideas from the catalog "
        "and events from the profile's sources, ranked by how new, fitting and affordable "
        "they are for the two of you.",
    )
    with_profile(ideas)
    ideas.add_argument(
        "--when",
        default="this weekend",
        help="e.g. tonight, 'next weekend', friday, 2026-12-05, 2026-12-10..2026-12-13",
    )
    ideas.add_argument("--budget", type=float, help="most to spend on one outing, for two")
    ideas.add_argument("-k", type=int, default=5, help="how many ideas (default 5)")
    ideas.add_argument("--json", action="store_true", help="print JSON for apps")
    ideas.add_argument("--ics", help="also save the ideas as an iCalendar file")
    ideas.add_argument("--seed", type=_seed, help="vary the ideas reproducibly (0 or more)")
    ideas.add_argument("--now", help="pretend it is this ISO datetime (for testing)")
    ideas.add_argument(
        "--adventure",
        help="0 (comfort) .. 1 (bold), or comfort, balanced, bold (default: the profile's)",
    )
    ideas.add_argument(
        "--energy", choices=("low", "medium", "high"), help="the most energy you have today"
    )
    where = ideas.add_mutually_exclusive_group()
    where.add_argument("--indoor", dest="setting", action="store_const", const="indoor",
                       help="only ideas that can happen indoors")  # fmt: skip
    where.add_argument("--outdoor", dest="setting", action="store_const", const="outdoor",
                       help="only ideas that can happen outdoors")  # fmt: skip
    ideas.add_argument("--minutes", type=_positive, help="the longest outing, in minutes")
    ideas.add_argument(
        "--forecast", help="check the weather with this provider, e.g. open-meteo (online)"
    )
    ideas.set_defaults(run=cmd_ideas)

    batch = commands.add_parser(
        "batch",
        help="ideas for many couples, as a table file",
        description="Recommend for every couple of a JSON Lines file (one Couple as JSON per "
        "line) and write one row per couple and idea as JSON Lines, CSV or Parquet (by the "
        "--out suffix). Malformed lines are reported by number and skipped.",
    )
    batch.add_argument("couples", help="JSON Lines file, one couple per line")
    batch.add_argument("--out", required=True, help="output: .jsonl, .csv or .parquet")
    batch.add_argument("--catalog", help="catalog CSV (default: the bundled one)")
    batch.add_argument("--when", default="this weekend", help="as for ideas")
    batch.add_argument("-k", type=_positive, default=5, help="ideas per couple (default 5)")
    batch.add_argument("--seed", type=_seed, help="as for ideas")
    batch.add_argument("--now", help="pretend it is this ISO datetime (naive = UTC)")
    batch.add_argument(
        "--partners",
        type=_whole(2),
        default=2,
        help="per-partner columns for couples of up to N partners (default 2)",
    )
    batch.add_argument(
        "--workers", type=_positive, help="run on a local Dask cluster of N processes"
    )
    batch.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler")
    batch.set_defaults(run=cmd_batch)

    log = commands.add_parser(
        "log",
        help="record something you did together",
        description="Record an outing in the history database: a catalog activity id, or "
        "--title for anything else. Logged outings make those ideas less novel next time.",
    )
    with_profile(log)
    log.add_argument("activity", nargs="?", help="catalog activity id")
    log.add_argument(
        "--title", help="what you did, for an outing not in the catalog (instead of an id)"
    )
    log.add_argument("--category", help="its category (free-text outings)")
    log.add_argument(
        "--tags", type=lambda s: [t for t in s.split(",") if t], help="comma-separated"
    )
    log.add_argument("--date", type=_day, help="YYYY-MM-DD (default: today)")
    log.add_argument("--rating", type=int, help="1 (not for us) .. 5 (loved it)")
    log.add_argument("--cost", type=float, help="what it cost the two of you")
    log.add_argument("--notes", default="", help="anything to remember")
    log.add_argument(
        "--again", action="store_true", help="log it even if it is already logged that day"
    )
    log.set_defaults(run=cmd_log)

    history = commands.add_parser(
        "history",
        help="what you have done together",
        description="List, correct, export or import the outings logged in the history database.",
    )
    with_profile(history)
    history.add_argument("--json", action="store_true")
    change = history.add_mutually_exclusive_group()
    change.add_argument("--delete", type=int, metavar="ID", help="delete the logged outing ID")
    change.add_argument("--undo", action="store_true", help="delete the last logged outing")
    change.add_argument("--export", metavar="FILE", help="save logged outings (.csv, else JSON)")
    change.add_argument(
        "--import", dest="import_file", metavar="FILE", help="log the outings in FILE (CSV/JSON)"
    )
    change.add_argument(
        "--report", action="store_true", help="how new your recent outings have been"
    )
    history.add_argument("--plot", metavar="FILE", help="--report: also save a PNG picture")
    history.add_argument("--now", help="--report: pretend it is this ISO datetime")
    history.add_argument("--again", action="store_true", help="--import: allow repeats")
    history.set_defaults(run=cmd_history)

    catalog = commands.add_parser(
        "catalog",
        help="validate, list or summarise a catalog",
        description="validate: list every problem of a catalog CSV with its line and column "
        "(exit 2 if there is one); list: its ideas; stats: how they spread over categories, "
        "costs, settings, seasons and energy.",
    )
    catalog.add_argument("action", choices=("validate", "list", "stats"))
    catalog.add_argument("file", nargs="?", help="catalog CSV (default: the bundled one)")
    catalog.add_argument("--category", help="list: only this category")
    catalog.add_argument(
        "--limit",
        type=_positive,
        help=f"validate: most problems to list (default {PROBLEM_LIMIT}); "
        "list: most ideas (default all)",
    )
    catalog.set_defaults(run=cmd_catalog)

    serve = commands.add_parser(
        "serve",
        help="serve ideas over HTTP (needs novelty[serve])",
        description="Serve recommendations, the catalog and the history as a JSON API "
        "(FastAPI and uvicorn, from the novelty[serve] extra).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.add_argument("--db", type=Path, help=f"history database (default: {default_db()})")
    serve.add_argument("--catalog", help="catalog CSV (default: the bundled one)")
    serve.set_defaults(run=cmd_serve)

    sources = commands.add_parser(
        "sources",
        help="list installed event source types",
        description="List the event source types a profile's [[sources]] tables can name: "
        "the built-in ones and those installed as plugins.",
    )
    sources.set_defaults(run=cmd_sources)
    return parser


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argument type: a whole number from `low` (to `high`), else an error argparse
    prefixes with the option's name."""
    expected = f">= {low}" if high is None else f"from {low} to {high}"

    def whole(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or number < low or (high is not None and number > high):
            raise argparse.ArgumentTypeError(f"expected a whole number {expected}, got {text!r}")
        return number

    return whole


_positive = _whole(1)
_seed = _whole(0)
_port = _whole(0, 65535)


def _day(text: str) -> dt.date:
    """An argument type: a date YYYY-MM-DD in the years the library can represent."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"expected YYYY-MM-DD in the years {FIRST_YEAR} to {LAST_YEAR}, got {text!r}"
        )
    return day


def _show_logs(verbosity: int) -> None:
    """Send the library's log records to stderr: INFO with -v, DEBUG with -vv."""
    if verbosity < 1:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("novelty: %(levelname)s: %(name)s: %(message)s"))
    logger = logging.getLogger("novelty")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; exit 0 ok, 2 bad input (one line, no traceback), 1 unexpected failure."""
    try:
        args = build_parser().parse_args(argv)
        _show_logs(args.verbose)
        return int(args.run(args))
    except NoveltyError as exc:
        print(f"novelty: error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"novelty: error: {describe_validation_error(exc, prefix='input')}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"novelty: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("NOVELTY_DEBUG"):
            raise
        print(f"novelty: unexpected error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
