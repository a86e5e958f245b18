"""Customer exports on the data set of `bench/generate.py`, against PostgreSQL's own COPY.

    .venv/bin/python -m bench.export [--sizes 100000,1000000] [--formats csv,xlsx]

For each size, the rows are the newest customers by registration (100,000: those registered at
or after the 100,000th newest registration; 1,000,000: every customer), sorted as the list's
default (newest first). Each export runs through a fresh server process (uvicorn on 127.0.0.1):
`exportCustomers` over HTTP with every column, polled until SUCCEEDED; its time is the job's own
`finished_at - started_at`, and the server's peak memory is its `VmHWM` (peak resident set) read
from /proc right after, the process having been started for this export alone. In the same run,
`COPY (SELECT ...) TO STDOUT CSV` of the same rows and columns (formatted as our CSV formats
them) is streamed by asyncpg to a file, and timed: once to warm the cache (not counted), once
before the exports and once after; the ratios are to the faster of the two. Results go to
`bench/data/export.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.list_page import DATA, app_server, machine_busy, postgres_cpu
from bench.pg import bench_postgres

EXPORT = """mutation($input: ExportCustomersInput!) { exportCustomers(input: $input) {
  job { id status } userErrors { field code message } } }"""
POLL = """query($id: ID!) { exportJob(id: $id) { status rowCount error url } }"""

TS = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
MONEY = "({}::numeric / 100)::numeric(20, 2)"
BOOL = "CASE WHEN {} THEN 'TRUE' ELSE 'FALSE' END"
# The columns of models/customers/columns.py, in order, as SQL that formats them the same way.
COPY_COLUMNS = [
    "c.id", "c.type", "c.first_name", "c.last_name",
    "NULLIF(concat_ws(' ', c.first_name, c.last_name), '')", "c.email", "c.phone_e164",
    "a.line1", "a.line2", "a.city", "a.postal_code", "a.region", "a.country",
    "c.source", "ms.name",
    "(SELECT string_agg(s.name, ', ' ORDER BY cs.first_order_at, cs.store_id) "
    "FROM customer_stores cs JOIN stores s ON s.id = cs.store_id "
    "WHERE cs.customer_id = c.id)",
    TS.format("c.registered_at"), TS.format("c.last_access_at"), TS.format("c.last_activity_at"),
    BOOL.format("c.subscribed"), TS.format("c.consent_updated_at"), "c.consent_source",
    "c.birthday", "c.external_id", "c.shopper_level", "c.risk_level", "c.company_name",
    BOOL.format("c.tax_exempt"), BOOL.format("c.age_restricted_allowed"), "c.notes",
    "c.order_count", MONEY.format("c.total_spent"), MONEY.format("c.average_spend"),
    MONEY.format("CASE WHEN c.first_order_at IS NULL THEN 0 ELSE round(c.total_spent / "
                 "greatest(1, extract(epoch FROM now() - c.first_order_at) / 86400 "
                 "/ 30.436875)) END"),
    TS.format("c.first_order_at"), TS.format("c.last_order_at"), "c.last_order_status",
    "c.last_order_punctuality", "c.points_balance", "c.points_earned", TS.format("c.created_at"),
    TS.format("c.updated_at"),
]


def copy_query(organization_id: int, registered_from: datetime | None) -> str:
    where = f"c.organization_id = {organization_id} AND c.erased_at IS NULL"
    if registered_from is not None:
        where += f" AND c.registered_at >= '{registered_from.isoformat()}'"
    return (f"SELECT {', '.join(COPY_COLUMNS)} FROM customers c "
            "LEFT JOIN stores ms ON ms.id = c.main_store_id "
            "LEFT JOIN customer_addresses a ON a.customer_id = c.id AND a.position = 0 "
            f"WHERE {where} ORDER BY c.created_at DESC, c.id DESC")


async def registration_cutoff(dsn: str, size: int) -> datetime | None:
    connection = await asyncpg.connect(dsn)
    try:
        total = await connection.fetchval("SELECT count(*) FROM customers WHERE erased_at IS NULL")
        if size >= total:
            return None
        cutoff: datetime = await connection.fetchval(
            "SELECT registered_at FROM customers WHERE erased_at IS NULL "
            "AND registered_at IS NOT NULL ORDER BY registered_at DESC OFFSET $1 LIMIT 1",
            size - 1)
        return cutoff
    finally:
        await connection.close()


async def run_copy(dsn: str, query: str, output: Path) -> dict[str, Any]:
    connection = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        status = await connection.copy_from_query(query, output=str(output), format="csv",
                                                  header=True)
        seconds = time.perf_counter() - started
    finally:
        await connection.close()
    return {"seconds": round(seconds, 2), "rows": int(status.split()[-1])}


def post(port: int, api_key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/graphql", json.dumps({"query": query, "variables": variables}),
                       {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"})
    body: dict[str, Any] = json.loads(connection.getresponse().read())
    connection.close()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]  # type: ignore[no-any-return]


def memory_kb(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


async def job_times(dsn: str, job_id: int) -> dict[str, Any]:
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow(
            "SELECT started_at, finished_at, row_count, file_key FROM export_jobs WHERE id = $1",
            job_id)
    finally:
        await connection.close()
    return dict(row)


def run_export(pg: Any, api_key: str, file_format: str, registered_from: datetime | None,
               log: Path) -> dict[str, Any]:
    import base64

    exports = DATA / "exports"
    os.environ.update({"CUSTOMERHUB_EXPORT_STORAGE": f"file://{exports}",
                       "CUSTOMERHUB_SECRET_KEY": "bench-export-secret",
                       "CUSTOMERHUB_EXPORT_TTL_HOURS": "1"})
    with app_server(pg, 1, log) as server:
        pid = server.process.pid
        post(server.port, api_key, "{ organization { id } }", {})  # warm: first request's imports
        at_rest = memory_kb(pid)
        busy_before, cpu_before = machine_busy(), server.cpu()
        pg_before = postgres_cpu(pg)
        started = time.perf_counter()
        filter_ = ({"registeredAt": {"from": registered_from.isoformat()}}
                   if registered_from else None)
        payload = post(server.port, api_key, EXPORT, {"input": {
            "format": file_format.upper(), **({"filter": filter_} if filter_ else {})}})
        job = payload["exportCustomers"]["job"]
        peak_rss = 0
        while True:
            peak_rss = max(peak_rss, memory_kb(pid)["VmRSS"])
            polled = post(server.port, api_key, POLL, {"id": job["id"]})["exportJob"]
            if polled["status"] in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(0.5)
        wall = time.perf_counter() - started
        after = memory_kb(pid)
        server_cpu, pg_cpu = server.cpu() - cpu_before, postgres_cpu(pg) - pg_before
        busy = machine_busy() - busy_before
    if polled["status"] != "SUCCEEDED":
        raise RuntimeError(polled["error"])
    job_id = int(base64.b64decode(job["id"]).decode().split(":")[1])
    times = asyncio.run(job_times(pg.dsn, job_id))
    path = exports / times["file_key"]
    return {
        "seconds": round((times["finished_at"] - times["started_at"]).total_seconds(), 2),
        "wall_seconds_with_polling": round(wall, 2), "rows": times["row_count"],
        "bytes": path.stat().st_size, "server_rss_at_rest_mb": round(at_rest["VmRSS"] / 1024, 1),
        "server_peak_rss_mb": round(max(after["VmHWM"], peak_rss) / 1024, 1),
        "server_cpu_seconds": round(server_cpu, 2), "postgres_cpu_seconds": round(pg_cpu, 2),
        "machine_busy_cpu_seconds": round(busy, 2), "file": str(path),
    }


def machine_state() -> dict[str, Any]:
    top = subprocess.run(["ps", "-eo", "pcpu,rss,comm", "--sort=-pcpu"], capture_output=True,
                         text=True, check=False).stdout.splitlines()[:8]
    return {"when": datetime.now(UTC).isoformat(timespec="seconds"),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "top_processes": top}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args(argv)
    api_key = (DATA / "api_key.txt").read_text().strip()
    log = DATA / "export-server.log"
    results: dict[str, Any] = {"before": machine_state(), "runs": []}
    with bench_postgres() as pg:
        for size in (int(s) for s in args.sizes.split(",")):
            cutoff = asyncio.run(registration_cutoff(pg.dsn, size))
            copy_file = DATA / f"copy-{size}.csv"
            query = copy_query(1, cutoff)
            # The cluster was just started: a first COPY warms its cache for everything after.
            asyncio.run(run_copy(pg.dsn, query, copy_file))
            copy = asyncio.run(run_copy(pg.dsn, query, copy_file))
            copy["bytes"] = copy_file.stat().st_size
            run: dict[str, Any] = {"size": size, "registered_from": str(cutoff), "copy": copy}
            print(f"{size}: COPY {copy}", flush=True)
            for file_format in args.formats.split(","):
                run[file_format] = run_export(pg, api_key, file_format, cutoff, log)
                print(f"{size}: {file_format} {run[file_format]}", flush=True)
            # Again after the exports: the ratios are to the faster of the two.
            run["copy_after"] = asyncio.run(run_copy(pg.dsn, query, copy_file))
            print(f"{size}: COPY again {run['copy_after']}", flush=True)
            fastest = min(copy["seconds"], run["copy_after"]["seconds"])
            for file_format in args.formats.split(","):
                ratio = run[file_format]["seconds"] / max(fastest, 0.01)
                run[file_format]["times_copy"] = round(ratio, 2)
                print(f"{size}: {file_format} / COPY = {ratio:.2f}", flush=True)
            results["runs"].append(run)
    results["after"] = machine_state()
    (DATA / "export.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
