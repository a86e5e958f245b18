"""The export domain's root field (a job, polled until its file is written), its subscription
(the same job, pushed as it changes) and the mutations that start a job: the customer list, or
one customer's history."""

import strawberry

from models.access.permissions import Permission
from resolvers.exports import queries, subscriptions
from resolvers.exports.mutations import ExportPayload, export_customer_history, export_customers
from resolvers.exports.types import ExportJob
from resolvers.permissions import requires


@strawberry.type
class ExportQueries:
    export_job: ExportJob | None = strawberry.field(
        extensions=requires(Permission.EXPORTS), resolver=queries.export_job,
        description="An export job of the organization, to poll until its `url` is set.")


@strawberry.type
class ExportMutations:
    export_customers: ExportPayload = strawberry.mutation(
        extensions=requires(Permission.EXPORTS), resolver=export_customers,
        description="Write the customers `customers` lists for this filter and sort to a CSV "
                    "or XLSX file, in the background; poll `exportJob` for its `url`.")
    export_customer_history: ExportPayload = strawberry.mutation(
        extensions=requires(Permission.EXPORTS), resolver=export_customer_history,
        description="One customer's orders with items, consent history and loyalty ledger, "
                    "as a file written in the background.")


@strawberry.type
class ExportSubscriptions:
    export_job_updated = strawberry.subscription(
        extensions=requires(Permission.EXPORTS), resolver=subscriptions.export_job_updated,
        description="The export job now, then each time its `status` or `progress` changes; "
                    "the stream ends once it is SUCCEEDED, FAILED or EXPIRED. The same jobs as "
                    "`exportJob`: any other ID is a `NOT_FOUND` error.")
