"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from models import Base

POSTGRESQL_ONLY = {"ix_customers_search_text_trgm"}
# Declared once per dialect (NULLS FIRST on PostgreSQL), which autogenerate cannot compare;
# `test_nullable_date_indexes` checks them instead.
PER_DIALECT = {"ix_customers_org_registered_at", "ix_customers_org_last_access_at",
               "ix_customers_org_last_order_at"}


def _differences(connection: Connection) -> list[object]:
    def include(obj: object, name: str | None, type_: str, *_: object) -> bool:
        if name in PER_DIALECT:
            return False
        return connection.dialect.name == "postgresql" or name not in POSTGRESQL_ONLY

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_database_matches_models(db) -> None:
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


def _index_definitions(connection: Connection) -> dict[str, str]:
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'customers'")
    else:
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'customers' AND sql IS NOT NULL")
    return {row[0]: row[1] for row in rows}


async def test_list_indexes_are_partial_and_place_nulls_first(db) -> None:
    async with db.engine.connect() as connection:
        definitions = await connection.run_sync(_index_definitions)
        postgres = connection.dialect.name == "postgresql"
    for name in ("ix_customers_org_total_spent", *PER_DIALECT):
        assert "erased_at IS NULL" in definitions[name], definitions[name]
    for name in PER_DIALECT:
        assert ("NULLS FIRST" in definitions[name]) == postgres, definitions[name]
