"""The applicant's editor for keyboard and screen-reader users (issue 15, ADR 0049): one ``<h1>`` per step, an error
summary after a failed save whose links reach fields that exist (table cells included), « Erreur : » in the title,
each error tied to its field, the meaning of « * », autocomplete on the organisation's fields, the live regions, the
perimeter's search box, and a label on every cell of the budget lines."""

import itertools
import json

import lxml.html
import pytest
from django.urls import reverse

from pactes.dossiers.editing import dossier_save_step, step_version
from pactes.web.dossiers.forms import ApplicantForm
from pactes.web.dossiers.forms.creation import NewDossierForm
from pactes.web.organisations.forms import OrganisationForm
from tests.web.test_dossier_edit import budget_data, formset_data, save_one_priority, step_url

STEPS = ("porteur", "perimetre", "diagnostic", "priorites", "actions", "partenaires", "budget", "impact")
LEGEND = "Les champs marqués d'un * sont obligatoires."


@pytest.fixture
def signed_in(client, editor_dossier, editor_applicant, editor_epci):
    client.force_login(editor_applicant[0])
    return client


def parse(response):
    return lxml.html.fromstring(response.content.decode())


def text(element):
    return " ".join(element.text_content().split())


def main_headings(doc):
    """The headings of the page's content (the hidden session dialogs and the display settings are left aside)."""
    return [(int(h.tag[1]), text(h)) for h in doc.xpath("//main//h1|//main//h2|//main//h3|//main//h4|//main//h5")]


def missing_references(doc):
    """The ids that aria-describedby, aria-labelledby and label[for] name but the page does not hold."""
    ids = set(doc.xpath("//@id"))
    missing = []
    for attribute in ("aria-describedby", "aria-labelledby", "for"):
        for element in doc.xpath(f"//*[@{attribute}]"):
            missing += [(attribute, ref) for ref in element.get(attribute).split() if ref not in ids]
    return missing


def summary_links(doc):
    summary = doc.get_element_by_id("resume-erreurs")
    return [(a.get("href").removeprefix("#"), text(a)) for a in summary.xpath(".//a")]


def failed_budget(client, dossier):
    data = budget_data(lock_version=0, expenses=["1 000", "-5"], grant="douze", public="500")
    return client.post(step_url(dossier, "budget"), data)


# -- headings ------------------------------------------------------------------------------------------------------
def test_each_step_has_exactly_one_h1_the_step_title_and_no_heading_level_is_skipped(
    signed_in, editor_dossier, editor_applicant
):
    save_one_priority(editor_dossier, editor_applicant[0])
    pages = {step: step_url(editor_dossier, step) for step in STEPS}
    pages["nouvelle action"] = reverse("dossiers:action_new", args=[editor_dossier.reference])
    for name, url in pages.items():
        doc = parse(signed_in.get(url))
        h1 = doc.xpath("//h1")
        assert len(h1) == 1, name
        assert "Étape" in text(h1[0]), name
        levels = [level for level, _ in main_headings(doc)]
        assert levels[0] == 1, (name, main_headings(doc))
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (name, main_headings(doc))


# -- the error summary ---------------------------------------------------------------------------------------------
def test_a_failed_save_shows_a_summary_whose_links_reach_fields_of_the_page_table_cells_included(
    signed_in, editor_dossier
):
    response = failed_budget(signed_in, editor_dossier)
    assert response.status_code == 200
    doc = parse(response)
    assert doc.findtext(".//title").startswith("Erreur : Budget")
    summary = doc.get_element_by_id("resume-erreurs")
    assert summary.get("tabindex") == "-1" and summary.get("data-error-summary") is not None
    assert text(summary.xpath(".//h2")[0]) == "Le formulaire contient 2 erreurs"
    assert summary.xpath("./*[@role='alert']")  # read at once, like GOV.UK's summary, and focused by dossier.js
    links = summary_links(doc)
    # In the order of the page: the expense line first, then the grant.
    assert [anchor for anchor, _ in links] == ["id_depenses-1-amount", "id_state_grant"]
    assert links[0][1].startswith("Dépenses prévisionnelles, ligne 2 — Montant : Le montant ne peut pas être négatif")
    for anchor, _ in links:
        assert doc.xpath(f"//input[@id='{anchor}']"), anchor
    assert missing_references(doc) == []
    # The generic message of before is gone: the summary says it all.
    assert "Certaines saisies sont à corriger" not in response.content.decode()


def test_a_table_cell_in_error_is_invalid_and_described_by_its_message(signed_in, editor_dossier):
    doc = parse(failed_budget(signed_in, editor_dossier))
    cell = doc.get_element_by_id("id_depenses-1-amount")
    assert cell.get("aria-invalid") == "true"
    message = doc.get_element_by_id(cell.get("aria-describedby"))
    assert "ne peut pas être négatif" in text(message)
    assert "fr-error-text" in message.get("class")
    assert cell.getparent().tag == "td" and "fr-input-group--error" in cell.getparent().get("class")
    # The grant, a field of the DSFR: invalid and described by its message too.
    grant = doc.get_element_by_id("id_state_grant")
    assert grant.get("aria-invalid") == "true"
    assert "n'est pas un montant" in text(doc.get_element_by_id(grant.get("aria-describedby")))


def test_errors_of_lines_in_fieldsets_and_of_checkbox_groups_are_linked_to_existing_fields(signed_in, editor_dossier):
    porteur = signed_in.post(
        step_url(editor_dossier, "porteur"),
        {
            "lock_version": "0",
            "goto": "porteur",
            "title": "",
            "name": "Association",
            "siret": "123",
            "kind": "association",
            **formset_data("consortium", [{"name": "", "siret": "1", "role": "Locaux"}]),
        },
    )
    doc = parse(porteur)
    anchors = [anchor for anchor, _ in summary_links(doc)]
    assert anchors == ["id_title", "id_siret", "id_consortium-0-name", "id_consortium-0-siret"]
    assert all(doc.xpath(f"//*[@id='{a}']") for a in anchors)
    assert missing_references(doc) == []
    assert "Membre 1 — Organisation membre : Ce champ est obligatoire." in [t for _, t in summary_links(doc)]

    perimeter = parse(
        signed_in.post(step_url(editor_dossier, "perimetre"), {"lock_version": "0", "goto": "perimetre", "mode": ""})
    )
    anchors = [anchor for anchor, _ in summary_links(perimeter)]
    assert anchors == ["id_mode_0"]  # a group of radios: its first radio
    assert perimeter.xpath("//input[@id='id_mode_0' and @type='radio']")
    assert missing_references(perimeter) == []


def test_a_list_s_own_error_is_linked_to_its_alert(signed_in, editor_dossier):
    rows = [{"title": f"Priorité {n}", "local_justification": "Rural", "publics": ["jeunes"]} for n in range(4)]
    data = {**formset_data("priorites", rows), "priorites-MAX_NUM_FORMS": "3", "lock_version": "0", "goto": "x"}
    doc = parse(signed_in.post(step_url(editor_dossier, "priorites"), data))
    links = summary_links(doc)
    assert links and links[0][0] == "priorites-erreurs"
    assert doc.get_element_by_id("priorites-erreurs") is not None


def test_the_action_form_has_the_summary_and_the_legend(signed_in, editor_dossier, editor_applicant):
    save_one_priority(editor_dossier, editor_applicant[0])
    priority = editor_dossier.priorities.get()
    response = signed_in.post(
        reverse("dossiers:action_new", args=[editor_dossier.reference]),
        {"lock_version": "0", "priority": str(priority.pk), "title": "", **formset_data("mesures", [])},
    )
    doc = parse(response)
    assert doc.findtext(".//title").startswith("Erreur : Nouvelle action")
    assert [anchor for anchor, _ in summary_links(doc)] == ["id_title"]
    assert LEGEND in text(doc.xpath("//form[.//input[@name='title']]")[0])


def test_a_stale_save_is_an_error_page_focused_on_the_conflict(signed_in, editor_dossier, editor_applicant):
    dossier_save_step(
        dossier=editor_dossier,
        step="diagnostic",
        data={"diagnostic": "L'autre onglet", "complementarity": ""},
        expected_version=0,
        by=editor_applicant[0],
    )
    data = {"lock_version": "0", "goto": "diagnostic", "diagnostic": "Mon texte", "complementarity": ""}
    response = signed_in.post(step_url(editor_dossier, "diagnostic"), data)
    assert response.status_code == 409
    doc = parse(response)
    assert doc.findtext(".//title").startswith("Erreur : Diagnostic")
    conflict = doc.get_element_by_id("conflit")
    assert conflict.get("tabindex") == "-1" and conflict.get("data-error-summary") is not None


def test_a_page_loaded_without_error_has_no_summary_and_a_plain_title(signed_in, editor_dossier):
    doc = parse(signed_in.get(step_url(editor_dossier, "budget")))
    assert not doc.xpath("//*[@data-error-summary]")
    assert doc.findtext(".//title").startswith("Budget — dossier")


# -- autosave ------------------------------------------------------------------------------------------------------
def _autosave(client, dossier, step, data):
    return client.post(step_url(dossier, step), data, headers={"X-Pactes-Autosave": "1"})


def test_a_failed_autosave_answers_the_summary_with_links_to_existing_fields(signed_in, editor_dossier):
    data = budget_data(lock_version=0, expenses=["-5"], grant="", public="")
    response = _autosave(signed_in, editor_dossier, "budget", data)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {
            "anchor": "id_depenses-0-amount",
            "text": "Dépenses prévisionnelles, ligne 1 — Montant : Le montant ne peut pas être négatif (lu : « -5 »).",
        }
    ]
    assert "1 erreur à corriger" in body["message"]
    fragment = lxml.html.fromstring(body["summary_html"])
    assert fragment.get("id") == "resume-erreurs"
    assert [a.get("href") for a in fragment.xpath(".//a")] == ["#id_depenses-0-amount"]
    assert not fragment.xpath("//*[@role='alert']")  # no alert while typing: the polite status line says it
    page = parse(signed_in.get(step_url(editor_dossier, "budget")))
    assert page.xpath("//input[@id='id_depenses-0-amount']")


def test_a_successful_autosave_answers_the_rules_panel_as_judged_now(signed_in, editor_dossier):
    low = budget_data(lock_version=0, expenses=["100 000"], grant="62 000", public="10 000", own="28 000")
    response = _autosave(signed_in, editor_dossier, "budget", low)
    assert response.status_code == 200
    panel = lxml.html.fromstring(response.json()["panel_html"])
    assert panel.get("id") == "panneau-regles"
    assert "is-failed" in panel.xpath("//*[@data-rule='COFINANCING_TOO_LOW']")[0].get("class")
    assert text(panel.xpath("//*[@data-figure='total_expenses']")[0]).startswith("100")
    json.dumps(response.json())  # the whole answer is JSON


# -- live regions, legend, autocomplete, perimeter, budget cells ----------------------------------------------------
def test_every_step_form_states_the_meaning_of_the_asterisk_and_has_its_live_regions(signed_in, editor_dossier):
    for step in STEPS:
        doc = parse(signed_in.get(step_url(editor_dossier, step)))
        form = doc.get_element_by_id("step-form")
        assert LEGEND in text(form), step
        zone = doc.get_element_by_id("panneau-regles-zone")
        assert zone.get("aria-live") == "polite" and zone.xpath(".//*[@id='panneau-regles']"), step
        assert doc.get_element_by_id("zone-erreurs") is not None, step


def test_the_budget_live_totals_are_a_status(signed_in, editor_dossier):
    doc = parse(signed_in.get(step_url(editor_dossier, "budget")))
    totals = doc.get_element_by_id("budget-live-totals")
    assert totals.get("role") == "status"
    assert totals.xpath(".//*[@data-live='expenses']") and totals.xpath(".//*[@data-live='rate']")


def test_every_cell_of_the_budget_lines_has_its_own_label(signed_in, editor_dossier):
    doc = parse(signed_in.get(step_url(editor_dossier, "budget")))
    cells = doc.xpath("//table[@data-lines]//td//*[self::input[not(@type='hidden')] or self::select]")
    assert len(cells) == 2 * 5 + 1 * 5  # two empty expense lines and one cofinancing line, « Supprimer » included
    for cell in cells:
        labels = doc.xpath(f"//label[@for='{cell.get('id')}']")
        assert len(labels) == 1, cell.get("id")
        assert ", ligne " in text(labels[0]), text(labels[0])
    deletes = doc.xpath("//input[@type='checkbox' and contains(@name, '-DELETE')]")
    assert deletes and all(
        text(doc.xpath(f"//label[@for='{d.get('id')}']")[0]).startswith("Supprimer la ligne") for d in deletes
    )
    assert doc.xpath("//*[contains(@class, 'pactes-lines')]//table")
    assert missing_references(doc) == []


def test_autocomplete_tokens_on_the_applicant_organisation_fields(signed_in, editor_dossier, editor_call):
    doc = parse(signed_in.get(step_url(editor_dossier, "porteur")))
    assert doc.get_element_by_id("id_name").get("autocomplete") == "organization"
    assert doc.get_element_by_id("id_address").get("autocomplete") == "street-address"
    organisation = OrganisationForm(kinds=[], departements=[])
    assert organisation["name"].field.widget.attrs["autocomplete"] == "organization"
    assert organisation["address"].field.widget.attrs["autocomplete"] == "street-address"
    assert NewDossierForm.base_fields["new_name"].widget.attrs["autocomplete"] == "organization"
    assert NewDossierForm.base_fields["new_address"].widget.attrs["autocomplete"] == "street-address"
    assert ApplicantForm.base_fields["name"].widget.attrs["autocomplete"] == "organization"


def test_the_sign_up_form_names_the_purpose_of_each_personal_field(client, db):
    doc = parse(client.get(reverse("signup:signup")))
    tokens = {i.get("name"): i.get("autocomplete") for i in doc.xpath("//form//input[@name]")}
    assert tokens["email"] == "email"
    assert tokens["first_name"] == "given-name" and tokens["last_name"] == "family-name"


def test_the_perimeter_step_has_a_search_box_and_a_selection_list_for_each_long_list(
    signed_in, editor_dossier, editor_applicant, editor_epci
):
    dossier_save_step(
        dossier=editor_dossier,
        step="perimetre",
        data={"epcis": [editor_epci], "communes": []},
        expected_version=step_version(editor_dossier, "perimetre"),
        by=editor_applicant[0],
    )
    doc = parse(signed_in.get(step_url(editor_dossier, "perimetre")))
    for name in ("epcis", "communes"):
        group = doc.get_element_by_id(f"checkboxes-id_{name}")
        assert group.get("data-filterable") is not None
        search = group.xpath(".//input[@type='search']")[0]
        assert search.get("name") is None  # never posted with the step
        assert doc.xpath(f"//label[@for='{search.get('id')}']")
        assert group.xpath(".//ul[@data-selection]") and group.xpath(".//*[@role='status']")
        # Without JavaScript the tools stay hidden and the whole list is there.
        assert group.xpath(".//*[@data-filter-tools]")[0].get("hidden") is not None
    boxes = doc.xpath("//fieldset[@id='checkboxes-id_epcis']//input[@type='checkbox']")
    assert any(b.get("value") == editor_epci.siren and b.get("checked") is not None for b in boxes)
    assert missing_references(doc) == []


def test_a_refused_new_dossier_lists_its_errors_at_the_top_and_states_the_asterisk(
    client, editor_call, editor_applicant
):
    client.force_login(editor_applicant[0])
    assert LEGEND in text(parse(client.get(reverse("dossiers:new"))).xpath("//main//form[.//input[@name='title']]")[0])
    response = client.post(reverse("dossiers:new"), {"call": editor_call.slug, "title": "", "new_siret": "123"})
    doc = parse(response)
    assert doc.findtext(".//title").startswith("Erreur : Nouveau dossier")
    anchors = [anchor for anchor, _ in summary_links(doc)]
    assert "id_title" in anchors and "id_new_siret" in anchors
    assert all(doc.xpath(f"//*[@id='{a}']") for a in anchors)
    assert doc.xpath("//script[contains(@src, 'dossier.js')]")
