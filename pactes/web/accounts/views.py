"""Account pages: login (password or ProConnect), logout, password reset by e-mail and password change.

Django's authentication views do the work; these subclasses give them French DSFR templates, breadcrumbs and the
addresses of this area. A password reset answers the same way whether the address has an account or not.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from pactes.accounts.oidc import login_url_with_proconnect, provider_logout_url
from pactes.accounts.rate_limits import LIMIT_MESSAGE, request_allowed

from .forms import ChangePasswordForm, LoginForm, NewPasswordForm, PasswordResetRequestForm
from .signup import client_address

LOGIN_LINK = {"url": reverse_lazy("accounts:login"), "title": "Connexion"}
SPACE_LINK = {"url": reverse_lazy("core:dashboard"), "title": "Mon espace"}


def _page(title: str, *, links: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"page_title": title, "breadcrumb_data": {"links": list(links), "current": title}}


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True
    extra_context = _page("Connexion")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["proconnect_enabled"] = settings.PROCONNECT_ENABLED
        if settings.PROCONNECT_ENABLED:
            context["proconnect_url"] = login_url_with_proconnect(self.get_redirect_url())
        return context


class LogoutView(auth_views.LogoutView):
    """Logs out (POST only); after a ProConnect login, also ends the ProConnect session."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_url = provider_logout_url(request) if request.session.get("oidc_id_token") else ""
        response = super().post(request, *args, **kwargs)
        messages.info(request, "Vous êtes déconnecté.")
        if provider_url and provider_url.startswith("http"):
            return HttpResponseRedirect(provider_url)
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = _page("Mot de passe oublié", links=(LOGIN_LINK,))

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        # Limited per client address and per e-mail, whether the address has an account or not (rate_limits).
        email = form.cleaned_data["email"]
        if not request_allowed(scope="password-reset", client_address=client_address(self.request), email=email):
            form.add_error(None, LIMIT_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = _page("Demande envoyée", links=(LOGIN_LINK,))


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    reset_url_token = "nouveau-mot-de-passe"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = _page("Nouveau mot de passe", links=(LOGIN_LINK,))


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = _page("Mot de passe réinitialisé", links=(LOGIN_LINK,))


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("core:dashboard")
    extra_context = _page("Changer mon mot de passe", links=(SPACE_LINK,))

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Votre mot de passe a été modifié.")
        return response
