from django.urls import path

from . import views

app_name = "calls"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/eligibilite.json", views.eligibility_json, name="eligibility_json"),
    path("<slug:slug>/liste-eligible/proposer/", views.propose_list, name="propose_list"),
]
