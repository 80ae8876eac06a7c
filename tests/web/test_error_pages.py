"""Error pages in French and in the State design system (issue 8 « no 500 on any input »): 400, 403, 404, 500 and the
expired form (CSRF); malformed or oversize bodies get the French 400 page, the editor's background save gets JSON.

This module is also the URLconf of the tests that need a view raising on purpose (``@pytest.mark.urls``).
"""

import json

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import path, reverse

from config import urls as project_urls
from pactes.dossiers.interchange import canonical_json, dossier_to_document
from pactes.dossiers.models import Dossier
from pactes.web.core.errors import server_error

AUTOSAVE = {"HTTP_X_PACTES_AUTOSAVE": "1"}
DSFR_CSS = "dsfr/dist/dsfr/dsfr.min.css"


@login_not_required
def _boom(request):
    raise RuntimeError("panne simulée")


@login_not_required
def _forbidden(request):
    raise PermissionDenied("Réservé à la DREETS.")


@login_not_required
def _suspicious(request):
    raise SuspiciousOperation("requête forgée")


@login_not_required
def _missing(request):
    raise Http404("No Dossier matches the given query.")


urlpatterns = [
    *project_urls.urlpatterns,
    path("essai/panne/", _boom),
    path("essai/interdit/", _forbidden),
    path("essai/suspect/", _suspicious),
    path("essai/absent/", _missing),
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

raising_views = pytest.mark.urls(__name__)


def text(response) -> str:
    return response.content.decode()


def assert_french_dsfr_page(response, status: int, *fragments: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = text(response)
    assert '<html lang="fr"' in body
    assert DSFR_CSS in body
    for fragment in fragments:
        assert fragment in body, fragment
    for english in ("Not Found", "Bad Request", "Forbidden", "Server Error", "CSRF verification failed"):
        assert english not in body


@pytest.fixture
def owner_client(client, demo_draft, applicant):
    client.force_login(applicant)
    return client


def step_url(dossier, step="diagnostic"):
    return reverse("dossiers:step", kwargs={"reference": dossier.reference, "step": step})


def content_of(dossier) -> str:
    return canonical_json(dossier_to_document(Dossier.objects.get(pk=dossier.pk)))


# -- each status ---------------------------------------------------------------------------------------------------
def test_an_unknown_address_gets_the_french_404_page(client, settings, db):
    settings.DEBUG = False
    response = client.get("/cette-page-n-existe-pas/")
    assert_french_dsfr_page(response, 404, "Page non trouvée", "Erreur 404", "Page d'accueil")


@raising_views
def test_a_404_never_shows_the_english_message_of_the_exception(client, db):
    response = client.get("/essai/absent/")
    assert_french_dsfr_page(response, 404, "Page non trouvée")
    assert "No Dossier matches" not in text(response)


@raising_views
def test_a_refused_permission_gets_the_french_403_page(client, db, applicant):
    client.force_login(applicant)
    response = client.get("/essai/interdit/")
    assert_french_dsfr_page(response, 403, "Accès refusé", "Erreur 403")


@raising_views
def test_a_suspicious_request_gets_the_french_400_page(client, db):
    response = client.get("/essai/suspect/", HTTP_REFERER="http://testserver/appels/")
    assert_french_dsfr_page(
        response, 400, "Requête invalide", "rien n'a été enregistré", 'href="http://testserver/appels/"'
    )


@raising_views
def test_the_back_link_never_leads_to_another_site(client, db):
    response = client.get("/essai/suspect/", HTTP_REFERER="https://ailleurs.example/piege/")
    assert "ailleurs.example" not in text(response)


@raising_views
def test_a_crash_gets_the_french_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/essai/panne/")
    assert_french_dsfr_page(response, 500, "Erreur inattendue", "Erreur 500", "intact")


def test_the_500_page_renders_without_request_context_and_without_the_database():
    # No database fixture here: any query would fail the test.
    response = server_error(RequestFactory().get("/"))
    assert_french_dsfr_page(response, 500, "Erreur inattendue")
    assert "Erreur inattendue" in loader.get_template("500.html").render()


@raising_views
def test_a_crash_during_an_autosave_answers_json_in_french(db):
    client = Client(raise_request_exception=False)
    response = client.get("/essai/panne/", **AUTOSAVE)
    assert response.status_code == 500
    answer = response.json()
    assert answer["saved"] is False
    assert "Vos saisies restent dans la page" in answer["message"]


# -- the expired form (CSRF) ---------------------------------------------------------------------------------------
def test_an_expired_form_gets_a_french_page_that_says_nothing_was_saved(demo_draft, applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    before = content_of(demo_draft)
    response = client.post(
        step_url(demo_draft), {"diagnostic": "écrasé"}, HTTP_REFERER=f"http://testserver{step_url(demo_draft)}"
    )
    assert_french_dsfr_page(
        response, 403, "La page a expiré", "rien n'a été enregistré", "Revenir à la page précédente"
    )
    assert f'href="http://testserver{step_url(demo_draft)}"' in text(response)
    assert content_of(demo_draft) == before


def test_an_expired_autosave_answers_json_in_french(demo_draft, applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post(step_url(demo_draft), {"diagnostic": "écrasé"}, **AUTOSAVE)
    assert response.status_code == 403
    answer = response.json()
    assert answer["saved"] is False
    assert "La page a expiré" in answer["message"]


# -- malformed bodies ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("enforce_csrf", [False, True], ids=["read-by-the-view", "read-by-the-csrf-check"])
def test_a_body_over_the_size_limit_gets_the_french_400_page_and_changes_nothing(
    settings, demo_draft, applicant, enforce_csrf
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(applicant)
    client.get(step_url(demo_draft))  # the CSRF cookie, so that the check reads the body
    before = content_of(demo_draft)
    response = client.post(step_url(demo_draft), {"diagnostic": "x" * 20_000})
    assert_french_dsfr_page(response, 400, "Requête invalide", "trop volumineux")
    assert content_of(demo_draft) == before


def test_an_oversize_autosave_answers_json_400_in_french(settings, owner_client, demo_draft):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = content_of(demo_draft)
    response = owner_client.post(step_url(demo_draft), {"diagnostic": "x" * 20_000}, **AUTOSAVE)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    answer = json.loads(response.content)
    assert answer["saved"] is False
    assert "Rien n'a été modifié" in answer["message"]
    assert content_of(demo_draft) == before


def test_too_many_fields_get_the_french_400_page(settings, owner_client, demo_draft):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    before = content_of(demo_draft)
    response = owner_client.post(step_url(demo_draft), {f"champ{i}": "x" for i in range(60)})
    assert_french_dsfr_page(response, 400, "Requête invalide")
    assert content_of(demo_draft) == before


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=", b"--\r\nrien\r\n"),
        ("multipart/form-data", b"pas de frontiere"),
    ],
    ids=["empty-boundary", "no-boundary"],
)
def test_a_multipart_body_without_a_usable_boundary_gets_the_french_400_page(
    owner_client, demo_draft, content_type, body
):
    before = content_of(demo_draft)
    response = owner_client.generic("POST", step_url(demo_draft), body, content_type=content_type)
    assert_french_dsfr_page(response, 400, "Requête invalide")
    assert content_of(demo_draft) == before


def test_a_truncated_multipart_body_reads_as_a_form_without_its_version_and_is_refused_as_stale(
    owner_client, demo_draft
):
    """The part that survives carries no ``lock_version``: the step answers 409 with the stale message, writes nothing."""
    before = content_of(demo_draft)
    body = b"--abc\r\nContent-Disposition: form-data\r\n\r\nx\r\n--abc"
    response = owner_client.generic(
        "POST", step_url(demo_draft), body, content_type="multipart/form-data; boundary=abc"
    )
    assert response.status_code == 409
    assert "Cette étape a été modifiée par" in text(response)
    assert content_of(demo_draft) == before


@pytest.mark.parametrize(
    "body",
    [b"diagnostic=%FF%FE%FD&lock_version=abc", b"diagnostic=\xff\xfe\xfd", b"diagnostic=%E9t%C3&%%%=%zz&="],
    ids=["percent-encoded-bytes", "raw-bytes", "broken-percent-encoding"],
)
def test_invalid_utf8_or_percent_encoding_never_gives_a_500(owner_client, demo_draft, body):
    before = content_of(demo_draft)
    for headers in ({}, AUTOSAVE):
        response = owner_client.generic(
            "POST", step_url(demo_draft), body, content_type="application/x-www-form-urlencoded", **headers
        )
        assert response.status_code < 500
    assert content_of(demo_draft) == before


def test_a_malformed_multipart_autosave_answers_json_400(owner_client, demo_draft):
    response = owner_client.generic(
        "POST", step_url(demo_draft), b"pas de frontiere", content_type="multipart/form-data", **AUTOSAVE
    )
    assert response.status_code == 400
    assert response.json()["saved"] is False


@pytest.mark.engine
def test_a_nul_character_in_a_filter_or_a_form_is_a_french_400_never_a_database_error(client, settings):
    """PostgreSQL refuses NUL in text: a raw filter passing it to a query was a 500 (found by the fuzz on CI)."""
    from django.urls import reverse

    settings.DEBUG = False
    response = client.get(reverse("calls:index"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert_french_dsfr_page(response, 400, "Requête invalide")
    form_encoded = "application/x-www-form-urlencoded"
    response = client.post(reverse("accounts:login"), "username=x%00&password=y", content_type=form_encoded)
    assert response.status_code == 400
