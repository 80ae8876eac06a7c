"""Sign-up pages: create an account (from the login page, the call page or an invitation), confirm the address by
the link received, ask for a new link. Every answer to a sign-up is the same whether the address had an account or
not; requests are limited per client address and per e-mail (``pactes.accounts.rate_limits``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pactes.accounts.models import User
from pactes.accounts.rate_limits import LIMIT_MESSAGE, request_allowed
from pactes.accounts.signup import ConfirmationInvalid, SignupLinks, confirmation_send, email_confirm, signup
from pactes.core.client_address import client_ip

from .signup_forms import SignupForm

SENT_MESSAGE = (
    "Un courriel vous a été envoyé à l'adresse indiquée. Ouvrez le lien qu'il contient pour confirmer votre adresse "
    "(il est valable 24 heures). Si un compte existait déjà à cette adresse, le courriel vous l'indique."
)


def client_address(request: HttpRequest) -> str:
    """The client's address: a trusted proxy's header, else the peer (one owner: pactes.core.client_address)."""
    return client_ip(request)


def _page(title: str) -> dict[str, Any]:
    return {
        "page_title": title,
        "breadcrumb_data": {"links": [{"url": reverse("accounts:login"), "title": "Connexion"}], "current": title},
    }


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if allowed and target.startswith("/") else ""


def signup_links(request: HttpRequest, next_url: str = "") -> SignupLinks:
    suffix = f"?{urlencode({'next': next_url})}" if next_url else ""
    return SignupLinks(
        confirm=lambda token: request.build_absolute_uri(reverse("signup:confirm", args=[token])) + suffix,
        login=request.build_absolute_uri(reverse("accounts:login")),
        reset=request.build_absolute_uri(reverse("accounts:password_reset")),
    )


@login_not_required
def signup_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    next_url = _safe_next(request)
    initial = {"email": request.GET.get("email", "")[:254]}
    form = SignupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request_allowed(scope="signup", client_address=client_address(request), email=data["email"]):
            form.add_error(None, LIMIT_MESSAGE)
        else:
            signup(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
                links=signup_links(request, next_url),
            )
            return redirect("signup:sent")
    context = {**_page("Créer un compte"), "form": form, "next": next_url}
    return render(request, "accounts/signup.html", context, status=429 if form.non_field_errors() else 200)


@login_not_required
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html", {**_page("Vérifiez votre messagerie"), "text": SENT_MESSAGE})


@login_not_required
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links must not use them up); POST confirms."""
    next_url = _safe_next(request)
    problem = ""
    if request.method == "POST":
        try:
            user = email_confirm(token=token)
        except ConfirmationInvalid as exc:
            problem = str(exc)
        else:
            messages.success(request, "Votre adresse électronique est confirmée.")
            if request.user.is_authenticated and request.user.pk == user.pk:
                return redirect(next_url or "organisations:index")
            after = next_url or reverse("organisations:index")
            login_url = reverse("accounts:login") + "?" + urlencode({"next": after})
            messages.info(request, "Connectez-vous pour créer ou rejoindre votre organisation.")
            return redirect(login_url)
    context = {**_page("Confirmer mon adresse électronique"), "problem": problem, "next": next_url}
    return render(request, "accounts/signup_confirm.html", context, status=410 if problem else 200)


@require_POST
def resend(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.email_is_confirmed:
        messages.info(request, "Votre adresse est déjà confirmée.")
    elif not request_allowed(scope="signup", client_address=client_address(request), email=user.email):
        messages.error(request, LIMIT_MESSAGE)
    else:
        confirmation_send(user=user, confirm_url=signup_links(request).confirm)
        messages.success(request, f"Un nouveau lien a été envoyé à {user.email} ; les précédents ne servent plus.")
    return redirect("core:dashboard")
