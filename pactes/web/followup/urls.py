from django.urls import path

from . import views

app_name = "followup"
urlpatterns = [
    path("", views.index, name="index"),
    path("consolide/", views.consolidated, name="consolidated"),
    path("<str:reference>/", views.dossier, name="dossier"),
    path("<str:reference>/actions/<int:action_pk>/avancement/", views.progress_add, name="progress_add"),
    path("<str:reference>/indicateurs/<int:measure_pk>/releve/", views.measurement_add, name="measurement_add"),
    path("<str:reference>/bilans/<str:kind>/", views.report, name="report"),
    path("<str:reference>/bilans/<str:kind>/modifier/", views.report_edit, name="report_edit"),
    path("<str:reference>/bilans/<str:kind>/remettre/", views.report_submit, name="report_submit"),
    path("<str:reference>/bilans/<str:kind>/decision/", views.report_decide, name="report_decide"),
]
