"""Phone numbers: parsing in an organization's default country, and the forms search matches."""

import phonenumbers

from models.core.text import phone_digits


def parse_phone(text: str, default_country: str) -> phonenumbers.PhoneNumber | None:
    """A valid number parsed from what a person typed (`612 34 56 78`, `0034...`), else None."""
    cleaned = text.strip().lstrip("'")
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, default_country.upper())
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def to_e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_digits(text: str, default_country: str) -> str:
    """The digits to look for in stored E.164 numbers: the whole number when `text` is one,
    else the run of digits typed (an international `00` prefix dropped)."""
    number = parse_phone(text, default_country)
    if number is not None:
        return phone_digits(to_e164(number))
    digits = phone_digits(text)
    return digits[2:] if digits.startswith("00") else digits


def looks_like_phone(text: str) -> bool:
    stripped = text.strip().lstrip("'")
    return sum(c.isdigit() for c in stripped) >= 4 and all(
        c.isdigit() or c in " +-().'/" for c in stripped)
