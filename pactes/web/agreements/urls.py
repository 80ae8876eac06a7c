from django.urls import path

from pactes.web.agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_index, name="index"),
    path("dossier/<int:dossier_id>/", views.agreement_detail, name="detail"),
    path("dossier/<int:dossier_id>/generer/", views.agreement_generate_view, name="generate"),
    path("dossier/<int:dossier_id>/transition/<str:transition>/", views.agreement_transition_view, name="transition"),
    path("dossier/<int:dossier_id>/signature-porteur/", views.agreement_signed_scan_view, name="signed_scan"),
    path("dossier/<int:dossier_id>/engagement/", views.agreement_commitment_view, name="commitment"),
    path("dossier/<int:dossier_id>/versements/", views.agreement_payment_view, name="payment"),
    path("dossier/<int:dossier_id>/document/<str:kind>/", views.agreement_download, name="download"),
]
