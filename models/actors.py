"""Who acts: resolved once per request, and handed to every rule that writes."""

from dataclasses import dataclass

from models.enums import ActorKind


@dataclass(frozen=True, slots=True)
class Actor:
    """An organization's staff user, API key, signed-in customer, or the system itself."""

    organization_id: int
    kind: ActorKind
    id: str | None = None
    scopes: frozenset[str] = frozenset()

    @classmethod
    def system(cls, organization_id: int) -> "Actor":
        return cls(organization_id=organization_id, kind=ActorKind.SYSTEM)
