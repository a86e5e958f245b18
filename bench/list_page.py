"""The admin customer list page over real HTTP, against the data set of `bench/generate.py`.

    .venv/bin/python -m bench.list_page

Starts the benchmark PostgreSQL and the application (uvicorn, one process, on 127.0.0.1 and a
free port), then asks for pages of 50 customers filtered by a total-spent range and sorted by
total spent, descending, with `totalCount`, the admin list's columns, the main store and each
customer's three newest orders with their items and store. Each "visit" draws a range from a
fixed pool and follows `endCursor` for `--pages` pages, so requests read many different row sets.

Phases: a warm-up; one client (sequential); `--clients` concurrent clients; then a window in
which PostgreSQL logs every statement's duration (`log_min_duration_statement = 0`, set with
ALTER SYSTEM and reset afterwards) to measure SQL time as a share of request time. Optionally
(`--profile`) a py-spy profile of the server over a sequential run.

Latency is measured by the client, around one HTTP request on a kept-alive connection. CPU time
of the server and of PostgreSQL (its postmaster and backends) is read from /proc before and after
each phase, which makes the per-request cost visible even when other work shares the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench.pg import DEFAULT_DIRECTORY, BenchPostgres, bench_postgres, free_port

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
CONTROL_APP = "bench-control"  # application_name of our own connections, left out of SQL time

# The admin list (frontend-contract/admin/CustomerListPage.graphql), plus the main store's name
# and each customer's three newest orders with their items and store.
ADMIN_COLUMNS = """
        id
        type
        fullName
        email
        phone { international }
        source
        registeredAt
        lastAccessAt
        marketingConsent { subscribed }
        orderSummary {
          totalOrders
          totalSpent { amount currency }
          averageOrderValue { amount }
          monthlySpend { amount }
          lastOrderAt
          lastOrderStatus
          lastOrderPunctuality
        }
        riskLevel
        shopperLevel"""
STORE_AND_LOYALTY = """
        mainStore { id name }
        loyalty { pointsBalance pointsEarned }"""
ORDERS = """
        orders(first: 3) {
          nodes {
            number
            placedAt
            status
            total { amount }ITEMS
            store { name }
          }
        }"""
ITEMS = """
            items { name quantity unitPrice { amount } }"""


LIST = """
query CustomerListPage($filter: CustomerFilter, $sort: [CustomerSort!], $first: Int = 50,
                       $after: String) {
  customers(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {NODE_FIELDS
      }
    }
  }
}
"""


def list_query(node_fields: str) -> str:
    return LIST.replace("NODE_FIELDS", node_fields)


QUERY = list_query(ADMIN_COLUMNS + STORE_AND_LOYALTY + ORDERS.replace("ITEMS", ITEMS))
# The same page with parts left out: what each part costs (`--breakdown`).
VARIANTS = {
    "full page": QUERY,
    "without order items": list_query(
        ADMIN_COLUMNS + STORE_AND_LOYALTY + ORDERS.replace("ITEMS", "")),
    "without orders": list_query(ADMIN_COLUMNS + STORE_AND_LOYALTY),
    "admin columns only": list_query(ADMIN_COLUMNS),
    "ids only": list_query("\n        id"),
}

# Total-spent ranges (euros) an admin might filter by: low, and the multiple of it for high.
RANGE_LOWS = (20, 30, 50, 75, 100, 150, 200, 300, 500, 1000)
RANGE_FACTORS = (2, 3, 5, 10)


@dataclass
class Sample:
    latency: float  # seconds
    total_count: int
    page: int


@dataclass
class Phase:
    name: str
    clients: int
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float = 0.0
    postgres_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_busy: float = 0.0  # CPU seconds used by everything on the machine
    loadavg: str = ""

    def summary(self) -> dict[str, Any]:
        latencies = sorted(s.latency * 1000 for s in self.samples)
        n = len(latencies)
        return {
            "phase": self.name, "clients": self.clients, "requests": n,
            "wall_s": round(self.wall, 2), "rps": round(n / self.wall, 1),
            "p50_ms": round(percentile(latencies, 50), 1),
            "p90_ms": round(percentile(latencies, 90), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "mean_ms": round(statistics.fmean(latencies), 1),
            "max_ms": round(latencies[-1], 1),
            "server_cpu_ms_per_request": round(self.server_cpu * 1000 / n, 1),
            "postgres_cpu_ms_per_request": round(self.postgres_cpu * 1000 / n, 1),
            "client_cpu_ms_per_request": round(self.client_cpu * 1000 / n, 1),
            # CPU that neither the server, PostgreSQL nor this client used, in cores.
            "other_processes_cores": round(max(0.0, self.machine_busy - self.server_cpu
                                               - self.postgres_cpu - self.client_cpu)
                                           / self.wall, 2),
            "median_total_count": int(statistics.median(s.total_count for s in self.samples)),
            "loadavg_after": self.loadavg,
        }


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


# --------------------------------------------------------------------------------------------
# Processes and their CPU time
# --------------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()  # fields from 3 (state) on


def cpu_seconds(pids: list[int], with_children: bool = False) -> float:
    """utime + stime of these processes (and of their reaped children, if asked)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if with_children:
            total += int(fields[13]) + int(fields[14])
    return total / TICK


def machine_busy() -> float:
    """CPU seconds spent busy by all cores since boot (/proc/stat, idle and iowait left out)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICK


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def postgres_cpu(pg: BenchPostgres) -> float:
    postmaster = int((pg.directory / "data" / "postmaster.pid").read_text().split()[0])
    return cpu_seconds([postmaster], with_children=True) + cpu_seconds(children(postmaster))


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    def pids(self) -> list[int]:
        return [self.process.pid, *children(self.process.pid)]

    def cpu(self) -> float:
        return cpu_seconds(self.pids(), with_children=True)


@contextmanager
def app_server(pg: BenchPostgres, workers: int, log: Path) -> Iterator[Server]:
    """The application under uvicorn, as deployed: no access log, no reload, uvloop+httptools."""
    port = free_port()
    # One key sends every request of the benchmark: far past the default per-key rate limit.
    env = {**os.environ, "CUSTOMERHUB_DATABASE_URL": pg.url,
           "CUSTOMERHUB_RATE_LIMIT": "1000000/minute"}
    cmd = [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
           "--log-level", "warning", "--workers", str(workers)]

    def healthy() -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        finally:
            connection.close()

    with server_process(cmd, ROOT, env, log, "ab", port, healthy, "the server",
                        start_seconds=60) as server:
        yield server


@contextmanager
def server_process(cmd: list[str], cwd: Path, env: dict[str, str], log: Path, log_mode: str,
                   port: int, ready: Callable[[], bool], name: str, start_seconds: float
                   ) -> Iterator[Server]:
    """A server process started with `cmd`, its output in `log`, yielded once `ready()` says
    so (an OSError means not yet), and stopped with SIGINT (killed after 30 s) afterwards."""
    with log.open(log_mode) as out:
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}); see {log}")
            try:
                if ready():
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not get ready in {start_seconds} s; see {log}")
            time.sleep(0.2)
        yield Server(process, port)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --------------------------------------------------------------------------------------------
# The clients
# --------------------------------------------------------------------------------------------


class Client:
    """One browser tab of an admin: visits a range, follows the cursor for a few pages."""

    def __init__(self, port: int, api_key: str, seed: int, pages: int,
                 query: str = QUERY) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.query = query
        self.headers = {"Content-Type": "application/json",
                        "Authorization": f"Bearer {api_key}"}
        self.rng = random.Random(seed)
        self.pages = pages

    def _visits(self) -> Iterator[tuple[dict[str, Any], int]]:
        while True:
            low = self.rng.choice(RANGE_LOWS)
            high = low * self.rng.choice(RANGE_FACTORS)
            yield {"totalSpent": {"min": str(low), "max": str(high)}}, self.pages

    def run(self, requests: int, samples: list[Sample], deadline: float = float("inf")) -> None:
        """Send `requests` requests, or fewer if `deadline` (perf_counter) passes first."""
        done = 0
        for spent_filter, pages in self._visits():
            after = None
            for page in range(1, pages + 1):
                if done == requests or time.perf_counter() > deadline:
                    return
                started = time.perf_counter()
                body = self.post({"filter": spent_filter, "first": 50, "after": after,
                                  "sort": [{"field": "TOTAL_SPENT", "direction": "DESC"}]})
                latency = time.perf_counter() - started
                customers = body["data"]["customers"]
                samples.append(Sample(latency, customers["totalCount"], page))
                done += 1
                after = customers["pageInfo"]["endCursor"]
                if not customers["pageInfo"]["hasNextPage"]:
                    break

    def post(self, variables: dict[str, Any]) -> dict[str, Any]:
        payload = orjson.dumps({"query": self.query, "variables": variables})
        self.connection.request("POST", "/graphql", body=payload, headers=self.headers)
        response = self.connection.getresponse()
        raw = response.read()
        body: dict[str, Any] = orjson.loads(raw)
        if response.status != 200 or body.get("errors"):
            raise RuntimeError(f"HTTP {response.status}: {raw[:500]!r}")
        return body

    def close(self) -> None:
        self.connection.close()


MAX_PHASE_SECONDS = 300.0


def run_phase(name: str, server: Server, pg: BenchPostgres, api_key: str, clients: int,
              requests_per_client: int, pages: int, seed: int, query: str = QUERY) -> Phase:
    """`clients` threads, each with its own connection and its own sequence of visits."""
    phase = Phase(name, clients)
    tabs = [Client(server.port, api_key, seed * 100 + i, pages, query) for i in range(clients)]
    deadline = time.perf_counter() + MAX_PHASE_SECONDS
    per_client: list[list[Sample]] = [[] for _ in tabs]
    errors: list[BaseException] = []

    def work(tab: Client, samples: list[Sample]) -> None:
        try:
            tab.run(requests_per_client, samples, deadline)
        except BaseException as error:  # reported after the phase
            errors.append(error)

    threads = [threading.Thread(target=work, args=(tab, samples))
               for tab, samples in zip(tabs, per_client, strict=True)]
    server_before, pg_before = server.cpu(), postgres_cpu(pg)
    client_before, busy_before = time.process_time(), machine_busy()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.wall = time.perf_counter() - started
    phase.client_cpu = time.process_time() - client_before
    phase.server_cpu = server.cpu() - server_before
    phase.postgres_cpu = postgres_cpu(pg) - pg_before
    phase.machine_busy = machine_busy() - busy_before
    phase.loadavg = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    for tab in tabs:
        tab.close()
    if errors:
        raise errors[0]
    phase.samples = [s for samples in per_client for s in samples]
    return phase


# --------------------------------------------------------------------------------------------
# SQL time from PostgreSQL's log
# --------------------------------------------------------------------------------------------

DURATION = re.compile(
    r"^\S+ \S+ \S+ \[\d+\] (?P<app>[^@]*)@(?P<db>\S*) LOG:  duration: (?P<ms>[\d.]+) ms"
    r"  (?P<kind>\w+)(?: [^:]*)?: (?P<sql>.*)")
# What a statement is, from the start of its text.
STATEMENTS = (
    ("customers page", re.compile(r"SELECT customers\.id, customers\.type")),
    ("totalCount", re.compile(r"SELECT count\(\*\)")),
    ("orders of customers", re.compile(r"SELECT (anon_1|page)\.id, (anon_1|page)\.number")),
    ("order items", re.compile(r"SELECT order_items\.")),
    ("stores", re.compile(r"SELECT stores\.")),
    ("loyalty accounts", re.compile(r"SELECT loyalty_accounts\.")),
    ("api key", re.compile(r"SELECT api_keys\.|SELECT organizations\.")),
    ("pool pre-ping", re.compile(r"^;$")),
    ("BEGIN/ROLLBACK", re.compile(r"^(BEGIN|ROLLBACK|COMMIT)")),
)


def statement_label(sql: str) -> str:
    return next((label for label, pattern in STATEMENTS if pattern.search(sql)), sql[:40])


async def prewarm(pg: BenchPostgres) -> None:
    """Load every table and index into shared_buffers: the state of a server that has been
    serving for a while, rather than of one just started (the data set fits in memory)."""
    conn = await asyncpg.connect(pg.dsn, server_settings={"application_name": CONTROL_APP})
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        await conn.execute(
            "SELECT pg_prewarm(oid) FROM pg_class WHERE relkind IN ('r', 'i') "
            "AND relnamespace = 'public'::regnamespace")
    finally:
        await conn.close()


async def set_statement_logging(pg: BenchPostgres, on: bool) -> None:
    conn = await asyncpg.connect(pg.dsn, server_settings={"application_name": CONTROL_APP})
    try:
        if on:
            await conn.execute("ALTER SYSTEM SET log_min_duration_statement = 0")
        else:
            await conn.execute("ALTER SYSTEM RESET log_min_duration_statement")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


def sql_durations(log: Path, start: int, end: int, database: str) -> dict[str, Any]:
    with log.open("rb") as f:
        f.seek(start)
        text = f.read(end - start).decode(errors="replace")
    total = 0.0
    by_kind: dict[str, list[float]] = {}
    by_statement: dict[str, list[tuple[str, float]]] = {}
    for line in text.splitlines():
        match = DURATION.match(line)
        if match is None or match["db"] != database or match["app"] == CONTROL_APP:
            continue
        ms = float(match["ms"])
        total += ms
        by_kind.setdefault(match["kind"], []).append(ms)
        by_statement.setdefault(statement_label(match["sql"]), []).append((match["kind"], ms))
    return {"total_ms": total,
            "by_kind": {k: {"count": len(v), "ms": round(sum(v), 1)} for k, v in by_kind.items()},
            "by_statement": by_statement}


def statement_summary(lines: list[tuple[str, float]], requests: int) -> dict[str, float]:
    """Every run of a prepared statement logs one bind (an empty one, the pool's `;` ping, logs
    no execute); a simple query logs one `statement`."""
    runs = sum(1 for kind, _ in lines if kind in ("bind", "statement"))
    executed = [ms for kind, ms in lines if kind in ("execute", "statement")]
    return {"ms_per_request": round(sum(ms for _, ms in lines) / requests, 2),
            "runs_per_request": round(runs / requests, 1),
            "p50_execute_ms": round(statistics.median(executed), 2) if executed else 0.0,
            "max_execute_ms": round(max(executed), 1) if executed else 0.0}


def sql_share(server: Server, pg: BenchPostgres, api_key: str, requests: int, pages: int,
              seed: int) -> dict[str, Any]:
    asyncio.run(set_statement_logging(pg, True))
    try:
        # Pooled connections read the new setting after their next statement: warm them first.
        run_phase("sql-warm", server, pg, api_key, 1, 10, pages, seed)
        start = pg.log.stat().st_size
        phase = run_phase("sql-window", server, pg, api_key, 1, requests, pages, seed + 1)
        end = pg.log.stat().st_size
    finally:
        asyncio.run(set_statement_logging(pg, False))
    sql = sql_durations(pg.log, start, end, pg.database)
    n = len(phase.samples)
    request_ms = sum(s.latency for s in phase.samples) * 1000
    statements = sum(v["count"] for k, v in sql["by_kind"].items() if k in ("bind", "statement"))
    return {
        "requests": n,
        "request_ms_total": round(request_ms, 1),
        "sql_ms_total": round(sql["total_ms"], 1),
        "sql_share": round(sql["total_ms"] / request_ms, 3),
        "sql_ms_per_request": round(sql["total_ms"] / n, 2),
        "statements_per_request": round(statements / n, 1),
        "by_kind": sql["by_kind"],
        # parse + bind + execute of each statement, per request: where the SQL time goes.
        "ms_per_request_by_statement": {
            label: statement_summary(v, n) for label, v in sorted(
                sql["by_statement"].items(), key=lambda kv: -sum(ms for _, ms in kv[1]))},
        "latency_with_logging": phase.summary(),
    }


def breakdown(server: Server, pg: BenchPostgres, api_key: str, requests: int, pages: int,
              seed: int) -> dict[str, Any]:
    """The same visits with parts of the page left out: the latency and server CPU of each."""
    results = {}
    for name, query in VARIANTS.items():
        run_phase("breakdown-warm", server, pg, api_key, 1, 5, pages, seed, query)
        phase = run_phase(name, server, pg, api_key, 1, requests, pages, seed, query)
        summary = phase.summary()
        results[name] = {k: summary[k] for k in ("p50_ms", "p99_ms", "server_cpu_ms_per_request",
                                                 "postgres_cpu_ms_per_request")}
        print(f"breakdown {name}: {results[name]}", file=sys.stderr)
    return results


# --------------------------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------------------------


def profile(server: Server, pg: BenchPostgres, api_key: str, requests: int, pages: int,
            seed: int, output: Path) -> dict[str, Any]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    recorder = subprocess.Popen(
        [py_spy, "record", "--pid", str(server.process.pid), "--rate", "250", "--format", "raw",
         "--output", str(output), "--nonblocking"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    phase = run_phase("profile", server, pg, api_key, 1, requests, pages, seed)
    recorder.send_signal(signal.SIGINT)
    recorder.wait(timeout=60)
    return {"output": str(output), "latency_while_profiling": phase.summary()}


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="sequential, one client")
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests-per-client", type=int, default=150)
    parser.add_argument("--pages", type=int, default=5, help="pages followed per range")
    parser.add_argument("--sql-requests", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--breakdown", type=int, default=0, metavar="N",
                        help="also time N requests of each variant of the page (parts left out)")
    parser.add_argument("--no-prewarm", action="store_true",
                        help="start with PostgreSQL's buffers cold instead of pg_prewarm-ed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=Path, default=None,
                        help="also record a py-spy profile (raw, collapsed stacks) here")
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--key-file", type=Path, default=DATA / "api_key.txt")
    parser.add_argument("--report", type=Path, default=DATA / "list_page.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    api_key = args.key_file.read_text().strip()
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    report: dict[str, Any] = {"machine": {
        "nproc": os.cpu_count(), "mem_available": meminfo["MemAvailable"].strip(),
        "loadavg_before": " ".join(Path("/proc/loadavg").read_text().split()[:3])}}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    with bench_postgres(args.directory) as pg:
        asyncio.run(set_statement_logging(pg, False))  # in case a killed run left it on
        if not args.no_prewarm:
            started = time.monotonic()
            asyncio.run(prewarm(pg))
            print(f"pg_prewarm: {time.monotonic() - started:.1f} s", file=sys.stderr)
        with app_server(pg, args.workers, args.report.parent / "server.log") as server:
            print(f"server on 127.0.0.1:{server.port} (pid {server.process.pid}), "
                  f"{args.workers} worker(s)", file=sys.stderr)
            run_phase("warm-up", server, pg, api_key, 1, args.warmup, args.pages, args.seed)
            phases = [
                run_phase("1 client", server, pg, api_key, 1, args.requests, args.pages,
                          args.seed + 1),
                run_phase(f"{args.clients} clients", server, pg, api_key, args.clients,
                          args.requests_per_client, args.pages, args.seed + 2),
            ]
            report["phases"] = [p.summary() for p in phases]
            by_page: dict[int, list[float]] = {}
            for s in phases[0].samples:
                by_page.setdefault(s.page, []).append(s.latency * 1000)
            report["one_client_p50_by_page_ms"] = {
                page: round(statistics.median(v), 1) for page, v in sorted(by_page.items())}
            counts = sorted(phases[0].samples, key=lambda s: s.total_count)
            third = len(counts) // 3
            report["one_client_p50_by_total_count_tercile_ms"] = {
                f"{part[0].total_count}-{part[-1].total_count}":
                    round(statistics.median(s.latency * 1000 for s in part), 1)
                for part in (counts[:third], counts[third:2 * third], counts[2 * third:])}
            for summary in report["phases"]:
                print(json.dumps(summary), file=sys.stderr)
            report["sql"] = sql_share(server, pg, api_key, args.sql_requests, args.pages,
                                      args.seed + 3)
            print(json.dumps(report["sql"]), file=sys.stderr)
            if args.breakdown:
                report["breakdown"] = breakdown(server, pg, api_key, args.breakdown, args.pages,
                                                args.seed + 5)
            if args.profile:
                report["profile"] = profile(server, pg, api_key, args.requests, args.pages,
                                            args.seed + 4, args.profile)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
