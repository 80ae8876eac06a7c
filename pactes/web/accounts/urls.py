from django.urls import path

from . import sessions, tokens, two_factor, views

app_name = "accounts"
urlpatterns = [
    path("", tokens.account, name="account"),
    path("jetons/<int:pk>/revoquer/", tokens.revoke, name="token_revoke"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oubli/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialiser/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("mot-de-passe/modifier/", views.PasswordChangeView.as_view(), name="password_change"),
    path("double-authentification/", two_factor.security, name="two_factor"),
    path("double-authentification/verifier/", two_factor.verify, name="two_factor_verify"),
    path("double-authentification/activer/", two_factor.enrol, name="two_factor_enrol"),
    path("double-authentification/codes-de-secours/", two_factor.recovery_codes, name="two_factor_recovery_codes"),
    path(
        "double-authentification/codes-de-secours/nouveaux/",
        two_factor.recovery_codes_new,
        name="two_factor_recovery_codes_new",
    ),
    path("double-authentification/desactiver/", two_factor.disable, name="two_factor_disable"),
    path("session/prolonger/", sessions.keepalive, name="session_keepalive"),
]
