"""Two agents recording a payment on the same convention at the same moment, in two real transactions: each
payment fits the remaining amount alone, both together exceed the award. The row lock of ``payment_record``
(``select_for_update`` on the convention) serialises them, so the second re-reads the payments and is refused.
PostgreSQL only: SQLite has no row locks (the stale-copy test of test_engagement_and_payments covers its one
writer at a time)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from pactes.agreements.models import Agreement, Payment
from pactes.agreements.services import PaymentRefused, payment_record
from pactes.territories.testing import load_reference_data

pytestmark = [
    pytest.mark.engine,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="verrous de ligne : PostgreSQL seulement"),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    return load_reference_data()


def test_two_simultaneous_payments_never_exceed_the_award(engaged_agreement, accounts):
    agents = [accounts["instructeur.09"], accounts["dreets"]]
    pages = [Agreement.objects.get(pk=engaged_agreement.pk) for _ in agents]
    barrier = threading.Barrier(len(agents))
    outcomes: list[str] = []

    def record(page: Agreement, agent) -> None:
        try:
            barrier.wait(timeout=10)
            payment_record(
                agreement=page, amount=Decimal("30000"), paid_on=timezone.localdate(), reference="DP", by=agent
            )
            outcomes.append("enregistré")
        except PaymentRefused as exc:
            outcomes.append(exc.reasons[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=pair) for pair in zip(pages, agents, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["PAYMENT_OVER_AWARD", "enregistré"]
    assert sum(p.amount for p in Payment.objects.filter(agreement=engaged_agreement)) == Decimal("30000.00")
