from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("integrite/", views.integrity, name="integrity"),
    path("instruction/dossiers/<str:reference>/historique/", views.dossier_history_page, name="history"),
    path("instruction/dossiers/<str:reference>/telechargements/", views.dossier_downloads, name="downloads"),
]
