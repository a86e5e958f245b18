"""The role matrix: what each kind of caller may do. The one place that answers "may they?".

Resolvers declare one `Permission` per root field (`resolvers/permissions.py`); this module says
which actors hold it. README.md shows the same matrix as a table, and
`tests/permissions/test_role_matrix.py` walks every root field as every kind of caller against it.
"""

from enum import Enum

from models.core.actors import Actor
from models.core.enums import ActorKind, StaffRole


class Permission(Enum):
    PUBLIC = "public"                        # anyone, signed in or not (sign-in itself)
    SIGNED_IN = "signed-in"                  # any caller with valid credentials (sign-out)
    CUSTOMERS_READ = "customers:read"        # customers, orders, stores, stats, organization
    CUSTOMERS_WRITE = "customers:write"      # add, update, consent, register, merge, erase, points
    ORDERS_WRITE = "orders:write"            # record orders, change their status
    EXPORTS = "exports"                      # export files and their jobs
    SUBSCRIPTIONS = "subscriptions"          # live customer changes
    NOTES = "notes"                          # a customer's internal notes
    SETTINGS = "settings"                    # organization settings
    MANAGE_ACCESS = "manage-access"          # staff users and API keys
    SELF = "self"                            # a signed-in customer's own profile

    @property
    def scope(self) -> str | None:
        """The API key scope that grants this permission, if keys can hold it at all."""
        return _KEY_SCOPES.get(self)


_KEY_SCOPES = {
    Permission.CUSTOMERS_READ: "customers:read",
    Permission.NOTES: "customers:read",
    Permission.CUSTOMERS_WRITE: "customers:write",
    Permission.ORDERS_WRITE: "orders:write",
    Permission.EXPORTS: "exports",
    Permission.SUBSCRIPTIONS: "subscriptions",
}

_STAFF = {
    StaffRole.OWNER: frozenset(Permission) - {Permission.SELF},
    StaffRole.MANAGER: frozenset({
        Permission.PUBLIC, Permission.SIGNED_IN, Permission.CUSTOMERS_READ,
        Permission.CUSTOMERS_WRITE, Permission.ORDERS_WRITE, Permission.EXPORTS,
        Permission.SUBSCRIPTIONS, Permission.NOTES}),
    StaffRole.VIEWER: frozenset({
        Permission.PUBLIC, Permission.SIGNED_IN, Permission.CUSTOMERS_READ}),
}
# What an owner may grant a viewer on top of reading.
VIEWER_GRANTS = {"notes": Permission.NOTES, "exports": Permission.EXPORTS}


def denial(actor: Actor, permission: Permission) -> str | None:
    """Why `actor` may not act under `permission`, or None when it may."""
    if permission is Permission.PUBLIC:
        return None
    kind = actor.kind
    if kind is ActorKind.ANONYMOUS:
        return "Sign in first: send `Authorization: Bearer <token or API key>`."
    if permission is Permission.SIGNED_IN or kind is ActorKind.SYSTEM:
        return None
    if kind is ActorKind.CUSTOMER:
        return None if permission is Permission.SELF else (
            "A customer token reaches only the customer's own profile (`me`).")
    if permission is Permission.SELF:
        return "Only a signed-in customer has a profile of their own (`me`)."
    if kind is ActorKind.API_KEY:
        scope = permission.scope
        if scope is None:
            return f"API keys cannot do this ({permission.value}); a staff owner can."
        return None if scope in actor.scopes else f"This API key lacks the scope `{scope}`."
    role = actor.role
    if role is None:
        return "This staff user has no role."
    if permission in _STAFF[role]:
        return None
    if role is StaffRole.VIEWER and any(
            VIEWER_GRANTS.get(grant) is permission for grant in actor.grants):
        return None
    return f"The {role.value} role may not do this ({permission.value})."


def allows(actor: Actor, permission: Permission) -> bool:
    return denial(actor, permission) is None


def subscription_denial(actor: Actor) -> str | None:
    """Why `actor` may not open a subscriptions connection, or None when it may: an API key
    needs the `subscriptions` scope, a staff user its role's read permission; customers cannot
    yet. Each subscription then checks its own permission, as a root field does."""
    if actor.kind is ActorKind.CUSTOMER:
        return "A customer token cannot subscribe yet: use a staff token or an API key."
    if actor.kind is ActorKind.STAFF_USER:
        return denial(actor, Permission.CUSTOMERS_READ)
    return denial(actor, Permission.SUBSCRIPTIONS)
