"""The benchmark's own PostgreSQL: a persistent cluster in `bench/data/pg`, tuned for a bulk load
and a read benchmark on one machine, started on 127.0.0.1 and a free port, stopped on exit.

    with bench_postgres() as pg:        # pg.dsn: postgresql://...; pg.url: SQLAlchemy URL
        ...

Unlike `tests/services.postgres_server()` (whose helpers this reuses) the data directory is kept
between runs, so that `generate.py` loads once and `list_page.py` benchmarks many times. The
cluster is created on first use. The settings are in `SETTINGS`, passed as `-c` options at start,
so that they are visible here and in `bench/README.md`, not hidden in a postgresql.conf.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from services import HOST, ServiceError, _runner, find_pg_bindir, free_port

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "data" / "pg"
DATABASE = "customerhub_bench"
START_TIMEOUT = 120  # a cluster stopped uncleanly replays its WAL first

# 2 cores, 23 GB of RAM, data set of a few GB: everything fits in shared_buffers.
SETTINGS: dict[str, str] = {
    "shared_buffers": "6GB",
    "effective_cache_size": "16GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",
    "max_parallel_maintenance_workers": "1",
    "max_parallel_workers_per_gather": "1",
    "random_page_cost": "1.1",
    # JIT compiles a plan once a query's cost passes 100,000: tens of milliseconds spent on a
    # count over a few hundred thousand index entries. Off, as is usual for OLTP.
    "jit": "off",
    # The data can be generated again: durability is traded for load speed. With
    # wal_level=minimal a COPY into a table truncated in the same transaction skips the WAL.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "max_connections": "100",
    "log_line_prefix": "%m [%p] %a@%d ",
    # log_min_duration_statement stays unset here: list_page.py turns it on with ALTER SYSTEM
    # for its SQL-time window, and a -c option would take precedence over that.
}


@dataclass(frozen=True)
class BenchPostgres:
    host: str
    port: int
    user: str
    database: str
    directory: Path  # holds data/ and server.log

    @property
    def dsn(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def log(self) -> Path:
        return self.directory / "server.log"


def _run(cmd: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _initdb(bindir: Path, as_pg: list[str], uid: int | None, gid: int | None,
            directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if uid is not None and gid is not None:
        os.chown(directory, uid, gid)
    os.chmod(directory, 0o700)
    cmd = [*as_pg, str(bindir / "initdb"), "-D", str(directory / "data"), "-U", "postgres",
           "-E", "UTF8", "--locale=C.UTF-8", "--auth=trust", "--no-sync"]
    done = _run(cmd, directory, 120)
    if done.returncode != 0:
        raise ServiceError(f"initdb failed:\n{done.stdout}{done.stderr}")


def _stop(bindir: Path, as_pg: list[str], directory: Path) -> None:
    """A fast (clean) shutdown: the next start needs no recovery."""
    datadir = directory / "data"
    if not (datadir / "postmaster.pid").exists():
        return
    _run([*as_pg, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "-t", "120",
          "stop"], directory, 150)


def _database_exists(bindir: Path, server: BenchPostgres) -> bool:
    done = _run([str(bindir / "psql"), "-h", server.host, "-p", str(server.port), "-U",
                 server.user, "-d", "postgres", "-tAc",
                 f"SELECT 1 FROM pg_database WHERE datname = '{server.database}'"],
                server.directory, 30)
    return done.stdout.strip() == "1"


@contextmanager
def bench_postgres(directory: Path = DEFAULT_DIRECTORY, database: str = DATABASE,
                   extra_settings: dict[str, str] | None = None) -> Iterator[BenchPostgres]:
    """Start (creating it if needed) the benchmark cluster in `directory`; stop it on exit."""
    bindir = find_pg_bindir()
    as_pg, uid, gid = _runner()
    if not (directory / "data" / "PG_VERSION").exists():
        _initdb(bindir, as_pg, uid, gid, directory)
    _stop(bindir, as_pg, directory)  # left running by a run that was killed
    settings = {**SETTINGS, **(extra_settings or {})}
    # pg_ctl hands the options to a shell: quote the values.
    options = " ".join(f"-c {name}={shlex.quote(value)}" for name, value in settings.items())
    port = free_port()
    options += f" -p {port} -c listen_addresses={HOST} -c unix_socket_directories={directory}"
    log = directory / "server.log"
    start = [*as_pg, str(bindir / "pg_ctl"), "-D", str(directory / "data"), "-l", str(log),
             "-w", "-t", str(START_TIMEOUT), "-o", options, "start"]
    try:
        done = _run(start, directory, START_TIMEOUT + 10)
        if done.returncode != 0:
            raise ServiceError(f"PostgreSQL did not start:\n{done.stdout}{done.stderr}")
        server = BenchPostgres(HOST, port, "postgres", database, directory)
        if not _database_exists(bindir, server):
            created = _run([str(bindir / "createdb"), "-h", HOST, "-p", str(port), "-U",
                            "postgres", database], directory, 30)
            if created.returncode != 0:
                raise ServiceError(f"createdb failed: {created.stderr}")
        yield server
    finally:
        started = time.monotonic()
        _stop(bindir, as_pg, directory)
        print(f"bench PostgreSQL stopped ({time.monotonic() - started:.1f} s)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Keep the benchmark cluster running until interrupted, to explore it with psql."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    args = parser.parse_args(argv)
    signals = {signal.SIGINT, signal.SIGTERM}
    with bench_postgres(args.directory) as pg:
        # Blocked only now, so that PostgreSQL does not inherit the mask; sigwait receives them.
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        print(f"psql -h {pg.host} -p {pg.port} -U {pg.user} {pg.database}", flush=True)
        print(f"CUSTOMERHUB_DATABASE_URL={pg.url}", flush=True)
        signal.sigwait(signals)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
