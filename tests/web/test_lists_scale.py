"""The committee, ranking, follow-up and convention lists do not read the world (issue 12): at 200 and at 2 000
dossiers, each page runs the same number of queries and fetches the same number of rows (``count_rows``), because it
shows one page of rows and has its totals added up by the database.

The volume is made with ``bulk_create`` (fast), in the shapes the factories and services give: filed dossiers with
their « state_pts » resource line, the département's proposal on its territory (EPCI), retained dossiers decided in
a closed session, one convention in two drafted, an action with one impact indicator per followed project."""

import datetime as dt
from decimal import Decimal
from itertools import cycle

import pytest
from django.urls import reverse
from django.utils import timezone

from pactes.agreements.models import Agreement
from pactes.assessment import selectors
from pactes.assessment.models import Opinion, Proposal
from pactes.calls.models import Measure
from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision
from pactes.core.transitions import fire
from pactes.dossiers.models import Action, Dossier, ImpactMeasure, Priority, ResourceKind, ResourceLine
from pactes.organisations.models import Organisation
from pactes.rules.committee_session import SESSION_LIFECYCLE
from pactes.rules.lifecycle import DossierState
from pactes.territories.models import Departement, Epci
from tests.scaling import count_rows

pytestmark = pytest.mark.django_db

SMALL, LARGE = 200, 2000
# The states the volume cycles through (the ranking of the Ariège keeps its own fixed share, see ``volume``).
STATES = (DossierState.TRANSMITTED, DossierState.RETAINED, DossierState.EVALUATED)
RANKED_IN_ARIEGE = 12


class Volume:
    """Adds dossiers up to a number, over the Occitanie départements, in the shapes the pages read."""

    def __init__(self, call, users):
        self.call = call
        self.users = users
        self.count = 0
        now = timezone.now()
        self.departements = [d for d in Departement.objects.order_by("code") if d.epcis.exists()]
        self.epcis = {
            d.pk: list(Epci.objects.filter(departements=d).order_by("pk").only("pk")[:30]) for d in self.departements
        }
        self.organisations = {
            d.pk: Organisation.objects.create(name=f"Association du volume {d.code}", kind="association", departement=d)
            for d in self.departements
        }
        self.session = CommitteeSession.objects.create(
            call=call, date=now.date(), place="Toulouse", chair="Préfet de région", created_by=users["dreets"]
        )
        fire(obj=self.session, lifecycle=SESSION_LIFECYCLE, code="open", by=users["dreets"], at=now)
        self.measure = Measure.objects.order_by("pk").first()
        self.publics = cycle([["jeunes"], ["familles_monoparentales", "jeunes"], []])
        self._closed = False
        self.retained: dict[int, int] = {}
        # The Ariège's evaluated dossiers: a fixed share, so that its ranking is the same page at any volume.
        ariege = next(d for d in self.departements if d.code == "09")
        self._add([(ariege, DossierState.EVALUATED, n) for n in range(RANKED_IN_ARIEGE)])

    def grow(self, to: int, *, states=STATES, departements=None) -> None:
        others = departements or [d for d in self.departements if d.code != "09"]
        plan = []
        while self.count + len(plan) < to:
            n = self.count + len(plan)
            # Each département in turn, and in each one the states in turn.
            plan.append((others[n % len(others)], states[(n // len(others)) % len(states)], n))
        self._add(plan)

    def _add(self, plan) -> None:
        now = timezone.now()
        dossiers = Dossier.objects.bulk_create(
            Dossier(
                call=self.call,
                organisation=self.organisations[d.pk],
                departement=d,
                reference=f"PTS-2024-{d.code}-V{n:05d}",
                title=f"Projet du volume {n}",
                state=state.value,
                created_by=self.users["porteur.ariege"],
                submitted_at=now,
            )
            for d, state, n in plan
        )
        for dossier in dossiers:  # bulk_create gives the pk on both engines of the tests
            assert dossier.pk is not None
        self.count += len(dossiers)
        by_state = {state: [] for state in DossierState}
        for dossier, (_d, state, n) in zip(dossiers, plan, strict=True):
            by_state[state].append((dossier, n))
        ResourceLine.objects.bulk_create(
            ResourceLine(dossier=d, kind=ResourceKind.STATE_PTS, amount=Decimal(20000 + n % 7 * 1000))
            for d, n in ((d, n) for pairs in by_state.values() for d, n in pairs)
        )
        proposed = [pair for s in STATES for pair in by_state[s]]
        Proposal.objects.bulk_create(
            Proposal(
                dossier=d,
                territory=self.epcis[d.departement_id][n % len(self.epcis[d.departement_id])],
                proposed_amount=Decimal(15000 + n % 5 * 1000),
                opinion=Opinion.FAVORABLE,
                rank=n // len(self.epcis[d.departement_id]) + 1,
                mean_score=Decimal("3.10"),
                updated_by=self.users[f"instructeur.{'09' if d.departement.code == '09' else '11'}"],
            )
            for d, n in proposed
        )
        retained = by_state[DossierState.RETAINED]
        CommitteeDecision.objects.bulk_create(
            CommitteeDecision(
                session=self.session,
                dossier=d,
                decision=Decision.RETAINED,
                awarded_amount=Decimal(15000 + n % 5 * 1000),
                motivation="Projet conforme.",
                decided_by=self.users["dreets"],
                decided_at=now,
            )
            for d, n in retained
        )
        drafted = []
        for d, n in retained:  # one retained dossier in two of each département has its convention drafted
            self.retained[d.departement_id] = self.retained.get(d.departement_id, 0) + 1
            if self.retained[d.departement_id] % 2:
                drafted.append((d, n))
        Agreement.objects.bulk_create(
            Agreement(dossier=d, awarded_amount=Decimal(15000 + n % 5 * 1000), created_by=self.users["dreets"])
            for d, n in drafted
        )
        priorities = Priority.objects.bulk_create(Priority(dossier=d, title="Priorité") for d, _n in retained)
        if self.measure is not None:
            Priority.measures.through.objects.bulk_create(
                Priority.measures.through(priority_id=p.pk, measure_id=self.measure.pk) for p in priorities
            )
        actions = Action.objects.bulk_create(
            Action(
                dossier=d,
                priority=p,
                title="Action",
                publics=next(self.publics),
                start=dt.date(2025, 1, 1),
                end=dt.date(2025, 12, 31),
            )
            for (d, _n), p in zip(retained, priorities, strict=True)
        )
        ImpactMeasure.objects.bulk_create(
            ImpactMeasure(action=a, indicator="Familles accompagnées", unit="familles", target=Decimal(10))
            for a in actions
        )

    def close_session(self) -> None:
        """Closes the volume's session: its decisions then hold (the retained dossiers' awards)."""
        if not self._closed:
            fire(
                obj=self.session, lifecycle=SESSION_LIFECYCLE, code="close", by=self.users["dreets"], at=timezone.now()
            )
            self._closed = True


def _pages(open_session):
    ranking = f"{reverse('assessment:ranking')}?departement=09&appel=pts-occitanie-2024"
    return {
        "agenda (DREETS)": ("dreets", reverse("committee:detail", args=[open_session.pk])),
        "ranking (DDETS-PP 09)": ("instructeur.09", reverse("assessment:ranking")),
        "ranking (DREETS, 09)": ("dreets", ranking),
        "conventions (DREETS)": ("dreets", reverse("agreements:index")),
        "follow-up list (DREETS)": ("dreets", reverse("followup:index")),
        "consolidated follow-up (DREETS)": ("dreets", reverse("followup:consolidated")),
        "committee sessions (DREETS)": ("dreets", reverse("committee:index")),
    }


def _measure(client, accounts, pages):
    found = {}
    for name, (who, url) in pages.items():
        client.force_login(accounts[who])
        client.get(url)  # warm: the session, the parsed call
        with count_rows() as counted:
            response = client.get(url)
        assert response.status_code == 200, name
        found[name] = (counted.queries, counted.rows, len(response.content))
    return found


def test_each_list_reads_as_many_queries_and_rows_at_2000_dossiers_as_at_200(
    client, open_session, committee_call, accounts
):
    volume = Volume(committee_call, accounts)
    volume.grow(SMALL)
    volume.close_session()
    pages = _pages(open_session)
    small = _measure(client, accounts, pages)
    volume.grow(LARGE)
    large = _measure(client, accounts, pages)
    assert Dossier.objects.count() >= LARGE
    grown = {name: (small[name], large[name]) for name in pages if large[name][:2] != small[name][:2]}
    assert not grown  # page: ((queries, rows, bytes) at 200, the same at 2 000)


def _ranking_counts(client, url):
    client.get(url)  # warm: the session, the parsed call
    with count_rows() as counted:
        response = client.get(url)
    assert response.status_code == 200
    return counted.queries, counted.rows


def test_a_ranking_of_2000_evaluated_dossiers_shows_and_posts_one_page_of_rows(client, committee_call, accounts):
    volume = Volume(committee_call, accounts)
    ariege = [d for d in volume.departements if d.code == "09"]
    volume.grow(SMALL, states=(DossierState.EVALUATED,), departements=ariege)
    client.force_login(accounts["instructeur.09"])
    url = reverse("assessment:ranking")
    small = _ranking_counts(client, url)
    volume.grow(LARGE, states=(DossierState.EVALUATED,), departements=ariege)
    large = _ranking_counts(client, url)
    assert small == large  # (queries, rows): one page of rows, each territory totalled by the database
    page = client.get(url).content.decode()
    assert page.count('name="rank_') == selectors.ROWS_PER_PAGE
    assert page.count("<caption>Dossiers évalués du territoire") >= 1
    assert "Dossiers 1 à 25 sur" in page
    last = client.get(f"{url}?page=999").content.decode()  # past the end: the last page
    assert 0 < last.count('name="rank_') <= selectors.ROWS_PER_PAGE


def test_the_running_sums_and_totals_of_a_page_are_those_of_the_whole_territory(
    client, committee_call, accounts, monkeypatch
):
    monkeypatch.setattr(selectors, "ROWS_PER_PAGE", 5)
    volume = Volume(committee_call, accounts)
    ariege = next(d for d in volume.departements if d.code == "09")
    volume.grow(200, states=(DossierState.EVALUATED,), departements=[ariege])
    dossiers = selectors.evaluated_dossiers(call=committee_call, departement=ariege)
    whole = selectors.territory_rankings(dossiers, committee_call.rules)
    first = whole[0]
    assert len(first.dossiers) > 10
    second = selectors.ranking_page(dossiers, committee_call.rules, page=2)
    block = second.territories[0]
    assert block.name == first.name and (block.first, block.last, block.count) == (6, 10, len(first.dossiers))
    expected = first.dossiers[5:10]
    assert [r.reference for r in block.rows] == [i.dossier.reference for i in expected]
    assert [r.cumulated_requested for r in block.rows] == [i.line.cumulated_requested for i in expected]
    assert [r.cumulated_proposed for r in block.rows] == [i.line.cumulated_proposed for i in expected]
    assert block.summary == first.summary  # totals and cap checks over the whole territory
    assert block.summary.total_requested == sum(i.requested for i in first.dossiers)
    client.force_login(accounts["instructeur.09"])
    moved = block.rows[0].reference
    response = client.post(reverse("assessment:move", args=[moved]), {"direction": "haut", "page": "2"})
    assert response.status_code == 302 and response["Location"].endswith("&page=2")
    assert Proposal.objects.get(dossier__reference=moved).rank == block.rows[0].rank - 1


def test_the_database_finds_the_faults_the_rule_words_unranked_ties_gaps_and_amounts(committee_call, accounts):
    volume = Volume(committee_call, accounts)
    ariege = next(d for d in volume.departements if d.code == "09")
    volume.grow(40, states=(DossierState.EVALUATED,), departements=[ariege])
    dossiers = selectors.evaluated_dossiers(call=committee_call, departement=ariege)
    first = selectors.territory_rankings(dossiers, committee_call.rules)[0]
    assert first.summary.ok is False  # volume's proposals exceed the cumulated cap; no ranking fault yet
    assert not [r for r in first.summary.reasons if r.code == "RANKING_INCOMPLETE"]
    one, two, three = (item.proposal for item in first.dossiers[:3])
    Proposal.objects.filter(pk=one.pk).update(rank=None)
    Proposal.objects.filter(pk=three.pk).update(rank=two.rank, proposed_amount=Decimal("70000"))
    summary = selectors.territory_rankings(dossiers, committee_call.rules)[0].summary
    messages = [r.message for r in summary.reasons]
    assert any("sans rang" in m and one.dossier.reference in m for m in messages)
    assert any(f"plusieurs fois : {two.rank}" in m for m in messages)
    assert {"PROPOSED_OVER_REQUESTED", "PROPOSED_OVER_CAP"} <= {r.code for r in summary.reasons}
    Proposal.objects.filter(pk=one.pk).update(rank=1)
    Proposal.objects.filter(pk=three.pk).update(rank=99)
    gap = selectors.territory_rankings(dossiers, committee_call.rules)[0].summary
    assert any("sans trou" in r.message and "99" in r.message for r in gap.reasons)
