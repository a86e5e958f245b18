"""Checks and normal forms of what people type: emails, phone numbers, names, addresses.

Each check returns the normal form, or appends a `UserError` to the list it is given, so that a
form is answered with every problem at once.
"""

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from models.core.errors import ErrorCode, UserError, error
from models.core.phones import parse_phone, to_e164

MAX_NAME = 100


def normal_email(raw: str | None, path: str, errors: list[UserError],
                 required: bool = False) -> str | None:
    """Lower-cased, syntax-checked email; no DNS lookup (no network at request time)."""
    text = (raw or "").strip()
    if not text:
        if required:
            errors.append(error(path, ErrorCode.REQUIRED, "Email is required."))
        return None
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as invalid:
        errors.append(error(path, ErrorCode.INVALID, f"`{text}` is not a valid email: {invalid}"))
        return None
    return checked.normalized.lower()


def normal_phone(raw: str | None, country: str, path: str, errors: list[UserError],
                 required: bool = False) -> str | None:
    """E.164 of a valid number, read in the organization's default country."""
    text = (raw or "").strip()
    if not text:
        if required:
            errors.append(error(path, ErrorCode.REQUIRED, "Phone is required."))
        return None
    number = parse_phone(text, country)
    if number is None:
        errors.append(error(path, ErrorCode.INVALID,
                            f"`{text}` is not a valid phone number (read in {country})."))
        return None
    return to_e164(number)


def normal_name(raw: str | None, path: str, label: str, errors: list[UserError],
                required: bool = False) -> str | None:
    text = " ".join((raw or "").split())
    if not text:
        if required:
            errors.append(error(path, ErrorCode.REQUIRED, f"{label} is required."))
        return None
    if len(text) > MAX_NAME:
        errors.append(error(path, ErrorCode.INVALID,
                            f"{label} is longer than {MAX_NAME} characters."))
        return None
    return text


@dataclass(frozen=True, slots=True)
class AddressFields:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None
    label: str | None = None


def normal_address(raw: AddressFields | None, default_country: str, path: str,
                   errors: list[UserError], required: bool = False) -> AddressFields | None:
    """An address with its first line and city, and a two-letter country (default: the org's)."""
    if raw is None:
        if required:
            errors.append(error(path, ErrorCode.REQUIRED, "Address is required."))
        return None

    def clean(value: str | None) -> str | None:
        text = " ".join((value or "").split())
        return text or None

    line1, city = clean(raw.line1), clean(raw.city)
    if line1 is None:
        errors.append(error(f"{path}.line1", ErrorCode.REQUIRED, "Address line 1 is required."))
    if city is None:
        errors.append(error(f"{path}.city", ErrorCode.REQUIRED, "City is required."))
    country = (clean(raw.country) or default_country).upper()
    if len(country) != 2 or not country.isalpha():
        errors.append(error(f"{path}.country", ErrorCode.INVALID,
                            "Country must be a two-letter ISO code, e.g. `ES`."))
    return AddressFields(line1=line1, line2=clean(raw.line2), city=city,
                         postal_code=clean(raw.postal_code), region=clean(raw.region),
                         country=country, label=clean(raw.label))
