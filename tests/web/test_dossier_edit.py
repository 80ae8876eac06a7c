"""The applicant's dossier editor: creation, steps saved when left, strict amounts, lost updates refused, scope,
read-only filed dossiers, the live rules panel and co-editors invited by e-mail."""

import html
import re
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load
from pactes.dossiers.editing import dossier_save_step, step_version
from pactes.dossiers.models import Dossier, ExpenseLine, ResourceLine
from pactes.dossiers.services import dossier_transition
from pactes.organisations.models import Membership, Organisation
from tests.web.editor import OTHER_SIRET, PASSWORD, VALID_SIRET  # noqa: F401 (used by other tests of the editor)


# The editor's fixtures (tests/web/editor.py) under this module's short names.
@pytest.fixture
def open_call(editor_call):
    return editor_call


@pytest.fixture
def applicant(editor_applicant):
    return editor_applicant


@pytest.fixture
def other_applicant(editor_other_applicant):
    return editor_other_applicant


@pytest.fixture
def dossier(editor_dossier):
    return editor_dossier


@pytest.fixture
def epci(editor_epci):
    return editor_epci


def step_url(dossier, step):
    return reverse("dossiers:step", kwargs={"reference": dossier.reference, "step": step})


def save_one_priority(dossier, user):
    """One priority « Emploi » (locally justified, public « jeunes »), saved through the service."""
    dossier_save_step(
        dossier=dossier,
        step="priorites",
        data={
            "priorities": [
                {
                    "id": None,
                    "title": "Emploi",
                    "measures": [],
                    "local_justification": "Rural",
                    "publics": ["jeunes"],
                    "other_public_justification": "",
                }
            ]
        },
        expected_version=step_version(dossier, "priorites"),
        by=user,
    )


def formset_data(prefix, rows, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def budget_data(*, lock_version, expenses, grant, public="", own="", dossier=None):
    """The budget form as the page posts it; with ``dossier``, its stored lines are the lines typed over (by id)."""
    expense_ids = list(dossier.expenses.values_list("pk", flat=True)) if dossier else []
    resource_ids = list(dossier.resources.filter(kind="public").values_list("pk", flat=True)) if dossier else []
    data = {"lock_version": str(lock_version), "goto": "budget", "state_grant": grant, "own_funds": own}
    data |= formset_data(
        "depenses",
        [
            {
                "id": expense_ids[i] if i < len(expense_ids) else "",
                "category": "Achats",
                "label": "Dépense",
                "amount": a,
            }
            for i, a in enumerate(expenses)
        ],
        initial=len(expense_ids),
    )
    data |= formset_data(
        "ressources",
        [
            {
                "id": resource_ids[0] if resource_ids else "",
                "kind": "public",
                "funder": "CAF",
                "amount": public,
                "status": "acquired",
            }
        ]
        if public
        else [],
        initial=len(resource_ids),
    )
    return data


def panel_state(content, code):
    match = re.search(rf'data-rule="{code}" class="([^"]+)"', content)
    assert match, f"la règle {code} n'apparaît pas dans le panneau"
    return match.group(1)


# -- creation ------------------------------------------------------------------------------------------------------
def test_applicant_creates_a_draft_with_a_new_organisation_through_the_views(
    client, open_call, applicant, departements
):
    user, _ = applicant
    client.force_login(user)
    page = client.get(reverse("dossiers:new"))
    assert page.status_code == 200
    assert open_call.title in page.content.decode()
    response = client.post(
        reverse("dossiers:new"),
        {
            "call": open_call.slug,
            "title": "Garde d'enfants en horaires atypiques",
            "organisation": "",
            "new_name": "CIAS du Couserans",
            "new_siret": "130 025 265 00013",
            "new_kind": "etablissement_public",
            "new_address": "Saint-Girons",
            "new_departement": "09",
        },
    )
    dossier = Dossier.objects.get(title="Garde d'enfants en horaires atypiques")
    assert response.status_code == 302
    assert response["Location"] == step_url(dossier, "porteur")
    year = timezone.localtime(open_call.rules.filing_opens_at).year
    assert dossier.reference == f"PTS-{year}-09-0001"
    assert dossier.is_draft and dossier.departement.code == "09"
    assert dossier.organisation.siret == "13002526500013"
    assert Membership.objects.filter(organisation=dossier.organisation, user=user, is_admin=True).exists()


def test_new_organisation_with_a_wrong_siret_key_is_refused_in_french(client, open_call, applicant):
    client.force_login(applicant[0])
    response = client.post(
        reverse("dossiers:new"),
        {
            "call": open_call.slug,
            "title": "Projet",
            "new_name": "X",
            "new_siret": "83914701400015",
            "new_kind": "association",
        },
    )
    assert response.status_code == 200
    assert "clé de contrôle est fausse" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_closed_call_is_not_offered_for_a_new_dossier(client, applicant, db):
    closed = call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    client.force_login(applicant[0])
    response = client.post(
        reverse("dossiers:new"), {"call": closed.slug, "title": "Projet", "organisation": str(applicant[1].pk)}
    )
    assert closed.title not in response.content.decode()
    assert "Aucun appel n'est ouvert au dépôt" in response.content.decode()
    assert not Dossier.objects.exists()


# -- steps ---------------------------------------------------------------------------------------------------------
def test_each_step_is_saved_when_left_and_redisplayed(client, dossier, applicant, epci):
    client.force_login(applicant[0])
    posts = [
        (
            "porteur",
            {
                "title": "Épicerie solidaire itinérante du Couserans",
                "name": "Association Solidarités Couserans",
                "siret": VALID_SIRET,
                "kind": "association",
                "address": "12 rue de la République",
                "legal_representative": "Marie Durand, présidente",
                "contact": "contact@couserans.test",
                **formset_data("consortium", [{"name": "Commune de Saint-Girons", "siret": "", "role": "Locaux"}]),
            },
            ["Marie Durand, présidente", "Commune de Saint-Girons"],
        ),
        ("perimetre", {"mode": "epci", "epcis": ["200067940"]}, ["CC Couserans-Pyrénées (200067940)"]),
        (
            "diagnostic",
            {"diagnostic": "Médiane du niveau de vie basse (Filosofi 2019).", "complementarity": "Complète le CDS."},
            ["Médiane du niveau de vie basse (Filosofi 2019)."],
        ),
        (
            "priorites",
            formset_data(
                "priorites",
                [
                    {
                        "title": "Lever les freins à l'emploi",
                        "local_justification": "Isolement rural",
                        "publics": ["familles_monoparentales"],
                    }
                ],
            ),
            ["Lever les freins à l&#x27;emploi", "Isolement rural"],
        ),
        (
            "partenaires",
            formset_data(
                "partenaires",
                [
                    {
                        "name": "Commune de Saint-Girons",
                        "contribution": "staff",
                        "quantity": "2,4",
                        "unit": "ETP-mois",
                        "unit_value": "3 500",
                        "basis": "0,2 ETP × 12 mois × 3 500 €",
                    }
                ],
            ),
            ["0,2 ETP × 12 mois × 3 500 €", "8\u202f400"],
        ),
        (
            "budget",
            budget_data(lock_version=0, expenses=["100 000"], grant="50 000", public="50 000"),
            ["100\u202f000"],
        ),
        (
            "impact",
            {"expected_impact": "25 familles en emploi.", "impact_measurement": "Suivi trimestriel."},
            ["25 familles en emploi."],
        ),
    ]
    for step, data, shown in posts:
        version = step_version(dossier, step)
        response = client.post(step_url(dossier, step), {**data, "lock_version": str(version), "goto": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:3000])
        assert step_version(dossier, step) == version + 1
        content = client.get(step_url(dossier, step)).content.decode()
        for text in shown:
            assert text in content, (step, text)
    dossier.refresh_from_db()
    assert dossier.departement.code == "09"
    assert dossier.partners.get().amount == Decimal("8400.00")
    assert dossier.priorities.get().publics == ["familles_monoparentales"]


def test_an_action_is_added_under_a_priority_with_its_impact_measures(client, dossier, applicant):
    user = applicant[0]
    save_one_priority(dossier, user)
    priority = dossier.priorities.get()
    client.force_login(user)
    response = client.post(
        reverse("dossiers:action_new", kwargs={"reference": dossier.reference}),
        {
            "lock_version": "1",
            "priority": str(priority.pk),
            "title": "Garde d'enfants",
            "territorial_level": "epci",
            "publics": ["jeunes"],
            "other_partners": "CAF de l'Ariège\nCommune de Saint-Girons",
            "start": "2024-11-04",
            "end": "2025-10-31",
            **formset_data(
                "mesures", [{"indicator": "Familles en emploi", "unit": "familles", "baseline": "0", "target": "25"}]
            ),
        },
    )
    assert response.status_code == 302
    action = dossier.actions.get()
    assert action.partners == ["CAF de l'Ariège", "Commune de Saint-Girons"]
    assert action.impact_measures.get().target == Decimal("25")
    assert "Garde d&#x27;enfants" in client.get(step_url(dossier, "actions")).content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-500", "ne peut pas être négatif"),
        ("douze mille", "n&#x27;est pas un montant"),
        ("123456789012345678901234567", "Montant trop grand"),
    ],
)
def test_a_bad_amount_is_a_french_error_and_nothing_of_the_step_is_saved(client, dossier, applicant, typed, message):
    user = applicant[0]
    dossier_save_step(
        dossier=dossier,
        step="diagnostic",
        data={"diagnostic": "Diagnostic déjà saisi", "complementarity": ""},
        expected_version=0,
        by=user,
    )
    client.force_login(user)
    response = client.post(
        step_url(dossier, "budget"), budget_data(lock_version=0, expenses=["1 000", typed], grant="500", public="500")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert f'value="{typed}"' in content  # what was typed is shown again
    assert not ExpenseLine.objects.exists() and not ResourceLine.objects.exists()
    dossier.refresh_from_db()
    assert dossier.lock_version == 1
    assert dossier.diagnostic == "Diagnostic déjà saisi"


def test_a_stale_save_is_refused_with_a_message_and_the_typed_values_are_kept(client, dossier, applicant):
    user = applicant[0]
    client.force_login(user)
    loaded_version = step_version(dossier, "diagnostic")
    # Another tab saves first.
    dossier_save_step(
        dossier=dossier,
        step="diagnostic",
        data={"diagnostic": "Version de l'autre onglet", "complementarity": ""},
        expected_version=loaded_version,
        by=user,
    )
    response = client.post(
        step_url(dossier, "diagnostic"),
        {
            "lock_version": str(loaded_version),
            "goto": "next",
            "diagnostic": "Ma saisie à ne pas perdre",
            "complementarity": "",
        },
    )
    content = response.content.decode()
    assert response.status_code == 409
    assert "a été modifiée par" in content and "conservées ci-dessous" in content
    # Both versions side by side, the typed one kept in the form, and the form now carries the current version:
    # « Enregistrer » knowingly replaces the other tab's text.
    comparison = content.split('id="comparaison"', 1)[1].split("</table>", 1)[0]
    assert "Ma saisie à ne pas perdre" in comparison and "Version de l&#x27;autre onglet" in comparison
    assert "Ma saisie à ne pas perdre</textarea>" in content
    assert 'name="lock_version" value="1"' in content
    dossier.refresh_from_db()
    assert dossier.diagnostic == "Version de l'autre onglet"
    again = {
        "lock_version": "1",
        "goto": "diagnostic",
        "diagnostic": "Ma saisie à ne pas perdre",
        "complementarity": "",
    }
    assert client.post(step_url(dossier, "diagnostic"), again).status_code == 302
    dossier.refresh_from_db()
    assert dossier.diagnostic == "Ma saisie à ne pas perdre"


# -- scope ---------------------------------------------------------------------------------------------------------
def test_another_applicant_and_an_instructor_get_404_on_the_editor(client, dossier, other_applicant, departements):
    instructor = User.objects.create_user(
        "ddets09@pactes.test", PASSWORD, role=Role.INSTRUCTOR, departement=departements["09"]
    )
    for user in (other_applicant[0], instructor):
        client.force_login(user)
        assert client.get(step_url(dossier, "porteur")).status_code == 404
        response = client.post(step_url(dossier, "diagnostic"), {"lock_version": "0", "diagnostic": "Intrus"})
        assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.diagnostic == ""


def test_anonymous_visitor_is_sent_to_the_login_page(client, dossier):
    url = step_url(dossier, "porteur")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_filed_dossier_is_read_only(client, dossier, applicant):
    user = applicant[0]
    dossier_transition(dossier=dossier, transition="submit", by=user)
    client.force_login(user)
    assert client.get(step_url(dossier, "diagnostic")).status_code == 302
    response = client.post(
        step_url(dossier, "diagnostic"), {"lock_version": str(dossier.lock_version), "diagnostic": "Après dépôt"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", kwargs={"reference": dossier.reference})
    dossier.refresh_from_db()
    assert dossier.diagnostic == ""


# -- the live panel ------------------------------------------------------------------------------------------------
def test_the_panel_shows_cofinancing_too_low_until_the_budget_is_fixed(client, dossier, applicant):
    client.force_login(applicant[0])
    low = budget_data(lock_version=0, expenses=["100 000"], grant="62 000", public="10 000", own="28 000")
    assert client.post(step_url(dossier, "budget"), low).status_code == 302
    content = client.get(step_url(dossier, "budget")).content.decode()
    assert "is-failed" in panel_state(content, "COFINANCING_TOO_LOW")
    assert "38\u00a0%" in content
    fixed = budget_data(lock_version=1, expenses=["100 000"], grant="50 000", public="50 000", dossier=dossier)
    assert client.post(step_url(dossier, "budget"), fixed).status_code == 302
    content = client.get(step_url(dossier, "diagnostic")).content.decode()
    assert panel_state(content, "COFINANCING_TOO_LOW") == "is-met"
    assert panel_state(content, "GRANT_OVER_CAP") == "is-met"


# -- co-editors ----------------------------------------------------------------------------------------------------
def test_an_invited_co_editor_accepts_and_can_then_edit(
    client, dossier, applicant, other_applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dossiers:invite", kwargs={"reference": dossier.reference}), {"email": "autre@pactes.test"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith(f"[{dossier.call.rules.subject_prefix}] ")
    assert message.to == ["autre@pactes.test"]
    link = re.search(r"https?://\S+/dossiers/invitation/\S+/", message.body).group(0)
    path = link.split("testserver", 1)[1]

    co_editor = other_applicant[0]
    client.force_login(co_editor)
    assert client.get(step_url(dossier, "diagnostic")).status_code == 404
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert dossier.editors.filter(pk=co_editor.pk).exists()
    response = client.post(
        step_url(dossier, "diagnostic"),
        {"lock_version": str(dossier.lock_version), "goto": "diagnostic", "diagnostic": "Écrit par le co-éditeur"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.diagnostic == "Écrit par le co-éditeur"
    assert client.post(path).status_code == 410  # the link works once


def test_every_page_of_the_editor_renders_with_the_stepper_and_the_panel(client, dossier, applicant, epci):
    from pactes.calls.services import measures_import

    measures_import(path=django_settings.PACTES_CALLS_DIR / "pacte_des_solidarites.yaml")
    user = applicant[0]
    save_one_priority(dossier, user)
    client.force_login(user)
    for step in ("porteur", "perimetre", "diagnostic", "priorites", "actions", "partenaires", "budget", "impact"):
        content = client.get(step_url(dossier, step)).content.decode()
        assert "fr-stepper" in content, step
        assert 'id="panneau-regles"' in content, step
        assert f'name="lock_version" value="{step_version(dossier, step)}"' in content, step
    assert step_version(dossier, "priorites") == 1
    priorities = client.get(step_url(dossier, "priorites")).content.decode()
    assert "Axe " in priorities and "Autre public précaire" in priorities
    assert "CC Couserans-Pyrénées" in client.get(step_url(dossier, "perimetre")).content.decode()
    form = client.get(reverse("dossiers:action_new", kwargs={"reference": dossier.reference}))
    assert form.status_code == 200
    assert "Mesures d'impact" in form.content.decode()
    assert "Modifier le dossier" in client.get(reverse("dossiers:detail", args=[dossier.reference])).content.decode()


def test_autre_public_precaire_requires_its_justification(client, dossier, applicant):
    client.force_login(applicant[0])
    data = formset_data(
        "priorites", [{"title": "Inclusion", "local_justification": "Rural", "publics": ["autre_public_precaire"]}]
    )
    response = client.post(step_url(dossier, "priorites"), {**data, "lock_version": "0", "goto": "priorites"})
    assert response.status_code == 200
    assert "précisez et justifiez ce public" in response.content.decode()
    assert not dossier.priorities.exists()


# -- background autosave (dossier.js) ------------------------------------------------------------------------------
def _autosave(client, dossier, step, data):
    return client.post(
        reverse("dossiers:step", args=[dossier.reference, step]), data, headers={"X-Pactes-Autosave": "1"}
    )


def test_autosave_saves_the_step_and_returns_the_new_lock_version(client, dossier, applicant):
    client.force_login(applicant[0])
    data = {"lock_version": str(dossier.lock_version), "diagnostic": "Brouillon tapé", "complementarity": ""}
    response = _autosave(client, dossier, "diagnostic", data)
    assert response.status_code == 200
    body = response.json()
    dossier.refresh_from_db()
    assert body["saved"] is True and body["lock_version"] == step_version(dossier, "diagnostic") == 1
    assert body["fields"] == {"lock_version": "1"}
    assert "Enregistré automatiquement" in body["message"]
    assert dossier.diagnostic == "Brouillon tapé"


def test_autosave_under_a_stale_version_is_refused_and_writes_nothing(client, dossier, applicant):
    user = applicant[0]
    client.force_login(user)
    loaded = step_version(dossier, "diagnostic")
    dossier_save_step(
        dossier=dossier,
        step="diagnostic",
        data={"diagnostic": "Version du co-éditeur", "complementarity": ""},
        expected_version=loaded,
        by=user,
    )
    response = _autosave(
        client, dossier, "diagnostic", {"lock_version": str(loaded), "diagnostic": "Mon texte", "complementarity": ""}
    )
    assert response.status_code == 409
    assert response.json()["stale"] is True and "conservées ci-dessous" in response.json()["message"]
    dossier.refresh_from_db()
    assert dossier.diagnostic == "Version du co-éditeur"


def test_autosave_is_404_for_another_applicant(client, dossier, other_applicant):
    client.force_login(other_applicant[0])
    response = _autosave(client, dossier, "diagnostic", {"lock_version": "0", "diagnostic": "x", "complementarity": ""})
    assert response.status_code == 404


def test_a_new_organisation_refused_by_the_call_leaves_nothing_and_the_form_says_why(client, open_call, applicant):
    client.force_login(applicant[0])
    response = client.post(
        reverse("dossiers:new"),
        {
            "call": open_call.slug,
            "title": "Projet",
            "new_name": "Homonyme",
            "new_siret": VALID_SIRET,
            "new_kind": "association",
        },
    )
    assert response.status_code == 200
    assert "Une organisation de ce SIRET existe déjà sur Pactes" in response.content.decode()
    assert Organisation.objects.count() == 1 and not Dossier.objects.exists()


def test_each_rule_of_the_panel_sits_under_the_step_that_fixes_it(client, dossier, applicant):
    from pactes.dossiers.editing import STEP_CODES
    from pactes.rules.dossier import RULES

    assert {rule.step for rule in RULES} <= {*STEP_CODES, ""}
    client.force_login(applicant[0])
    content = client.get(step_url(dossier, "budget")).content.decode()
    titles = re.findall(r'<h3 class="fr-text--md fr-mt-2w fr-mb-1v">([^<]+)', content)
    assert [html.unescape(t.strip()) for t in titles] == [
        "Porteur",
        "Périmètre",
        "Priorités",
        "Plan d'actions",
        "Partenaires et engagements",
        "Budget",
        "Impact attendu",
        "Dépôt",
    ]
