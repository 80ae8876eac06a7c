"""Pages of the second factor (ADR 0023): type a code at login, enrol an authenticator app, see the recovery codes,
and the « Double authentification » page of one's account (an applicant may turn it on or off there).

The enrolment page shows the QR code (SVG drawn here by ``qrcode``, no remote service) and the secret itself, for an
app on the same device. The recovery codes are shown once, right after they are made.
"""

from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from pactes.accounts.two_factor import (
    enrolment_confirm,
    enrolment_start,
    has_second_factor,
    is_throttled,
    pending_enrolment,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_check,
    second_factor_disable,
    secret_base32,
)

from .second_factor import is_verified, mark_verified, owes_second_factor
from .two_factor_forms import EnrolmentCodeForm, SecondFactorCodeForm

NEW_CODES_SESSION_KEY = "pactes_new_recovery_codes"
THROTTLED = "Trop de codes erronés : attendez quelques secondes, puis saisissez le code affiché à ce moment-là."
WRONG_CODE = "Code incorrect ou expiré. Vérifiez l’heure de votre téléphone et saisissez le code affiché maintenant."


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:dashboard")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _page(title: str, **context: Any) -> dict[str, Any]:
    return {"page_title": title, "breadcrumb_data": {"links": [], "current": title}, **context}


def qr_code_svg(data: str) -> str:
    """The QR code of ``data`` as inline SVG markup (black on white, so that it reads in the dark theme too)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    label = "QR code à scanner avec votre application d’authentification"
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="pactes-qr-code" ', 1)


def verify(request: HttpRequest) -> HttpResponse:
    """« Vérification en deux étapes »: the code of the app (or a recovery code) that confirms this login."""
    next_url = _next_url(request)
    if not owes_second_factor(request):
        return HttpResponseRedirect(next_url)
    if not has_second_factor(request.user):
        return redirect(_with_next("accounts:two_factor_enrol", next_url))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = is_throttled(request.user)  # a code typed now is refused whatever it is
        device = second_factor_check(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            mark_verified(request, device)
            if device.persistent_id.startswith("otp_static"):
                left = recovery_codes_left(request.user)
                messages.warning(
                    request,
                    f"Vous vous êtes connecté avec un code de secours : il ne servira plus. Il vous en reste {left}.",
                )
            return HttpResponseRedirect(next_url)
        form.add_error("code", THROTTLED if throttled else WRONG_CODE)
    return render(
        request, "accounts/two_factor_verify.html", _page("Vérification en deux étapes", form=form, next=next_url)
    )


def enrol(request: HttpRequest) -> HttpResponse:
    """Enrolment of an authenticator app: QR code and secret, then a code that proves the app is set up."""
    next_url = _next_url(request)
    if has_second_factor(request.user) and not is_verified(request):
        return redirect(_with_next("accounts:two_factor_verify", next_url))
    device = pending_enrolment(request.user)
    if device is None or (request.method == "GET" and "nouveau" in request.GET):
        device = enrolment_start(user=request.user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = enrolment_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            mark_verified(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, "Votre application d’authentification est enregistrée.")
            return redirect(_with_next("accounts:two_factor_recovery_codes", next_url))
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/two_factor_enrol.html",
        _page(
            "Activer la double authentification",
            form=form,
            next=next_url,
            qr_code=mark_safe(qr_code_svg(device.config_url)),  # SVG drawn here from our own data
            # In groups of four, as authenticator apps show it: easier to copy by hand (the text stays one word).
            secret_groups=_groups_of_four(secret_base32(device)),
            mandatory=request.user.is_staff_member,
        ),
    )


def _groups_of_four(secret: str) -> list[str]:
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown once; afterwards the page only says how many are left."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if codes is None and not has_second_factor(request.user):
        return redirect("accounts:two_factor")
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        _page(
            "Codes de secours",
            codes=codes or [],
            left=recovery_codes_left(request.user),
            next=_next_url(request),
        ),
    )


def security(request: HttpRequest) -> HttpResponse:
    """« Double authentification » of my account: whether it is on, recovery codes left, and what I may do."""
    return render(
        request,
        "accounts/two_factor.html",
        _page(
            "Double authentification",
            enabled=has_second_factor(request.user),
            mandatory=request.user.is_staff_member,
            left=recovery_codes_left(request.user),
        ),
    )


@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    if not has_second_factor(request.user):
        return redirect("accounts:two_factor")
    request.session[NEW_CODES_SESSION_KEY] = recovery_codes_renew(user=request.user)
    messages.success(request, "Vos nouveaux codes de secours sont prêts : les anciens ne fonctionnent plus.")
    return redirect("accounts:two_factor_recovery_codes")


@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """An applicant turns the optional second factor off; staff are told it is mandatory."""
    if request.user.is_staff_member:
        messages.error(request, "La double authentification est obligatoire pour les agents : elle reste active.")
        return redirect("accounts:two_factor")
    second_factor_disable(user=request.user)
    messages.success(request, "La double authentification est désactivée pour votre compte.")
    return redirect("accounts:two_factor")
