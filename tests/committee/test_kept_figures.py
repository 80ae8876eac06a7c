"""The session's page keeps the figures of the whole agenda and of the call for the facts token (ADR 0055): every
table they read is watched, each kind of write shows at the next request the figures a fresh computation gives, and
two sessions, or a DREETS agent and a jury member, never share a kept entry."""

import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pactes.assessment.models import Opinion
from pactes.committee import kept
from pactes.committee.agenda import agenda_groups_of, agenda_outline, session_agenda
from pactes.committee.models import CommitteeSession, Decision
from pactes.committee.opinions import jury_opinion_record
from pactes.committee.selectors import envelope_for_session
from pactes.committee.services import attendance_set, decision_record, session_create, undecided_problems
from pactes.core.facts_version import WATCHED, current_token
from pactes.core.templatetags.pactes_format import euros
from pactes.dossiers.models import ResourceLine
from pactes.dossiers.services import dossier_transition
from pactes.territories import services as territories_services
from pactes.territories.models import Epci
from pactes.web.committee.agenda import agenda_groups

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')


def _labels() -> dict[str, str]:
    return {m._meta.db_table: m._meta.label_lower for m in apps.get_models(include_auto_created=True)}


def test_every_table_the_kept_figures_read_is_watched(open_session, transmitted, accounts):
    decision_record(
        session=open_session,
        dossier=transmitted["09"],
        decision=Decision.RETAINED,
        awarded_amount=Decimal("45000.00"),
        motivation="Diagnostic précis.",
        by=accounts["dreets"],
    )
    with CaptureQueriesContext(connection) as queries:
        for user in (accounts["dreets"], accounts["jury"]):
            agenda_outline(session=open_session, user=user)
        envelope_for_session(open_session)
        undecided_problems(open_session, listed=10)
    labels = _labels()
    read = {labels[t] for q in queries.captured_queries for t in TABLE.findall(q["sql"])}
    assert read - WATCHED == set(), f"tables lues mais non surveillées : {read - WATCHED}"


@pytest.fixture
def page(client, accounts, django_capture_on_commit_callbacks):
    """The session's page as the DREETS reads it; the writes made before run their commit callbacks (the token)."""

    def read(session):
        connection.run_on_commit.clear()
        client.force_login(accounts["dreets"])
        response = client.get(reverse("committee:detail", args=[session.pk]))
        assert response.status_code == 200
        return response

    return read


def _committed(capture, write):
    """Runs ``write`` and its commit callbacks, as a committed transaction would."""
    with capture(execute=True):
        write()
    connection.run_on_commit.clear()


def _assert_fresh(response, session, user):
    """The page's figures are those a fresh computation gives now (from the rows as they are now)."""
    session = CommitteeSession.objects.select_related("call").get(pk=session.pk)
    fresh = agenda_outline(session=session, user=user)
    assert tuple(response.context["agenda"].departements) == fresh.departements
    assert response.context["agenda"].ids == fresh.ids()
    written = "".join(g.rows for g in response.context["groups"])
    fresh_rows = agenda_groups(
        agenda_groups_of(
            session=session,
            user=user,
            ids=fresh.ids(),
            totals={t.code: t for t in fresh.departements},
        ),
        session=session,
        is_jury=False,
        can_decide=session.is_open,
    )
    assert written == "".join(g.rows for g in fresh_rows)
    assert response.context["envelope"] == envelope_for_session(session)
    undecided = undecided_problems(session, listed=10)
    assert all(reason in response.context["closing_problems"] for reason in undecided)


def test_each_kind_of_write_shows_at_the_next_request(
    page, open_session, transmitted, accounts, committee_call, django_capture_on_commit_callbacks
):
    dreets = accounts["dreets"]
    capture = django_capture_on_commit_callbacks
    first = page(open_session)
    _assert_fresh(first, open_session, dreets)
    kept_before = first.context["envelope"]

    # A decision recorded: the session's awarded amount, the département's awarded total, one undecided less.
    _committed(
        capture,
        lambda: decision_record(
            session=open_session,
            dossier=transmitted["09"],
            decision=Decision.RETAINED,
            awarded_amount=Decimal("45000.00"),
            motivation="Diagnostic précis.",
            by=dreets,
        ),
    )
    response = page(open_session)
    assert response.context["envelope"].session_awarded == Decimal("45000.00") != kept_before.session_awarded
    [ariege] = [d for d in response.context["agenda"].departements if d.code == "09"]
    assert ariege.awarded == Decimal("45000.00")
    _assert_fresh(response, open_session, dreets)

    # A proposal changed: the proposed totals and the envelope's proposals.
    proposal = transmitted["11"].proposal
    proposal.proposed_amount = Decimal("40000.00")
    _committed(capture, proposal.save)
    response = page(open_session)
    assert response.context["envelope"].proposed == Decimal("100000.00")
    _assert_fresh(response, open_session, dreets)

    # A resource line changed: the requested total.
    line = ResourceLine.objects.filter(dossier=transmitted["11"], kind="state_pts").order_by("pk").first()
    line.amount += Decimal("1000.00")
    _committed(capture, line.save)
    response = page(open_session)
    [aude] = [d for d in response.context["agenda"].departements if d.code == "11"]
    assert aude.requested == fresh_requested(open_session, dreets, "11")
    _assert_fresh(response, open_session, dreets)

    # The call's envelope changed.
    committee_call.regional_envelope = Decimal("90000.00")
    _committed(capture, lambda: committee_call.save(update_fields=["regional_envelope"]))
    response = page(open_session)
    assert response.context["envelope"].envelope == Decimal("90000.00")
    block = response.content.decode().split('id="enveloppe"', 1)[1].split("</section>", 1)[0]
    assert f"<dd>{euros(Decimal('90000.00'))}</dd>" in block
    _assert_fresh(response, open_session, dreets)

    # A dossier's state changed: the Aude dossier leaves the agenda.
    _committed(
        capture,
        lambda: dossier_transition(dossier=transmitted["11"], transition="postpone", by=dreets, reason="Incomplet."),
    )
    response = page(open_session)
    assert [d.code for d in response.context["agenda"].departements] == ["09"]
    _assert_fresh(response, open_session, dreets)


def fresh_requested(session, user, code):
    return {d.code: d.requested for d in agenda_outline(session=session, user=user).departements}[code]


def test_a_page_served_from_the_kept_figures_reads_no_dossier(page, open_session, transmitted):
    page(open_session)
    with CaptureQueriesContext(connection) as queries:
        again = page(open_session)
    labels = _labels()
    read = {labels[t] for q in queries.captured_queries for t in TABLE.findall(q["sql"])}
    assert read.isdisjoint(
        {"dossiers.dossier", "assessment.proposal", "committee.committeedecision", "committee.juryopinion"}
    ), read
    assert transmitted["09"].reference in again.content.decode()


def test_an_opinion_and_an_organisation_renamed_show_in_the_rows_at_once(
    client, open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    url = reverse("committee:detail", args=[open_session.pk])

    def read(user):
        connection.run_on_commit.clear()
        client.force_login(user)
        return client.get(url).content.decode()

    assert "aucun avis" in read(accounts["dreets"])
    assert read(accounts["jury"]).count("Votre avis : à donner") == 2
    _committed(
        django_capture_on_commit_callbacks,
        lambda: jury_opinion_record(
            session=open_session,
            dossier=transmitted["09"],
            opinion=Opinion.FAVORABLE,
            comment="Bon projet.",
            by=accounts["jury"],
        ),
    )
    assert "1 favorable" in read(accounts["dreets"])
    # Each member reads its own opinion: the rows of one member are never another's.
    assert read(accounts["jury"]).count("Votre avis : à donner") == 1
    assert read(accounts["jury2"]).count("Votre avis : à donner") == 2
    organisation = transmitted["11"].organisation
    organisation.name = "Association renommée & cie"
    _committed(django_capture_on_commit_callbacks, organisation.save)
    assert "Association renommée &amp; cie" in read(accounts["dreets"])


def test_the_attendance_form_follows_the_presences(client, open_session, accounts, django_capture_on_commit_callbacks):
    url = reverse("committee:detail", args=[open_session.pk])
    client.force_login(accounts["dreets"])
    jury3 = accounts["jury3"]
    box = f'value="{jury3.pk}"'

    def checked() -> bool:
        content = client.get(url).content.decode()
        tag = content[content.rindex("<input", 0, content.index(box)) : content.index(">", content.index(box))]
        return "checked" in tag

    assert not checked()
    attendance_set(
        session=open_session,
        present=[accounts["dreets"], accounts["jury"], accounts["jury2"], jury3],
        by=accounts["dreets"],
    )
    assert checked()


def test_two_sessions_and_two_scopes_never_share_an_entry(
    open_session, transmitted, accounts, committee_call, monkeypatch
):
    dreets, jury = accounts["dreets"], accounts["jury"]
    decision_record(
        session=open_session,
        dossier=transmitted["09"],
        decision=Decision.RETAINED,
        awarded_amount=Decimal("45000.00"),
        motivation="Diagnostic précis.",
        by=dreets,
    )
    other = session_create(
        call=committee_call,
        date=open_session.date,
        place="Montpellier",
        chair="",
        members=[dreets, jury],
        by=dreets,
    )
    token = current_token()
    computed = []
    real = kept.agenda_outline
    monkeypatch.setattr(
        kept, "agenda_outline", lambda **kw: computed.append((kw["session"].pk, kw["user"].role)) or real(**kw)
    )
    for session in (open_session, other):
        for user in (dreets, jury, dreets, jury):
            kept.kept_outline(session=session, user=user, token=token)
    assert computed == [
        (open_session.pk, "dreets"),
        (open_session.pk, "jury"),
        (other.pk, "dreets"),
        (other.pk, "jury"),
    ]
    assert kept.kept_envelope(session=open_session, token=token).session_awarded == Decimal("45000.00")
    assert kept.kept_envelope(session=other, token=token).session_awarded == Decimal("0")
    # The jury's outline is never the DREETS's one read back: each is its scope's fresh computation.
    assert kept.kept_outline(session=open_session, user=jury, token=token) == agenda_outline(
        session=open_session, user=jury
    )


def test_a_reader_of_another_role_is_never_kept(open_session, transmitted, accounts, monkeypatch):
    assert kept.agenda_scope(accounts["instructeur.09"]) is None
    computed = []
    real = kept.agenda_outline
    monkeypatch.setattr(kept, "agenda_outline", lambda **kw: computed.append(1) or real(**kw))
    token = current_token()
    for _ in range(2):
        kept.kept_outline(session=open_session, user=accounts["instructeur.09"], token=token)
    assert computed == [1, 1]


def test_the_departement_filter_is_applied_to_the_kept_order(open_session, transmitted, accounts):
    dreets = accounts["dreets"]
    outline = kept.kept_outline(session=open_session, user=dreets, token=current_token())
    aude = session_agenda(session=open_session, user=dreets, departement="11", outline=outline)
    assert [item.dossier for g in aude.groups for item in g.items] == [transmitted["11"]]
    assert session_agenda(session=open_session, user=dreets, departement="99", outline=outline).groups == []


def test_the_territories_sync_replaces_the_token_when_it_renames_an_epci(
    transmitted, django_capture_on_commit_callbacks
):
    epci = transmitted["09"].proposal.territory
    connection.run_on_commit.clear()  # the fixtures' writes, as once committed
    before = current_token()
    with django_capture_on_commit_callbacks(execute=True):
        count = territories_services._sync(Epci, "siren", {epci.siren: {"name": f"{epci.name} renommée"}})
    assert count.updated == 1 and current_token() != before
    unchanged = current_token()
    with django_capture_on_commit_callbacks(execute=True):
        territories_services._sync(Epci, "siren", {epci.siren: {"name": f"{epci.name} renommée"}})
    assert current_token() == unchanged


def test_the_page_served_from_the_cache_is_the_page_computed(page, open_session, transmitted):
    def shown(response) -> str:
        content = response.content.decode()
        for pattern in (r'csrfmiddlewaretoken" value="[^"]+"', r"breadcrumb-[a-z]+", r'(seconds-left|nonce)="[^"]+"'):
            content = re.sub(pattern, "", content)
        return content

    computed = page(open_session)
    assert shown(page(open_session)) == shown(computed)
    assert "Ariège (09)" in shown(computed) and f'<tr id="dossier-{transmitted["11"].reference}">' in shown(computed)
