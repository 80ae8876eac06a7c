from django.urls import path

from . import map_views, views

app_name = "territories"
urlpatterns = [
    path("", views.index, name="index"),
    path("carte/", map_views.territory_map, name="map"),
    path("carte/epci.geojson", map_views.epci_geojson, name="map_epci"),
    path("carte/departements.geojson", map_views.departements_geojson, name="map_departements"),
    path("departements/<str:code>/", views.departement, name="departement"),
    path("epci/<str:siren>.geojson", views.epci_geojson, name="epci_geojson"),
    path("epci/<str:siren>/", views.epci, name="epci"),
    path("communes/<str:code_insee>/", views.commune, name="commune"),
]
