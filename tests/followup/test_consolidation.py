"""The consolidated view's figures: indicators across projects and execution of the envelope, in few queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactes.dossiers.models import ImpactMeasure
from pactes.followup.consolidation import consolidation
from pactes.followup.selectors import followed_dossiers_visible_to
from pactes.followup.services import measurement_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(paid_agreement, retained_dossier, accounts):
    """The Ariège indicator measured twice (6 then 10 families); the Aude one never."""
    measure = ImpactMeasure.objects.filter(action__dossier=retained_dossier["09"]).order_by("pk").first()
    start = measure.action.start
    for days, value in ((30, "6"), (90, "10")):
        measurement_record(
            measure=measure,
            value=Decimal(value),
            measured_on=start + dt.timedelta(days=days),
            by=accounts["porteur.ariege"],
        )
    return measure


def test_execution_of_the_envelope_for_the_dreets(measured, accounts, committee_call):
    data = consolidation(
        dossiers=followed_dossiers_visible_to(accounts["dreets"]), calls=[committee_call], show_envelope=True
    )
    total = data.execution.total
    # Ariège: convention 40 000 € with EJ, 20 000 € paid; Aude: decision 30 000 €, no convention yet.
    assert (total.projects, total.awarded, total.engaged, total.paid, total.reversed) == (
        2,
        Decimal("70000.00"),
        Decimal("40000.00"),
        Decimal("20000.00"),
        Decimal("0.00"),
    )
    assert data.execution.envelope == Decimal("100000.00")
    assert data.execution.remaining == Decimal("30000.00")
    assert [row.awarded for row in data.execution.rows] == [Decimal("40000.00"), Decimal("30000.00")]
    # Both projects are open: what they may still receive, nothing unspent yet.
    assert (total.remaining_to_pay, total.unspent) == (Decimal("50000.00"), Decimal("0.00"))


def test_a_settled_project_has_nothing_left_to_pay_and_shows_what_it_did_not_consume(
    measured, accounts, committee_call, retained_dossier
):
    from pactes.dossiers.services import dossier_transition

    # The Ariège project settled after 20 000 € paid of its 40 000 € (the rest was not justified).
    dossier_transition(dossier=retained_dossier["09"], transition="settle", by=accounts["instructeur.09"])
    data = consolidation(
        dossiers=followed_dossiers_visible_to(accounts["dreets"]), calls=[committee_call], show_envelope=True
    )
    ariege = data.execution.rows[0]
    assert (ariege.remaining_to_pay, ariege.unspent) == (Decimal("0.00"), Decimal("20000.00"))
    assert data.execution.total.remaining_to_pay == Decimal("30000.00")


def test_indicators_by_measure_public_and_departement_use_the_latest_value(measured, accounts, committee_call):
    data = consolidation(
        dossiers=followed_dossiers_visible_to(accounts["dreets"]), calls=[committee_call], show_envelope=True
    )
    families = [g for g in data.by_measure if g.unit == "familles"]
    assert families and all(g.projects == 2 for g in families)
    group = families[0]
    assert (group.target, group.latest, group.measured) == (Decimal("50.00"), Decimal("10.00"), 1)
    ariege = next(g for g in data.by_departement if g.key == "09")
    assert (ariege.target, ariege.latest) == (Decimal("25.00"), Decimal("10.00"))
    assert any(g.key == "familles_monoparentales" and g.projects == 2 for g in data.by_public)


def test_a_ddets_sees_its_departement_only_and_not_the_regional_envelope(measured, accounts, committee_call):
    data = consolidation(
        dossiers=followed_dossiers_visible_to(accounts["instructeur.11"]), calls=[committee_call], show_envelope=False
    )
    assert data.execution.total.awarded == Decimal("30000.00")
    assert [g.key for g in data.by_departement] == ["11"]
    assert data.execution.envelope is None


def test_the_number_of_queries_does_not_grow_with_the_projects(measured, accounts, committee_call):
    dossiers = followed_dossiers_visible_to(accounts["dreets"])
    with CaptureQueriesContext(connection) as two_projects:
        consolidation(dossiers=dossiers, calls=[committee_call], show_envelope=True)
    with CaptureQueriesContext(connection) as one_project:
        consolidation(dossiers=dossiers.filter(departement__code="09"), calls=[committee_call], show_envelope=True)
    assert len(two_projects) == len(one_project) <= 6
