"""Fixtures of the GraphQL layer's tests: a counter of the SQL statements a request runs."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from server.db import Database


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def sql_counter(db: Database) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    engines = {db.engine.sync_engine, db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", counter)
    yield counter
    for engine in engines:
        event.remove(engine, "before_cursor_execute", counter)
