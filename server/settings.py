"""Settings, read once from `CUSTOMERHUB_*` environment variables (documented in README.md)."""

import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from models.access.sessions import TokenLifetimes

PREFIX = "CUSTOMERHUB_"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/customerhub.db"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(PREFIX + name, default)


def _flag(name: str, default: bool) -> bool:
    raw = _env(name)
    return default if raw == "" else raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    read_database_url: str = ""
    redis_url: str = ""
    graphiql: bool = True
    max_page_size: int = 250
    max_query_depth: int = 12
    max_aliases: int = 30
    count_cache_seconds: float = 10.0
    # Sign-in tokens of staff users and customers; fractions are allowed (tests use seconds).
    access_token_minutes: float = 15
    refresh_token_days: float = 30
    max_tokens: int = 2000
    max_query_cost: int = 25_000
    # Subscriptions over the WebSocket at /graphql (server/subscriptions.py).
    max_subscriptions_per_connection: int = 20
    keep_alive_seconds: float = 15
    # How often a connection's credential is checked again (server/credential_watch.py).
    subscription_recheck_seconds: float = 30
    rate_limit: str = "600/minute"
    anonymous_rate_limit: str = "60/minute"
    cors_origins: tuple[str, ...] = ()
    # Where customers' one-time sign-in codes go (server/code_senders.py).
    code_sender: str = "log://"
    # Export files: where they go (file://folder or s3://bucket/prefix), how long links and
    # files live, and how many jobs of one organization run at once.
    export_storage: str = "file://./data/exports"
    s3_endpoint_url: str = ""
    export_ttl_hours: float = 24
    export_concurrency: int = 2
    # Signs download links; in development, made once and kept in `secret_key_file`.
    secret_key: str = field(default="", repr=False)
    secret_key_file: str = "./data/secret_key"
    # Pre-filled into GraphiQL's Authorization header by `customerhub serve --demo` only.
    graphiql_api_key: str = field(default="", repr=False)

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=_env("DATABASE_URL", DEFAULT_DATABASE_URL),
            read_database_url=_env("READ_DATABASE_URL"),
            redis_url=_env("REDIS_URL", os.environ.get("REDIS_URL", "")),
            graphiql=_flag("GRAPHIQL", True),
            max_page_size=int(_env("MAX_PAGE_SIZE", "250")),
            max_query_depth=int(_env("MAX_QUERY_DEPTH", "12")),
            max_aliases=int(_env("MAX_ALIASES", "30")),
            count_cache_seconds=float(_env("COUNT_CACHE_SECONDS", "10")),
            access_token_minutes=float(_env("ACCESS_TOKEN_MINUTES", "15")),
            refresh_token_days=float(_env("REFRESH_TOKEN_DAYS", "30")),
            max_tokens=int(_env("MAX_TOKENS", "2000")),
            max_query_cost=int(_env("MAX_QUERY_COST", "25000")),
            max_subscriptions_per_connection=int(_env("MAX_SUBSCRIPTIONS_PER_CONNECTION", "20")),
            keep_alive_seconds=float(_env("KEEP_ALIVE_SECONDS", "15")),
            subscription_recheck_seconds=float(_env("SUBSCRIPTION_RECHECK_SECONDS", "30")),
            rate_limit=_env("RATE_LIMIT", "600/minute"),
            anonymous_rate_limit=_env("ANONYMOUS_RATE_LIMIT", "60/minute"),
            export_storage=_env("EXPORT_STORAGE", "file://./data/exports"),
            s3_endpoint_url=_env("S3_ENDPOINT_URL"),
            export_ttl_hours=float(_env("EXPORT_TTL_HOURS", "24")),
            export_concurrency=int(_env("EXPORT_CONCURRENCY", "2")),
            secret_key=_env("SECRET_KEY"),
            cors_origins=tuple(origin.strip().rstrip("/")
                               for origin in _env("CORS_ORIGINS").split(",") if origin.strip()),
            code_sender=_env("CODE_SENDER", "log://"),
        )

    @property
    def token_lifetimes(self) -> TokenLifetimes:
        return TokenLifetimes(access=timedelta(minutes=self.access_token_minutes),
                              refresh=timedelta(days=self.refresh_token_days))


def secret_key(settings: Settings) -> bytes:
    """`CUSTOMERHUB_SECRET_KEY`, or in development a random key made once and kept in a file
    (so that links survive a restart)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.secret_key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL, so that its folder can be created before connecting."""
    for scheme in ("sqlite+aiosqlite:///", "sqlite:///"):
        if database_url.startswith(scheme):
            path = database_url.removeprefix(scheme).split("?", 1)[0]
            return Path(path) if path and path != ":memory:" else None
    return None
