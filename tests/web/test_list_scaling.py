"""Lists never load the world (issue 12): the queue (département and region), the instructor's dossier page,
« Mon espace », the public call page and the editor's budget step send as many queries and fetch as many rows with
2 000 dossiers in scope as with 200.

The volume is built once for the module, in a transaction rolled back at its end: the shapes (a filed dossier, a
draft, their applicant and organisation) come from the factories, the 2 000 dossiers of the same organisation and
département, their EPCI and their « subvention de l'État » lines from ``bulk_create`` (the factories would walk each
dossier through the engine: minutes, not seconds). Each test measures a page at 2 000 dossiers, then takes 1 800 of
them out of every scope (back to draft, in another organisation: an UPDATE rolled back with the test) and measures it
again at 200. The 200 kept cover every state and EPCI of the 2 000, so the lists of choices are the same.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pactes.dossiers.models import Dossier, ResourceKind, ResourceLine
from pactes.organisations.models import Organisation
from pactes.rules.lifecycle import DossierState
from pactes.territories.models import Epci
from tests.factories import DossierFactory, OrganisationFactory, UserFactory, departement, instructor_of
from tests.scaling import RowCount, count_rows

BIG, SMALL = 2000, 200
FILED_STATES = [
    DossierState.SUBMITTED,
    DossierState.UNDER_REVIEW,
    DossierState.ADMISSIBLE,
    DossierState.EVALUATED,
    DossierState.TRANSMITTED,
]
EPCI_COUNT = 8


@pytest.fixture(scope="module")
def volume(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _build() -> dict:
    filed = DossierFactory(filed=True)
    applicant, organisation, call = filed.created_by, filed.organisation, filed.call
    draft = DossierFactory(organisation=organisation, created_by=applicant, call=call)
    dept = departement("09")
    epcis = list(Epci.objects.filter(departements=dept).order_by("siren")[:EPCI_COUNT])
    start = timezone.make_aware(dt.datetime(2024, 9, 1, 10))
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            call=call,
            organisation=organisation,
            departement=dept,
            reference=f"PTS-2024-09-{5000 + i}",
            title=f"Projet en volume {i}",
            state=FILED_STATES[i % len(FILED_STATES)].value,
            submitted_at=start + dt.timedelta(minutes=i),
            created_by=applicant,
            diagnostic="Un diagnostic de plusieurs lignes. " * 50,
        )
        for i in range(BIG)
    )
    Dossier.epcis.through.objects.bulk_create(
        Dossier.epcis.through(dossier_id=d.pk, epci_id=epcis[i % len(epcis)].pk) for i, d in enumerate(dossiers)
    )
    ResourceLine.objects.bulk_create(
        ResourceLine(dossier=d, kind=ResourceKind.STATE_PTS, amount=Decimal(10_000 + i), funder="État")
        for i, d in enumerate(dossiers)
    )
    return {
        "filed": filed,
        "draft": draft,
        "applicant": applicant,
        "instructor": instructor_of("09"),
        "dreets": UserFactory(dreets=True),
        "call": call,
        "hidden": [d.pk for d in dossiers[SMALL:]],
        "elsewhere": OrganisationFactory(departement=dept),
    }


def _shrink(volume: dict) -> None:
    """1 800 of the 2 000 dossiers leave every scope: drafts of another organisation."""
    elsewhere: Organisation = volume["elsewhere"]
    Dossier.objects.filter(pk__in=volume["hidden"]).update(
        state=DossierState.DRAFT.value, submitted_at=None, organisation=elsewhere
    )


PAGES = {
    "file d'instruction, département": ("instructor", lambda v: reverse("instruction:queue")),
    "file d'instruction, région": ("dreets", lambda v: reverse("instruction:queue")),
    "file d'instruction, région, filtrée et triée par montant": (
        "dreets",
        lambda v: reverse("instruction:queue") + "?q=projet&state=en_instruction&sort=-montant&amount_min=100",
    ),
    "file d'instruction, page 3": ("instructor", lambda v: reverse("instruction:queue") + "?page=3&sort=reference"),
    "fiche d'instruction d'un dossier": (
        "instructor",
        lambda v: reverse("instruction:dossier", args=[v["filed"].reference]),
    ),
    "mon espace, porteur": ("applicant", lambda v: reverse("core:dashboard")),
    "mon espace, instructeur": ("instructor", lambda v: reverse("core:dashboard")),
    "mon espace, DREETS": ("dreets", lambda v: reverse("core:dashboard")),
    "page publique de l'appel": (None, lambda v: reverse("calls:detail", args=[v["call"].slug])),
    "éditeur, étape budget": ("applicant", lambda v: reverse("dossiers:step", args=[v["draft"].reference, "budget"])),
}


def _measure(client: Client, url: str) -> RowCount:
    with count_rows() as counted:
        response = client.get(url)
    assert response.status_code == 200, url
    return counted


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(PAGES))
def test_queries_and_rows_do_not_grow_with_the_dossiers(volume, client, page):
    role, url_of = PAGES[page]
    if role is not None:
        client.force_login(volume[role])
    url = url_of(volume)
    client.get(url)  # warm: the session, the per-process caches
    big = _measure(client, url)
    _shrink(volume)
    small = _measure(client, url)
    assert big.queries == small.queries, f"{page}: {BIG} dossiers\n{big.report()}\n{SMALL} dossiers\n{small.report()}"
    assert big.rows == small.rows, f"{page}: {BIG} dossiers\n{big.report()}\n{SMALL} dossiers\n{small.report()}"


@pytest.mark.django_db
def test_the_queue_shows_one_page_with_the_requested_grant_of_its_rows(volume, client):
    client.force_login(volume["dreets"])
    response = client.get(reverse("instruction:queue") + "?sort=reference")
    rows = response.context["rows"]
    assert len(rows) == 25
    assert response.context["page_obj"].paginator.count == BIG + 1
    first = next(r for r in rows if r.reference == "PTS-2024-09-5000")
    assert first.requested_grant == Decimal("10000.00")
    assert 'class="fr-pagination"' in response.content.decode()
