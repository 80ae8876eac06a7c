from django.urls import path

from . import queue, views

app_name = "instruction"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("dossiers/<str:reference>/", views.dossier, name="dossier"),
    path("dossiers/<str:reference>/transition/", views.transition, name="transition"),
    path("dossiers/<str:reference>/complements/", views.complements, name="complements"),
    path("dossiers/<str:reference>/recevabilite/", views.checklist, name="checklist"),
    path("dossiers/<str:reference>/echanges/", views.exchanges, name="messages"),
    path("dossiers/<str:reference>/echanges/<int:pk>/piece/", views.message_attachment, name="message_attachment"),
]
