"""How long the call's rules take on one dossier, and the instruction queue on many (one département, the region)."""

import datetime as dt
import json
import os
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.dossiers.interchange import check_document, document_to_input
from pactes.dossiers.models import Dossier, ResourceLine
from pactes.instruction.selectors import QueueFilters, dossier_queue, state_counts
from pactes.organisations.models import Organisation
from pactes.rules.call_config import CallConfig
from pactes.rules.dossier import check_dossier
from pactes.territories.models import Departement, Epci

EXAMPLE = Path(settings.BASE_DIR) / "pactes" / "dossiers" / "interchange" / "exemple-dossier.json"
VOLUME = int(os.environ.get("PACTES_BENCH_DOSSIERS", "2000"))
STATES = ["depose", "en_instruction", "recevable", "evalue", "transmis", "retenu"]


def test_bench_rules_of_one_dossier_without_database(benchmark):
    config = CallConfig.from_yaml((settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml").read_text())
    document = json.loads(EXAMPLE.read_text())
    eligible = frozenset({"200067940"})

    def run():
        data = document_to_input(document, config=config, eligible_sirens=eligible, commune_epci={})
        return check_dossier(data, config)

    assert benchmark(run).ok


@pytest.mark.django_db
def test_bench_dossier_check_with_database(benchmark):
    call_command("load_calls", stdout=StringIO())
    call_command("build_indicative_list", "pts-occitanie-2024", stdout=StringIO())
    document = json.loads(EXAMPLE.read_text())
    verdict, _summary = benchmark(check_document, document)
    assert verdict.ok


@pytest.fixture
def many_dossiers(db):
    call_command("load_calls", stdout=StringIO())
    call = Call.objects.get(slug="pts-occitanie-2024")
    author = User.objects.create_user("bench@pactes.test", "x" * 12, role=Role.APPLICANT)
    departements = list(Departement.objects.order_by("code"))
    epcis = {d.code: list(Epci.objects.filter(main_departement_code=d.code)[:5]) for d in departements}
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Association {i}", kind="association") for i in range(100)
    )
    now = timezone.now()
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            call=call,
            organisation=organisations[i % len(organisations)],
            reference=f"PTS-BENCH-{i:06d}",
            title=f"Projet {i}",
            departement=departements[i % len(departements)],
            state=STATES[i % len(STATES)],
            created_by=author,
            submitted_at=now - dt.timedelta(minutes=i),
        )
        for i in range(VOLUME)
    )
    through = Dossier.epcis.through
    through.objects.bulk_create(
        through(dossier_id=d.pk, epci_id=epcis[d.departement.code][i % len(epcis[d.departement.code])].pk)
        for i, d in enumerate(dossiers)
        if epcis[d.departement.code]
    )
    ResourceLine.objects.bulk_create(
        ResourceLine(dossier=d, kind="state_pts", amount=Decimal(20000 + i % 42000), funder="État")
        for i, d in enumerate(dossiers)
    )
    return departements


def _first_page(user):
    filters = QueueFilters()
    return list(dossier_queue(user, filters)[:50]), state_counts(user, filters)


def test_bench_instruction_queue_of_one_departement(benchmark, many_dossiers):
    instructor = User.objects.create_user(
        "ddets@pactes.test", "x" * 12, role=Role.INSTRUCTOR, departement=many_dossiers[0]
    )
    rows, counts = benchmark(_first_page, instructor)
    assert len(rows) == 50 and sum(n for _state, n in counts) >= VOLUME // len(many_dossiers) - 1


def test_bench_instruction_queue_of_the_region(benchmark, many_dossiers):
    dreets = User.objects.create_user("dreets-bench@pactes.test", "x" * 12, role=Role.DREETS)
    rows, counts = benchmark(_first_page, dreets)
    assert len(rows) == 50 and sum(n for _state, n in counts) == VOLUME
