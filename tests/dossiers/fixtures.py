"""Fixtures of the filing tests, shared by the dossier, instruction and web tests (registered by tests/conftest.py):
the 2024 call with its indicative list, the demonstration call, an applicant and a complete draft built from the
interchange example; helpers to file it and read its receipt."""

import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load, eligible_list_build_indicative
from pactes.dossiers.filing import dossier_file
from pactes.dossiers.interchange import EXAMPLE_PATH, document_to_dossier, load_document
from pactes.dossiers.models import DossierVersion

PARIS = ZoneInfo("Europe/Paris")
FILING_NOW = dt.datetime(2024, 9, 27, 16, 30, tzinfo=PARIS)
AFTER_DEADLINE = dt.datetime(2024, 10, 1, 0, 0, 1, tzinfo=PARIS)
PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def real_call(db):
    call = call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    eligible_list_build_indicative(call=call)
    return call


@pytest.fixture
def demo_call(real_call):
    """The demonstration call: the real call's rules, dates shifted so that filing is open today."""
    return call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-demo.yaml")


@pytest.fixture
def applicant(db):
    return User.objects.create_user(
        "camille.roux@pactes.test", PASSWORD, role=Role.APPLICANT, first_name="Camille", last_name="Roux"
    )


def example_document(call_slug: str) -> dict:
    document = load_document(EXAMPLE_PATH.read_text(encoding="utf-8"))
    document.pop("submitted_at", None)
    document["call"] = call_slug
    return document


@pytest.fixture
def draft(real_call, applicant):
    """A complete, admissible draft of the real 2024 call (the interchange example)."""
    return document_to_dossier(example_document(real_call.slug), by=applicant)


@pytest.fixture
def demo_draft(demo_call, applicant):
    """The same dossier under the demonstration call, whose filing is open by the server's clock."""
    return document_to_dossier(example_document(demo_call.slug), by=applicant)


def pdf_text(version: DossierVersion) -> str:
    with version.receipt_pdf.open("rb") as handle:
        return subprocess.run(
            ["/usr/bin/pdftotext", "-layout", "-", "-"], input=handle.read(), capture_output=True, check=True
        ).stdout.decode("utf-8")


def file_it(draft, applicant, django_capture_on_commit_callbacks, now=FILING_NOW):
    """Files and runs what follows the commit (the receipt task runs at once in tests): the version has its PDF."""
    with django_capture_on_commit_callbacks(execute=True):
        version = dossier_file(dossier=draft, by=applicant, now=now)
    version.refresh_from_db()
    return version


# -- refused -------------------------------------------------------------------------------------------------------
