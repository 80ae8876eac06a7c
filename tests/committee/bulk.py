"""A closed committee session of many decisions, written in bulk (``bulk_create``: the services that write are covered by
their own tests): for the procès-verbal's scale test and its benchmark (benchmarks/test_bench_documents.py)."""

import datetime as dt
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.assessment.models import Opinion, Proposal
from pactes.calls.models import Call
from pactes.committee.models import Attendance, CommitteeDecision, CommitteeSession, Decision, JuryOpinion
from pactes.dossiers.models import Dossier, ResourceLine
from pactes.organisations.models import Organisation
from pactes.territories.models import Departement, Epci

KINDS = [Decision.RETAINED, Decision.REJECTED, Decision.POSTPONED]


def closed_session_of(volume: int, *, label: str = "bench") -> CommitteeSession:
    """A closed committee session of ``volume`` decisions over the 13 départements, each dossier with its requested
    grant, the département's proposal and, one in three, two jury opinions (one commented). Bulk-written."""
    if not Call.objects.filter(slug="pts-occitanie-2024").exists():
        call_command("load_calls", stdout=StringIO())
    call = Call.objects.get(slug="pts-occitanie-2024")
    author = User.objects.create_user(f"{label}-porteur@pactes.test", "x" * 12, role=Role.APPLICANT)
    dreets = User.objects.create_user(
        f"{label}-dreets@pactes.test", "x" * 12, role=Role.DREETS, first_name="Agnès", last_name="Martin"
    )
    jury = [
        User.objects.create_user(
            f"{label}-jury{k}@pactes.test", "x" * 12, role=Role.JURY, first_name="Membre", last_name=f"Jury {k}"
        )
        for k in range(4)
    ]
    departements = list(Departement.objects.order_by("code"))
    epcis = {d.code: Epci.objects.filter(main_departement_code=d.code).first() for d in departements}
    fallback_epci = Epci.objects.first()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Association {label} {i}", kind="association", address=f"{i} rue de la Paix, Toulouse")
        for i in range(200)
    )
    now = timezone.now()
    dossiers = Dossier.objects.bulk_create(
        (
            Dossier(
                call=call,
                organisation=organisations[i % len(organisations)],
                reference=f"PTS-{label.upper()}-{i:06d}",
                title=f"Accompagner les familles vers l'emploi, projet {i}",
                departement=departements[i % len(departements)],
                state="transmis",
                created_by=author,
                submitted_at=now - dt.timedelta(minutes=i),
            )
            for i in range(volume)
        ),
        batch_size=2000,
    )
    ResourceLine.objects.bulk_create(
        (ResourceLine(dossier=d, position=0, kind="state_pts", amount=Decimal(50000), funder="État") for d in dossiers),
        batch_size=5000,
    )
    Proposal.objects.bulk_create(
        (
            Proposal(
                dossier=d,
                territory=epcis[d.departement.code] or fallback_epci,
                proposed_amount=Decimal(40000),
                opinion=Opinion.FAVORABLE,
                rank=1,
                mean_score=Decimal("3.20"),
                updated_by=dreets,
            )
            for d in dossiers
        ),
        batch_size=5000,
    )
    session = CommitteeSession.objects.create(
        call=call,
        date=now.date(),
        place="DREETS Occitanie, Toulouse",
        chair=call.rules.committee_chair,
        state="close",
        created_by=dreets,
        opened_at=now,
        opened_by=dreets,
        closed_at=now,
        closed_by=dreets,
        quorum=3,
        awarded_total=Decimal(30000) * ((volume + 2) // 3),
        envelope_remaining=Decimal(1000000),
    )
    assert session.is_closed, "the closed state's code changed"
    Attendance.objects.bulk_create(
        Attendance(session=session, user=user, is_present=k < 3) for k, user in enumerate([dreets, *jury])
    )
    CommitteeDecision.objects.bulk_create(
        (
            CommitteeDecision(
                session=session,
                dossier=d,
                decision=KINDS[i % 3],
                awarded_amount=Decimal(30000) if KINDS[i % 3] == Decision.RETAINED else None,
                motivation="Projet conforme aux priorités du Pacte." if i % 3 else "",
                decided_by=dreets,
                decided_at=now,
            )
            for i, d in enumerate(dossiers)
        ),
        batch_size=5000,
    )
    JuryOpinion.objects.bulk_create(
        (
            JuryOpinion(
                session=session,
                dossier=d,
                member=member,
                opinion=Opinion.FAVORABLE,
                comment="Partenariats solides." if k == 0 else "",
                updated_at=now,
            )
            for i, d in enumerate(dossiers)
            if i % 3 == 0
            for k, member in enumerate(jury[:2])
        ),
        batch_size=5000,
    )
    return session
