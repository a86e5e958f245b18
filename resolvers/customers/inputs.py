"""Inputs the customer mutations share."""

from datetime import date
from typing import Any

import strawberry

from models.core.enums import RiskLevel, ShopperLevel
from models.core.validation import AddressFields
from resolvers.user_errors import input_pk


@strawberry.input
class AddressInput:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = strawberry.field(
        default=None, description="ISO 3166 two-letter code; the organization's by default.")
    label: str | None = None

    def to_fields(self) -> AddressFields:
        return AddressFields(line1=self.line1, line2=self.line2, city=self.city,
                             postal_code=self.postal_code, region=self.region,
                             country=self.country, label=self.label)


@strawberry.input(description="Profile fields; in an edit, only the fields sent change.")
class ProfileInput:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="As typed; read in the organization's country.")
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="The main address; replaces every address.")
    addresses: list[AddressInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Every address, in order; replaces them all.")
    birthday: date | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET
    shopper_level: ShopperLevel | None = strawberry.UNSET
    risk_level: RiskLevel | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET
    company_name: str | None = strawberry.UNSET
    tax_exempt: bool | None = strawberry.UNSET
    age_restricted_allowed: bool | None = strawberry.UNSET
    main_store_id: strawberry.ID | None = strawberry.UNSET


PLAIN = ("first_name", "last_name", "email", "phone", "birthday", "external_id",
         "shopper_level", "risk_level", "notes", "company_name", "tax_exempt",
         "age_restricted_allowed")


def sent_fields(profile: Any) -> dict[str, Any]:
    """The fields the client sent (null included), in the rules' names."""
    fields = {name: getattr(profile, name) for name in PLAIN
              if getattr(profile, name) is not strawberry.UNSET}
    if profile.addresses is not strawberry.UNSET:
        fields["addresses"] = [a.to_fields() for a in profile.addresses or []]
    elif profile.address is not strawberry.UNSET:
        fields["address"] = profile.address.to_fields() if profile.address else None
    if profile.main_store_id is not strawberry.UNSET:
        fields["main_store_id"] = (input_pk(profile.main_store_id, "Store", "mainStoreId")
                                   if profile.main_store_id is not None else None)
    for flag in ("tax_exempt", "age_restricted_allowed"):
        if fields.get(flag, False) is None:
            fields[flag] = False
    return fields
