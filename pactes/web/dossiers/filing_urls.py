from django.urls import path

from .views import filing as views

app_name = "filing"
urlpatterns = [
    path("<str:reference>/pieces/", views.attachments, name="attachments"),
    path("<str:reference>/pieces/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("<str:reference>/pieces/<int:pk>/supprimer/", views.attachment_remove, name="attachment_delete"),
    path("<str:reference>/depot/", views.summary, name="summary"),
    path("<str:reference>/versions/<int:number>/", views.version, name="version"),
    path("<str:reference>/versions/<int:number>/accuse-de-reception.pdf", views.receipt, name="receipt"),
]
