"""Per-request batch reads of loyalty memberships and ledgers, by customer id. They take a
`ReadScope` (never the GraphQL context) and return rows, in the order of the keys."""

from models.core.tenancy import ReadScope
from models.loyalty import ledger


async def load_memberships(scope: ReadScope, keys: list[int]) -> list[ledger.Membership | None]:
    async with scope.session() as session:
        rows = await ledger.memberships_of_customers(session, keys)
    return [rows.get(key) for key in keys]


async def load_ledgers(scope: ReadScope, keys: list[int]
                       ) -> list[list[ledger.LoyaltyLedgerEntry]]:
    async with scope.session() as session:
        rows = await ledger.ledger_of_customers(session, keys)
    return [rows.get(key, []) for key in keys]
