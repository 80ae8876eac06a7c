from django.urls import path

from .views import actions, creation, detail, editor, invitations

app_name = "dossiers"
urlpatterns = [
    path("nouveau/", creation.new, name="new"),
    path("invitation/<str:token>/", invitations.invitation, name="invitation"),
    path("<str:reference>/", detail.detail, name="detail"),
    path("<str:reference>/modifier/", editor.edit, name="edit"),
    path("<str:reference>/inviter/", invitations.invite, name="invite"),
    path("<str:reference>/invitations/<int:pk>/retirer/", invitations.revoke, name="invitation_revoke"),
    path("<str:reference>/etapes/actions/nouvelle/", actions.action_edit, name="action_new"),
    path("<str:reference>/etapes/actions/<int:pk>/", actions.action_edit, name="action_edit"),
    path("<str:reference>/etapes/actions/<int:pk>/supprimer/", actions.action_delete, name="action_delete"),
    path("<str:reference>/etapes/<str:step>/", editor.step, name="step"),
]
