from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("demandes/", views.requests_list, name="requests"),
    path("demandes/<int:pk>/decider/", views.decide, name="decide"),
    path("ajouter/", views.add, name="add"),
    path("ajouter/enregistrer/", views.create, name="create"),
    path("rejoindre/", views.join, name="join"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/quitter/", views.leave, name="leave"),
    path("<int:pk>/administrateur/", views.name_admin, name="name_admin"),
]
