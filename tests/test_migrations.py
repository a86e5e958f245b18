"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from models import Base

POSTGRESQL_ONLY = {"ix_customers_search_text_trgm"}


def _differences(connection: Connection) -> list[object]:
    def include(obj: object, name: str | None, type_: str, *_: object) -> bool:
        return connection.dialect.name == "postgresql" or name not in POSTGRESQL_ONLY

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_database_matches_models(db) -> None:
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []
