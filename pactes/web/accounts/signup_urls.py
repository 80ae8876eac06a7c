from django.urls import path

from . import signup

app_name = "signup"
urlpatterns = [
    path("inscription/", signup.signup_view, name="signup"),
    path("inscription/envoyee/", signup.sent, name="sent"),
    path("inscription/confirmer/<str:token>/", signup.confirm, name="confirm"),
    path("inscription/renvoyer/", signup.resend, name="resend"),
]
