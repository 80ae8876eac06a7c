"""Model-based test of the budget step: random sequences of typing, autosave, save, delete and reload must always
leave in the database exactly the lines the page shows — no typed line lost, none duplicated, no blank line required.

The test plays the browser: it reads the rendered form (inputs and their values), types into it, posts it as
dossier.js does (header ``X-Pactes-Autosave``, then applying the JSON ``fields``) or as the « Enregistrer » button
does, and compares the page's lines with ``ExpenseLine`` rows after every save.
"""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pactes.dossiers.editing import dossier_create
from pactes.dossiers.models import ExpenseLine
from tests.web.test_dossier_edit import step_url


class FormInputs(HTMLParser):
    """The named inputs of the step form, as a browser would submit them (unchecked boxes left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.checkboxes: set[str] = set()
        self._in_form = False
        self._select: str | None = None
        self._first_option = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "step-form":
            self._in_form = True
        if not self._in_form or (not a.get("name") and tag != "option"):
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "checkbox":
                self.checkboxes.add(name)
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            elif kind not in ("submit", "button"):
                self.values[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
            self._first_option = True
        elif tag == "option" and self._select:
            # A browser sends the selected option, else the first one.
            if "selected" in a or self._first_option:
                self.values[self._select] = a.get("value", "")
            self._first_option = False
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def read_page(client, dossier) -> dict[str, str]:
    parser = FormInputs()
    parser.feed(client.get(step_url(dossier, "budget")).content.decode())
    return parser.values


def page_lines(page: dict[str, str]) -> list[tuple[str, Decimal]]:
    """The expense lines the page shows: typed, not ticked « Supprimer »."""
    lines = []
    for i in range(int(page["depenses-TOTAL_FORMS"])):
        label, amount = page.get(f"depenses-{i}-label", ""), page.get(f"depenses-{i}-amount", "")
        if page.get(f"depenses-{i}-DELETE") or not (label or amount):
            continue
        lines.append((label, Decimal(amount.replace(" ", "").replace("\u202f", "").replace(",", "."))))
    return sorted(lines)


def stored_lines(dossier) -> list[tuple[str, Decimal]]:
    return sorted(ExpenseLine.objects.filter(dossier=dossier).values_list("label", "amount"))


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("type"), st.integers(0, 5), st.integers(1, 99_999)),
        st.tuples(st.just("delete"), st.integers(0, 5), st.just(0)),
        st.tuples(st.just("autosave"), st.just(0), st.just(0)),
        st.tuples(st.just("save"), st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_autosave_and_save_in_any_order_keep_exactly_the_lines_the_page_shows(
    client, editor_applicant, editor_call, operations
):
    user, organisation = editor_applicant
    dossier = dossier_create(call=editor_call, organisation=organisation, title="Propriété", by=user)
    client.force_login(user)
    page = read_page(client, dossier)
    page["state_grant"] = "500"
    typed = 0
    for operation, row, amount in operations:
        rows = int(page["depenses-TOTAL_FORMS"])
        if operation == "type":
            # Typing in a line: the first blank ones, or over an existing one.
            index = row % rows
            typed += 1
            page[f"depenses-{index}-label"] = f"Ligne {typed}"
            page[f"depenses-{index}-amount"] = str(amount)
            page[f"depenses-{index}-category"] = "Achats"
        elif operation == "delete":
            index = row % rows
            if page.get(f"depenses-{index}-id"):
                page[f"depenses-{index}-DELETE"] = "on"
        elif operation == "autosave":
            response = client.post(step_url(dossier, "budget"), page, headers={"X-Pactes-Autosave": "1"})
            assert response.status_code == 200, response.content.decode()
            body = response.json()
            assert body["saved"] is True
            page.update(body["fields"])
            assert stored_lines(dossier) == page_lines(page)
        else:  # « Enregistrer »: then the browser shows the page again
            response = client.post(step_url(dossier, "budget"), {**page, "goto": "budget"})
            assert response.status_code == 302, response.content.decode()[:2000]
            expected = page_lines(page)
            assert stored_lines(dossier) == expected
            page = read_page(client, dossier)
            assert page_lines(page) == expected
    client.post(step_url(dossier, "budget"), {**page, "goto": "budget"})
    assert stored_lines(dossier) == page_lines(page)


def test_the_two_reported_cases_a_line_typed_in_the_first_or_second_blank_row_survives_autosave_then_save(
    client, editor_applicant, editor_call
):
    user, organisation = editor_applicant
    for blank in (0, 1):
        dossier = dossier_create(call=editor_call, organisation=organisation, title=f"Cas {blank}", by=user)
        client.force_login(user)
        page = read_page(client, dossier)
        page |= {
            "state_grant": "500",
            f"depenses-{blank}-label": "Matériel",
            f"depenses-{blank}-amount": "1 200",
            f"depenses-{blank}-category": "Achats",
        }
        body = client.post(step_url(dossier, "budget"), page, headers={"X-Pactes-Autosave": "1"}).json()
        assert body["saved"] is True and f"depenses-{blank}-id" in body["fields"]
        page.update(body["fields"])
        response = client.post(step_url(dossier, "budget"), {**page, "goto": "budget"})
        assert response.status_code == 302
        assert stored_lines(dossier) == [("Matériel", Decimal("1200.00"))]


def test_a_negative_line_count_is_refused_whole_and_deletes_nothing(client, editor_applicant, editor_call):
    user, organisation = editor_applicant
    dossier = dossier_create(call=editor_call, organisation=organisation, title="Compte négatif", by=user)
    client.force_login(user)
    page = read_page(client, dossier)
    page |= {"state_grant": "500", "depenses-0-label": "Matériel", "depenses-0-amount": "1 200"}
    assert client.post(step_url(dossier, "budget"), {**page, "goto": "budget"}).status_code == 302
    forged = {**read_page(client, dossier), "depenses-TOTAL_FORMS": "-5", "goto": "budget"}
    response = client.post(step_url(dossier, "budget"), forged)
    assert response.status_code == 400
    assert "rien n'a été enregistré" in response.content.decode().replace("&#x27;", "'")
    assert stored_lines(dossier) == [("Matériel", Decimal("1200.00"))]


def test_a_line_id_of_another_dossier_is_a_french_400_and_touches_neither_dossier(
    client, editor_applicant, editor_call
):
    user, organisation = editor_applicant
    victim = dossier_create(call=editor_call, organisation=organisation, title="Victime", by=user)
    ExpenseLine.objects.create(dossier=victim, label="À ne pas toucher", amount=Decimal("10"))
    mine = dossier_create(call=editor_call, organisation=organisation, title="Mien", by=user)
    client.force_login(user)
    page = read_page(client, mine)
    other_id = ExpenseLine.objects.get(dossier=victim).pk
    page |= {
        "state_grant": "500",
        "depenses-0-id": str(other_id),
        "depenses-0-label": "Pirate",
        "depenses-0-amount": "1",
    }
    response = client.post(step_url(mine, "budget"), {**page, "goto": "budget"})
    assert response.status_code == 400
    assert stored_lines(victim) == [("À ne pas toucher", Decimal("10.00"))]
    assert stored_lines(mine) == []
