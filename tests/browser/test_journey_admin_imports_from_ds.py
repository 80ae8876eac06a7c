"""Journey (issue 14): an administrator imports the dossiers of a démarches simplifiées procedure into the 2024 call.

Against the fake DS of the tests (``tests/ds/fake_ds.py``: DS's GraphQL schema, the recorded procedure 84512). As the
administrator (``admin@demo.test``), from the call's page I open « Importer depuis démarches simplifiées », give the
procedure number, read the proposed mapping (a mandatory champ is not mapped: the page says so), mark it « Ne pas
importer », preview the import (nothing is written), then import: the report lists the six dossiers, and the page of
an imported dossier links to it on DS. A running import shows a progress bar that follows the run until its report.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from pactes.dossiers.models import Dossier
from pactes.ds.models import ImportRun, Procedure, RunStatus
from tests.browser.login import log_in
from tests.ds.fake_ds import TOKEN

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = "admin@demo.test"


@pytest.fixture
def ds_settings(fake_ds, settings):
    settings.DS_API_URL = fake_ds.url
    settings.DS_API_TOKEN = TOKEN
    return fake_ds


def test_admin_previews_then_imports_a_ds_procedure(
    page: Page, live_server, reference_data, demo_accounts, real_call, ds_settings
):
    log_in(page, ADMIN)
    page.goto(f"/appels/{real_call.slug}/")
    page.get_by_role("link", name="Importer depuis démarches simplifiées").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer depuis démarches simplifiées")

    page.get_by_label("Numéro de la démarche").fill("84512")
    page.get_by_role("button", name="Lire la démarche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Démarche n° 84512 : correspondance des champs")
    expect(page.get_by_role("heading", name="Champs obligatoires non rattachés")).to_be_visible()
    engagement = page.get_by_label("Champ de Pactes pour « Engagement sur l'honneur du porteur »")
    expect(engagement).to_have_value("")
    expect(page.get_by_label("Champ de Pactes pour « Intitulé du projet »")).to_have_value("title")
    engagement.select_option("ignore")

    page.get_by_role("button", name="Simuler l'import (aperçu)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Simulation de la démarche n° 84512")
    expect(page.get_by_role("cell", name="serait créé")).to_have_count(6)
    assert not Dossier.objects.exists()

    page.get_by_role("link", name="Revenir à la correspondance des champs").click()
    expect(page.get_by_label("Champ de Pactes pour « Engagement sur l'honneur du porteur »")).to_have_value("ignore")
    page.get_by_role("button", name="Importer les dossiers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import de la démarche n° 84512")
    expect(page.get_by_role("cell", name="créé", exact=True)).to_have_count(6)

    page.get_by_role("link", name=re.compile(r"^PTS-2024-")).first.click()
    link = page.get_by_role("link", name="voir le dossier n° 1001 sur démarches simplifiées")
    expect(link).to_have_attribute("href", re.compile(r"/procedures/84512/dossiers/1001$"))


def test_a_running_import_shows_its_progress_until_its_report(
    page: Page, live_server, reference_data, demo_accounts, real_call, ds_settings
):
    procedure = Procedure.objects.create(call=real_call, number=84512, api_url=ds_settings.url)
    run = ImportRun.objects.create(procedure=procedure, status=RunStatus.RUNNING, processed=1, total=4)
    log_in(page, ADMIN)

    page.goto(f"/import-ds/imports/{run.pk}/")
    bar = page.get_by_label("Avancement")
    expect(bar).to_have_attribute("value", "25")
    ImportRun.objects.filter(pk=run.pk).update(processed=3)
    expect(bar).to_have_attribute("value", "75")
    expect(page.get_by_text("En cours : 3 dossiers traités sur 4.")).to_be_visible()

    report = {"created": [], "updated": [], "unchanged": [], "skipped": [{"ds_number": 1006, "reasons": ["motif"]}],
              "unmapped_champs": []}  # fmt: skip
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, processed=4, report=report)
    expect(page.get_by_role("heading", name="Rapport")).to_be_visible()
    expect(page.get_by_role("cell", name="écarté")).to_be_visible()
