"""The page benchmark's generator (benchmarks/pages/generator.py) at 50 dossiers: every state, the records each
state implies, the database constraints, the cache key."""

import pytest
from django.db import transaction
from django.db.models import Count

from benchmarks.pages import generator
from pactes.agreements.models import Agreement, Payment
from pactes.assessment.models import CriterionScore, Proposal, ScoreSheet
from pactes.calls.models import Call
from pactes.committee.models import CommitteeDecision, CommitteeSession
from pactes.committee.selectors import session_agenda_dossiers
from pactes.dossiers.models import Action, Dossier, DossierTransitionLog, DossierVersion, ImpactMeasure
from pactes.followup.models import IndicatorMeasurement, Report
from pactes.instruction.models import ComplementRequest
from pactes.rules.lifecycle import DossierState

N = 50


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Generated once for the module, in a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generator.generate(N)
        transaction.set_rollback(True)


def test_plan_has_every_state_and_n_dossiers():
    for n in (13, 50, 20_000):
        plan = generator.state_plan(n)
        assert len(plan) == n
        assert set(plan) == {s.value for s in DossierState}
    plan = generator.state_plan(20_000)
    assert plan.count("transmis") == 2_000  # the committee's agenda of 2 000 items
    assert sum(plan.count(s) for s in ("retenu", "solde", "non_retenu", "ajourne")) == 4_000  # the PV's decisions


def test_cache_key_depends_on_the_volume_and_is_stable():
    assert generator.source_hash(50) == generator.source_hash(50)
    assert generator.source_hash(50) != generator.source_hash(2_000)


def test_every_state_is_present_with_five_actions_each(db, generated):
    states = dict(Dossier.objects.values_list("state").annotate(n=Count("pk")))
    assert set(states) == {s.value for s in DossierState}
    assert sum(states.values()) == N
    assert generated.states == {s: states[s] for s in states}
    per_dossier = set(Action.objects.values("dossier").annotate(n=Count("pk")).values_list("n", flat=True))
    assert per_dossier == {generator.ACTIONS_PER_DOSSIER}
    assert ImpactMeasure.objects.count() == N * generator.ACTIONS_PER_DOSSIER
    assert generator.is_generated()


def test_rows_satisfy_the_model_constraints(db, generated):
    models = [Dossier, Agreement, CommitteeDecision, CommitteeSession, Report, ComplementRequest, Payment, Proposal]
    for model in models:
        for row in model.objects.all():
            row.validate_constraints()


def test_each_state_has_the_records_its_path_implies(db, generated):
    call = Call.objects.get(slug=generator.CALL_SLUG)
    criteria = {c.code for c in call.rules.criteria}
    for dossier in Dossier.objects.all():
        state = dossier.state
        versions = DossierVersion.objects.filter(dossier=dossier)
        last = DossierTransitionLog.objects.filter(dossier=dossier).order_by("at", "pk").last()
        if state == "brouillon":
            assert not versions.exists() and last is None
            continue
        assert versions.count() == 1
        assert last.to_state == state
        assert ComplementRequest.objects.filter(dossier=dossier, answered_at=None).exists() == (
            state == "complements_demandes"
        )
        has_proposal = Proposal.objects.filter(dossier=dossier).exists()
        assert has_proposal == (state in generator.EVALUATED)
        if has_proposal:
            sheet = ScoreSheet.objects.get(dossier=dossier)
            assert set(CriterionScore.objects.filter(sheet=sheet).values_list("criterion", flat=True)) == criteria
        assert CommitteeDecision.objects.filter(dossier=dossier).exists() == (state in generator.DECIDED)
        assert Agreement.objects.filter(dossier=dossier).exists() == (state in generator.RETAINED)
    closed = CommitteeSession.objects.get(state="close")
    planned = CommitteeSession.objects.get(state="planifiee")
    assert session_agenda_dossiers(closed).count() == Dossier.objects.filter(state__in=generator.DECIDED).count()
    assert set(session_agenda_dossiers(planned).values_list("state", flat=True)) == {"transmis"}
    assert Report.objects.filter(state="valide", kind="final").count() == Dossier.objects.filter(state="solde").count()
    assert IndicatorMeasurement.objects.exists()
