"""The demo organization that `customerhub seed-demo` creates: stores, customers, orders, loyalty.

Everything is drawn from one `random.Random(seed)`, so the same seed (and the same `now`) gives the
same data. The data set is planned in memory first (`plan_demo`, no database), then written with
bulk inserts in chunks (`seed_demo`); the order aggregates and loyalty balances on the customer
rows are then written by `models.orders.aggregates.recompute_aggregates`, the same code that
keeps them exact in production, so they match the orders and the ledger by construction.
"""

import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_FLOOR, Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.enums import (
    ActorKind,
    ConsentSource,
    CustomerSource,
    CustomerType,
    FulfilmentType,
    LedgerKind,
    OrderChannel,
    OrderStatus,
    Punctuality,
    RiskLevel,
    ShopperLevel,
)
from models.core.events import DomainEvent
from models.customers.consent import ConsentEvent
from models.customers.table import Customer, CustomerAddress, search_name, search_text
from models.loyalty.ledger import LoyaltyAccount, LoyaltyLedgerEntry
from models.orders.aggregates import recompute_aggregates
from models.orders.table import Order, OrderItem
from models.organizations.stores import Store
from models.organizations.table import Organization

# --------------------------------------------------------------------------------------------
# Data tables
# --------------------------------------------------------------------------------------------

COUNTRY = "ES"
CURRENCY = "EUR"
TIMEZONE = "Europe/Madrid"
EARN_RATE = Decimal(1)  # points per euro on completed orders
LOYALTY_PROVIDER = "customerhub"
HISTORY_DAYS = 730  # customers are created over the past ~2 years


@dataclass(frozen=True, slots=True)
class DemoStore:
    name: str
    code: str
    address_line1: str
    city: str
    postal_code: str
    region: str
    weight: int  # share of customers and orders


STORES: tuple[DemoStore, ...] = (
    DemoStore("Madrid · Malasaña", "MAD", "Calle del Espíritu Santo 18", "Madrid", "28004",
              "Comunidad de Madrid", 5),
    DemoStore("Barcelona · Gràcia", "BCN", "Carrer de Verdi 32", "Barcelona", "08012",
              "Cataluña", 3),
    DemoStore("València · Russafa", "VLC", "Carrer de Sueca 25", "València", "46006",
              "Comunitat Valenciana", 2),
)

# Streets near each store (same order as STORES), with their postal codes.
STREETS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("Calle de Alcalá", "28009"), ("Calle de Fuencarral", "28004"),
     ("Calle de Bravo Murillo", "28020"), ("Paseo de la Castellana", "28046"),
     ("Calle de Toledo", "28005"), ("Calle de Serrano", "28001"),
     ("Avenida de Menéndez Pelayo", "28007"), ("Calle de Embajadores", "28012")),
    (("Carrer de Mallorca", "08029"), ("Passeig de Gràcia", "08007"),
     ("Carrer de Sants", "08014"), ("Carrer del Consell de Cent", "08015"),
     ("Avinguda Diagonal", "08019"), ("Carrer de Sant Antoni Maria Claret", "08025"),
     ("Carrer de Pujades", "08005")),
    (("Carrer de Colón", "46004"), ("Avinguda del Port", "46023"), ("Carrer de Cuba", "46006"),
     ("Gran Via del Marqués del Túria", "46005"), ("Avinguda de Blasco Ibáñez", "46010"),
     ("Carrer de Cadis", "46006")),
)
ADDRESS_LINE2 = ("3º B", "Bajo", "Ático 2ª", "5º izq.", "1º 1ª", "Escalera B, 2º D", "Local 4")
ADDRESS_LABELS = ("Casa", "Trabajo", "Casa de mis padres", "Oficina")

SPANISH_FIRST_NAMES = (
    "José", "María", "Íñigo", "Begoña", "Jesús", "Lucía", "Sofía", "Martín", "Raúl", "Andrés",
    "Ramón", "Joaquín", "Inés", "Ángela", "Álvaro", "Óscar", "Adrián", "Rocío", "Noemí", "Nuria",
    "Pilar", "Carmen", "Javier", "Sergio", "Pablo", "Elena", "Laura", "Marta", "Lourdes", "Maite",
    "Ainhoa", "Aitor", "Iker", "Nerea", "Jordi", "Núria", "Mònica", "Pere", "Àlex", "Joan",
    "Montserrat", "Asunción", "Concepción", "Germán", "Rubén", "Héctor", "Víctor", "Mónica",
    "Verónica", "Salomé", "Ana", "Carlos", "David", "Alejandro", "Paula", "Irene", "Hugo",
    "Manuel", "Cristina", "Francisco", "Ignacio", "Beatriz", "Agustín", "Leticia", "Zuriñe",
)
ENGLISH_FIRST_NAMES = (
    "Zoë", "Chloë", "Noël", "Renée", "Oliver", "Amelia", "Harry", "Isla", "George", "Ava",
    "Jack", "Emily", "Thomas", "Charlotte", "William", "Grace", "James", "Sophie", "Daniel",
    "Lucy", "Siobhán", "Seán", "Niamh", "Aoife", "Eoin", "Hannah", "Oscar", "Freya", "Rhys",
)
SPANISH_SURNAMES = (
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
    "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil",
    "Ramírez", "Serrano", "Blanco", "Molina", "Suárez", "Ortega", "Delgado", "Castro", "Rubio",
    "Marín", "Sanz", "Núñez", "Iglesias", "Medina", "Garrido", "Cortés", "Castillo", "Santos",
    "Lozano", "Cano", "Prieto", "Méndez", "Calvo", "Gallego", "Vidal", "León", "Márquez",
    "Herrera", "Peña", "Flores", "Cabrera", "Vega", "Fuentes", "Díez", "Caballero", "Ibáñez",
    "Ferrer", "Durán", "Benítez", "Sáez", "Velasco", "Soler", "Echeverría", "Goikoetxea",
    "Urquijo", "Aragonés", "Peñalver", "Muñiz", "Bolaños",
)
ENGLISH_SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Clarke", "O'Brien", "O'Connor", "MacDonald", "Murphy", "Kelly", "Brontë", "Hughes", "Lewis",
)
SPANISH_EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "yahoo.es", "outlook.es", "icloud.com",
                         "telefonica.net", "protonmail.com")
ENGLISH_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk",
                         "icloud.com")

NOTES = (
    "Alergia a los frutos secos.", "Celíaco: todo sin gluten, por favor.",
    "Prefiere mesa en la terraza.", "Cliente habitual del menú del día.",
    "Llamar al llegar: el timbre no funciona.", "Vegetarian, no onions please.",
    "Allergic to shellfish.", "Entregar en portería.", "Pide siempre la paella los domingos.",
    "Intolerancia a la lactosa.", "Suele pedir para la oficina los viernes.",
)
COMPANIES = (
    ("Café Núñez S.L.", False), ("Reformas Ibáñez e Hijos S.L.", False),
    ("Estudio Peñalver Arquitectos", False), ("Brightside Consulting Ltd", False),
    ("Logística Martín S.A.", False), ("Asociación Cultural La Bóveda", True),
    ("Fundación Sonrisas", True), ("Colegio San José", True),
)


@dataclass(frozen=True, slots=True)
class MenuItem:
    sku: str
    name: str
    price: int  # minor units (cents)
    weight: int  # how often it is ordered


MENU: tuple[MenuItem, ...] = (
    MenuItem("TAP-TORT", "Tortilla de patatas", 650, 9),
    MenuItem("TAP-CROQ", "Croquetas de jamón (6 uds.)", 850, 9),
    MenuItem("TAP-BRAV", "Patatas bravas", 590, 10),
    MenuItem("TAP-PULP", "Pulpo a la gallega", 1690, 4),
    MenuItem("TAP-PIMI", "Pimientos de Padrón", 690, 5),
    MenuItem("ENT-GAZP", "Gazpacho andaluz", 590, 4),
    MenuItem("ENT-ENSA", "Ensalada mixta", 790, 5),
    MenuItem("PRI-PAEL", "Paella valenciana (ración)", 1450, 7),
    MenuItem("PRI-NEGR", "Arroz negro con alioli", 1390, 4),
    MenuItem("PRI-BURG", "Hamburguesa de la casa", 1290, 8),
    MenuItem("PRI-PIZZ", "Pizza margarita", 1050, 7),
    MenuItem("PRI-BACA", "Bacalao al pil-pil", 1690, 3),
    MenuItem("PRI-SECR", "Secreto ibérico con patatas", 1590, 4),
    MenuItem("PRI-VEGE", "Lasaña de verduras", 1190, 3),
    MenuItem("POS-TART", "Tarta de queso", 590, 6),
    MenuItem("POS-CREM", "Crema catalana", 490, 4),
    MenuItem("POS-CHUR", "Churros con chocolate", 450, 4),
    MenuItem("BEB-CANA", "Caña de cerveza", 250, 8),
    MenuItem("BEB-AGUA", "Agua mineral 50 cl", 180, 8),
    MenuItem("BEB-COLA", "Coca-Cola", 250, 7),
    MenuItem("BEB-VINO", "Vino tinto (copa)", 350, 5),
    MenuItem("BEB-CAFE", "Café con leche", 180, 5),
)

REWARDS = ((100, "Canje: bebida gratis"), (250, "Canje: postre gratis"),
           (500, "Canje: descuento de 5 €"), (1000, "Canje: plato principal gratis"))

# How customers are first created, by type (weights follow the enum order).
SOURCE_WEIGHTS: dict[CustomerType, tuple[int, ...]] = {
    #                        WEB  APP  POS  PHONE DELIVERY IMPORT MANUAL
    CustomerType.REGISTERED: (30, 35, 12, 5, 3, 10, 5),
    CustomerType.GUEST: (30, 5, 20, 15, 25, 3, 2),
}
# A customer's usual channel follows its source; the rest of the time any channel.
USUAL_CHANNEL = {
    CustomerSource.WEB: OrderChannel.WEB,
    CustomerSource.MOBILE_APP: OrderChannel.MOBILE_APP,
    CustomerSource.POS: OrderChannel.POS,
    CustomerSource.PHONE: OrderChannel.PHONE,
    CustomerSource.DELIVERY_PLATFORM: OrderChannel.DELIVERY_PLATFORM,
}
CHANNEL_WEIGHTS = (30, 30, 20, 8, 12)  # WEB, MOBILE_APP, POS, PHONE, DELIVERY_PLATFORM
CONSENT_SOURCE = {
    CustomerSource.WEB: ConsentSource.WEB,
    CustomerSource.MOBILE_APP: ConsentSource.MOBILE_APP,
    CustomerSource.POS: ConsentSource.POS,
    CustomerSource.PHONE: ConsentSource.PHONE,
    CustomerSource.DELIVERY_PLATFORM: ConsentSource.DELIVERY_PLATFORM,
    CustomerSource.IMPORT: ConsentSource.IMPORT,
    CustomerSource.MANUAL: ConsentSource.ADMIN,
}
LATER_CONSENT_SOURCES = (ConsentSource.WEB, ConsentSource.MOBILE_APP, ConsentSource.ADMIN,
                         ConsentSource.API, ConsentSource.POS)
DELIVERY_PLATFORMS = ("glovo", "ubereats", "justeat")
IN_PROGRESS = (OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PREPARING,
               OrderStatus.READY, OrderStatus.OUT_FOR_DELIVERY)

CHUNK = 500  # rows per INSERT statement (SQLite allows 32,766 bound parameters)

# --------------------------------------------------------------------------------------------
# The plan: plain data, no database
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PlannedAddress:
    label: str | None
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str


@dataclass(slots=True)
class PlannedConsent:
    subscribed: bool
    source: ConsentSource
    actor_kind: ActorKind
    occurred_at: datetime


@dataclass(slots=True)
class PlannedEntry:
    kind: LedgerKind
    points: int
    reason: str
    created_at: datetime
    order: int | None = None  # index into DemoPlan.orders


@dataclass(slots=True)
class PlannedItem:
    name: str
    sku: str
    quantity: int
    unit_price: int


@dataclass(slots=True)
class PlannedOrder:
    customer: int  # index into DemoPlan.customers
    store: int  # index into STORES
    channel: OrderChannel
    status: OrderStatus
    placed_at: datetime
    fulfilment_type: FulfilmentType
    items: list[PlannedItem]
    promised_at: datetime | None = None
    delivered_at: datetime | None = None
    punctuality: Punctuality | None = None
    external_id: str | None = None
    number: str = ""

    @property
    def total(self) -> int:
        return sum(item.quantity * item.unit_price for item in self.items)


@dataclass(slots=True)
class PlannedCustomer:
    type: CustomerType
    source: CustomerSource
    store: int  # index into STORES: main store when registered, usual store otherwise
    created_at: datetime
    english: bool = False
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone_e164: str | None = None
    registered_at: datetime | None = None
    last_access_at: datetime | None = None
    last_activity_at: datetime | None = None
    birthday: date | None = None
    external_id: str | None = None
    shopper_level: ShopperLevel | None = None
    risk_level: RiskLevel | None = None
    notes: str | None = None
    company_name: str | None = None
    tax_exempt: bool = False
    age_restricted_allowed: bool = False
    membership_id: str | None = None
    addresses: list[PlannedAddress] = field(default_factory=list)
    consent: list[PlannedConsent] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)  # indices into DemoPlan.orders, by time
    ledger: list[PlannedEntry] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        return self.type is CustomerType.REGISTERED

    @property
    def subscribed(self) -> bool:
        return bool(self.consent) and self.consent[-1].subscribed


@dataclass(slots=True)
class DemoPlan:
    customers: list[PlannedCustomer]
    orders: list[PlannedOrder]


class DemoAlreadySeededError(ValueError):
    """An organization with the demo's slug exists already."""


# --------------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------------


async def seed_demo(
    session: AsyncSession,
    *,
    customers: int = 2000,
    orders: int = 10000,
    seed: int = 7,
    slug: str = "demo",
    name: str = "Demo Restaurants",
    now: datetime | None = None,
) -> Organization:
    """Create the demo organization in an admin session; the caller commits.

    `now` anchors every timestamp (default: the current hour, UTC); the same seed and `now`
    give identical data. Raises `DemoAlreadySeededError` when `slug` is taken.
    """
    if await session.scalar(select(Organization.id).where(Organization.slug == slug)):
        raise DemoAlreadySeededError(f"an organization with slug {slug!r} exists already")
    now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    organization = Organization(
        slug=slug, name=name, default_country=COUNTRY, currency=CURRENCY, timezone=TIMEZONE,
        loyalty_earn_rate=EARN_RATE, created_at=now - timedelta(days=HISTORY_DAYS + 7),
    )
    session.add(organization)
    await session.flush()
    store_rows = [
        Store(organization_id=organization.id, name=s.name, code=s.code,
              address_line1=s.address_line1, city=s.city, postal_code=s.postal_code,
              country=COUNTRY, created_at=organization.created_at)
        for s in STORES
    ]
    session.add_all(store_rows)
    await session.flush()

    plan = plan_demo(customers=customers, orders=orders, seed=seed, now=now,
                     earn_rate=organization.loyalty_earn_rate)
    store_ids = [s.id for s in store_rows]
    customer_ids = await _insert_customers(session, organization.id, store_ids, plan)
    order_ids = await _insert_orders(session, organization.id, store_ids, customer_ids, plan)
    await _insert_ledger(session, organization.id, customer_ids, order_ids, plan)
    for chunk in _chunks(customer_ids):
        await recompute_aggregates(session, chunk)
    await session.flush()
    return organization


def plan_demo(
    *,
    customers: int = 2000,
    orders: int = 10000,
    seed: int = 7,
    now: datetime,
    earn_rate: Decimal = EARN_RATE,
) -> DemoPlan:
    """The whole demo data set, in memory. Deterministic for a given seed and `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rng = random.Random(seed)
    zone = _zone()
    start = now - timedelta(days=HISTORY_DAYS)
    created = sorted(_moment(rng, start, now - timedelta(days=1), bias=0.6)
                     for _ in range(customers))
    taken: set[str] = set()
    people = [_plan_customer(rng, i, at, now, taken) for i, at in enumerate(created)]
    counts = _order_counts(rng, people, orders)
    planned: list[tuple[int, PlannedOrder]] = []
    for index, (person, count) in enumerate(zip(people, counts, strict=True)):
        planned.extend((index, o) for o in _plan_orders(rng, index, person, count, now, zone))
    _make_live(rng, people, planned, now)
    planned.sort(key=lambda pair: (pair[1].placed_at, pair[0]))
    order_list = [o for _, o in planned]
    for position, order in enumerate(order_list):
        _number_order(rng, order, position)
        people[order.customer].orders.append(position)
    for person in people:
        _finish_customer(rng, person, order_list, now, earn_rate)
    return DemoPlan(people, order_list)


# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------


def _plan_customer(
    rng: random.Random, index: int, created_at: datetime, now: datetime, taken: set[str]
) -> PlannedCustomer:
    sources = list(CustomerSource)
    if index < len(sources):  # every source and both types, whatever the size
        source = sources[index]
        kind = CustomerType.REGISTERED if index % 2 == 0 else CustomerType.GUEST
    else:
        kind = CustomerType.REGISTERED if rng.random() < 0.68 else CustomerType.GUEST
        source = rng.choices(sources, weights=SOURCE_WEIGHTS[kind])[0]
    person = PlannedCustomer(
        type=kind, source=source, created_at=created_at, english=rng.random() < 0.22,
        store=rng.choices(range(len(STORES)), weights=[s.weight for s in STORES])[0],
    )
    if person.registered:
        _fill_registered(rng, person, index, now, taken)
    else:
        _fill_guest(rng, person, index, taken)
    person.risk_level = _risk_level(rng, person.registered)
    person.consent = _plan_consent(rng, person, now)
    return person


def _fill_registered(
    rng: random.Random, person: PlannedCustomer, index: int, now: datetime, taken: set[str]
) -> None:
    person.first_name, person.last_name = _name(rng, person.english)
    person.email = _email(rng, person.first_name, person.last_name, person.english, taken)
    if rng.random() < 0.85:
        person.phone_e164 = _phone(rng, person.english, taken)
    converted = rng.random() < 0.15  # ordered as a guest first, registered later
    person.registered_at = (
        min(person.created_at + timedelta(days=rng.uniform(1, 200)), now - timedelta(hours=6))
        if converted else person.created_at
    )
    person.addresses = [_address(rng, person.store, position)
                        for position in range(1 if rng.random() < 0.7 else 2)]
    if rng.random() < 0.45:
        person.birthday = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
        allowed = rng.random() < 0.6  # drawn first: what follows must not depend on `now`
        person.age_restricted_allowed = allowed and person.birthday.year <= now.year - 19
    if person.source is CustomerSource.IMPORT:
        person.external_id = f"LEG-{index + 1:06d}"
    elif rng.random() < 0.08:
        person.external_id = f"CRM-{index + 1:06d}"
    if rng.random() < 0.06:
        person.notes = rng.choice(NOTES)
    if rng.random() < 0.03:
        person.company_name, person.tax_exempt = rng.choice(COMPANIES)
    if rng.random() < 0.65:
        person.membership_id = _membership_id(rng, taken)


def _fill_guest(rng: random.Random, person: PlannedCustomer, index: int, taken: set[str]) -> None:
    """Guests leave what checkout asked for: maybe only an email, or a name and a phone."""
    first, last = _name(rng, person.english)
    shape = rng.random()
    if shape < 0.25:  # email only
        person.email = _email(rng, first, last, person.english, taken)
    elif shape < 0.45:  # first name and phone, no email
        person.first_name = first
        person.phone_e164 = _phone(rng, person.english, taken)
    elif shape < 0.6:  # first name and email
        person.first_name = first
        person.email = _email(rng, first, last, person.english, taken)
    else:
        person.first_name, person.last_name = first, last
        person.email = _email(rng, first, last, person.english, taken)
        person.phone_e164 = _phone(rng, person.english, taken)
    if person.source is CustomerSource.DELIVERY_PLATFORM and rng.random() < 0.5:
        person.external_id = f"{rng.choice(DELIVERY_PLATFORMS)}:cust-{index + 1:06d}"
    elif person.source is CustomerSource.IMPORT:
        person.external_id = f"LEG-{index + 1:06d}"
    if rng.random() < 0.02:
        person.notes = rng.choice(NOTES)


def _name(rng: random.Random, english: bool) -> tuple[str, str]:
    if english:
        return rng.choice(ENGLISH_FIRST_NAMES), rng.choice(ENGLISH_SURNAMES)
    first = rng.choice(SPANISH_FIRST_NAMES)
    if rng.random() < 0.1:  # compound first name
        first = f"{first} {rng.choice(SPANISH_FIRST_NAMES)}"
    last = rng.choice(SPANISH_SURNAMES)
    if rng.random() < 0.6:  # both surnames
        last = f"{last} {rng.choice(SPANISH_SURNAMES)}"
    return first, last


def _ascii(text: str) -> str:
    """`Núñez O'Brien` -> `nunezobrien`: what goes into an email's local part."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


def _email(rng: random.Random, first: str, last: str, english: bool, taken: set[str]) -> str:
    """A normalised (lower-case, ASCII) email, unique within the data set."""
    given, family = _ascii(first.split()[0]), _ascii(last.split()[0])
    domain = rng.choice(ENGLISH_EMAIL_DOMAINS if english else SPANISH_EMAIL_DOMAINS)
    local = rng.choice((f"{given}.{family}", f"{given}{family}", f"{given[0]}{family}",
                        f"{given}.{family}{rng.randint(1, 99)}", f"{given}_{rng.randint(70, 99)}"))
    email = f"{local}@{domain}"
    while email in taken:
        email = f"{local}{rng.randint(1, 9999)}@{domain}"
    taken.add(email)
    return email


def _phone(rng: random.Random, english: bool, taken: set[str]) -> str:
    """A valid mobile number in E.164: Spanish +34 6xx/7xx, or UK +44 7xxx; unique."""
    for _ in range(1000):
        if english:
            raw = f"+447{rng.choice('45789')}{rng.randrange(10**8):08d}"
        else:
            raw = f"+34{rng.choice('666667')}{rng.randrange(10**8):08d}"
        number = phonenumbers.parse(raw)
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in taken:
                taken.add(e164)
                return e164
    raise RuntimeError("could not draw a valid phone number")  # pragma: no cover


def _membership_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        membership = f"CH-{rng.randrange(10**7, 10**8)}"
        if membership not in taken:
            taken.add(membership)
            return membership


def _address(rng: random.Random, store: int, position: int) -> PlannedAddress:
    street, postal_code = rng.choice(STREETS[store])
    return PlannedAddress(
        label=ADDRESS_LABELS[position] if rng.random() < 0.8 else None,
        line1=f"{street} {rng.randint(1, 180)}",
        line2=rng.choice(ADDRESS_LINE2) if rng.random() < 0.7 else None,
        city=STORES[store].city, postal_code=postal_code, region=STORES[store].region,
    )


def _risk_level(rng: random.Random, registered: bool) -> RiskLevel | None:
    levels: list[RiskLevel | None] = [None, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]
    weights = (5, 80, 12, 3) if registered else (60, 30, 7, 3)
    return rng.choices(levels, weights=weights)[0]


def _plan_consent(rng: random.Random, person: PlannedCustomer, now: datetime
                  ) -> list[PlannedConsent]:
    """1-3 decisions for those who took one, alternating, ending on the current one."""
    if rng.random() >= (0.8 if person.registered else 0.35):
        return []
    final = rng.random() < 0.6
    count = rng.choices((1, 2, 3), weights=(65, 25, 10))[0]
    at = (person.registered_at or person.created_at) + timedelta(seconds=rng.randint(5, 90))
    events = []
    for k in range(count):
        source = CONSENT_SOURCE[person.source] if k == 0 else rng.choice(LATER_CONSENT_SOURCES)
        subscribed = final if (count - 1 - k) % 2 == 0 else not final
        events.append(PlannedConsent(subscribed, source, _consent_actor(source), at))
        at = _moment(rng, at + timedelta(minutes=1), now - timedelta(minutes=1))
    return events


def _consent_actor(source: ConsentSource) -> ActorKind:
    if source in (ConsentSource.WEB, ConsentSource.MOBILE_APP):
        return ActorKind.CUSTOMER
    if source in (ConsentSource.API, ConsentSource.DELIVERY_PLATFORM):
        return ActorKind.API_KEY
    if source is ConsentSource.IMPORT:
        return ActorKind.SYSTEM
    return ActorKind.STAFF_USER


def _creation_actor(source: CustomerSource) -> ActorKind:
    return _consent_actor(CONSENT_SOURCE[source])


# --------------------------------------------------------------------------------------------
# Orders
# --------------------------------------------------------------------------------------------


def _order_counts(rng: random.Random, people: Sequence[PlannedCustomer], orders: int
                  ) -> list[int]:
    """How many orders each customer placed: some none, most a few, regulars many."""
    counts = [0] * len(people)
    weights = [0.0] * len(people)
    for i, person in enumerate(people):
        if person.registered:
            orders_at_all = 0.6 if person.source is CustomerSource.IMPORT else 0.85
            weight = rng.lognormvariate(0, 1.0)
        else:
            orders_at_all, weight = 0.97, 0.25 * rng.lognormvariate(0, 0.8)
        if rng.random() < orders_at_all:
            weights[i] = weight
    ordering = [i for i, w in enumerate(weights) if w > 0]
    rng.shuffle(ordering)
    for i in ordering[:orders]:
        counts[i] = 1
    ordering = ordering[:orders]
    if ordering:
        extra = rng.choices(ordering, weights=[weights[i] for i in ordering],
                            k=orders - len(ordering))
        for i in extra:
            counts[i] += 1
    return counts


def _plan_orders(rng: random.Random, index: int, person: PlannedCustomer, count: int,
                 now: datetime, zone: tzinfo) -> list[PlannedOrder]:
    latest = now - timedelta(hours=3)
    times = sorted(_meal_time(rng, _moment(rng, person.created_at, latest), zone,
                              person.created_at, latest) for _ in range(count))
    if times and not person.registered:  # a guest is created by its first checkout
        times[0] = person.created_at + timedelta(seconds=rng.randint(30, 300))
    return [_plan_order(rng, index, person, at) for at in times]


def _plan_order(rng: random.Random, index: int, person: PlannedCustomer, placed_at: datetime
                ) -> PlannedOrder:
    usual = USUAL_CHANNEL.get(person.source)
    channel = (usual if usual is not None and rng.random() < 0.7
               else rng.choices(list(OrderChannel), weights=CHANNEL_WEIGHTS)[0])
    store = (person.store if rng.random() < 0.85
             else rng.choices(range(len(STORES)), weights=[s.weight for s in STORES])[0])
    order = PlannedOrder(
        customer=index, store=store, channel=channel,
        status=OrderStatus.CANCELLED if rng.random() < 0.06 else OrderStatus.COMPLETED,
        placed_at=placed_at, fulfilment_type=_fulfilment(rng, channel), items=_items(rng),
    )
    if order.fulfilment_type is FulfilmentType.DELIVERY:
        _deliver(rng, order)
    return order


def _fulfilment(rng: random.Random, channel: OrderChannel) -> FulfilmentType:
    if channel is OrderChannel.DELIVERY_PLATFORM:
        return FulfilmentType.DELIVERY
    if channel is OrderChannel.POS:
        return FulfilmentType.DINE_IN if rng.random() < 0.7 else FulfilmentType.PICKUP
    share = 0.6 if channel is OrderChannel.PHONE else 0.55
    return FulfilmentType.DELIVERY if rng.random() < share else FulfilmentType.PICKUP


def _deliver(rng: random.Random, order: PlannedOrder) -> None:
    """Promised 30-55 minutes out; completed ones arrive early or on time, or ~14% late."""
    order.promised_at = order.placed_at + timedelta(minutes=5 * rng.randint(6, 11))
    if order.status is not OrderStatus.COMPLETED:
        order.delivered_at = order.punctuality = None
        return
    if rng.random() < 0.14:
        order.delivered_at = order.promised_at + timedelta(seconds=rng.randint(60, 40 * 60))
        order.punctuality = Punctuality.DELAYED
    else:
        order.delivered_at = order.promised_at - timedelta(seconds=rng.randint(0, 15 * 60))
        order.punctuality = Punctuality.ON_TIME


def _items(rng: random.Random) -> list[PlannedItem]:
    count = rng.choices((1, 2, 3, 4, 5), weights=(30, 30, 20, 12, 8))[0]
    chosen: list[MenuItem] = []
    while len(chosen) < count:
        item = rng.choices(MENU, weights=[m.weight for m in MENU])[0]
        if item not in chosen:
            chosen.append(item)
    return [PlannedItem(m.name, m.sku, rng.choices((1, 2, 3, 4), weights=(75, 18, 5, 2))[0],
                        m.price) for m in chosen]


def _number_order(rng: random.Random, order: PlannedOrder, position: int) -> None:
    """Numbers follow time across the organization; platforms and tills send their own ids."""
    code = STORES[order.store].code
    order.number = f"{code}-{10001 + position}"
    if order.channel is OrderChannel.DELIVERY_PLATFORM:
        platform = rng.choice(DELIVERY_PLATFORMS)
        order.external_id = f"{platform}-{position:06d}{rng.randrange(1000):03d}"
    elif order.channel is OrderChannel.POS and rng.random() < 0.5:
        order.external_id = f"TPV-{code}-{position:06d}"


def _make_live(rng: random.Random, people: Sequence[PlannedCustomer],
               planned: list[tuple[int, PlannedOrder]], now: datetime) -> None:
    """Move some registered customers' latest orders to the last two hours, still in progress."""
    latest: dict[int, PlannedOrder] = {}
    for index, order in planned:  # each customer's orders are in time order
        latest[index] = order
    candidates = [i for i in latest if people[i].registered] or list(latest)
    live = rng.sample(candidates, min(len(candidates), max(len(IN_PROGRESS), len(planned) // 400)))
    for k, index in enumerate(live):
        order = latest[index]
        order.status = IN_PROGRESS[k % len(IN_PROGRESS)]
        order.placed_at = now - timedelta(seconds=rng.randint(3 * 60, 110 * 60))
        if order.status is OrderStatus.OUT_FOR_DELIVERY:
            order.fulfilment_type = FulfilmentType.DELIVERY
            if order.channel is OrderChannel.POS:
                order.channel = OrderChannel.PHONE
        if order.fulfilment_type is FulfilmentType.DELIVERY:
            _deliver(rng, order)


# --------------------------------------------------------------------------------------------
# After the orders: activity, shopper level, loyalty ledger
# --------------------------------------------------------------------------------------------


def _finish_customer(rng: random.Random, person: PlannedCustomer, orders: Sequence[PlannedOrder],
                     now: datetime, earn_rate: Decimal) -> None:
    mine = [orders[i] for i in person.orders]
    if person.registered:
        person.shopper_level = _shopper_level(len(mine))
        online = [o.placed_at for o in mine if o.channel in
                  (OrderChannel.WEB, OrderChannel.MOBILE_APP)]
        seen = max([person.registered_at or person.created_at, *online])
        person.last_access_at = min(now, seen + timedelta(minutes=rng.randint(0, 60 * 24 * 20)))
        if person.membership_id:
            person.ledger = _plan_ledger(rng, person, mine, person.orders, now, earn_rate)
    elif rng.random() < 0.3:
        person.shopper_level = _shopper_level(len(mine))
    moments = [person.created_at, *(o.placed_at for o in mine), *(c.occurred_at for c in
               person.consent)]
    for extra in (person.registered_at, person.last_access_at):
        if extra is not None:
            moments.append(extra)
    person.last_activity_at = max(moments)


def _shopper_level(order_count: int) -> ShopperLevel:
    if order_count <= 1:
        return ShopperLevel.NEW
    if order_count <= 5:
        return ShopperLevel.OCCASIONAL
    if order_count <= 15:
        return ShopperLevel.REGULAR
    return ShopperLevel.VIP


def earned_points(total: int, earn_rate: Decimal) -> int:
    """Points for a completed order: floor(total in major units * earn rate)."""
    return int((Decimal(total) * earn_rate / 100).to_integral_value(rounding=ROUND_FLOOR))


def _plan_ledger(rng: random.Random, person: PlannedCustomer, mine: Sequence[PlannedOrder],
                 order_indices: Sequence[int], now: datetime, earn_rate: Decimal
                 ) -> list[PlannedEntry]:
    """Earn on completed orders, redeem and adjust now and then; the balance never goes below 0."""
    since = person.registered_at or person.created_at
    entries: list[PlannedEntry] = []
    balance = 0

    def add(kind: LedgerKind, points: int, reason: str, at: datetime,
            order: int | None = None) -> None:
        nonlocal balance
        if entries and at <= entries[-1].created_at:  # strictly increasing: replays in order
            at = entries[-1].created_at + timedelta(seconds=1)
        entries.append(PlannedEntry(kind, points, reason, at, order))
        balance += points

    if rng.random() < 0.5:
        add(LedgerKind.ADJUST, 100, "Bono de bienvenida", since + timedelta(minutes=1))
    for order, index in zip(mine, order_indices, strict=True):
        if order.status is not OrderStatus.COMPLETED or order.placed_at < since:
            continue
        affordable = [r for r in REWARDS if r[0] <= balance]
        if affordable and rng.random() < 0.15:
            cost, reason = rng.choice(affordable)
            add(LedgerKind.REDEEM, -cost, reason, order.placed_at, index)
        points = earned_points(order.total, earn_rate)
        if points:
            add(LedgerKind.EARN, points, f"Pedido {order.number}",
                (order.delivered_at or order.placed_at) + timedelta(minutes=5), index)
        if order.punctuality is Punctuality.DELAYED and rng.random() < 0.3:
            add(LedgerKind.ADJUST, rng.choice((50, 100)), "Compensación por retraso",
                (order.delivered_at or order.placed_at) + timedelta(hours=2), index)
        elif balance >= 100 and rng.random() < 0.01:
            add(LedgerKind.ADJUST, -min(balance, rng.randint(20, 80)), "Corrección manual",
                order.placed_at + timedelta(days=1))
    if entries and balance > 0 and entries[-1].created_at + timedelta(days=365) < now:
        add(LedgerKind.EXPIRE, -balance, "Caducidad por inactividad",
            entries[-1].created_at + timedelta(days=365))
    return entries


# --------------------------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------------------------


def _zone() -> tzinfo:
    try:
        return ZoneInfo(TIMEZONE)
    except ZoneInfoNotFoundError:  # pragma: no cover - no tz database on this host
        return UTC


def _moment(rng: random.Random, start: datetime, end: datetime, bias: float = 1.0) -> datetime:
    """A whole second between start and end; bias < 1 leans towards end."""
    span = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=int(span * rng.random() ** bias))


def _meal_time(rng: random.Random, moment: datetime, zone: tzinfo, lowest: datetime,
               highest: datetime) -> datetime:
    """The same local day at lunch (13:00-16:00) or dinner (20:00-23:30), when within bounds."""
    day = moment.astimezone(zone).date()
    if rng.random() < 0.45:
        minute = rng.randint(13 * 60, 16 * 60 - 1)
    else:
        minute = rng.randint(20 * 60, 23 * 60 + 29)
    local = datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), zone)
    at = local.astimezone(UTC)
    return at if lowest <= at <= highest else moment


# --------------------------------------------------------------------------------------------
# Writing the plan
# --------------------------------------------------------------------------------------------

T = TypeVar("T")


def _chunks(rows: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


async def _insert(session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]
                  ) -> None:
    # render_nulls: keep None values in, so that every row has the same keys and a chunk is
    # sent as one executemany instead of being split by which columns happen to be None.
    statement = insert(model).execution_options(render_nulls=True)
    for chunk in _chunks(rows):
        await session.execute(statement, list(chunk))


async def _insert_customer_rows(session: AsyncSession, org: int, rows: Sequence[dict[str, Any]]
                                ) -> list[int]:
    """Insert customers and return their ids in the order of `rows`.

    SQLite cannot return ids of a multi-row insert in parameter order (SQLAlchemy then sends
    one statement per row), so the ids are read back by a key unique in the plan: every demo
    customer has an email or a phone, and neither repeats.
    """
    await _insert(session, Customer, rows)
    found = await session.execute(select(Customer.id, Customer.email, Customer.phone_e164)
                                  .where(Customer.organization_id == org))
    by_key = {(email, phone): cid for cid, email, phone in found}
    return [by_key[(row["email"], row["phone_e164"])] for row in rows]


async def _insert_order_rows(session: AsyncSession, org: int, rows: Sequence[dict[str, Any]]
                             ) -> list[int]:
    """Insert orders and return their ids in the order of `rows`, read back by number."""
    await _insert(session, Order, rows)
    found = await session.execute(select(Order.id, Order.number)
                                  .where(Order.organization_id == org))
    by_number = {number: oid for oid, number in found}
    return [by_number[row["number"]] for row in rows]


async def _insert_customers(session: AsyncSession, org: int, store_ids: Sequence[int],
                            plan: DemoPlan) -> list[int]:
    people = plan.customers
    ids = await _insert_customer_rows(
        session, org, [_customer_row(org, store_ids, p) for p in people])
    await _insert(session, CustomerAddress, [
        {"organization_id": org, "customer_id": cid, "position": position, "label": a.label,
         "line1": a.line1, "line2": a.line2, "city": a.city, "postal_code": a.postal_code,
         "region": a.region, "country": COUNTRY}
        for cid, p in zip(ids, people, strict=True) for position, a in enumerate(p.addresses)
    ])
    await _insert(session, LoyaltyAccount, [
        {"organization_id": org, "customer_id": cid, "provider": LOYALTY_PROVIDER,
         "membership_id": p.membership_id, "created_at": p.registered_at or p.created_at}
        for cid, p in zip(ids, people, strict=True) if p.membership_id
    ])
    await _insert(session, ConsentEvent, [
        {"organization_id": org, "customer_id": cid, "subscribed": c.subscribed,
         "source": c.source, "actor_kind": c.actor_kind,
         "actor_id": str(cid) if c.actor_kind is ActorKind.CUSTOMER else None,
         "occurred_at": c.occurred_at}
        for cid, p in zip(ids, people, strict=True) for c in p.consent
    ])
    await _insert(session, DomainEvent, _domain_events(org, ids, people))
    return ids


def _customer_row(org: int, store_ids: Sequence[int], p: PlannedCustomer) -> dict[str, Any]:
    last_consent = p.consent[-1] if p.consent else None
    return {
        "organization_id": org, "type": p.type, "first_name": p.first_name,
        "last_name": p.last_name, "email": p.email, "phone_e164": p.phone_e164,
        "source": p.source, "main_store_id": store_ids[p.store] if p.registered else None,
        "registered_at": p.registered_at, "last_access_at": p.last_access_at,
        "last_activity_at": p.last_activity_at, "subscribed": p.subscribed,
        "consent_updated_at": last_consent.occurred_at if last_consent else None,
        "consent_source": last_consent.source if last_consent else None,
        "birthday": p.birthday, "external_id": p.external_id, "shopper_level": p.shopper_level,
        "risk_level": p.risk_level, "notes": p.notes, "company_name": p.company_name,
        "tax_exempt": p.tax_exempt, "age_restricted_allowed": p.age_restricted_allowed,
        "sort_name": search_name(p.first_name, p.last_name),
        "search_text": search_text(p.first_name, p.last_name, p.email, p.phone_e164,
                                   p.external_id, p.membership_id),
        "created_at": p.created_at, "updated_at": p.last_activity_at or p.created_at,
    }


def _domain_events(org: int, ids: Sequence[int], people: Sequence[PlannedCustomer]
                   ) -> list[dict[str, Any]]:
    events = []
    for cid, p in zip(ids, people, strict=True):
        actor = _creation_actor(p.source)
        actor_id = str(cid) if actor is ActorKind.CUSTOMER else None
        events.append({"organization_id": org, "customer_id": cid, "kind": "customer.created",
                       "payload": {"type": p.type.name, "source": p.source.name},
                       "actor_kind": actor, "actor_id": actor_id, "occurred_at": p.created_at})
        if p.registered_at is not None and p.registered_at != p.created_at:
            events.append({"organization_id": org, "customer_id": cid,
                           "kind": "customer.registered", "payload": {"source": p.source.name},
                           "actor_kind": ActorKind.CUSTOMER, "actor_id": str(cid),
                           "occurred_at": p.registered_at})
    events.sort(key=lambda e: (e["occurred_at"], e["customer_id"]))
    return events


async def _insert_orders(session: AsyncSession, org: int, store_ids: Sequence[int],
                         customer_ids: Sequence[int], plan: DemoPlan) -> list[int]:
    ids = await _insert_order_rows(session, org, [
        {"organization_id": org, "number": o.number, "external_id": o.external_id,
         "store_id": store_ids[o.store], "customer_id": customer_ids[o.customer],
         "channel": o.channel, "status": o.status, "placed_at": o.placed_at, "total": o.total,
         "fulfilment_type": o.fulfilment_type, "promised_at": o.promised_at,
         "delivered_at": o.delivered_at, "punctuality": o.punctuality,
         "created_at": o.placed_at}
        for o in plan.orders
    ])
    await _insert(session, OrderItem, [
        {"organization_id": org, "order_id": oid, "position": position, "name": item.name,
         "sku": item.sku, "quantity": item.quantity, "unit_price": item.unit_price}
        for oid, o in zip(ids, plan.orders, strict=True)
        for position, item in enumerate(o.items)
    ])
    return ids


async def _insert_ledger(session: AsyncSession, org: int, customer_ids: Sequence[int],
                         order_ids: Sequence[int], plan: DemoPlan) -> None:
    await _insert(session, LoyaltyLedgerEntry, [
        {"organization_id": org, "customer_id": cid, "kind": e.kind, "points": e.points,
         "reason": e.reason, "order_id": order_ids[e.order] if e.order is not None else None,
         "created_at": e.created_at}
        for cid, p in zip(customer_ids, plan.customers, strict=True) for e in p.ledger
    ])
