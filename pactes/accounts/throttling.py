"""Login throttling (django-axes, ADR 0025): failures are counted per account and per client address.

Words: the *account key* of a failed attempt is the e-mail address as the login form received it, lower-cased, so
that « Porteur@Demo.test » and « porteur@demo.test » share one counter (as they share one account), whether or not an
account exists (a lockout never tells). The *address key* is the client address (``pactes.core.client_address``).
Each key has its own limit: ``AXES_FAILURE_LIMIT`` failures for one account (from anywhere),
``PACTES_LOGIN_FAILURES_PER_ADDRESS`` for one address (over every account it tries): 100 failures spread over 25
accounts from one address lock that address, while the colleagues of an office behind one address are not locked
out by one person's typing.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the normalised e-mail of the attempt, from the credentials or the posted form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field)
    if raw is None and request is not None:
        raw = request.POST.get(field)
    if raw is None:
        return None
    return str(raw).strip().lower() or None


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler where the account and the address each have their own limit.

    ``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`` makes axes read the attempts of the account and those of
    the address separately; axes compares the largest count with ``AXES_FAILURE_LIMIT``. An address over its own limit
    is reported as having reached that limit, so that either key locks.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        address_locked = by_address >= settings.PACTES_LOGIN_FAILURES_PER_ADDRESS
        return max(by_account, limit if address_locked else 0)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """A successful login clears the failures of that account only: logging into one's own account must not
        wipe the failures an address piled up against other accounts."""
        by_account = self.filter_user_attempts(request, credentials)[0]
        count, _ = by_account.delete()
        return count
