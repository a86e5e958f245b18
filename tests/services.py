"""Real PostgreSQL and Redis servers for the tests, on 127.0.0.1 and a free port.

    with postgres_server() as pg:      # pg.url: postgresql+asyncpg://...; pg.dsn: postgresql://...
        ...
    with redis_server() as redis:      # redis.url: redis://127.0.0.1:PORT/0
        ...

Each context manager starts its own server in a temporary directory and, on the way out
(also after an exception), stops it and deletes that directory.

A missing binary raises ServiceUnavailable, which a fixture may turn into a skip; when the
environment variable CI is set it raises ServiceError instead, so that CI fails and never skips.
A server that does not come up within the timeout raises ServiceError with its log.

PostgreSQL refuses to run as root: as root, the data directory belongs to the `postgres` system
user and initdb/pg_ctl run as that user through `runuser`; as anyone else they run directly.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PostgresServer",
    "RedisServer",
    "ServiceError",
    "ServiceUnavailable",
    "free_port",
    "postgres_server",
    "redis_server",
]

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
PG_SUPERUSER = "postgres"
PG_DATABASE = "customerhub_test"


class ServiceUnavailable(RuntimeError):
    """A binary the server needs is not installed (outside CI): a fixture may skip."""


class ServiceError(RuntimeError):
    """The server could not be started, or a binary is missing under CI."""


def _missing(what: str, hint: str) -> Exception:
    message = f"{what} is missing: {hint} (scripts/test.sh installs it)"
    if os.environ.get("CI"):
        return ServiceError(f"{message}; CI is set, so this fails instead of skipping")
    return ServiceUnavailable(message)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


# --------------------------------------------------------------------------- PostgreSQL


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    database: str
    bindir: Path
    directory: Path  # temp dir: data/, server.log and the unix socket; deleted afterwards

    @property
    def url(self) -> str:
        """SQLAlchemy URL (asyncpg driver) of `database`."""
        return self.url_for(self.database)

    @property
    def dsn(self) -> str:
        """Plain libpq/asyncpg DSN of `database`."""
        return self.dsn_for(self.database)

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    def dsn_for(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def url_for(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE `name` (optionally as a copy of `template`); returns its SQLAlchemy URL.

        A template must have no open connections while it is copied.
        """
        cmd = [str(self.bindir / "createdb"), "-h", self.host, "-p", str(self.port)]
        cmd += ["-U", self.user, *(["-T", template] if template else []), name]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=START_TIMEOUT)
        if done.returncode != 0:
            raise ServiceError(f"createdb {name} failed: {done.stderr.strip()}")
        return self.url_for(name)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)


def find_pg_bindir() -> Path:
    """Highest /usr/lib/postgresql/<version>/bin with initdb (Debian); else initdb from PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version_key)
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")  # not Debian: a developer's own install
    if on_path:
        return Path(on_path).resolve().parent
    raise _missing(
        "PostgreSQL (initdb)",
        "no /usr/lib/postgresql/<version>/bin/initdb; install it with `apt-get install postgresql`",
    )


def _runner() -> tuple[list[str], int | None, int | None]:
    """Prefix that runs a command as the postgres user when we are root, and its uid/gid."""
    if os.geteuid() != 0:
        return [], None, None
    runuser = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.path.exists(p)), None
    )
    if runuser is None:
        raise _missing("runuser", "needed to run PostgreSQL as the postgres user when root")
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise _missing("the `postgres` system user", "PostgreSQL refuses to run as root") from None
    return [runuser, "-u", "postgres", "--"], entry.pw_uid, entry.pw_gid


def _postmaster_pid(datadir: Path) -> int | None:
    try:
        return int((datadir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _stop_postgres(as_pg: list[str], bindir: Path, directory: Path) -> None:
    datadir = directory / "data"
    pid = _postmaster_pid(datadir)
    if pid is None:
        return
    cmd = [*as_pg, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "-t", "20"]
    try:
        subprocess.run([*cmd, "stop"], cwd=directory, capture_output=True, timeout=30, check=True)
    except (subprocess.SubprocessError, OSError):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def postgres_server(
    database: str = PG_DATABASE,
    *,
    bindir: Path | None = None,
    timeout: float = START_TIMEOUT,
) -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL with one empty database `database`; yield its PostgresServer.

    The role `postgres` is a superuser, so CREATE EXTENSION (pg_trgm) works; auth is trust
    over TCP on 127.0.0.1 only. fsync, synchronous_commit and full_page_writes are off.
    """
    bindir = bindir or find_pg_bindir()
    for tool in ("initdb", "pg_ctl", "postgres", "createdb"):
        if not (bindir / tool).exists():
            raise _missing(f"PostgreSQL's {tool}", f"not in {bindir}")
    as_pg, uid, gid = _runner()

    directory = Path(tempfile.mkdtemp(prefix="customerhub-pg-"))
    datadir = directory / "data"
    log = directory / "server.log"
    try:
        if uid is not None and gid is not None:
            os.chown(directory, uid, gid)
        os.chmod(directory, 0o700)
        locale = "C.UTF-8" if sys.platform.startswith("linux") else "C"
        initdb = [*as_pg, str(bindir / "initdb"), "-D", str(datadir), "-U", PG_SUPERUSER]
        initdb += ["-E", "UTF8", f"--locale={locale}", "--auth=trust", "--no-sync"]
        done = subprocess.run(
            initdb, cwd=directory, capture_output=True, text=True, timeout=timeout * 2
        )
        if done.returncode != 0:
            raise ServiceError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        with (datadir / "postgresql.conf").open("a") as conf:  # appending keeps the owner
            conf.write(
                "\n# customerhub tests\n"
                f"listen_addresses = '{HOST}'\n"
                f"unix_socket_directories = '{directory}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 200\n"
            )

        last_error = ""
        for _attempt in range(3):  # another process may take the free port before we bind it
            port = free_port()
            start = [*as_pg, str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(log)]
            start += ["-w", "-t", str(int(timeout)), "-o", f"-p {port}", "start"]
            try:
                done = subprocess.run(
                    start, cwd=directory, capture_output=True, text=True, timeout=timeout + 10
                )
                ok = done.returncode == 0
                last_error = f"{done.stdout}{done.stderr}"
            except subprocess.TimeoutExpired:
                ok, last_error = False, f"pg_ctl start did not return within {timeout + 10}s"
            if ok:
                break
            _stop_postgres(as_pg, bindir, directory)
            if "already in use" not in _tail(log):
                break
        else:
            ok = False
        if not ok:
            raise ServiceError(
                f"PostgreSQL did not start on {HOST}:{port} within {timeout}s\n"
                f"{last_error.strip()}\n--- {log} ---\n{_tail(log)}"
            )

        server = PostgresServer(HOST, port, PG_SUPERUSER, database, bindir, directory)
        server.create_database(database)
        yield server
    finally:
        _stop_postgres(as_pg, bindir, directory)
        shutil.rmtree(directory, ignore_errors=True)


# --------------------------------------------------------------------------- Redis


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int
    directory: Path  # temp dir with server.log; deleted afterwards

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def redis_server(
    *, binary: str | None = None, timeout: float = START_TIMEOUT
) -> Iterator[RedisServer]:
    """Start a throwaway redis-server (no persistence) and yield its RedisServer."""
    exe = binary or shutil.which("redis-server")
    if exe is None and os.path.exists("/usr/bin/redis-server"):
        exe = "/usr/bin/redis-server"
    if exe is None or not os.path.exists(exe):
        raise _missing("redis-server", "install it with `apt-get install redis-server`")

    directory = Path(tempfile.mkdtemp(prefix="customerhub-redis-"))
    log = directory / "server.log"
    proc: subprocess.Popen[bytes] | None = None
    try:
        for _attempt in range(3):  # another process may take the free port before we bind it
            port = free_port()
            cmd = [exe, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
            cmd += ["--dir", str(directory), "--daemonize", "no", "--logfile", ""]
            with log.open("ab") as out:
                proc = subprocess.Popen(
                    cmd,
                    cwd=directory,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            deadline = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < deadline:
                if _redis_ping(port):
                    break
                time.sleep(0.02)
            if proc.poll() is None and _redis_ping(port):
                break
            _terminate(proc)
            if "in use" not in _tail(log):
                break
        assert proc is not None
        if proc.poll() is not None or not _redis_ping(port):
            raise ServiceError(
                f"redis-server did not answer PING on {HOST}:{port} within {timeout}s "
                f"(exit code {proc.poll()})\n--- {log} ---\n{_tail(log)}"
            )
        yield RedisServer(HOST, port, directory)
    finally:
        if proc is not None:
            _terminate(proc)
        shutil.rmtree(directory, ignore_errors=True)
