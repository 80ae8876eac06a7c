"""The convention's page read by queries compiled once (issue 12, pactes.agreements.selectors): the same dossier in the
same scope (which follows a change of the person's territory), the convention with its payments as prefetch_related
gives them, its history in order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pactes.agreements.models import Agreement
from pactes.agreements.selectors import (
    agreement_for_page,
    agreement_history,
    retained_dossier_for_page,
    retained_dossiers_visible_to,
    with_page_data,
)
from pactes.territories.models import Departement

pytestmark = pytest.mark.django_db


def test_the_convention_is_read_as_with_page_data_reads_it(paid_agreement, accounts):
    dossier = retained_dossier_for_page(accounts["instructeur.09"], paid_agreement.dossier_id)
    expected = with_page_data(Agreement.objects.filter(pk=paid_agreement.pk)).get()
    agreement = agreement_for_page(dossier)
    for field in ("pk", "state", "awarded_amount", "commitment_number", "generated_at", "pdf_file", "template_id"):
        assert getattr(agreement, field) == getattr(expected, field), field
    with CaptureQueriesContext(connection) as queries:
        payments = list(agreement.payments.all())
        assert agreement.template.version == expected.template.version
        assert [str(p.recorded_by) for p in payments] == [str(p.recorded_by) for p in expected.payments.all()]
        assert agreement.dossier is dossier and payments[0].agreement is agreement
    assert len(queries) == 0
    assert [p.pk for p in payments] == [p.pk for p in expected.payments.all()]
    assert [log.pk for log in agreement_history(agreement)] == list(expected.transitions.values_list("pk", flat=True))
    assert "body" in agreement.template.get_deferred_fields()  # the model's number, not its text


def test_the_scope_is_the_retained_dossiers_of_the_person(paid_agreement, accounts):
    pk = paid_agreement.dossier_id
    for who in ("instructeur.09", "dreets"):
        user = accounts[who]
        assert retained_dossier_for_page(user, pk) == retained_dossiers_visible_to(user).get(pk=pk)
    assert retained_dossier_for_page(accounts["instructeur.11"], pk) is None
    assert retained_dossier_for_page(accounts["jury"], pk) is None


def test_the_scope_follows_a_change_of_the_instructors_departement(paid_agreement, accounts, client):
    url = reverse("agreements:detail", args=[paid_agreement.dossier_id])
    instructor = accounts["instructeur.09"]
    client.force_login(instructor)
    assert client.get(url).status_code == 200
    instructor.departement = Departement.objects.get(code="11")
    instructor.save()
    assert client.get(url).status_code == 404
