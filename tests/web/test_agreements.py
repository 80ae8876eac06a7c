"""The convention pages through the client: scope (404 outside it, login for anonymous), the instructor's journey
(generate, send, signed scan, State signature, EJ, payment) and what an applicant may not do."""

import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pactes.agreements.models import Agreement, Payment
from pactes.agreements.services import agreement_transition
from pactes.web.agreements import forms

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail(agreement_or_dossier) -> str:
    dossier_id = getattr(agreement_or_dossier, "dossier_id", None) or agreement_or_dossier.pk
    return reverse("agreements:detail", args=[dossier_id])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_anonymous_visitors_are_sent_to_the_login_page(draft_agreement, client):
    for url in (reverse("agreements:index"), detail(draft_agreement)):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/" in response["Location"]


def test_an_instructor_of_another_departement_gets_404_on_an_ariege_convention(engaged_agreement, accounts, client):
    client.force_login(accounts["instructeur.11"])
    dossier_id = engaged_agreement.dossier_id
    assert client.get(detail(engaged_agreement)).status_code == 404
    assert client.get(reverse("agreements:download", args=[dossier_id, "pdf"])).status_code == 404
    response = client.post(
        reverse("agreements:payment", args=[dossier_id]),
        {"amount": "100", "paid_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()
    index = client.get(reverse("agreements:index"))
    assert engaged_agreement.dossier.reference not in index.content.decode()


def test_applicants_see_their_convention_only_once_sent_and_never_another_one(draft_agreement, accounts, client):
    client.force_login(accounts["porteur.ariege"])
    assert client.get(detail(draft_agreement)).status_code == 404  # a draft is internal
    agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
    page = client.get(detail(draft_agreement))
    assert page.status_code == 200
    assert "Déposer la convention signée" in page.content.decode()
    pdf = client.get(reverse("agreements:download", args=[draft_agreement.dossier_id, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("agreements:index")).status_code == 404
    client.force_login(accounts["porteur.aude"])
    assert client.get(detail(draft_agreement)).status_code == 404
    assert client.get(reverse("agreements:download", args=[draft_agreement.dossier_id, "pdf"])).status_code == 404


def test_an_applicant_may_neither_pay_nor_engage_nor_sign_for_the_state(signed_agreement, accounts, client):
    client.force_login(accounts["porteur.ariege"])
    dossier_id = signed_agreement.dossier_id
    today = timezone.localdate().isoformat()
    assert (
        client.post(reverse("agreements:payment", args=[dossier_id]), {"amount": "100", "paid_on": today}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("agreements:commitment", args=[dossier_id]), {"number": "2103456789", "date": today}
        ).status_code
        == 403
    )
    response = client.post(
        reverse("agreements:transition", args=[dossier_id, "terminate"]),
        {"terminate-reason": "Je résilie."},
        follow=True,
    )
    assert any("Votre rôle ne permet pas" in m for m in messages_of(response))
    signed_agreement.refresh_from_db()
    assert signed_agreement.state == "signee" and not signed_agreement.has_commitment
    assert not Payment.objects.exists()


def test_the_instructor_generates_sends_records_signatures_engagement_and_payment(
    retained_dossier,
    accounts,
    client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    dossier = retained_dossier["09"]
    instructor, applicant = accounts["instructeur.09"], accounts["porteur.ariege"]
    today = timezone.localdate().isoformat()
    client.force_login(instructor)
    page = client.get(detail(dossier))
    assert "Générer la convention" in page.content.decode()
    client.post(reverse("agreements:generate", args=[dossier.pk]))
    agreement = Agreement.objects.get(dossier=dossier)
    assert agreement.state == "brouillon" and agreement.pdf_file and agreement.docx_file
    docx = client.get(reverse("agreements:download", args=[dossier.pk, "docx"]))
    assert docx.status_code == 200 and docx["Content-Type"].endswith("wordprocessingml.document")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agreements:transition", args=[dossier.pk, "send"]), {"send-on": today})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [applicant.email]

    client.force_login(applicant)
    refused = client.post(
        reverse("agreements:signed_scan", args=[dossier.pk]),
        {"file": SimpleUploadedFile("signee.pdf", b"GIF89a pas un pdf")},
        follow=True,
    )
    assert any("n'est pas un PDF valide" in m for m in messages_of(refused))
    client.post(reverse("agreements:signed_scan", args=[dossier.pk]), {"file": SimpleUploadedFile("signee.pdf", PDF)})
    agreement.refresh_from_db()
    assert agreement.state == "signee_porteur"

    client.force_login(instructor)
    client.post(reverse("agreements:transition", args=[dossier.pk, "sign"]), {"sign-on": today})
    agreement.refresh_from_db()
    assert agreement.state == "signee" and agreement.state_signed_on == timezone.localdate()

    bad = client.post(
        reverse("agreements:commitment", args=[dossier.pk]), {"number": "21-034", "date": today}, follow=True
    )
    assert any("10 chiffres" in m for m in messages_of(bad))
    client.post(reverse("agreements:commitment", args=[dossier.pk]), {"number": "2103456789", "date": today})
    agreement.refresh_from_db()
    assert agreement.commitment_number == "2103456789"

    over = client.post(
        reverse("agreements:payment", args=[dossier.pk]),
        {"amount": "40 000,01", "paid_on": today, "reference": "DP-1"},
        follow=True,
    )
    assert any("dépasse ce qui reste à verser" in m for m in messages_of(over))
    client.post(
        reverse("agreements:payment", args=[dossier.pk]),
        {"step_code": "avance", "amount": "20 000", "paid_on": today, "reference": "DP-1"},
    )
    [payment] = Payment.objects.all()
    assert (payment.amount, payment.step_code, payment.accounting_year) == (
        Decimal("20000.00"),
        "avance",
        timezone.localdate().year,
    )
    page = client.get(detail(dossier)).content.decode()
    assert "Historique" in page and "Signée (en vigueur)" in page

    client.force_login(accounts["dreets"])
    index = client.get(reverse("agreements:index"))
    rows = {r.dossier.reference: r for r in index.context["rows"]}
    assert rows[dossier.reference].paid == Decimal("20000.00")
    assert rows[dossier.reference].remaining == Decimal("20000.00")
    assert rows[retained_dossier["11"].reference].agreement is None


def test_a_bad_amount_gets_a_french_message_and_records_nothing(engaged_agreement, accounts, client):
    client.force_login(accounts["instructeur.09"])
    response = client.post(
        reverse("agreements:payment", args=[engaged_agreement.dossier_id]),
        {"amount": "vingt mille", "paid_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert messages_of(response) and not Payment.objects.exists()


def test_the_convention_page_reads_its_payments_once_whatever_their_number(engaged_agreement, accounts, client):
    client.force_login(accounts["instructeur.09"])
    instructor = accounts["instructeur.09"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail(engaged_agreement)).status_code == 200
        return len(captured.captured_queries)

    one = queries()
    for amount in ("100", "200", "300"):
        Payment.objects.create(
            agreement=engaged_agreement,
            amount=Decimal(amount),
            paid_on=timezone.localdate(),
            accounting_year=timezone.localdate().year,
            recorded_by=instructor,
        )
    assert queries() == one
    page = client.get(detail(engaged_agreement)).content.decode()
    assert page.count(f"<td>{html.escape(str(instructor))}</td>") == 3  # who recorded each payment


def test_the_forms_of_the_convention_page_are_the_ones_django_renders(engaged_agreement, accounts, client):
    today = timezone.localdate()
    form = forms.PaymentForm(steps=[("avance", "Avance")], initial={"paid_on": today})
    assert forms.unbound_html(form) == str(form)
    assert forms.unbound_html(forms.PaymentForm(steps=[("avance", "Avance")], initial={"paid_on": today})) == str(form)
    other = forms.PaymentForm(steps=[("solde", "Solde")], initial={"paid_on": today})
    assert forms.unbound_html(other) == str(other) != str(form)
    with pytest.raises(ValueError):
        forms.unbound_html(forms.PaymentForm({"amount": "1"}, steps=[]))
    client.force_login(accounts["instructeur.09"])
    page = client.get(detail(engaged_agreement)).content.decode()
    commitment = forms.CommitmentForm(initial={"number": "2103456789", "date": today})
    assert str(commitment) in page
