"""Follow-up pages: the carrier reports on its own actions only, the DDETS-PP of its département decides, the
DREETS sees the consolidated view; jury members and anonymous visitors see nothing."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from pactes.calls.services import call_load
from pactes.dossiers.models import Dossier, ImpactMeasure
from pactes.followup.models import IndicatorMeasurement, Report
from pactes.followup.services import LineInput, report_open, report_submit, report_update
from pactes.rules.lifecycle import DossierState

pytestmark = pytest.mark.django_db


def measure_of(dossier) -> ImpactMeasure:
    return ImpactMeasure.objects.filter(action__dossier=dossier).select_related("action").order_by("pk").first()


def test_the_carrier_enters_a_measured_value_through_the_page(client, retained_dossier, accounts):
    dossier = retained_dossier["09"]
    measure = measure_of(dossier)
    client.force_login(accounts["porteur.ariege"])
    url = reverse("followup:measurement_add", args=[dossier.reference, measure.pk])
    day = measure.action.start + dt.timedelta(days=20)
    response = client.post(url, {"value": "12,5", "measured_on": day.isoformat(), "comment": "Premier relevé"})
    assert response.status_code == 302
    assert IndicatorMeasurement.objects.get().value == Decimal("12.50")
    page = client.get(reverse("followup:dossier", args=[dossier.reference]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "12,5" in content and "<svg" in content and "Premier relevé" in content


def test_a_value_that_is_not_a_number_gets_a_french_message(client, retained_dossier, accounts):
    dossier = retained_dossier["09"]
    measure = measure_of(dossier)
    client.force_login(accounts["porteur.ariege"])
    url = reverse("followup:measurement_add", args=[dossier.reference, measure.pk])
    response = client.post(url, {"value": "douze", "measured_on": measure.action.start.isoformat()})
    assert response.status_code == 200
    assert "n&#x27;est pas un nombre" in response.content.decode()
    assert not IndicatorMeasurement.objects.exists()


def test_another_applicant_gets_404_on_the_dossier_and_its_forms(client, retained_dossier, accounts):
    dossier = retained_dossier["09"]
    measure = measure_of(dossier)
    client.force_login(accounts["porteur.aude"])
    assert client.get(reverse("followup:dossier", args=[dossier.reference])).status_code == 404
    url = reverse("followup:measurement_add", args=[dossier.reference, measure.pk])
    assert client.post(url, {"value": "3", "measured_on": measure.action.start.isoformat()}).status_code == 404
    assert client.get(reverse("followup:report", args=[dossier.reference, "final"])).status_code == 404
    assert not IndicatorMeasurement.objects.exists() and not Report.objects.exists()


def test_a_measure_of_another_dossier_is_404_even_through_the_carriers_own_dossier(
    client,
    retained_dossier,
    accounts,
):
    own, other = retained_dossier["11"], retained_dossier["09"]
    client.force_login(accounts["porteur.aude"])
    url = reverse("followup:measurement_add", args=[own.reference, measure_of(other).pk])
    assert client.get(url).status_code == 404


def test_instructor_of_another_departement_sees_nothing(client, retained_dossier, accounts):
    dossier = retained_dossier["09"]
    client.force_login(accounts["instructeur.11"])
    assert client.get(reverse("followup:dossier", args=[dossier.reference])).status_code == 404
    assert client.post(reverse("followup:report_decide", args=[dossier.reference, "final"])).status_code == 404
    index = client.get(reverse("followup:index")).content.decode()
    assert dossier.reference not in index and retained_dossier["11"].reference in index


def test_jury_and_anonymous_see_nothing(client, retained_dossier, accounts):
    dossier = retained_dossier["09"]
    response = client.get(reverse("followup:dossier", args=[dossier.reference]))
    assert response.status_code == 302 and "/compte/" in response["Location"]
    client.force_login(accounts["jury"])
    assert client.get(reverse("followup:dossier", args=[dossier.reference])).status_code == 404
    assert client.get(reverse("followup:consolidated")).status_code == 404
    assert dossier.reference not in client.get(reverse("followup:index")).content.decode()


def test_the_instructor_sees_late_reports_flagged(client, retained_dossier, accounts):
    client.force_login(accounts["instructeur.09"])
    content = client.get(reverse("followup:dossier", args=[retained_dossier["09"].reference])).content.decode()
    assert 'data-code="REPORT_LATE"' in content and "Retards de suivi" in content and "de retard" in content
    assert "(REPORT_LATE)" not in content  # the code stays an attribute (issue 15): people read the message


def test_final_report_journey_through_the_pages_ends_with_a_settled_dossier(
    client,
    paid_agreement,
    accounts,
):
    dossier = paid_agreement.dossier
    client.force_login(accounts["porteur.ariege"])
    page = client.get(reverse("followup:report", args=[dossier.reference, "final"]))
    assert page.status_code == 200 and "Compte rendu financier" in page.content.decode()
    report = Report.objects.get(dossier=dossier, kind="final")
    edit = client.get(reverse("followup:report_edit", args=[dossier.reference, "final"]))
    assert edit.status_code == 200 and "Explication de l" in edit.content.decode()
    assert dossier.reference in client.get(reverse("followup:index")).content.decode()
    data = {"qualitative_assessment": "Vingt familles accompagnées."}
    for line in report.lines.all():
        data[f"actual_{line.pk}"] = f"{line.planned}".replace(".", ",")
    assert client.post(reverse("followup:report_edit", args=[dossier.reference, "final"]), data).status_code == 302
    assert client.post(reverse("followup:report_submit", args=[dossier.reference, "final"])).status_code == 302
    report.refresh_from_db()
    assert report.state == "remis"
    client.force_login(accounts["instructeur.09"])
    response = client.post(
        reverse("followup:report_decide", args=[dossier.reference, "final"]), {"decision": "valider"}, follow=True
    )
    assert "mise en paiement du solde de 20" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RETAINED  # until the balance is paid (issue 16, case 3)
    agreement_page = client.get(reverse("agreements:detail", args=[dossier.pk])).content.decode()
    assert "Mise en paiement du solde demandée le" in agreement_page and "Enregistrer le versement" in agreement_page


def test_returning_without_motivation_is_refused_on_the_page(client, paid_agreement, accounts):
    dossier = paid_agreement.dossier
    report = report_open(dossier=dossier, kind="final", by=accounts["porteur.ariege"])
    lines = {line.pk: LineInput(actual=line.planned) for line in report.lines.all()}
    report_update(report=report, qualitative_assessment="Bilan.", lines=lines, by=accounts["porteur.ariege"])
    report_submit(report=report, by=accounts["porteur.ariege"])
    client.force_login(accounts["instructeur.09"])
    url = reverse("followup:report_decide", args=[dossier.reference, "final"])
    response = client.post(url, {"decision": "renvoyer", "motivation": ""}, follow=True)
    assert "Motivez le renvoi" in response.content.decode()
    report.refresh_from_db()
    assert report.state == "remis"
    client.force_login(accounts["porteur.ariege"])
    assert client.post(url, {"decision": "valider"}).status_code == 403


def test_the_dreets_consolidated_view_shows_the_envelope_and_filters_by_call(
    client,
    paid_agreement,
    accounts,
    committee_call,
):
    client.force_login(accounts["dreets"])
    response = client.get(reverse("followup:consolidated"), {"call": committee_call.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Enveloppe régionale" in content and "70\u202f000\u00a0€" in content and "30\u202f000\u00a0€" in content


def test_the_ddets_consolidated_view_is_limited_to_its_departement(client, paid_agreement, accounts):
    client.force_login(accounts["instructeur.11"])
    content = client.get(reverse("followup:consolidated")).content.decode()
    assert "Aude" in content and "Ariège" not in content and "Enveloppe régionale" not in content


def test_demo_figures_are_never_added_to_the_real_ones(client, paid_agreement, accounts, committee_call, settings):
    """Issue 16 (2): « Tous les appels » means the real calls only; a demo call is shown alone, labelled."""
    demo_call = call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-demo.yaml")
    demo_call.regional_envelope = Decimal("300000.00")
    demo_call.save(update_fields=["regional_envelope"])
    # The Ariège dossier (40 000 € awarded, 20 000 € paid) is moved to the demo call; the Aude one stays real.
    Dossier.objects.filter(pk=paid_agreement.dossier.pk).update(call=demo_call)
    client.force_login(accounts["dreets"])
    page = html.unescape(client.get(reverse("followup:consolidated")).content.decode())
    assert "Région Occitanie — 1 projet retenu" in page and "appels réels seulement (hors démonstration)" in page
    assert "09 — Ariège" not in page and "11 — Aude" in page
    assert "300\u202f000\u00a0€" not in page and "400\u202f000\u00a0€" not in page
    demo = html.unescape(client.get(reverse("followup:consolidated"), {"call": demo_call.pk}).content.decode())
    assert "data-demo" in demo and "300\u202f000\u00a0€" in demo and "09 — Ariège" in demo and "11 — Aude" not in demo


def test_the_list_reads_the_actions_and_reports_of_its_whole_page_at_once(client, retained_dossier, accounts):
    """One query per table for the page, not one per row (a page of 25 dossiers cost 131 queries before)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pactes.dossiers.models import Action

    client.force_login(accounts["dreets"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("followup:index")).content.decode()
    assert all(d.reference in page for d in retained_dossier.values())
    for table in (Action._meta.db_table, Report._meta.db_table, ImpactMeasure._meta.db_table):
        reads = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]
        assert len(reads) == 1, (table, len(reads))
