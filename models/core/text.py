"""Folding of names and numbers into the forms that search matches on."""

import re
import unicodedata

_NON_DIGIT = re.compile(r"\D+")


def fold(text: str) -> str:
    """Lower case, accents removed, whitespace collapsed: `José  GARCÍA` -> `jose garcia`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def phone_digits(text: str) -> str:
    return _NON_DIGIT.sub("", text)


def like_pattern(fragment: str) -> str:
    """A LIKE pattern that matches `fragment` anywhere, with its own % and _ taken literally."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
