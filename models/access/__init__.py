"""Who may act and how they prove it: staff users, API keys, sign-in sessions, one-time codes,
customer passwords, customer sign-in and sign-up, password hashing, the role matrix, and the
last-used stamps of credentials.

Its tables are named here too (`from models import access`, then `access.ApiKey`):
the layers above tell them from their own types of the same name without renaming them."""

from models.access.api_keys import ApiKey
from models.access.codes import SignInCode
from models.access.credentials import CustomerCredential
from models.access.sessions import AuthSession, RetiredRefreshToken
from models.access.staff import StaffUser, StaffUserStore

__all__ = ["ApiKey", "AuthSession", "CustomerCredential", "RetiredRefreshToken", "SignInCode",
           "StaffUser", "StaffUserStore"]
