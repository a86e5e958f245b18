"""An A/B of the list page's server CPU per request between two revisions, on the same data.

    .venv/bin/python -m bench.ab OLD_REV NEW_REV        # e.g. 82087c5 main; main main: the noise

Each revision is checked out into a temporary git worktree (`git worktree add --detach`, under
/tmp, removed afterwards) and served by its own uvicorn process (one each, 127.0.0.1, free
ports), both run by this venv's interpreter with `PYTHONPATH=<worktree>`, so that the
worktree's `server`, `resolvers`, `models` (and `demo`) are the ones imported; the installed
dependencies are shared. Each server runs `bench/ab_app.py` from this checkout: the revision's
`server.app.create_app` inside a timer that returns `time.process_time()` around each request in
a `Server-Timing: cpu;dur=<ms>` header. At start each server is asked which files its packages
came from, and the run stops if any is outside its worktree.

Both servers use the benchmark PostgreSQL of `bench/pg.py` (started once, prewarmed) and the
data of `bench/generate.py`. The requests are those of `bench/list_page.py` (its query, its
visits: a total-spent range followed for `--pages` pages), one client per server with the same
seed, so both get the same sequence of requests, in blocks of `--block` (8) alternating between
the servers, after a warm-up of each. It stops after `--requests` (300) each, or at the end of
the first round after `--max-seconds` (300), so that both sides have as many.

Reported per side (and written to `bench/data/ab.json`): requests, median and p90 server CPU per
request (from the header), median and p90 latency (client side), each server process's CPU per
request from /proc (all of its threads, also between requests); the ratio new/old of the median
CPU, with a bootstrap 95% interval, and the median of the per-request ratios (the same request
on both sides); the load average at start and end and the CPU of everything else on the machine
during the measured run (from /proc/stat).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.ab_app import CHECK_PATH
from bench.list_page import (
    QUERY,
    Client,
    Server,
    machine_busy,
    percentile,
    postgres_cpu,
    prewarm,
    server_process,
    set_statement_logging,
)
from bench.pg import DEFAULT_DIRECTORY, BenchPostgres, bench_postgres, free_port

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
SIDES = ("old", "new")
BOOTSTRAP_DRAWS = 2000


# --------------------------------------------------------------------------------------------
# Revisions in worktrees
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    side: str
    name: str  # as given
    commit: str
    subject: str
    worktree: Path


def git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed ({done.returncode}): "
                         f"{done.stderr.strip() or 'no such revision?'}")
    return done.stdout.strip()


@contextmanager
def worktree(side: str, name: str, parent: Path) -> Iterator[Revision]:
    commit = git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
    path = parent / side
    git("worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield Revision(side, name, commit, git("log", "-1", "--format=%s", commit), path)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                       capture_output=True, timeout=120)


# --------------------------------------------------------------------------------------------
# The servers
# --------------------------------------------------------------------------------------------


def get_json(port: int, path: str) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status} {body[:200]!r}")
        result: dict[str, Any] = json.loads(body)
        return result
    finally:
        connection.close()


@contextmanager
def revision_server(revision: Revision, pg: BenchPostgres, log: Path) -> Iterator[Server]:
    """uvicorn serving `bench/ab_app.py` around the revision's app, as `bench.list_page` serves
    the app: one process, no access log, uvloop and httptools."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(revision.worktree),
           "BENCH_AB_ROOT": str(revision.worktree),
           "CUSTOMERHUB_DATABASE_URL": pg.url,
           # One key sends every request of the benchmark: far past the default rate limit.
           "CUSTOMERHUB_RATE_LIMIT": "1000000/minute",
           "CUSTOMERHUB_SECRET_KEY": "bench-ab"}  # else a key file is written in the worktree
    cmd = [sys.executable, "-m", "uvicorn", "ab_app:create_app", "--factory",
           "--app-dir", str(BENCH), "--host", "127.0.0.1", "--port", str(port),
           "--no-access-log", "--log-level", "warning"]
    def answers() -> bool:
        get_json(port, CHECK_PATH)
        return True

    with server_process(cmd, revision.worktree, env, log, "wb", port, answers,
                        f"the {revision.side} server", start_seconds=90) as server:
        yield server


def check_modules(revision: Revision, server: Server) -> dict[str, Any]:
    """Which files the server imported the project from: all of them in the worktree."""
    found = get_json(server.port, CHECK_PATH)
    server_file = found["packages"].get("server") or ""
    if found["outside_root"] or not server_file.startswith(str(revision.worktree) + os.sep):
        raise SystemExit(f"the {revision.side} server did not import {revision.worktree}: "
                         f"{json.dumps(found, indent=2)}")
    print(f"{revision.side} {revision.commit[:7]} on 127.0.0.1:{server.port} "
          f"(pid {server.process.pid}): server from {server_file}, "
          f"{found['modules_loaded']} project modules, none from elsewhere", file=sys.stderr)
    return found


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


@dataclass
class Request:
    cpu_ms: float  # inside the server, from its Server-Timing header
    latency_ms: float  # around the HTTP request, in this client
    page: int
    total_count: int
    key: tuple[str, str | None, str | None]  # filter, cursor asked for, cursor returned


class TimedClient(Client):
    """`bench.list_page`'s client (its visits, its query), one request at a time, reading the
    server's CPU time from each response."""

    def requests(self) -> Iterator[Request]:
        for spent_filter, pages in self._visits():
            after = None
            for page in range(1, pages + 1):
                variables = {"filter": spent_filter, "first": 50, "after": after,
                             "sort": [{"field": "TOTAL_SPENT", "direction": "DESC"}]}
                started = time.perf_counter()
                body, cpu_ms = self.post_timed(variables)
                latency_ms = (time.perf_counter() - started) * 1000
                customers = body["data"]["customers"]
                end_cursor = customers["pageInfo"]["endCursor"]
                yield Request(cpu_ms, latency_ms, page, customers["totalCount"],
                              (orjson.dumps(spent_filter).decode(), after, end_cursor))
                after = end_cursor
                if not customers["pageInfo"]["hasNextPage"]:
                    break

    def post_timed(self, variables: dict[str, Any]) -> tuple[dict[str, Any], float]:
        payload = orjson.dumps({"query": self.query, "variables": variables})
        self.connection.request("POST", "/graphql", body=payload, headers=self.headers)
        response = self.connection.getresponse()
        raw = response.read()
        body: dict[str, Any] = orjson.loads(raw)
        if response.status != 200 or body.get("errors"):
            raise RuntimeError(f"HTTP {response.status}: {raw[:500]!r}")
        timing = response.getheader("server-timing") or ""
        if not timing.startswith("cpu;dur="):
            raise RuntimeError(f"no Server-Timing cpu in the response: {timing!r}")
        return body, float(timing.removeprefix("cpu;dur="))


@dataclass
class Side:
    revision: Revision
    server: Server
    warmup: list[Request] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    process_cpu: float = 0.0  # seconds, /proc, over the measured run

    def summary(self) -> dict[str, Any]:
        cpu = sorted(r.cpu_ms for r in self.requests)
        latency = sorted(r.latency_ms for r in self.requests)
        n = len(cpu)
        return {
            "revision": self.revision.name, "commit": self.revision.commit,
            "subject": self.revision.subject, "requests": n,
            "warmup_requests": len(self.warmup),
            "cpu_ms_median": round(statistics.median(cpu), 2),
            "cpu_ms_p90": round(percentile(cpu, 90), 2),
            "cpu_ms_mean": round(statistics.fmean(cpu), 2),
            "latency_ms_median": round(statistics.median(latency), 2),
            "latency_ms_p90": round(percentile(latency, 90), 2),
            "process_cpu_ms_per_request": round(self.process_cpu * 1000 / n, 2),
        }


def bootstrap_ratio(old: list[float], new: list[float], draws: int, seed: int
                    ) -> tuple[float, float]:
    """95% interval of median(new) / median(old), resampling each side's requests."""
    rng = random.Random(seed)
    ratios = sorted(statistics.median(rng.choices(new, k=len(new)))
                    / statistics.median(rng.choices(old, k=len(old))) for _ in range(draws))
    return ratios[int(draws * 0.025)], ratios[int(draws * 0.975) - 1]


def loadavg() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def run(args: argparse.Namespace, parent: Path) -> dict[str, Any]:
    api_key = args.key_file.read_text().strip()
    report: dict[str, Any] = {
        "command": "python -m bench.ab " + " ".join(sys.argv[1:]),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"nproc": os.cpu_count(), "loadavg_start": loadavg()},
        "settings": {"requests": args.requests, "block": args.block, "warmup": args.warmup,
                     "pages": args.pages, "seed": args.seed, "max_seconds": args.max_seconds},
    }
    with ExitStack() as stack:
        revisions = [stack.enter_context(worktree(side, name, parent))
                     for side, name in zip(SIDES, (args.old, args.new), strict=True)]
        pg = stack.enter_context(bench_postgres(args.directory))
        asyncio.run(set_statement_logging(pg, False))  # in case a killed run left it on
        if not args.no_prewarm:
            started = time.monotonic()
            asyncio.run(prewarm(pg))
            print(f"pg_prewarm: {time.monotonic() - started:.1f} s", file=sys.stderr)
        sides = []
        for revision in revisions:
            server = stack.enter_context(revision_server(
                revision, pg, args.report.parent / f"ab-server-{revision.side}.log"))
            report.setdefault("modules", {})[revision.side] = check_modules(revision, server)
            sides.append(Side(revision, server))
        clients = [stack.enter_context(closing(TimedClient(side.server.port, api_key, args.seed,
                                                           args.pages, QUERY)))
                   for side in sides]

        # Warm-up: other visits (another seed), the sides one after the other.
        for side in sides:
            warm = TimedClient(side.server.port, api_key, args.seed + 1000, args.pages, QUERY)
            deadline = time.monotonic() + 120
            for request in itertools.islice(warm.requests(), args.warmup):
                side.warmup.append(request)
                if time.monotonic() > deadline:
                    break
            warm.close()

        streams = [client.requests() for client in clients]
        before = [side.server.cpu() for side in sides]
        pg_before, busy_before = postgres_cpu(pg), machine_busy()
        client_before = time.process_time()
        started = time.monotonic()
        deadline = started + args.max_seconds
        while len(sides[0].requests) < args.requests and time.monotonic() < deadline:
            block = min(args.block, args.requests - len(sides[0].requests))
            for side, stream in zip(sides, streams, strict=True):
                side.requests.extend(itertools.islice(stream, block))
        wall = time.monotonic() - started
        for side, cpu_before in zip(sides, before, strict=True):
            side.process_cpu = side.server.cpu() - cpu_before
        pg_cpu = postgres_cpu(pg) - pg_before
        busy = machine_busy() - busy_before
        client_cpu = time.process_time() - client_before
        modules_after = {side.revision.side: check_modules(side.revision, side.server)
                         for side in sides}

    old, new = sides
    old_cpu = [r.cpu_ms for r in old.requests]
    new_cpu = [r.cpu_ms for r in new.requests]
    low, high = bootstrap_ratio(old_cpu, new_cpu, BOOTSTRAP_DRAWS, args.seed)
    differing = sum(a.key != b.key or a.total_count != b.total_count
                    for a, b in zip(old.requests, new.requests, strict=True))
    others = busy - old.process_cpu - new.process_cpu - pg_cpu - client_cpu
    report.update({
        "old": old.summary(),
        "new": new.summary(),
        "ratio_new_old_cpu_median": round(statistics.median(new_cpu)
                                          / statistics.median(old_cpu), 3),
        "ratio_bootstrap_95": [round(low, 3), round(high, 3)],
        "ratio_paired_median": round(statistics.median(
            b / a for a, b in zip(old_cpu, new_cpu, strict=True)), 3),
        "ratio_new_old_latency_median": round(
            statistics.median(r.latency_ms for r in new.requests)
            / statistics.median(r.latency_ms for r in old.requests), 3),
        "requests_differing": differing,  # same filter and cursors, same totalCount: 0
        "run": {
            "wall_s": round(wall, 1),
            "postgres_cpu_ms_per_request": round(pg_cpu * 1000 / (2 * len(old.requests)), 2),
            "client_cpu_ms_per_request": round(client_cpu * 1000 / (2 * len(old.requests)), 2),
            # CPU that neither server, PostgreSQL nor this client used, in cores.
            "other_processes_cores": round(max(0.0, others) / wall, 2),
        },
        "modules_after": {side: {"packages": m["packages"], "modules_loaded":
                                 m["modules_loaded"]} for side, m in modules_after.items()},
    })
    report["machine"]["loadavg_end"] = loadavg()
    return report


def print_summary(report: dict[str, Any]) -> None:
    print(f"{report['command']}   ({report['started_utc']})")
    header = ("side", "commit", "requests", "CPU p50 ms", "CPU p90 ms", "latency p50 ms",
              "process CPU/req ms")
    print("  ".join(f"{h:>18}" if i else f"{h:<4}" for i, h in enumerate(header)))
    for side in SIDES:
        s = report[side]
        row = (side, s["commit"][:7], s["requests"], s["cpu_ms_median"], s["cpu_ms_p90"],
               s["latency_ms_median"], s["process_cpu_ms_per_request"])
        print("  ".join(f"{v:>18}" if i else f"{v:<4}" for i, v in enumerate(row)))
    low, high = report["ratio_bootstrap_95"]
    print(f"new/old median CPU {report['ratio_new_old_cpu_median']:.3f} "
          f"(bootstrap 95% {low:.3f}-{high:.3f}; median of per-request ratios "
          f"{report['ratio_paired_median']:.3f}); "
          f"latency {report['ratio_new_old_latency_median']:.3f}")
    run_ = report["run"]
    print(f"load average {report['machine']['loadavg_start']} -> "
          f"{report['machine']['loadavg_end']}; other processes {run_['other_processes_cores']}"
          f" cores over {run_['wall_s']} s; PostgreSQL {run_['postgres_cpu_ms_per_request']} ms"
          f"/request; requests differing between the sides: {report['requests_differing']}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the old revision (anything git rev-parse takes)")
    parser.add_argument("new", help="the new revision")
    parser.add_argument("--requests", type=int, default=300, help="measured, each side")
    parser.add_argument("--block", type=int, default=8, help="requests in a row on one side")
    parser.add_argument("--warmup", type=int, default=40, help="each side, before measuring")
    parser.add_argument("--pages", type=int, default=5, help="pages followed per range")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=300.0,
                        help="stop the measured run after this, whatever the count")
    parser.add_argument("--no-prewarm", action="store_true")
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--key-file", type=Path, default=DATA / "api_key.txt")
    parser.add_argument("--report", type=Path, default=DATA / "ab.json")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.block < 1:
        parser.error("--requests and --block must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.key_file.exists():
        raise SystemExit(f"{args.key_file} is missing: run `python -m bench.generate` first")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    parent = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    try:
        report = run(args, parent)
    finally:
        shutil.rmtree(parent, ignore_errors=True)
        git("worktree", "prune")
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print_summary(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
