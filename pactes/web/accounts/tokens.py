"""« Mon compte » and its personal access tokens of the API (« Jetons d'accès API »): create one (its value shown
once, on the page that answers the creation, never stored), list them, revoke one. A token belongs to its owner
only: another person's token answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pactes.accounts.models import User
from pactes.api.selectors import tokens_of
from pactes.api.services import TokenRefused, token_create, token_revoke

from .forms import ApiTokenForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = token_create(user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"])
        except TokenRefused as refused:
            form.add_error(None, refused.message)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/account.html",
        {
            "page_title": "Mon compte",
            "breadcrumb_data": {"current": "Mon compte"},
            "form": form,
            "created": created,
            "tokens": list(tokens_of(user)),
            "now": timezone.now(),
            "docs_url": reverse("api:openapi-view"),
        },
        status=201 if created else 200,
    )


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(tokens_of(user), pk=pk)
    token_revoke(token=token, by=user)
    messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne donne plus accès à l'API.")
    return redirect(reverse("accounts:account") + "#jetons")
