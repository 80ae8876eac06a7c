from django.urls import path, re_path

from . import views

app_name = "exports"
urlpatterns = [
    re_path(r"^appels/(?P<slug>[-\w]+)/export\.(?P<fmt>xlsx|ods|csv)$", views.call_export, name="call"),
    path("exports/", views.mine, name="mine"),
    path("exports/<int:pk>/etat.json", views.job_status, name="status"),
    path("exports/<int:pk>/telecharger/", views.job_download, name="download"),
    re_path(r"^exports/(?P<source>[a-z]+)\.(?P<fmt>xlsx|ods|csv)$", views.page_export, name="page"),
]
