"""`exportCustomers` and `exportCustomerHistory`: create a PENDING job and return it at once;
the server writes the file in the background (server/exports.py)."""

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.errors import ErrorCode, Rejected, error
from models.customers.columns import CustomerColumn
from models.exports import jobs
from models.exports.history import check_customer
from models.exports.jobs import ExportFormat
from resolvers.context import Info
from resolvers.customers.filters import CustomerFilter
from resolvers.customers.sorters import CustomerSort
from resolvers.engine.errors import ClientError
from resolvers.exports.types import ExportJob, ExportLocale
from resolvers.user_errors import UserError, input_pk, refused, respond


@strawberry.input
class ExportCustomersInput:
    filter: CustomerFilter | None = strawberry.field(
        default=None, description="The same filter as `customers`.")
    sort: list[CustomerSort] | None = strawberry.field(
        default=None, description="The same sort as `customers`.")
    columns: list[CustomerColumn] | None = strawberry.field(
        default=None, description="In this order; every column when left out.")
    format: ExportFormat = ExportFormat.CSV
    locale: ExportLocale = ExportLocale.EN


@strawberry.input
class ExportCustomerHistoryInput:
    customer_id: strawberry.ID
    format: ExportFormat = ExportFormat.CSV
    locale: ExportLocale = ExportLocale.EN


@strawberry.type
class ExportPayload:
    job: ExportJob | None
    user_errors: list[UserError]


async def _start(info: Info, kind: jobs.ExportKind, file_format: Any,
                 job_input: dict[str, Any], check: Any = None) -> ExportPayload:
    actor = info.context.actor

    # The file holds what the caller may see: a manager's job reads through their stores.
    if actor.store_scope is not None:
        job_input = {**job_input, "store_scope": sorted(actor.store_scope)}

    async def rule(session: AsyncSession) -> jobs.ExportJob:
        if check is not None:
            await check(session)
        return await jobs.create_export_job(session, actor, kind,
                                            file_format, job_input)

    def answer(row: jobs.ExportJob) -> dict[str, Any]:
        info.context.exports.wake(actor.organization_id)  # committed: the runner may take it
        return {"job": ExportJob.from_row(row)}

    return await respond(info, ExportPayload, rule, answer)


async def export_customers(info: Info, input: ExportCustomersInput) -> ExportPayload:
    organization = info.context.organization
    if input.columns is not None and not input.columns:
        return refused(ExportPayload, [UserError.of(error(
            "columns", ErrorCode.REQUIRED, "Choose at least one column, or leave columns out "
                                           "for every column."))])
    try:
        criteria = input.filter.to_criteria(organization.currency) if input.filter else None
    except ClientError as bad:
        return refused(ExportPayload, [UserError.of(error(
            "filter", ErrorCode.INVALID, bad.message))])
    job_input = {
        "filter": jobs.criteria_to_json(criteria) if criteria else {},
        "sort": jobs.ordering_to_json([s.to_order() for s in input.sort or []]),
        "columns": [c.value for c in input.columns] if input.columns else None,
        "locale": input.locale.value,
    }
    return await _start(info, jobs.ExportKind.CUSTOMERS, input.format, job_input)


async def export_customer_history(info: Info, input: ExportCustomerHistoryInput
                                  ) -> ExportPayload:
    try:
        customer_id = input_pk(input.customer_id, "Customer", "customerId")
    except Rejected as rejected:
        return refused(ExportPayload, [UserError.of(p) for p in rejected.errors])

    async def exists(session: AsyncSession) -> None:
        await check_customer(session, customer_id)

    return await _start(info, jobs.ExportKind.HISTORY, input.format,
                        {"customer_id": customer_id, "locale": input.locale.value}, exists)
