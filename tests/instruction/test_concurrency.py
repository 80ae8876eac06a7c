"""Two instructors firing a transition on the same dossier at the same moment, in two real transactions: the row
lock (``select_for_update``) serialises them and the second sees that the state changed. PostgreSQL only: SQLite
has no row locks (its one writer at a time is tested by the stale-object test of test_services)."""

import threading

import pytest
from django.db import connection

from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.dossiers.services import TransitionRefused, dossier_transition
from pactes.rules.lifecycle import DossierState
from tests.accounts.fixtures import bare_filed_dossiers

pytestmark = [
    pytest.mark.engine,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="verrous de ligne : PostgreSQL seulement"),
]


def test_two_instructors_in_two_transactions_cannot_both_win(call, demo_accounts, django_user_model):
    instructor = django_user_model.objects.get(email="instructeur.09@demo.test")
    [dossier] = [d for d in bare_filed_dossiers(call) if d.departement.code == "09"]
    dossier_transition(dossier=dossier, transition="start_review", by=instructor)
    moves = [("declare_admissible", ""), ("declare_inadmissible", "Pièces manquantes.")]
    loaded = [Dossier.objects.get(pk=dossier.pk) for _ in moves]  # both pages read « en instruction »
    barrier = threading.Barrier(len(moves))
    outcomes: list[str] = []

    def fire(page: Dossier, move: str, reason: str) -> None:
        try:
            barrier.wait(timeout=10)
            dossier_transition(dossier=page, transition=move, by=instructor, reason=reason)
            outcomes.append("gagné")
        except TransitionRefused as exc:
            outcomes.append(exc.reasons[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=fire, args=(page, *move)) for page, move in zip(loaded, moves, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["STATE_CHANGED", "gagné"]
    dossier.refresh_from_db()
    assert dossier.state in {DossierState.ADMISSIBLE, DossierState.INADMISSIBLE}
    decisions = DossierTransitionLog.objects.filter(dossier=dossier, from_state=DossierState.UNDER_REVIEW)
    assert decisions.count() == 1 and decisions.get().to_state == dossier.state
