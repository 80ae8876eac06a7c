from django.urls import path

from . import report_attachments, views

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
    path("<str:reference>/bilans/<str:kind>/pieces/", report_attachments.attachment_add, name="report_attachment_add"),
    path(
        "<str:reference>/bilans/<str:kind>/pieces/<int:pk>/",
        report_attachments.attachment_download,
        name="report_attachment",
    ),
    path(
        "<str:reference>/bilans/<str:kind>/pieces/<int:pk>/retirer/",
        report_attachments.attachment_remove,
        name="report_attachment_remove",
    ),
]
