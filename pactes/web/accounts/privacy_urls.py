from django.urls import path

from . import privacy

app_name = "privacy"
urlpatterns = [
    path("donnees-personnelles/", privacy.notice, name="notice"),
    path("compte/mes-donnees/", privacy.my_data, name="my_data"),
    path("compte/mes-donnees/pactes-mes-donnees.json", privacy.my_data_json, name="my_data_json"),
    path("compte/supprimer/", privacy.delete_account, name="delete"),
]
