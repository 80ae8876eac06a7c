"""« Importer depuis démarches simplifiées »: procedure, mapping, preview, background run and its progress, scoped to
administrators and the DREETS (others 404, anonymous visitors to the login page)."""

import pytest
from django.urls import reverse

from pactes.accounts.models import User
from pactes.dossiers.models import Dossier, DossierSource
from pactes.ds.models import ChampMapping, ImportRun, Procedure
from tests.ds.fake_ds import TOKEN

pytestmark = pytest.mark.django_db

NUMBER = 84512


@pytest.fixture
def ds_url(fake_ds, settings):
    settings.DS_API_URL = fake_ds.url
    settings.DS_API_TOKEN = TOKEN
    return fake_ds.url


def user(email):
    return User.objects.get(email=email)


@pytest.fixture
def admin(demo_accounts):
    return user("admin@demo.test")


@pytest.fixture
def connected(client, admin, real_call, ds_url):
    """The procedure read from the fake DS by the administrator: its proposed mapping is saved."""
    client.force_login(admin)
    response = client.post(reverse("ds:start", args=[real_call.slug]), {"number": NUMBER})
    assert response.status_code == 302
    return Procedure.objects.get(call=real_call, number=NUMBER)


def mapping_post(procedure, action, **changes):
    data = {f"champ_{m.pk}": m.target for m in procedure.mappings.all()}
    data.update(changes)
    data["action"] = action
    return data


def test_reading_a_procedure_saves_its_mapping_proposed_by_label_and_type(connected, client, real_call):
    targets = dict(ChampMapping.objects.filter(procedure=connected).values_list("label", "target"))
    assert targets["Intitulé du projet"] == "title"
    assert targets["EPCI concerné"] == "perimeter.epci"
    assert targets["Plan d'actions"] == "actions"
    assert targets["Date de début"] == "actions.start"
    assert targets["Contributions en nature (valorisation)"] == "budget.in_kind"
    assert targets["Budget prévisionnel signé"] == "ignore"
    assert targets["Engagement sur l'honneur du porteur"] == ""

    page = client.get(reverse("ds:mapping", args=[real_call.slug, NUMBER]))

    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert "Champs obligatoires non rattachés" in html and "Engagement sur l&#x27;honneur du porteur" in html
    assert "<script>" not in html and "style=" not in html


def test_a_refused_token_is_said_on_the_form_and_nothing_is_saved(client, admin, real_call, ds_url, fake_ds):
    fake_ds.token = "autre"
    client.force_login(admin)

    page = client.post(reverse("ds:start", args=[real_call.slug]), {"number": NUMBER})

    assert page.status_code == 200
    assert "HTTP 401" in page.content.decode()
    assert not Procedure.objects.exists()


def test_a_bad_number_is_refused_in_french(client, admin, real_call, ds_url):
    client.force_login(admin)

    page = client.post(reverse("ds:start", args=[real_call.slug]), {"number": "quatre"})

    assert page.status_code == 200
    assert "un nombre entier" in page.content.decode()


def test_the_preview_runs_in_the_background_and_writes_no_dossier(
    connected, client, real_call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ds:mapping", args=[real_call.slug, NUMBER]), mapping_post(connected, "preview"))

    run = ImportRun.objects.get()
    assert response.url == reverse("ds:run", args=[run.pk])
    assert run.dry_run and run.status == "done"
    assert len(run.report["created"]) == 5
    assert not Dossier.objects.exists()
    page = client.get(response.url)
    assert "serait créé" in page.content.decode()


def test_the_import_runs_with_the_edited_mapping_and_reports_at_the_end(
    connected, client, real_call, django_capture_on_commit_callbacks
):
    engagement = connected.mappings.get(label="Engagement sur l'honneur du porteur")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ds:mapping", args=[real_call.slug, NUMBER]),
            mapping_post(connected, "import", **{f"champ_{engagement.pk}": "ignore"}),
        )

    run = ImportRun.objects.get()
    assert run.status == "done" and not run.dry_run
    assert [e["ds_number"] for e in run.report["created"]] == [1001, 1002, 1003, 1004, 1005, 1006]
    assert run.report["skipped"] == []
    assert (run.processed, run.total) == (6, 6)
    assert ChampMapping.objects.get(pk=engagement.pk).target == "ignore"
    status = client.get(reverse("ds:run_status", args=[run.pk])).json()
    assert status == {"status": "done", "label": "Terminé", "processed": 6, "total": 6, "percent": 100,
                      "finished": True}  # fmt: skip
    page = client.get(response.url).content.decode()
    assert "Rapport" in page and "PTS-2024-" in page
    connected.refresh_from_db()
    assert connected.last_imported_at is not None


def test_a_running_import_shows_a_progress_bar_polled_by_a_static_script(connected, client):
    run = ImportRun.objects.create(procedure=connected, status="running", processed=2, total=6)

    html = client.get(reverse("ds:run", args=[run.pk])).content.decode()

    assert '<progress id="ds-progress-bar"' in html and 'value="33"' in html
    assert reverse("ds:run_status", args=[run.pk]) in html
    assert "pactes/ds_import.js" in html and "<script>" not in html


def test_saving_the_mapping_keeps_the_officers_choice(connected, client, real_call):
    title = connected.mappings.get(label="Intitulé du projet")

    client.post(
        reverse("ds:mapping", args=[real_call.slug, NUMBER]),
        mapping_post(connected, "save", **{f"champ_{title.pk}": "ignore"}),
    )

    title.refresh_from_db()
    assert (title.target, title.proposed) == ("ignore", False)
    assert not ImportRun.objects.exists()


def test_the_dreets_may_import_too(client, demo_accounts, real_call, ds_url):
    client.force_login(user("dreets@demo.test"))

    assert client.get(reverse("ds:start", args=[real_call.slug])).status_code == 200
    assert (
        client.get(reverse("calls:detail", args=[real_call.slug]))
        .content.decode()
        .count(reverse("ds:start", args=[real_call.slug]))
    )


@pytest.mark.parametrize(
    "email", ["porteur.ariege@demo.test", "instructeur.09@demo.test", "jury@demo.test"]
)  # fmt: skip
def test_anyone_else_gets_a_404(connected, client, real_call, email):
    run = ImportRun.objects.create(procedure=connected)
    client.force_login(user(email))

    for url in (
        reverse("ds:start", args=[real_call.slug]),
        reverse("ds:mapping", args=[real_call.slug, NUMBER]),
        reverse("ds:run", args=[run.pk]),
        reverse("ds:run_status", args=[run.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("ds:start", args=[real_call.slug]), {"number": NUMBER}).status_code == 404
    assert (
        reverse("ds:start", args=[real_call.slug])
        not in client.get(reverse("calls:detail", args=[real_call.slug])).content.decode()
    )


def test_an_anonymous_visitor_is_sent_to_the_login_page(connected, client, real_call):
    client.logout()

    response = client.get(reverse("ds:mapping", args=[real_call.slug, NUMBER]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_dossier_page_links_to_the_dossier_on_ds(connected, client, real_call, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ds:mapping", args=[real_call.slug, NUMBER]), mapping_post(connected, "import"))
    source = DossierSource.objects.get(number=1003)
    client.force_login(user("dreets@demo.test"))

    for url in (
        reverse("dossiers:detail", args=[source.dossier.reference]),
        reverse("instruction:dossier", args=[source.dossier.reference]),
    ):
        html = client.get(url).content.decode()
        assert "dossier n° 1003 de la démarche n° 84512" in html
        assert (
            f'href="http://127.0.0.1:{connected.api_url.split(":")[2].split("/")[0]}/procedures/84512/dossiers/1003"'
            in html
        )


@pytest.fixture
def imported_all(connected, client, real_call, django_capture_on_commit_callbacks):
    engagement = connected.mappings.get(label="Engagement sur l'honneur du porteur")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ds:mapping", args=[real_call.slug, NUMBER]),
            mapping_post(connected, "import", **{f"champ_{engagement.pk}": "ignore"}),
        )
    return {s.number: s.dossier for s in DossierSource.objects.select_related("dossier")}


def test_imported_dossiers_go_through_the_staff_pages_like_any_other(imported_all, client):
    retained, instructed = imported_all[1003], imported_all[1002]
    client.force_login(user("dreets@demo.test"))

    for url in (
        reverse("instruction:queue"),
        reverse("assessment:ranking"),
        reverse("committee:index"),
        reverse("agreements:index"),
        reverse("followup:index"),
        reverse("followup:consolidated"),
        reverse("agreements:detail", args=[retained.pk]),
        reverse("instruction:dossier", args=[imported_all[1005].reference]),
    ):
        assert client.get(url).status_code == 200, url
    queue = client.get(reverse("instruction:queue")).content.decode()
    assert instructed.reference in queue


def test_an_instructor_sees_the_imported_dossiers_of_its_departement_only(imported_all, client):
    aude, ariege = imported_all[1002], imported_all[1001]
    client.force_login(user("instructeur.11@demo.test"))

    assert client.get(reverse("instruction:dossier", args=[aude.reference])).status_code == 200
    assert client.get(reverse("instruction:dossier", args=[ariege.reference])).status_code == 404
    client.force_login(user("porteur.ariege@demo.test"))
    assert client.get(reverse("dossiers:detail", args=[aude.reference])).status_code == 404
