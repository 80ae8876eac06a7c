"""The regional committee through the browser's eyes: sessions, agenda and envelope, decisions with their French
errors, closing, the procès-verbal and the letters — and who may see or do what (404 outside the scope, 403 for a
jury member who may only read, the login page for anonymous visitors)."""

import html
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision, SessionState
from pactes.committee.services import decision_record, session_close
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import euros
from tests.committee.fixtures import ENVELOPE, TO_EVALUATED, TO_TRANSMITTED, walk

LOGIN_URL = reverse("accounts:login")


def text(response) -> str:
    return html.unescape(response.content.decode())


def session_url(session, name="detail"):
    return reverse(f"committee:{name}", args=[session.pk])


def dossier_url(session, dossier, name="dossier"):
    return reverse(f"committee:{name}", args=[session.pk, dossier.reference])


def post_decision(client, session, dossier, decision="retenu", amount="", motivation=""):
    return client.post(
        dossier_url(session, dossier, "decide"),
        {"decision": decision, "awarded_amount": amount, "motivation": motivation},
    )


def decide_all(session, transmitted, dreets):
    for dossier, decision, amount, motivation in (
        (transmitted["09"], Decision.RETAINED, Decimal("45000.00"), "Diagnostic précis et partenariats solides."),
        (transmitted["11"], Decision.POSTPONED, None, "Préciser le plan de financement."),
    ):
        decision_record(
            session=session, dossier=dossier, decision=decision, awarded_amount=amount, motivation=motivation, by=dreets
        )


@pytest.fixture
def closed_session(open_session, transmitted, accounts, django_capture_on_commit_callbacks):
    decide_all(open_session, transmitted, accounts["dreets"])
    with django_capture_on_commit_callbacks(execute=True):
        return session_close(session=open_session, by=accounts["dreets"])


# -- creating and running a session --------------------------------------------------------------------------------
def test_the_dreets_plans_a_session_whose_chair_defaults_to_the_call_yaml(client, accounts, committee_call):
    client.force_login(accounts["dreets"])
    page = client.get(reverse("committee:create"))
    assert page.status_code == 200
    assert committee_call.rules.committee_chair in text(page)
    response = client.post(
        reverse("committee:create"),
        {
            "call": committee_call.pk,
            "date": "2024-10-15",
            "place": "DREETS Occitanie, Toulouse",
            "chair": committee_call.rules.committee_chair,
            "members": [accounts["jury"].pk, accounts["jury2"].pk, accounts["dreets"].pk],
        },
    )
    session = CommitteeSession.objects.get()
    assert response.status_code == 302 and response["Location"] == session_url(session)
    assert session.state == SessionState.PLANNED
    assert set(session.members.all()) == {accounts["jury"], accounts["jury2"], accounts["dreets"]}


def test_planning_a_session_without_members_is_refused_in_french(client, accounts, committee_call):
    client.force_login(accounts["dreets"])
    response = client.post(
        reverse("committee:create"), {"call": committee_call.pk, "date": "", "place": "", "chair": "x", "members": []}
    )
    assert response.status_code == 200
    assert "Indiquez la date de la séance." in text(response)
    assert "Choisissez au moins un membre." in text(response)
    assert not CommitteeSession.objects.exists()


def test_opening_and_ticking_presence_reaches_the_quorum(client, planned_session, transmitted, accounts):
    client.force_login(accounts["dreets"])
    assert client.post(session_url(planned_session, "open")).status_code == 302
    page = client.get(session_url(planned_session))
    assert "Le quorum n'est pas atteint : 0 membre présent sur 3 requis." in text(page)
    client.post(
        session_url(planned_session, "attendance"),
        {"present": [accounts["dreets"].pk, accounts["jury"].pk, accounts["jury2"].pk]},
    )
    page = client.get(session_url(planned_session))
    assert "<strong>3</strong> présents sur 4 membres — quorum : 3." in text(page)
    assert "Le quorum n'est pas atteint" not in text(page)


def test_a_decision_is_refused_through_the_page_while_the_quorum_is_not_met(
    client, planned_session, transmitted, accounts
):
    client.force_login(accounts["dreets"])
    client.post(session_url(planned_session, "open"))
    response = post_decision(client, planned_session, transmitted["09"], amount="40 000")
    assert response.status_code == 200
    assert "Le quorum n'est pas atteint" in text(response)
    assert not CommitteeDecision.objects.exists()


def test_the_agenda_groups_the_transmitted_dossiers_by_departement_with_the_proposals(
    client, open_session, transmitted, accounts
):
    client.force_login(accounts["dreets"])
    page = text(client.get(session_url(open_session)))
    assert page.index("Ariège (09)") < page.index("Aude (11)")
    for dossier in transmitted.values():
        assert dossier.reference in page
    assert euros(Decimal("60000.00")) in page and euros(Decimal("50000.00")) in page
    assert "Favorable" in page and "3,20" in page


# -- the envelope through the views ------------------------------------------------------------------------------
def test_the_envelope_on_the_session_page_follows_each_decision(client, open_session, transmitted, accounts):
    client.force_login(accounts["dreets"])
    page = text(client.get(session_url(open_session)))
    assert "BOP 304 — action 23" in page
    assert f"<strong>{euros(ENVELOPE)}</strong>" in page  # remaining: nothing committed yet
    assert euros(Decimal("110000.00")) in page  # proposed: 60 000 + 50 000
    assert f"dépassement de {euros(Decimal('10000.00'))}" in page  # remaining after proposals: 10 000 over

    response = post_decision(client, open_session, transmitted["09"], amount="45 000,00", motivation="Solide.")
    assert response.status_code == 302
    fragment = text(client.get(session_url(open_session, "envelope")))
    assert f"<dd>{euros(Decimal('45000.00'))}</dd>" in fragment  # awarded in this session
    assert f"<strong>{euros(Decimal('55000.00'))}</strong>" in fragment  # remaining


def test_an_award_over_the_cap_is_refused_with_a_french_message(client, open_session, transmitted, accounts):
    client.force_login(accounts["dreets"])
    response = post_decision(client, open_session, transmitted["09"], amount="62 000,01")
    assert response.status_code == 200
    assert "dépasse le plafond de 62" in text(response)
    assert not CommitteeDecision.objects.exists()


def test_an_award_beyond_the_remaining_envelope_is_refused(client, open_session, transmitted, accounts):
    client.force_login(accounts["dreets"])
    assert post_decision(client, open_session, transmitted["09"], amount="62000").status_code == 302
    response = post_decision(client, open_session, transmitted["11"], amount="40000")
    assert response.status_code == 200
    assert "dépasse ce qui reste de l'enveloppe régionale" in text(response)
    assert euros(Decimal("38000.00")) in text(response)


def test_an_unreadable_amount_and_a_missing_motivation_are_explained(client, open_session, transmitted, accounts):
    client.force_login(accounts["dreets"])
    response = post_decision(client, open_session, transmitted["09"], amount="quarante mille")
    assert "n'est pas un montant" in text(response)
    response = post_decision(client, open_session, transmitted["09"], decision="non_retenu")
    assert "Une décision « non retenu » doit être motivée." in text(response)
    response = post_decision(client, open_session, transmitted["09"], decision="ajourne")
    assert "Une décision « ajourné » doit être motivée." in text(response)
    assert not CommitteeDecision.objects.exists()


# -- closing -------------------------------------------------------------------------------------------------------
def test_closing_through_the_page_is_refused_while_a_dossier_is_undecided(client, open_session, transmitted, accounts):
    client.force_login(accounts["dreets"])
    post_decision(client, open_session, transmitted["09"], amount="40000")
    response = client.post(session_url(open_session, "close"), follow=True)
    assert f"Le dossier {transmitted['11'].reference} n'a pas encore de décision." in text(response)
    open_session.refresh_from_db()
    assert open_session.state == SessionState.OPEN


def test_closing_through_the_page_applies_the_decisions_and_offers_the_minutes(
    client, open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    decide_all(open_session, transmitted, accounts["dreets"])
    client.force_login(accounts["dreets"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(session_url(open_session, "close"), follow=True)
    assert "La séance est close" in text(response)
    assert Dossier.objects.get(pk=transmitted["11"].pk).state == DossierState.POSTPONED
    assert len(mail.outbox) == 2
    minutes = client.get(session_url(open_session, "minutes_pdf"))
    assert minutes.status_code == 200 and minutes["Content-Type"] == "application/pdf"
    assert b"".join(minutes.streaming_content).startswith(b"%PDF")
    # Frozen: no decision form any more, only the reopening on the dossier page.
    page = text(client.get(dossier_url(open_session, transmitted["09"])))
    assert "Enregistrer la décision" not in page and "Rouvrir la décision" in page


def test_reopening_a_decision_needs_a_motivation_and_logs_it(client, closed_session, transmitted, accounts):
    client.force_login(accounts["dreets"])
    response = client.post(dossier_url(closed_session, transmitted["09"], "reopen"), {"motivation": ""})
    assert response.status_code == 200 and "Motivez la réouverture de la décision." in text(response)
    response = client.post(
        dossier_url(closed_session, transmitted["09"], "reopen"), {"motivation": "Recours gracieux du porteur."}
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=transmitted["09"].pk).state == DossierState.TRANSMITTED
    assert DossierTransitionLog.objects.get(transition="reopen_retained").reason == "Recours gracieux du porteur."
    page = text(client.get(session_url(closed_session)))
    assert "Rouverte le" in page and "Recours gracieux du porteur." in page
    assert CommitteeDecision.objects.get(dossier=transmitted["09"]).awarded_amount == Decimal("45000.00")


# -- the applicant sees its decision only after closing ------------------------------------------------------------
def test_the_applicant_sees_its_decision_only_after_the_session_is_closed(
    client, open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    decide_all(open_session, transmitted, accounts["dreets"])
    decision = CommitteeDecision.objects.get(dossier=transmitted["09"])
    detail = reverse("dossiers:detail", args=[transmitted["09"].reference])
    letter = reverse("committee:decision_letter", args=[decision.pk])
    client.force_login(accounts["porteur.ariege"])
    before = text(client.get(detail))
    assert "Décision du comité régional" not in before
    assert "Télécharger la lettre de décision" not in before
    assert client.get(letter).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        session_close(session=open_session, by=accounts["dreets"])
    after = text(client.get(detail))
    assert "Décision du comité régional" in after
    assert euros(Decimal("45000.00")) in after
    assert "Diagnostic précis et partenariats solides." in after
    response = client.get(letter)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # The other applicant may not read this letter.
    client.force_login(accounts["porteur.aude"])
    assert client.get(letter).status_code == 404


def test_a_settled_dossier_still_shows_its_decision_its_letter_and_its_follow_up(
    client, open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    from pactes.dossiers.services import dossier_transition

    decide_all(open_session, transmitted, accounts["dreets"])
    with django_capture_on_commit_callbacks(execute=True):
        session_close(session=open_session, by=accounts["dreets"])
    dossier = transmitted["09"]
    dossier.refresh_from_db()
    dossier_transition(dossier=dossier, transition="settle", by=accounts["instructeur.09"])
    decision = CommitteeDecision.objects.get(dossier=dossier)
    client.force_login(accounts["porteur.ariege"])
    page = text(client.get(reverse("dossiers:detail", args=[dossier.reference])))
    assert "Décision du comité régional" in page and "Suivi du projet" in page
    assert client.get(reverse("committee:decision_letter", args=[decision.pk])).status_code == 200


def test_the_letter_is_for_the_departements_instructors_and_the_dreets_only(client, closed_session, accounts):
    decision = CommitteeDecision.objects.get(dossier__departement__code="09")
    letter = reverse("committee:decision_letter", args=[decision.pk])
    expected = {
        "instructeur.09": 200,
        "dreets": 200,
        "instructeur.11": 404,
        "jury": 404,
    }
    for who, status in expected.items():
        client.force_login(accounts[who])
        assert client.get(letter).status_code == status, who


# -- jury members ------------------------------------------------------------------------------------------------
def test_a_jury_member_reads_its_session_and_the_transmitted_dossiers_but_cannot_decide(
    client, open_session, transmitted, accounts
):
    client.force_login(accounts["jury"])
    assert client.get(session_url(open_session)).status_code == 200
    page = client.get(dossier_url(open_session, transmitted["09"]))
    assert page.status_code == 200 and "Enregistrer la décision" not in text(page)
    assert post_decision(client, open_session, transmitted["09"], amount="40000").status_code == 403
    assert client.post(session_url(open_session, "close")).status_code == 403
    assert client.post(session_url(open_session, "attendance"), {"present": []}).status_code == 403
    assert client.get(reverse("committee:create")).status_code == 403
    assert not CommitteeDecision.objects.exists()


def test_a_jury_member_sees_only_the_sessions_it_sits_on(client, open_session, accounts):
    client.force_login(accounts["jury.outsider"])
    assert open_session.date.strftime("%Y") not in text(client.get(reverse("committee:index"))).split("<h1>")[-1]
    assert client.get(session_url(open_session)).status_code == 404
    assert client.get(session_url(open_session, "envelope")).status_code == 404


def test_a_jury_member_gets_404_on_a_dossier_still_in_evaluation(client, planned_session, filed, accounts):
    walk(filed["09"], accounts["instructeur.09"], TO_TRANSMITTED)
    evaluated = walk(filed["11"], accounts["instructeur.11"], TO_EVALUATED)
    client.force_login(accounts["jury"])
    assert client.get(dossier_url(planned_session, evaluated)).status_code == 404
    assert client.get(reverse("dossiers:detail", args=[evaluated.reference])).status_code == 404
    page = text(client.get(session_url(planned_session)))
    assert filed["09"].reference in page and evaluated.reference not in page


def test_the_minutes_are_for_the_dreets_and_the_session_members(client, closed_session, accounts):
    url = session_url(closed_session, "minutes_pdf")
    for who, status in {
        "dreets": 200,
        "jury": 200,
        "jury3": 200,  # a member, even absent
        "jury.outsider": 404,
        "instructeur.09": 404,
        "porteur.ariege": 404,
    }.items():
        client.force_login(accounts[who])
        assert client.get(url).status_code == status, who


def test_the_minutes_do_not_exist_before_closing(client, open_session, accounts):
    client.force_login(accounts["dreets"])
    assert client.get(session_url(open_session, "minutes_pdf")).status_code == 404


# -- other roles ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["instructeur.09", "porteur.ariege"])
def test_instructors_and_applicants_have_no_access_to_the_committee(client, open_session, transmitted, accounts, who):
    client.force_login(accounts[who])
    assert client.get(reverse("committee:index")).status_code == 404
    assert client.get(reverse("committee:create")).status_code == 404
    assert client.get(session_url(open_session)).status_code == 404
    assert client.get(dossier_url(open_session, transmitted["09"])).status_code == 404
    assert post_decision(client, open_session, transmitted["09"], amount="40000").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, closed_session, transmitted):
    decision = CommitteeDecision.objects.first()
    urls = [
        reverse("committee:index"),
        reverse("committee:create"),
        session_url(closed_session),
        session_url(closed_session, "envelope"),
        session_url(closed_session, "minutes_pdf"),
        dossier_url(closed_session, transmitted["09"]),
        reverse("committee:decision_letter", args=[decision.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL), url
