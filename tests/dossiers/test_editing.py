"""Write services of the dossier editor: numbering, optimistic locking, all-or-nothing steps, read-only filings."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load
from pactes.dossiers.editing import (
    EditRefused,
    ForgedReference,
    SaveRefused,
    StaleEdit,
    dossier_create,
    dossier_save_step,
    organisation_create,
    step_version,
)
from pactes.dossiers.models import Action, ExpenseLine, InKindLine, Priority, ResourceLine
from pactes.dossiers.services import dossier_transition


@pytest.fixture
def open_call(db):
    return call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-demo.yaml", today=timezone.localdate())


@pytest.fixture
def user(db):
    return User.objects.create_user("porteur@pactes.test", "motdepasse-solide-42", role=Role.APPLICANT)


@pytest.fixture
def organisation(user, departements):
    return organisation_create(
        name="Association Solidarités Couserans",
        siret="83914701400014",
        kind="association",
        address="",
        departement=departements["09"],
        by=user,
    )


def budget(amount):
    return {
        "expenses": [{"action": None, "category": "Achats", "label": "Matériel", "amount": Decimal(amount)}],
        "state_grant": Decimal("500"),
        "own_funds": None,
        "resources": [],
    }


def test_references_follow_the_series_of_the_departement_and_use_00_without_one(open_call, user, organisation):
    year = timezone.localtime(open_call.rules.filing_opens_at).year
    first = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    second = dossier_create(call=open_call, organisation=organisation, title="B", by=user)
    homeless = organisation_create(name="Collectif", siret="", kind="collectif", address="", departement=None, by=user)
    third = dossier_create(call=open_call, organisation=homeless, title="C", by=user)
    assert [first.reference, second.reference, third.reference] == [
        f"PTS-{year}-09-0001",
        f"PTS-{year}-09-0002",
        f"PTS-{year}-00-0001",
    ]
    assert third.departement is not None  # the first département until the perimeter sets it


def test_a_dossier_cannot_be_created_for_a_closed_call(user, organisation):
    closed = call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    with pytest.raises(EditRefused):
        dossier_create(call=closed, organisation=organisation, title="Trop tard", by=user)


def test_a_save_increments_the_version_of_its_step(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    saved = dossier_save_step(dossier=dossier, step="budget", data=budget("1000"), expected_version=0, by=user)
    dossier.refresh_from_db()
    assert saved.version == 1 == step_version(dossier, "budget")
    assert step_version(dossier, "impact") == 0
    assert dossier.expenses.get().amount == Decimal("1000")
    assert dossier.resources.get().kind == "state_pts"


def test_a_save_from_a_stale_version_is_refused_and_writes_nothing(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    dossier_save_step(dossier=dossier, step="budget", data=budget("1000"), expected_version=0, by=user)
    with pytest.raises(StaleEdit) as refused:
        dossier_save_step(dossier=dossier, step="budget", data=budget("9999"), expected_version=0, by=user)
    assert "vos saisies, conservées ci-dessous, n'ont pas été enregistrées" in str(refused.value)
    assert refused.value.current_version == 1
    assert list(ExpenseLine.objects.values_list("amount", flat=True)) == [Decimal("1000.00")]


def test_a_filed_dossier_cannot_be_saved(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    dossier_transition(dossier=dossier, transition="submit", by=user)
    dossier.refresh_from_db()
    with pytest.raises(EditRefused):
        dossier_save_step(dossier=dossier, step="budget", data=budget("1"), expected_version=0, by=user)
    assert not ExpenseLine.objects.exists()


def test_someone_outside_the_organisation_cannot_save(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    stranger = User.objects.create_user("autre@pactes.test", "motdepasse-solide-42", role=Role.APPLICANT)
    with pytest.raises(EditRefused):
        dossier_save_step(dossier=dossier, step="budget", data=budget("1"), expected_version=0, by=stranger)


def test_two_people_save_two_different_steps_from_pages_loaded_at_the_same_version(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    dossier_save_step(
        dossier=dossier,
        step="diagnostic",
        data={"diagnostic": "Besoins", "complementarity": ""},
        expected_version=0,
        by=user,
    )
    dossier_save_step(
        dossier=dossier,
        step="impact",
        data={"expected_impact": "Impact", "impact_measurement": "Mesure"},
        expected_version=0,
        by=user,
    )
    dossier.refresh_from_db()
    assert (dossier.diagnostic, dossier.expected_impact) == ("Besoins", "Impact")


def test_a_line_saved_once_is_updated_by_its_id_and_never_duplicated(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    data = budget("1000")
    dossier_save_step(dossier=dossier, step="budget", data=data, expected_version=0, by=user)
    row_id = data["expenses"][0]["id"]  # written back for the page's next save
    again = budget("1200")
    again["expenses"][0]["id"] = row_id
    dossier_save_step(dossier=dossier, step="budget", data=again, expected_version=1, by=user)
    assert list(ExpenseLine.objects.values_list("pk", "amount")) == [(row_id, Decimal("1200.00"))]


def test_a_line_missing_from_the_form_is_kept_only_a_line_marked_deleted_goes(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    data = budget("1000")
    dossier_save_step(dossier=dossier, step="budget", data=data, expected_version=0, by=user)
    row_id = data["expenses"][0]["id"]
    dossier_save_step(dossier=dossier, step="budget", data={**budget("1"), "expenses": []}, expected_version=1, by=user)
    assert ExpenseLine.objects.filter(pk=row_id).exists()
    dossier_save_step(
        dossier=dossier,
        step="budget",
        data={**budget("1"), "expenses": [], "expenses_deleted": [row_id]},
        expected_version=2,
        by=user,
    )
    assert not ExpenseLine.objects.exists()


def test_a_line_of_another_dossier_is_a_forged_reference_and_nothing_is_written(open_call, user, organisation):
    mine = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    other = dossier_create(call=open_call, organisation=organisation, title="B", by=user)
    data = budget("1000")
    dossier_save_step(dossier=other, step="budget", data=data, expected_version=0, by=user)
    forged = budget("5")
    forged["expenses"][0]["id"] = data["expenses"][0]["id"]
    with pytest.raises(ForgedReference):
        dossier_save_step(dossier=mine, step="budget", data=forged, expected_version=0, by=user)
    assert list(ExpenseLine.objects.values_list("dossier__title", "amount")) == [("B", Decimal("1000.00"))]
    assert step_version(mine, "budget") == 0


def _priority(title):
    return {"id": None, "title": title, "local_justification": "", "other_public_justification": "", "publics": []}


def test_a_priority_that_carries_an_action_is_not_deleted_even_from_a_page_loaded_before(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    rows = [{**_priority("P1"), "measures": []}]
    dossier_save_step(dossier=dossier, step="priorites", data={"priorities": rows}, expected_version=0, by=user)
    priority = Priority.objects.get()
    Action.objects.create(dossier=dossier, priority=priority, title="Action")
    with pytest.raises(SaveRefused, match="porte des actions"):
        dossier_save_step(
            dossier=dossier,
            step="priorites",
            data={"priorities": [], "priorities_deleted": [priority.pk]},
            expected_version=1,
            by=user,
        )
    assert Priority.objects.filter(pk=priority.pk).exists()


def _partner(name, contribution, amount, **extra):
    return {
        "id": None,
        "name": name,
        "siret": "",
        "contribution": contribution,
        "amount": Decimal(amount),
        "quantity": extra.get("quantity"),
        "unit": extra.get("unit", ""),
        "unit_value": extra.get("unit_value"),
        "basis": extra.get("basis", ""),
        "funder_kind": "public",
        "funding_status": "acquired",
    }


def test_partners_contributions_are_typed_once_and_become_the_budget_lines(open_call, user, organisation):
    dossier = dossier_create(call=open_call, organisation=organisation, title="A", by=user)
    partners = [
        _partner("CAF de l'Ariège", "financial", "30000"),
        _partner(
            "Commune de Saint-Girons",
            "staff",
            "13800",
            quantity=Decimal("4"),
            unit="ETP-mois",
            unit_value=Decimal("3450"),
            basis="0,33 ETP × 12 mois",
        ),
    ]
    dossier_save_step(dossier=dossier, step="partenaires", data={"partners": partners}, expected_version=0, by=user)
    resource = ResourceLine.objects.get(contributor__isnull=False)
    assert (resource.funder, resource.amount, resource.kind, resource.status) == (
        "CAF de l'Ariège",
        Decimal("30000.00"),
        "public",
        "acquired",
    )
    assert list(InKindLine.objects.values_list("partner", "amount")) == [
        ("Commune de Saint-Girons", Decimal("13800.00"))
    ]
    # The budget step neither sees nor touches them: its own lines only.
    dossier_save_step(dossier=dossier, step="budget", data=budget("1000"), expected_version=0, by=user)
    assert ResourceLine.objects.filter(contributor__isnull=False).count() == 1
    assert InKindLine.objects.get().amount == Decimal("13800.00")
    # A changed valuation at step 6 is the budget's at once.
    partners[1]["amount"] = Decimal("5400")
    dossier_save_step(dossier=dossier, step="partenaires", data={"partners": partners}, expected_version=1, by=user)
    assert InKindLine.objects.get().amount == Decimal("5400.00")
    assert InKindLine.objects.count() == 1 and ResourceLine.objects.filter(contributor__isnull=False).count() == 1
