"""The closed vocabularies of the domain, stored by name and exposed in GraphQL as they are."""

from enum import Enum


class CustomerType(Enum):
    GUEST = "GUEST"
    REGISTERED = "REGISTERED"


class CustomerSource(Enum):
    """How a customer was first created."""

    WEB = "WEB"
    MOBILE_APP = "MOBILE_APP"
    POS = "POS"
    PHONE = "PHONE"
    DELIVERY_PLATFORM = "DELIVERY_PLATFORM"
    IMPORT = "IMPORT"
    MANUAL = "MANUAL"


class OrderChannel(Enum):
    WEB = "WEB"
    MOBILE_APP = "MOBILE_APP"
    POS = "POS"
    PHONE = "PHONE"
    DELIVERY_PLATFORM = "DELIVERY_PLATFORM"


class OrderStatus(Enum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    PREPARING = "PREPARING"
    READY = "READY"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class FulfilmentType(Enum):
    DELIVERY = "DELIVERY"
    PICKUP = "PICKUP"
    DINE_IN = "DINE_IN"


class Punctuality(Enum):
    ON_TIME = "ON_TIME"
    DELAYED = "DELAYED"


class RiskLevel(Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class ShopperLevel(Enum):
    NEW = "NEW"
    OCCASIONAL = "OCCASIONAL"
    REGULAR = "REGULAR"
    VIP = "VIP"


class GuestCheckout(Enum):
    ENABLED = "ENABLED"
    DISABLED_CART_AVAILABLE = "DISABLED_CART_AVAILABLE"
    DISABLED_CART_UNAVAILABLE = "DISABLED_CART_UNAVAILABLE"
    DISABLED_CART_UNAVAILABLE_HIDE_PRICES = "DISABLED_CART_UNAVAILABLE_HIDE_PRICES"


class Device(Enum):
    """Where a shopper checks out on their own; each has its guest checkout setting."""

    WEB = "WEB"
    MOBILE_APP = "MOBILE_APP"


class RegistrationStrategy(Enum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    EMAIL_OR_PHONE = "EMAIL_OR_PHONE"


class ConsentSource(Enum):
    """The channel through which a marketing consent decision was taken."""

    WEB = "WEB"
    MOBILE_APP = "MOBILE_APP"
    POS = "POS"
    PHONE = "PHONE"
    DELIVERY_PLATFORM = "DELIVERY_PLATFORM"
    IMPORT = "IMPORT"
    ADMIN = "ADMIN"
    API = "API"


class ActorKind(Enum):
    STAFF_USER = "STAFF_USER"
    API_KEY = "API_KEY"
    CUSTOMER = "CUSTOMER"
    SYSTEM = "SYSTEM"
    ANONYMOUS = "ANONYMOUS"


class StaffRole(Enum):
    """What a staff user may do; see `models/access/permissions.py` for the whole matrix."""

    OWNER = "OWNER"
    MANAGER = "MANAGER"
    VIEWER = "VIEWER"


class LedgerKind(Enum):
    EARN = "EARN"
    REDEEM = "REDEEM"
    ADJUST = "ADJUST"
    EXPIRE = "EXPIRE"
