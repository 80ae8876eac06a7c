"""The demo's dossiers are ``pactes.dossier/1`` files imported like ``dossier_import`` imports any file, and the demo
is built only with a mailer that sends nothing."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from pactes.calls.models import Call
from pactes.demo.dossiers import DATA_DIR, PER_CALL, dated, demo_document, title_of
from pactes.demo.stages import DRAFT, STAGES, stage_titles
from pactes.dossiers.interchange import FORMAT, load_document
from pactes.dossiers.models import Dossier

DATA_FILES = sorted(DATA_DIR.glob("*.json"))
REAL = "pts-occitanie-2024"


def test_every_demo_document_has_its_file_and_every_file_is_used():
    keys = {s.key for s in STAGES} | {DRAFT} | {d.key for rows in PER_CALL.values() for d in rows}
    assert {p.stem for p in DATA_FILES} == keys


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.stem for p in DATA_FILES])
def test_each_demo_file_is_a_valid_dossier_of_the_real_call(path):
    document = load_document(path.read_bytes())
    assert document["format"] == FORMAT
    assert document["call"] == REAL
    assert "submitted_at" not in document


def test_the_stage_titles_are_distinct_so_each_dossier_is_found_again():
    titles = [*stage_titles(), title_of(DRAFT)]
    assert len(set(titles)) == len(titles)


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.stem for p in DATA_FILES])
def test_a_demo_file_is_already_dated_for_the_real_call(call, path):
    # Placed in the real call's window, the file is unchanged: `manage.py dossier_import` takes it as it is.
    document = json.loads(path.read_text(encoding="utf-8"))
    assert dated(json.loads(path.read_text(encoding="utf-8")), call) == document


def test_on_the_demonstration_call_the_actions_move_into_its_window(call):
    call_command("load_calls", stdout=io.StringIO())
    demo = Call.objects.get(is_demo=True)
    document = demo_document("corbieres", demo)
    assert document["call"] == demo.slug
    assert document["title"] == title_of("corbieres")
    for action in document["actions"]:
        assert call.rules.latest_start.isoformat() < action["start"] <= demo.rules.latest_start.isoformat()
        assert action["end"] <= demo.rules.latest_end.isoformat()


@pytest.mark.django_db
def test_setup_demo_refuses_a_mailer_that_delivers_and_creates_nothing(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    with pytest.raises(
        CommandError, match=re.escape("PACTES_MAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend")
    ):
        call_command("setup_demo", stdout=io.StringIO())
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_a_demo_file_goes_through_dossier_import_as_it_is():
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("dossier_import", str(DATA_DIR / "solde.json"), stdout=stdout, stderr=stderr)
    dossier = Dossier.objects.get(reference=stdout.getvalue().strip())
    assert (dossier.call.slug, dossier.title) == (REAL, title_of("solde"))
