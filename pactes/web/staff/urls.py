from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("instructeur/nouveau/", views.new_instructor, name="new_instructor"),
    path("jury/nouveau/", views.new_jury_member, name="new_jury_member"),
    path("<int:pk>/desactiver/", views.deactivate, name="deactivate"),
    path("<int:pk>/reactiver/", views.reactivate, name="reactivate"),
    path("<int:pk>/double-authentification/reinitialiser/", views.reset_second_factor, name="reset_second_factor"),
    path("<int:pk>/seance/", views.seat, name="seat"),
]
