"""Issue 16, committee pages: jury members give their opinion on the dossiers of the agenda and the DREETS reads
them beside the DDETS-PP's proposal (9); a session dated in the future offers no « Ouvrir » button and says why (1);
the instruction page says who declared a dossier admissible and when (8)."""

import datetime as dt
import html

from django.urls import reverse
from django.utils import timezone

from pactes.committee.models import JuryOpinion
from pactes.committee.services import session_create
from pactes.dossiers.services import dossier_transition

LOGIN_URL = reverse("accounts:login")


def text(response) -> str:
    return html.unescape(response.content.decode())


def opinion_url(session, dossier):
    return reverse("committee:opinion", args=[session.pk, dossier.reference])


def test_a_jury_member_gives_an_opinion_and_the_dreets_reads_it_beside_the_proposal(
    client, planned_session, transmitted, accounts
):
    ariege = transmitted["09"]
    client.force_login(accounts["jury"])
    page = text(client.get(reverse("committee:dossier", args=[planned_session.pk, ariege.reference])))
    assert "Votre avis de membre du jury" in page and "Enregistrer mon avis" in page
    response = client.post(
        opinion_url(planned_session, ariege), {"opinion": "reserve", "comment": "Le diagnostic date de 2019."}
    )
    assert response.status_code == 302
    agenda = text(client.get(reverse("committee:detail", args=[planned_session.pk])))
    assert "Votre avis : Réservé" in agenda

    client.force_login(accounts["dreets"])
    page = text(client.get(reverse("committee:dossier", args=[planned_session.pk, ariege.reference])))
    assert "Proposition de la DDETS-PP" in page and "Avis des membres du jury" in page
    assert "Marc Delpech" in page and "Le diagnostic date de 2019." in page
    assert "1 réservé" in text(client.get(reverse("committee:detail", args=[planned_session.pk])))


def test_a_refused_opinion_is_shown_in_french_and_nothing_is_saved(client, planned_session, transmitted, accounts):
    client.force_login(accounts["jury"])
    response = client.post(opinion_url(planned_session, transmitted["09"]), {"opinion": "defavorable", "comment": ""})
    assert response.status_code == 200
    assert "s'accompagne d'un commentaire" in text(response)
    assert not JuryOpinion.objects.exists()


def test_only_a_jury_member_of_the_session_posts_an_opinion(client, planned_session, transmitted, accounts):
    url = opinion_url(planned_session, transmitted["09"])
    client.force_login(accounts["dreets"])
    assert client.post(url, {"opinion": "favorable"}).status_code == 403
    client.force_login(accounts["jury.outsider"])
    assert client.post(url, {"opinion": "favorable"}).status_code == 404
    client.force_login(accounts["instructeur.09"])
    assert client.post(url, {"opinion": "favorable"}).status_code == 404
    client.logout()
    assert client.post(url, {"opinion": "favorable"}).url.startswith(LOGIN_URL)
    assert not JuryOpinion.objects.exists()


def test_a_session_dated_in_the_future_offers_no_opening(client, committee_call, accounts, transmitted):
    future = timezone.localdate() + dt.timedelta(days=20)
    session = session_create(
        call=committee_call, date=future, place="Toulouse", chair="", members=[accounts["jury"]], by=accounts["dreets"]
    )
    client.force_login(accounts["dreets"])
    page = text(client.get(reverse("committee:detail", args=[session.pk])))
    assert "Ouvrir la séance" not in page
    assert f"La séance est datée du {future:%d/%m/%Y}" in page
    client.post(reverse("committee:open", args=[session.pk]))
    session.refresh_from_db()
    assert session.is_planned


def test_the_instruction_page_says_who_declared_the_dossier_admissible_and_when(client, filed, accounts):
    dossier = filed["09"]
    instructor = accounts["instructeur.09"]
    for transition in ("start_review", "declare_admissible"):
        dossier = dossier_transition(dossier=dossier, transition=transition, by=instructor)
    client.force_login(accounts["dreets"])
    page = text(client.get(reverse("instruction:dossier", args=[dossier.reference])))
    assert f"Déclaré recevable le {timezone.localdate():%-d}" in page
    assert f"par {instructor}" in page
