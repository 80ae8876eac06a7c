"""The convention template in the administration (ADR 0030): a body that could leak is refused on save with French
messages and no new version; a safe body becomes the next version; the admin pages keep the security headers."""

import pytest
from django.urls import reverse

from pactes.agreements.models import AgreementTemplate

pytestmark = pytest.mark.django_db

MALICIOUS = '<link rel="attachment" href="file:///proc/self/environ"><p>{{ agreement.created_by.password|safe }}</p>'


def test_the_administration_refuses_a_template_that_could_leak_in_french(client, draft_agreement, accounts):
    client.force_login(accounts["admin"])
    call = draft_agreement.dossier.call
    before = AgreementTemplate.objects.filter(call=call).count()
    response = client.post(
        reverse("admin:agreements_agreementtemplate_add"), {"call": call.pk, "body": MALICIOUS, "note": "essai"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "L&#x27;élément HTML &lt;link&gt; n&#x27;est pas autorisé" in page
    assert "Le filtre « |safe » n&#x27;est pas autorisé" in page
    assert AgreementTemplate.objects.filter(call=call).count() == before


def test_a_safe_template_saved_in_the_administration_becomes_the_current_version(client, draft_agreement, accounts):
    client.force_login(accounts["admin"])
    call = draft_agreement.dossier.call
    body = "<h1>Convention</h1><p>{{ dossier.reference }} — {{ awarded|euros }}</p>"
    response = client.post(
        reverse("admin:agreements_agreementtemplate_add"), {"call": call.pk, "body": body, "note": "sobre"}
    )
    assert response.status_code == 302
    current = AgreementTemplate.objects.get(call=call, is_current=True)
    assert current.body == body and current.created_by == accounts["admin"]
