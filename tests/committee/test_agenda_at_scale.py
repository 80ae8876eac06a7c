"""The agenda of a session read as the database adds it up (issue 12): each département's count and requested,
proposed and awarded totals in one grouped query, the page's dossiers chosen by their ids then read once, the
paginator told its count by those totals, and the envelope's sums with their count of amounts above the cap."""

import html
from decimal import Decimal

from django.template import Context, Template
from django.urls import reverse

from pactes.assessment.models import Proposal
from pactes.committee import kept
from pactes.committee.agenda import agenda_totals, session_agenda, visible_agenda
from pactes.committee.models import CommitteeDecision, Decision
from pactes.committee.selectors import envelope_for_session, is_jury_member_of
from pactes.committee.services import closing_problems, decision_record, quorum_problems
from pactes.dossiers.selectors import requested_grant


def _retain_ariege(open_session, transmitted, accounts):
    decision_record(
        session=open_session,
        dossier=transmitted["09"],
        decision=Decision.RETAINED,
        awarded_amount=Decimal("45000.00"),
        motivation="Diagnostic précis.",
        by=accounts["dreets"],
    )


def test_each_departement_is_counted_and_summed_in_one_grouped_query(
    open_session, transmitted, accounts, django_assert_num_queries
):
    _retain_ariege(open_session, transmitted, accounts)
    visible = visible_agenda(session=open_session, user=accounts["dreets"])
    with django_assert_num_queries(1):
        totals = {t.code: t for t in agenda_totals(session=open_session, dossiers=visible)}
    assert list(totals) == ["09", "11"]
    ariege, aude = totals["09"], totals["11"]
    assert (ariege.label, ariege.count) == ("Ariège (09)", 1)
    assert ariege.requested == requested_grant(transmitted["09"])
    assert (ariege.proposed, ariege.awarded) == (Decimal("60000.00"), Decimal("45000.00"))
    assert (aude.count, aude.proposed, aude.awarded) == (1, Decimal("50000.00"), Decimal("0.00"))
    assert aude.requested == requested_grant(transmitted["11"])


def test_a_departement_without_proposal_nor_decision_sums_to_zero(open_session, transmitted, accounts):
    Proposal.objects.filter(dossier=transmitted["11"]).delete()
    page = session_agenda(session=open_session, user=accounts["dreets"], departement="11")
    [aude] = [t for t in page.departements if t.code == "11"]
    assert (aude.proposed, aude.awarded) == (Decimal("0.00"), Decimal("0.00"))
    [item] = page.groups[0].items
    assert (item.proposal, item.territory_label, item.mean_score_label, item.proposal_opinion_label) == (
        None,
        "—",
        "—",
        "—",
    )


def test_the_pages_are_counted_from_the_totals_and_keep_the_agenda_order(
    open_session, transmitted, accounts, django_assert_num_queries
):
    _retain_ariege(open_session, transmitted, accounts)
    dreets = accounts["dreets"]
    # Totals, the page's ids, its rows, their decisions, their opinions: no COUNT of the agenda.
    with django_assert_num_queries(5):
        first = session_agenda(session=open_session, user=dreets, per_page=1)
    assert (first.page.paginator.count, first.page.paginator.num_pages, first.count) == (2, 2, 2)
    [item] = first.groups[0].items
    assert item.dossier == transmitted["09"]
    assert (item.requested, item.proposed, item.awarded) == (
        requested_grant(transmitted["09"]),
        Decimal("60000.00"),
        Decimal("45000.00"),
    )
    assert item.decision.decision == Decision.RETAINED
    second = session_agenda(session=open_session, user=dreets, per_page=1, page=2)
    assert second.groups[0].items[0].dossier == transmitted["11"]
    assert second.groups[0].items[0].decision is None
    only_aude = session_agenda(session=open_session, user=dreets, departement="11")
    assert (only_aude.page.paginator.count, [g.departement for g in only_aude.groups]) == (1, ["Aude (11)"])
    unknown = session_agenda(session=open_session, user=dreets, departement="99")
    assert (unknown.page.paginator.count, unknown.groups) == (0, [])


def test_the_envelope_still_names_a_proposal_above_the_cap_per_project(open_session, transmitted, accounts):
    assert not [r for r in envelope_for_session(open_session).reasons if r.code == "AWARD_OVER_CAP"]
    Proposal.objects.filter(dossier=transmitted["11"]).update(proposed_amount=Decimal("70000.00"))
    envelope = envelope_for_session(open_session)
    assert envelope.proposed == Decimal("130000.00")
    [over] = [r for r in envelope.reasons if r.code == "AWARD_OVER_CAP"]
    assert transmitted["11"].reference in over.message


def test_the_members_read_once_tell_who_is_a_jury_member_and_how_many_are_present(open_session, accounts):
    members = list(open_session.attendances.values_list("user_id", flat=True))
    assert is_jury_member_of(accounts["jury"], open_session, members=members)
    assert not is_jury_member_of(accounts["jury.outsider"], open_session, members=members)
    assert not is_jury_member_of(accounts["dreets"], open_session, members=members)
    assert quorum_problems(open_session, present=3) == []
    assert quorum_problems(open_session, present=1)[0].code == "QUORUM_NOT_MET"


def test_the_decision_badge_is_the_same_tag_everywhere(db):
    template = Template("{% load committee_tags %}{% decision_badge decision %}")
    written = {
        code: template.render(Context({"decision": CommitteeDecision(decision=code)}))
        for code in ("retenu", "non_retenu", "ajourne")
    }
    assert written == {
        "retenu": '<p class="fr-badge fr-badge--sm fr-badge--success">Retenu</p>',
        "non_retenu": '<p class="fr-badge fr-badge--sm fr-badge--error">Non retenu</p>',
        "ajourne": '<p class="fr-badge fr-badge--sm fr-badge--warning">Ajourné</p>',
    }
    assert template.render(Context({"decision": None})) == '<p class="fr-badge fr-badge--sm">À décider</p>'


def test_the_open_sessions_page_reads_the_envelope_once_and_closing_says_the_same(
    client, open_session, transmitted, accounts, monkeypatch
):
    members = list(open_session.attendances.filter(is_present=True))
    envelope = envelope_for_session(open_session)
    assert closing_problems(open_session, listed=10) == closing_problems(
        open_session, listed=10, present=len(members), envelope=envelope
    )
    calls = []
    monkeypatch.setattr(kept, "envelope_for_session", lambda session: calls.append(session) or envelope)
    client.force_login(accounts["dreets"])
    page = html.unescape(client.get(reverse("committee:detail", args=[open_session.pk])).content.decode())
    assert calls == [open_session]
    assert f"Le dossier {transmitted['09'].reference} n'a pas encore de décision." in page
    assert 'class="fr-link fr-text--sm"' in page and ">Décider</a>" in page
