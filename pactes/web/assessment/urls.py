from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("evaluation/<str:reference>/", views.score, name="score"),
    path("evaluation/<str:reference>/proposition/", views.proposal, name="proposal"),
    path("evaluation/<str:reference>/clore/", views.complete, name="complete"),
    path("evaluation/<str:reference>/rouvrir/", views.reopen, name="reopen"),
    path("classement/", views.ranking, name="ranking"),
    path("classement/<str:reference>/deplacer/", views.move, name="move"),
    path("transmission/", views.transmit, name="transmit"),
    path("transmission/<int:pk>/synthese.pdf", views.transmission_pdf, name="transmission_pdf"),
]
