"""One customer's history as a file: orders with their items, the consent history and the
loyalty ledger, as three tables (three sheets in XLSX, three titled sections in CSV)."""

import asyncio
from typing import Any, BinaryIO

from sqlalchemy import select

from models.core.errors import ErrorCode, Rejected, error
from models.core.money import to_decimal
from models.customers.columns import ColumnKind
from models.customers.consent import ConsentEvent
from models.customers.table import Customer
from models.exports.files import open_writer
from models.loyalty.ledger import LoyaltyLedgerEntry
from models.orders.table import Order, OrderItem
from models.organizations.stores import Store

T, INT, M, DT, B = (ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.MONEY,
                    ColumnKind.DATETIME, ColumnKind.BOOLEAN)
BATCH_SIZE = 500

# (EN title, ES title, [(EN header, ES header, kind), ...])
ORDERS = ("Orders", "Pedidos", [
    ("Order number", "Número de pedido", T), ("Placed at", "Fecha del pedido", DT),
    ("Store", "Tienda", T), ("Channel", "Canal", T), ("Status", "Estado", T),
    ("Fulfilment", "Entrega", T), ("Order total", "Total del pedido", M),
    ("Item", "Artículo", T), ("SKU", "SKU", T), ("Quantity", "Cantidad", INT),
    ("Unit price", "Precio unitario", M)])
CONSENT = ("Consent", "Consentimiento", [
    ("Changed at", "Fecha del cambio", DT), ("Subscribed", "Suscrito", B),
    ("Consent source", "Origen del consentimiento", T), ("Changed by", "Cambiado por", T)])
LEDGER = ("Loyalty", "Fidelización", [
    ("Date", "Fecha", DT), ("Movement", "Movimiento", T), ("Points", "Puntos", INT),
    ("Reason", "Motivo", T), ("Order number", "Número de pedido", T)])

Table = tuple[str, str, list[tuple[str, str, ColumnKind]]]


def _start(writer: Any, table: Table, locale: str) -> None:
    spanish = locale.upper() == "ES"
    title, titulo, columns = table
    writer.start_table(titulo if spanish else title,
                       [es if spanish else en for en, es, _ in columns],
                       [kind for _, _, kind in columns])


async def check_customer(session: Any, customer_id: int) -> None:
    """Rejected (NOT_FOUND) unless the customer exists and was not erased: whose history may be
    asked for."""
    found = await session.scalar(select(Customer.id).where(
        Customer.id == customer_id, Customer.erased_at.is_(None)))
    if found is None:
        raise Rejected([error("customerId", ErrorCode.NOT_FOUND, "No such customer.")])


async def export_history(session: Any, file: BinaryIO, *, customer_id: int, locale: str,
                         file_format: str, currency: str) -> int:
    """Write the customer's history to `file`; the number of rows written (all tables)."""
    if await session.scalar(select(Customer.id).where(Customer.id == customer_id)) is None:
        raise Rejected([error("customerId", ErrorCode.NOT_FOUND, "No such customer.")])
    writer = open_writer(file_format, file, titled_tables=True)
    written = 0
    stores = dict((await session.execute(select(Store.id, Store.name))).all())

    _start(writer, ORDERS, locale)
    orders = (await session.scalars(
        select(Order).where(Order.customer_id == customer_id)
        .order_by(Order.placed_at, Order.id))).all()
    for start in range(0, len(orders), BATCH_SIZE):
        batch = orders[start:start + BATCH_SIZE]
        items: dict[int, list[OrderItem]] = {}
        for item in await session.scalars(
                select(OrderItem).where(OrderItem.order_id.in_([o.id for o in batch]))
                .order_by(OrderItem.order_id, OrderItem.position)):
            items.setdefault(item.order_id, []).append(item)
        rows = []
        for order in batch:
            head = [order.number, order.placed_at, stores.get(order.store_id or 0),
                    order.channel.name, order.status.name, order.fulfilment_type.name,
                    to_decimal(order.total, currency)]
            order_items: list[OrderItem | None] = [*items.get(order.id, [])] or [None]
            for item in order_items:
                rows.append(head + ([item.name, item.sku, item.quantity,
                                     to_decimal(item.unit_price, currency)]
                                    if item else [None, None, None, None]))
        await asyncio.to_thread(writer.write_rows, rows)
        written += len(rows)
    numbers = {o.id: o.number for o in orders}

    _start(writer, CONSENT, locale)
    consent = [[e.occurred_at, e.subscribed, e.source.name,
                e.actor_kind.name + (f" {e.actor_id}" if e.actor_id else "")]
               for e in await session.scalars(
                   select(ConsentEvent).where(ConsentEvent.customer_id == customer_id)
                   .order_by(ConsentEvent.occurred_at, ConsentEvent.id))]
    writer.write_rows(consent)
    written += len(consent)

    _start(writer, LEDGER, locale)
    ledger = [[e.created_at, e.kind.name, e.points, e.reason,
               numbers.get(e.order_id or 0)]
              for e in await session.scalars(
                  select(LoyaltyLedgerEntry).where(LoyaltyLedgerEntry.customer_id == customer_id)
                  .order_by(LoyaltyLedgerEntry.created_at, LoyaltyLedgerEntry.id))]
    writer.write_rows(ledger)
    written += len(ledger)
    await asyncio.to_thread(writer.close)
    return written
