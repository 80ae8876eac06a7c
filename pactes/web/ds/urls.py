from django.urls import path

from . import views

app_name = "ds"
urlpatterns = [
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/demarche-<int:number>/", views.mapping, name="mapping"),
    path("imports/<int:run_id>/", views.run_detail, name="run"),
    path("imports/<int:run_id>/etat.json", views.run_status, name="run_status"),
]
