from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>.csv", views.figure_csv, name="csv"),
]
