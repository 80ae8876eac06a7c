"""The consolidated figures computed by the database (GROUP BY) are exactly those the former Python loops computed
(``tests/followup/legacy_consolidation.py``): indicators by measure, public and département, execution by
département and in total, on the demo dossiers made varied (units written with spaces or blank, several publics,
a priority without measure of the Pacte, a settled project)."""

import datetime as dt
from decimal import Decimal

import pytest

from pactes.dossiers.models import Action, ImpactMeasure
from pactes.dossiers.services import dossier_transition
from pactes.followup.consolidation import execution_of, indicator_groups, public_label
from pactes.followup.selectors import followed_dossiers_visible_to
from pactes.followup.services import measurement_record
from tests.followup.legacy_consolidation import legacy_execution_of, legacy_indicator_groups, legacy_public_label

pytestmark = pytest.mark.django_db


def _groups(groups):
    return [
        (g.key, g.label, g.unit, g.projects, g.indicators, g.measured, g.baseline, g.target, g.latest) for g in groups
    ]


def _rows(execution):
    return [
        (r.label, r.projects, r.awarded, r.engaged, r.paid, r.reversed, r.remaining_to_pay, r.unspent)
        for r in (*execution.rows, execution.total)
    ]


@pytest.fixture
def varied(paid_agreement, retained_dossier, accounts):
    """Measures of every shape on both followed dossiers, some measured twice (the latest counts)."""
    for code, dossier in retained_dossier.items():
        action = Action.objects.filter(dossier=dossier).order_by("pk").first()
        publics = [["familles_monoparentales", "jeunes"], [], ["jeunes"]]
        for n, unit in enumerate(["familles", "  familles ", "", "personnes"]):
            extra = Action.objects.create(
                dossier=dossier,
                priority=action.priority,
                position=10 + n,
                title=f"Action {n}",
                publics=publics[n % 3],
                start=action.start,
                end=action.end,
            )
            measure = ImpactMeasure.objects.create(
                action=extra,
                indicator=f"Indicateur {n}",
                unit=unit,
                baseline=Decimal(n) if n != 1 else None,
                target=Decimal("10.50") * (n + 1) if n != 2 else None,
            )
            if n % 2 == 0:
                for days, value in ((30, "3.25"), (60, str(n + 7))):
                    measurement_record(
                        measure=measure,
                        value=Decimal(value),
                        measured_on=action.start + dt.timedelta(days=days),
                        by=accounts[f"porteur.{'ariege' if code == '09' else 'aude'}"],
                    )
    return retained_dossier


def _compare(dossiers):
    new = indicator_groups(dossiers, public_label)
    old = legacy_indicator_groups(dossiers, legacy_public_label)
    for new_groups, old_groups in zip(new, old, strict=True):
        assert _groups(new_groups) == _groups(old_groups)
    envelope = Decimal("100000.00")
    assert _rows(execution_of(dossiers, envelope)) == _rows(legacy_execution_of(dossiers, envelope))


def test_the_grouped_figures_equal_the_former_loops_over_the_region_and_each_departement(varied, accounts):
    dossiers = followed_dossiers_visible_to(accounts["dreets"])
    assert dossiers.count() == 2
    _compare(dossiers)
    for code in ("09", "11"):
        _compare(dossiers.filter(departement__code=code))
    _compare(followed_dossiers_visible_to(accounts["instructeur.11"]))


def test_the_grouped_figures_equal_the_former_loops_once_a_project_is_settled(varied, accounts):
    dossier_transition(dossier=varied["09"], transition="settle", by=accounts["instructeur.09"])
    dossiers = followed_dossiers_visible_to(accounts["dreets"])
    _compare(dossiers)
    assert execution_of(dossiers, None).total.unspent == Decimal("20000.00")


def test_the_grouped_figures_of_no_project_are_empty_like_before(accounts, committee_call):
    dossiers = followed_dossiers_visible_to(accounts["dreets"])
    assert dossiers.count() == 0
    _compare(dossiers)
