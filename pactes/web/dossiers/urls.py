from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("<str:reference>/", views.detail, name="detail"),
]
