"""Settings, read once from `CUSTOMERHUB_*` environment variables (documented in README.md)."""

import os
from dataclasses import dataclass, field
from pathlib import Path

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
        )


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL, so that its folder can be created before connecting."""
    for scheme in ("sqlite+aiosqlite:///", "sqlite:///"):
        if database_url.startswith(scheme):
            path = database_url.removeprefix(scheme).split("?", 1)[0]
            return Path(path) if path and path != ":memory:" else None
    return None
