"""Scoped reads of the API's access: a person's own tokens and the calls made with them."""

from django.db.models import QuerySet

from pactes.accounts.models import User
from pactes.api.models import ApiCall, ApiToken


def tokens_of(user: User) -> QuerySet[ApiToken]:
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def calls_of(token: ApiToken) -> QuerySet[ApiCall]:
    return token.calls.all()
