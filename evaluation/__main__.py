"""Command line: simulate couples, evaluate every method, print the table and the targets."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from novelty import Recommender, Weights

from .experiment import evaluate
from .frontier import checks, intervals, markdown, plot, write_page
from .report import COLUMNS, notes, render, targets, verdicts
from .simulator import ROUTINE, simulate

DEFAULT_OUT = Path(__file__).resolve().parent / "results.csv"
DOCS = Path(__file__).resolve().parent.parent / "docs"
LEGACY = "legacy"


def _weight(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, e.g. novelty=0.7; got {text!r}")
    return name.strip(), value.strip()


def _routine(text: str) -> float | None:
    if text.strip().lower() == LEGACY:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(
            f"expected a share from 0 to 1 or {LEGACY!r}; got {text!r}"
        )
    return value


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command's options."""
    parser = argparse.ArgumentParser(
        prog="python -m evaluation",
        description="Offline evaluation of novelty against baselines on simulated couples.",
    )
    parser.add_argument("--couples", type=int, default=500, help="couples to simulate (500)")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (0)")
    parser.add_argument("--k", type=int, default=5, help="ideas per list (5)")
    parser.add_argument(
        "--routine",
        type=_routine,
        default=ROUTINE,
        metavar="SHARE",
        help=f"share of history outings drawn from ideas carrying a partner's interest "
        f"({ROUTINE:g}); {LEGACY!r} = the original draw, p ∝ 0.05 + mean affinity",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="CSV file to write (evaluation/results.csv)"
    )
    parser.add_argument(
        "--plot", type=Path, default=DOCS / "quality.png", help="frontier PNG (docs/quality.png)"
    )
    parser.add_argument(
        "--page",
        type=Path,
        default=DOCS / "quality.md",
        help="page whose frontier table is rewritten (docs/quality.md); 'none' to skip",
    )
    parser.add_argument(
        "--weight",
        type=_weight,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one novelty.Weights field; repeatable",
    )
    args = parser.parse_args(argv)
    if args.couples < 1 or args.k < 1:
        parser.error("--couples and --k must be at least 1")
    try:
        args.weights = Weights.model_validate(dict(args.weight))
    except ValidationError as exc:
        parser.error(f"--weight: {exc}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation; always exits 0, since it is a report and not a test."""
    args = parse(argv)
    started = time.perf_counter()
    recommender = Recommender(weights=args.weights).prepare()
    cases = simulate(recommender, args.couples, args.seed, routine=args.routine)
    table, per_list = evaluate(recommender, cases, k=args.k)
    bands = intervals(per_list)
    changed = args.weights.model_dump(exclude_defaults=True)
    routine = LEGACY if args.routine is None else f"{args.routine:g}"
    print(
        f"{args.couples} couples, seed {args.seed}, k={args.k}, routine {routine}, "
        f"weights {changed or 'default'}"
    )
    print(render(table))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.loc[:, list(COLUMNS)].to_csv(args.out, float_format="%.4f")
    table.join(bands).to_csv(args.out.with_name("frontier.csv"), float_format="%.4f")
    plot(table, bands, args.plot)
    caption = (
        f"{args.couples} couples, seed {args.seed}, k = {args.k}, routine {routine}; "
        "95 % bootstrap intervals over couples in brackets."
    )
    if str(args.page) != "none":
        write_page(args.page, markdown(table, bands, caption=caption))
    elapsed = time.perf_counter() - started
    print(f"\nwrote {args.out}, frontier.csv, {args.plot}; {elapsed:.1f} s\n")
    print(verdicts([*targets(table, couples=args.couples, k=args.k), *checks(table)]))
    print(notes(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
