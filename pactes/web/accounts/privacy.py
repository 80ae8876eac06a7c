"""Personal data pages: the public « Données personnelles » notice, « Mes données » (what Pactes holds about me, as a
page and as a JSON download) and the deletion of my account (pseudonymised where a record must stay)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pactes.accounts.models import User
from pactes.calls.selectors import calls_public
from pactes.privacy.services import DeletionRefused, account_delete, personal_data

from .forms import AccountForm


class DeleteAccountForm(AccountForm):
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe pour confirmer."},
    )
    confirm = forms.BooleanField(
        label="Je comprends que mon compte sera supprimé définitivement.",
        error_messages={"required": "Cochez la case pour confirmer la suppression."},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data.get("password") or "")
        if not self.user.check_password(password):
            raise forms.ValidationError("Mot de passe incorrect.")
        return password


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _page(title: str) -> dict[str, Any]:
    return {
        "page_title": title,
        "breadcrumb_data": {"links": [{"url": reverse("core:dashboard"), "title": "Mon espace"}], "current": title},
    }


@login_not_required
def notice(request: HttpRequest) -> HttpResponse:
    retention = [(call, call.rules.retention) for call in calls_public()]
    context = {
        "page_title": "Données personnelles",
        "breadcrumb_data": {"links": [], "current": "Données personnelles"},
        "calls_retention": retention,
    }
    return render(request, "privacy/notice.html", context)


def my_data(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    data = personal_data(user)
    form = DeleteAccountForm(user=user) if user.is_applicant else None
    return render(request, "privacy/my_data.html", {**_page("Mes données"), "data": data, "delete_form": form})


def my_data_json(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    body = json.dumps(personal_data(user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"pactes-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def delete_account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method != "POST":
        return redirect("privacy:my_data")
    form = DeleteAccountForm(request.POST, user=user)
    if form.is_valid():
        try:
            left = account_delete(user=user)
        except DeletionRefused as exc:
            messages.error(request, str(exc))
            return redirect("privacy:my_data")
        logout(request)
        text = "Votre compte est supprimé."
        if left:
            text += " Vous avez quitté : " + ", ".join(left) + "."
        messages.success(request, text)
        return redirect("core:home")
    data = personal_data(user)
    return render(
        request, "privacy/my_data.html", {**_page("Mes données"), "data": data, "delete_form": form}, status=400
    )
