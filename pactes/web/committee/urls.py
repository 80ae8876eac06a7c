from django.urls import path

from . import documents, dossier_views, opinions, views

app_name = "committee"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.create, name="create"),
    path("decisions/<int:pk>/lettre.pdf", documents.decision_letter, name="decision_letter"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/enveloppe/", views.envelope, name="envelope"),
    path("<int:pk>/ouvrir/", views.open_session, name="open"),
    path("<int:pk>/presences/", views.attendance, name="attendance"),
    path("<int:pk>/clore/", views.close, name="close"),
    path("<int:pk>/proces-verbal.pdf", documents.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/documents/relancer/", views.documents_relaunch, name="documents_relaunch"),
    path("<int:pk>/dossiers/<str:reference>/", dossier_views.dossier, name="dossier"),
    path("<int:pk>/dossiers/<str:reference>/decision/", dossier_views.decide, name="decide"),
    path("<int:pk>/dossiers/<str:reference>/rouvrir/", dossier_views.reopen, name="reopen"),
    path("<int:pk>/dossiers/<str:reference>/avis/", opinions.opinion, name="opinion"),
]
