"""One batch of an import's rows: checked with the profile's rules, matched and checked for
duplicates with a handful of set-based queries, and written with a few bulk statements.

Per batch (models/imports/importer.py reads the file and keeps the report):

1. every row's fields are cleaned and checked in Python (`clean_fields`, `required_by_file`);
2. the batch's external IDs, emails and phones are looked up at once, in the whole
   organization (`find_holders`: uniqueness is organization-wide), with which of those
   customers the actor's store scope reaches (matching stays within it), then the addresses
   and loyalty memberships of the customers rows may match;
3. rows are taken in order against what the batch knows: a row matches by external ID, then
   email, then phone, a customer found in step 2 or one an earlier row of the file created, so
   that a second row naming a customer updates what the first created; duplicates are found
   by `duplicate_errors` against the same (a value an earlier row took is taken); a row with
   any problem changes nothing;
4. what the good rows did is written: one multi-row INSERT ... RETURNING for new customers,
   one executemany UPDATE for changed ones, then their addresses, consent history and domain
   events in bulk. The events and history are the single path's own (`created_payload`,
   `updated_payload`, `consent_decision`), with the importing actor.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.actors import Actor
from models.core.base import among, columns_of, utcnow
from models.core.enums import ConsentSource, CustomerSource, CustomerType
from models.core.errors import UserError
from models.core.events import DomainEvent, EventKind, event_values
from models.core.validation import AddressFields
from models.customers.consent import ConsentEvent, consent_changes, consent_decision
from models.customers.profile import (
    UNIQUE,
    HolderKey,
    address_values,
    clean_fields,
    created_payload,
    duplicate_errors,
    field_changes,
    find_holders,
    main_store_errors,
    new_customer_values,
    required_by_file,
    unique_errors,
    updated_payload,
    with_default_store,
)
from models.customers.table import Customer, CustomerAddress, search_name, search_text
from models.imports.rows import RowFields, RowProblem
from models.loyalty.ledger import LoyaltyAccount
from models.organizations.table import Organization

# The customer's columns a batch reads, compares and writes.
FIELDS = ("type", "first_name", "last_name", "email", "phone_e164", "main_store_id",
          "birthday", "external_id", "shopper_level", "risk_level", "notes", "company_name",
          "tax_exempt", "age_restricted_allowed", "subscribed", "consent_updated_at",
          "consent_source")
READ = (*FIELDS, "updated_at", "erased_at")
WRITTEN = (*FIELDS, "sort_name", "search_text", "updated_at")
# A new customer's columns: all the same in every row, so that one statement inserts them.
INSERTED = (*FIELDS, "source", "registered_at", "created_at", "updated_at", "last_activity_at",
            "sort_name", "search_text", "order_count", "total_spent", "average_spend",
            "points_balance", "points_earned")
ZERO = {"order_count": 0, "total_spent": 0, "average_spend": 0, "points_balance": 0,
        "points_earned": 0}
FLAGS = ("tax_exempt", "age_restricted_allowed", "subscribed")  # False unless set


class Known:
    """A customer the batch knows: found in the database, or created by an earlier row (then
    its id is a negative placeholder until it is inserted). Its attributes are its columns,
    so that `field_changes` compares with it as with a stored customer."""

    def __init__(self, id: int, values: dict[str, Any], visible: bool, *, new: bool = False,
                 addresses: list[AddressFields] | None = None, membership: str | None = None
                 ) -> None:
        self.id = id
        self.values = values
        self.visible = visible
        self.new = new
        self.addresses: list[AddressFields] = addresses or []
        self.membership = membership
        self.dirty = False  # an existing customer's columns changed
        self.addresses_dirty = False

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def first_name(self) -> str | None:
        return self.values["first_name"]

    @property
    def last_name(self) -> str | None:
        return self.values["last_name"]

    @property
    def matchable(self) -> bool:
        return self.visible and self.values.get("erased_at") is None


@dataclass
class Prepared:
    """A row after the checks that need no database."""

    number: int
    row: RowFields
    fields: dict[str, Any]
    clean: dict[str, Any]
    errors: list[UserError]


@dataclass
class Done:
    """A row's outcome: created, changed (or not), or its problems."""

    number: int
    created: bool = False
    changed: bool = False
    customer: Known | None = None
    problems: list[RowProblem] = field(default_factory=list)


class Batch:
    """One batch: `add` its rows (checks without the database, which may run while the
    previous batch is being written), then `run` it in a session of its own."""

    def __init__(self, actor: Actor, org: Organization) -> None:
        self.actor = actor
        self.org = org
        self.prepared: list[Prepared] = []
        self.index: dict[HolderKey, list[Known]] = {}
        self.created: list[Known] = []
        self.existing: list[Known] = []
        self.histories: list[tuple[Known, dict[str, Any]]] = []
        self.events: list[tuple[Known, dict[str, Any]]] = []
        self._placeholder = 0
        self.now = utcnow()

    # 1. Checks without the database ----------------------------------------------------

    def add(self, number: int, row: RowFields, store: int | None) -> None:
        """A row (its number, its fields, its main store's id if the file names a known one)."""
        fields = dict(row.fields)
        if store is not None:
            fields["main_store_id"] = store
        errors: list[UserError] = []
        clean = clean_fields(self.org, fields, errors)
        errors.extend(required_by_file(clean, errors))
        self.prepared.append(Prepared(number, row, fields, clean, errors))

    async def run(self, session: AsyncSession) -> list[Done]:
        """The rows' outcomes, in order, with what they did written (not committed)."""
        self.session = session
        self.now = utcnow()
        await self._look_up(self.prepared)
        done = [self._take(p) for p in self.prepared]
        await self._write()
        return done

    # 2. Set-based lookups --------------------------------------------------------------

    async def _look_up(self, prepared: Sequence[Prepared]) -> None:
        values = {key: {p.clean[key] for p in prepared if p.clean.get(key) is not None}
                  for key, *_ in UNIQUE}
        found, visible = await find_holders(
            self.session, values, [getattr(Customer, name) for name in READ])
        rows = {row.id: row for held in found.values() for row in held}
        for row in sorted(rows.values(), key=lambda r: r.id):
            known = Known(row.id, {name: getattr(row, name) for name in READ},
                          row.id in visible)
            self.existing.append(known)
            self._add_to_index(known)
        reachable = [k.id for k in self.existing if k.matchable]
        if not reachable:
            return
        by_id = {k.id: k for k in self.existing}
        for address in (await self.session.execute(
                select(*columns_of(CustomerAddress))
                .where(among(self.session, CustomerAddress.customer_id, reachable))
                .order_by(CustomerAddress.customer_id, CustomerAddress.position))):
            by_id[address.customer_id].addresses.append(AddressFields(
                line1=address.line1, line2=address.line2, city=address.city,
                postal_code=address.postal_code, region=address.region,
                country=address.country, label=address.label))
        for customer_id, membership in (await self.session.execute(
                select(LoyaltyAccount.customer_id, LoyaltyAccount.membership_id)
                .where(among(self.session, LoyaltyAccount.customer_id, reachable)))):
            by_id[customer_id].membership = membership

    def _add_to_index(self, known: Known) -> None:
        for key, *_ in UNIQUE:
            value = known.values.get(key)
            if value is not None:
                self.index.setdefault((key, value), []).append(known)

    def _reindex(self, known: Known, before: Mapping[str, Any]) -> None:
        """A customer's unique values changed: the old ones are free, the new ones taken."""
        for key, *_ in UNIQUE:
            old, new = before.get(key), known.values.get(key)
            if old == new:
                continue
            if old is not None:
                self.index[(key, old)].remove(known)
            if new is not None:
                held = self.index.setdefault((key, new), [])
                held.append(known)
                held.sort(key=_order)

    # 3. Rows in order --------------------------------------------------------------------

    def _match(self, clean: Mapping[str, Any]) -> Known | None:
        """By external ID, then email, then phone: the first customer the actor reaches."""
        for key in ("external_id", "email", "phone_e164"):
            value = clean.get(key)
            if value is None:
                continue
            for known in self.index.get((key, value), ()):
                if known.matchable:
                    return known
        return None

    def _take(self, p: Prepared) -> Done:
        match = self._match(p.clean)
        errors = p.errors
        if match is None:
            sent = with_default_store(self.actor, p.fields)
            if "main_store_id" in sent:
                p.clean["main_store_id"] = sent["main_store_id"]
            errors.extend(main_store_errors(self.actor, None, sent, errors))
        else:
            errors.extend(main_store_errors(self.actor, match.values["main_store_id"],
                                            p.fields, errors))
        errors.extend(duplicate_errors(p.clean, match.id if match else None, self.index))
        if errors:
            return Done(p.number, problems=[
                RowProblem(p.row.column_of(e.field), e.code, e.message)
                for e in unique_errors(errors)])
        if match is None:
            known = self._create(p)
            return Done(p.number, created=True, customer=known)
        changed = self._update(match, p)
        return Done(p.number, changed=changed, customer=match)

    def _create(self, p: Prepared) -> Known:
        self._placeholder -= 1
        customer_type = CustomerType.GUEST if p.row.guest else CustomerType.REGISTERED
        known = Known(self._placeholder, dict.fromkeys(READ), True, new=True)
        updates, changes = field_changes(known, p.clean, [])
        known.values.update(updates)
        known.values.update(new_customer_values(customer_type, CustomerSource.IMPORT, self.now))
        for flag in FLAGS:  # as the database's defaults leave a new row
            if known.values.get(flag) is None:
                known.values[flag] = False
        known.addresses = list(p.clean.get("addresses", []))
        self.created.append(known)
        self._add_to_index(known)
        self.events.append((known, event_values(
            self.actor, EventKind.CUSTOMER_CREATED, None,
            created_payload(CustomerSource.IMPORT, changes, customer_type))))
        self._consent(known, p.row.subscribed)
        return known

    def _update(self, known: Known, p: Prepared) -> bool:
        clean = p.clean
        if clean.get("addresses"):
            clean = {**clean, "addresses": self._with_main_address(
                known, clean["addresses"][0], p.row.fields["address"])}
        before = dict(known.values)
        updates, changes = field_changes(known, clean, known.addresses)
        if updates:
            known.values.update(updates)
            known.dirty = True
        if changes:
            known.values["updated_at"] = self.now
            if "addresses" in changes:
                known.addresses = list(clean["addresses"])
                known.addresses_dirty = True
            self.events.append((known, event_values(
                self.actor, EventKind.CUSTOMER_UPDATED, None, updated_payload(changes))))
            self._reindex(known, before)
        consented = self._consent(known, p.row.subscribed)
        return bool(changes) or consented

    @staticmethod
    def _with_main_address(known: Known, address: AddressFields, raw: AddressFields
                           ) -> list[AddressFields]:
        """The row's address in place of the customer's main address (the first), keeping its
        label, and its country when the row has none; the others kept: a file holds one
        address a customer."""
        if not known.addresses:
            return [address]
        main = known.addresses[0]
        country = address.country if raw.country or not main.country else main.country
        return [replace(address, label=main.label, country=country), *known.addresses[1:]]

    def _consent(self, known: Known, subscribed: bool | None) -> bool:
        if subscribed is None or not consent_changes(
                known.values["consent_updated_at"], known.values["subscribed"], subscribed):
            return False
        values, history, event = consent_decision(
            self.actor, known.id, known.values["subscribed"], subscribed,
            ConsentSource.IMPORT, self.now)
        known.values.update(values)
        known.dirty = True
        self.histories.append((known, history))
        self.events.append((known, event))
        return True

    # 4. Bulk writes ----------------------------------------------------------------------

    async def _write(self) -> None:
        # Inserts go to the tables (Core), not through the ORM's bulk insert, whose work per
        # row was most of the time a batch spent writing; nothing an insert writes is scoped
        # (models/core/tenancy.py scopes reads, updates and deletes) and every row names its
        # organization.
        session = self.session
        if self.created:
            customers = _table(Customer)
            ids = await session.scalars(
                customers.insert().returning(customers.c.id, sort_by_parameter_order=True),
                [self._inserted(k) for k in self.created])
            for known, customer_id in zip(self.created, ids, strict=True):
                known.id = customer_id
        changed = [k for k in self.existing if k.dirty]
        if changed:
            await session.execute(update(Customer),
                                  [{"id": k.id, **self._written(k)} for k in changed])
        replaced = [k.id for k in self.existing if k.addresses_dirty]
        if replaced:
            await session.execute(delete(CustomerAddress).where(
                among(session, CustomerAddress.customer_id, replaced)))
        addresses = [row for k in (*self.created, *(k for k in self.existing
                                                     if k.addresses_dirty))
                     for row in address_values(self.org.id, k.id, k.addresses)]
        if addresses:
            await session.execute(_table(CustomerAddress).insert(), addresses)
        if self.histories:
            await session.execute(_table(ConsentEvent).insert(), _with_ids(self.histories))
        if self.events:
            await session.execute(_table(DomainEvent).insert(), _with_ids(self.events))

    def _searchable(self, known: Known) -> dict[str, Any]:
        v = known.values
        return {"sort_name": search_name(v["first_name"], v["last_name"]),
                "search_text": search_text(v["first_name"], v["last_name"], v["email"],
                                           v["phone_e164"], v["external_id"],
                                           known.membership)}

    def _inserted(self, known: Known) -> dict[str, Any]:
        values = {**known.values, **self._searchable(known), **ZERO}
        return {"organization_id": self.org.id, **{name: values[name] for name in INSERTED}}

    def _written(self, known: Known) -> dict[str, Any]:
        values = {**known.values, **self._searchable(known)}
        return {name: values[name] for name in WRITTEN}


def _order(known: Known) -> tuple[bool, int]:
    """Customers in the database by id, then those the batch created, in order."""
    return (known.new, -known.id if known.new else known.id)


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _with_ids(rows: Iterable[tuple[Known, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The rows with their customer's id, known once the customers are inserted."""
    return [{**values, "customer_id": known.id} for known, values in rows]
