"""Who acts: resolved once per request, and handed to every rule that writes and every check."""

from dataclasses import dataclass

from models.core.enums import ActorKind, StaffRole


@dataclass(frozen=True, slots=True)
class Actor:
    """An organization's staff user, API key, signed-in customer, the system, or nobody.

    - `role` and `store_ids`: staff users only; a MANAGER reaches the customers linked to
      `store_ids` (registered or ordered there), other roles ignore it.
    - `scopes`: API keys only (`models.access.api_keys.ALL_SCOPES`).
    - `grants`: extras granted to a VIEWER (`notes`, `exports`).
    - `customer_id`: a signed-in customer, who reaches only themself.
    """

    organization_id: int
    kind: ActorKind
    id: str | None = None
    scopes: frozenset[str] = frozenset()
    role: StaffRole | None = None
    store_ids: frozenset[int] = frozenset()
    grants: frozenset[str] = frozenset()
    customer_id: int | None = None

    @classmethod
    def system(cls, organization_id: int) -> "Actor":
        return cls(organization_id=organization_id, kind=ActorKind.SYSTEM)

    @property
    def store_scope(self) -> frozenset[int] | None:
        """The stores this actor is limited to, or None when it sees the whole organization."""
        if self.kind is ActorKind.STAFF_USER and self.role is StaffRole.MANAGER:
            return self.store_ids
        return None
