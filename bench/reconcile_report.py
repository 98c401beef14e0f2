"""The reconcile benchmark's table: measured vendor calls and times against the minimum and the rate-limit bound."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.reconcile import Measured, Phase

CALLS_GOAL, TIME_GOAL = 1.1, 1.5
QUIET_LIMIT_SECONDS = 60.0
"""How long to wait after convergence for the jobs the changes left (their vendor calls count for the changes)."""
WRITES = ("create", "update", "delete")


def per_lock_minimum(args: argparse.Namespace) -> tuple[int, int]:
    """(reads, writes) one lock needs at least: first read, a PUT and a re-list per code, one read to see it synced."""
    return 1 + args.changes + (1 if args.sync_ms > 0 else 0), args.changes


def row(label: str, measured: float, minimum: float, goal: float | None = None, digits: int = 0) -> str:
    """One line: measured, minimum (or bound), their ratio, and whether the ratio meets `goal` (if any)."""
    if minimum:
        ratio = f"{measured / minimum:>7.2f}"
        met = goal is None or measured / minimum <= goal
    else:  # nothing was needed: the ratio is undefined, the goal is to need nothing either
        ratio, met = f"{'-':>7}", measured == 0
    verdict = "" if goal is None else f"<= {goal:.2f}  {'met' if met else 'MISSED'}"
    return f"{label:<40} {measured:>10,.{digits}f} {minimum:>10,.{digits}f} {ratio}  {verdict}"


def writes(phase: Phase) -> int:
    return sum(phase.calls[kind] for kind in WRITES)


def spread(reads: Counter[int], locks: int) -> str:
    """How many locks were read how often, e.g. `5 reads: 990 locks, 6 reads: 10 locks`."""
    histogram = Counter(reads.values())
    histogram[0] = locks - len(reads)
    return ", ".join(f"{times} reads: {count} locks" for times, count in sorted(histogram.items()) if count)


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    picks = {"min": 0.0, "p50": 0.5, "p90": 0.9, "max": 1.0}
    return ", ".join(f"{name} {ordered[round(q * (len(ordered) - 1))]:.1f}" for name, q in picks.items())


def print_report(measured: Measured, args: argparse.Namespace, total_seconds: float) -> None:
    locks = len(measured.locks)
    busiest = max(Counter(lock.account_id for lock in measured.locks).values())
    reads_min, writes_min = per_lock_minimum(args)
    change, sweep = measured.converge, measured.sweep
    bound = busiest * (reads_min + writes_min) / args.rate
    print(f"\n{'':<40} {'measured':>10} {'min/bound':>10} {'ratio':>7}  goal")
    calls = f"vendor calls, {args.changes} new codes x {locks} locks"
    print(row(calls, change.calls["read"] + writes(change), locks * (reads_min + writes_min), CALLS_GOAL))
    print(row("  code reads (GET auth, incl. re-lists)", change.calls["read"], locks * reads_min))
    print(row("  code writes (PUT/POST/DELETE auth)", writes(change), locks * writes_min))
    print(row("time to converge, s (bound: calls/rate)", change.seconds, bound, TIME_GOAL, 1))
    print(row("no-drift sweep: reads per lock", sweep.calls["read"] / locks, 1, 1.0, 2))
    print(row("no-drift sweep: writes per lock", writes(sweep) / locks, 0, 0.0, 2))
    print(row("no-drift sweep time, s (bound)", sweep.seconds, busiest / args.rate, None, 1))
    memory = f"{measured.peak_rss_mib:>10,.0f}  (peak before the changes: {measured.start_rss_mib:,.0f})"
    print(f"{'peak RSS, MiB (gateway + simulator)':<40} {memory}")
    _details(measured, args, total_seconds, busiest)


def _details(measured: Measured, args: argparse.Namespace, total_seconds: float, busiest: int) -> None:
    locks = len(measured.locks)
    change, sweep = measured.converge, measured.sweep
    for name, phase in (("changes", change), ("sweep", sweep)):
        other = {kind: count for kind, count in phase.calls.items() if kind not in ("read", *WRITES) and count}
        runs = f"{phase.runs} reconcile jobs run (those with nothing to do included)"
        print(f"\n{name}: {runs}; {spread(phase.reads, locks)}")
        if other:
            print(f"  other vendor calls: {other}")
        if phase.delays:
            print(f"  looks again scheduled: {len(phase.delays)}, delay s: {quantiles(phase.delays)}")
        if phase.checks:
            print(f"  checks for a run that died scheduled: {phase.checks}")
    tail = f"more than {QUIET_LIMIT_SECONDS:.0f} s"
    if measured.tail_seconds is not None:
        tail = f"{measured.tail_seconds:.0f} s"
    print(f"\njobs went on for {tail} after convergence (the changes' calls above include theirs)")
    if measured.failed:
        print(f"failed vendor answers (by HTTP status): {dict(measured.failed)}")
    print(
        f"\n{locks} locks over {args.accounts} accounts (busiest: {busiest}), {args.changes} codes per lock, "
        f"latency {args.latency_ms:.0f} ms, {args.rate:g} calls/s per account, sync {args.sync_ms:.0f} ms, "
        f"{args.clients} API clients, {args.job_slots or 'default (10)'} job slots; "
        f"codes submitted in {measured.submit_seconds:.1f} s; run {total_seconds:.0f} s"
    )
