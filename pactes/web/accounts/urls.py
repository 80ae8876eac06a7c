from django.urls import path

from . import tokens, views

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
]
