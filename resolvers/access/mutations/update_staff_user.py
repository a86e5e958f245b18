"""`updateStaffUser`: an owner changes a staff user's role, stores or grants, or disables or
enables them; only the fields sent change. The last active owner stays one."""

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import staff
from models.core.enums import ActorKind, StaffRole
from resolvers.access.types import StaffUser, staff_users_of
from resolvers.context import Info
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.input(description="Only the fields sent change.")
class UpdateStaffUserInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    role: StaffRole | None = strawberry.field(
        default=strawberry.UNSET, description="A new role drops the stores or grants the new "
                                              "role does not take.")
    store_ids: list[strawberry.ID] | None = strawberry.UNSET
    grants: list[str] | None = strawberry.UNSET
    disabled: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="true: the user cannot sign in and its sessions end; false: it can again.")


@strawberry.type
class UpdateStaffUserPayload:
    staff_user: StaffUser | None
    user_errors: list[UserError]


async def update_staff_user(info: Info, input: UpdateStaffUserInput) -> UpdateStaffUserPayload:
    async def rule(session: AsyncSession) -> StaffUser:
        pk = input_pk(input.id, "StaffUser", "id")
        fields: dict[str, Any] = {name: getattr(input, name) for name in
                                  ("name", "role", "grants", "disabled")
                                  if getattr(input, name) is not strawberry.UNSET}
        if input.store_ids is not strawberry.UNSET:
            fields["store_ids"] = [input_pk(store, "Store", "storeIds")
                                   for store in input.store_ids or ()]
        row = await staff.update_staff_user(session, info.context.actor, pk, fields)
        return (await staff_users_of(session, [row]))[0]

    def answer(user: StaffUser) -> dict[str, Any]:
        # Its cached sessions carry the old role, stores and grants.
        info.context.credentials.forget_subject(ActorKind.STAFF_USER,
                                                input_pk(input.id, "StaffUser", "id"))
        return {"staff_user": user}

    return await respond(info, UpdateStaffUserPayload, rule, answer)
