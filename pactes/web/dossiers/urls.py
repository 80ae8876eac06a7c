from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("nouveau/", views.new, name="new"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/modifier/", views.edit, name="edit"),
    path("<str:reference>/inviter/", views.invite, name="invite"),
    path("<str:reference>/etapes/actions/nouvelle/", views.action_edit, name="action_new"),
    path("<str:reference>/etapes/actions/<int:pk>/", views.action_edit, name="action_edit"),
    path("<str:reference>/etapes/actions/<int:pk>/supprimer/", views.action_delete, name="action_delete"),
    path("<str:reference>/etapes/<str:step>/", views.step, name="step"),
]
