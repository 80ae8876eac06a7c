from django.urls import path

from . import views

app_name = "territories"
urlpatterns = [
    path("", views.index, name="index"),
    path("departements/<str:code>/", views.departement, name="departement"),
    path("epci/<str:siren>.geojson", views.epci_geojson, name="epci_geojson"),
    path("epci/<str:siren>/", views.epci, name="epci"),
    path("communes/<str:code_insee>/", views.commune, name="commune"),
]
