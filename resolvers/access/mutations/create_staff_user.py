"""`createStaffUser`: an owner adds a staff user with a first password, a role, and a
manager's stores or a viewer's grants."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import staff
from models.core.enums import StaffRole
from resolvers.access.types import StaffUser, staff_users_of
from resolvers.context import Info
from resolvers.user_errors import UserError, input_pk, respond


@strawberry.input
class CreateStaffUserInput:
    email: str
    password: str = strawberry.field(description="At least 10 characters; the user signs in "
                                                 "with it.")
    role: StaffRole
    name: str | None = None
    store_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="A MANAGER's stores (at least one); only managers.")
    grants: list[str] = strawberry.field(
        default_factory=list, description="A VIEWER's extras: `notes`, `exports`.")


@strawberry.type
class CreateStaffUserPayload:
    staff_user: StaffUser | None
    user_errors: list[UserError]


async def create_staff_user(info: Info, input: CreateStaffUserInput) -> CreateStaffUserPayload:
    async def rule(session: AsyncSession) -> StaffUser:
        store_ids = [input_pk(pk, "Store", "storeIds") for pk in input.store_ids]
        row = await staff.create_staff_user(
            session, info.context.actor, email=input.email, password=input.password,
            role=input.role, name=input.name, store_ids=store_ids, grants=input.grants)
        return (await staff_users_of(session, [row]))[0]

    return await respond(info, CreateStaffUserPayload, rule, lambda user: {"staff_user": user})
