"""No 500 on any input (issue 8): generated bodies sent to every POST endpoint of the applicant's editor, and junk in
every numeric filter of the staff pages.

The editor examples start from one saved dossier (the interchange example under the demonstration call, open for
filing) and each is rolled back afterwards, so every example sees the same content. The field names come from the
page itself (what a browser would send), then values are replaced by generated text, huge numbers, unicode junk,
forged ids or broken formset counts. A request that does not save (anything but a redirect after a save, or an
autosave answering ``saved: false``) must leave the dossier's content exactly as it was.

Deterministic (``derandomize``) and bounded (``max_examples``): a few hundred requests in all, for a stable CI.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from pactes.accounts.models import Role, User
from pactes.dossiers.editing import STEP_CODES
from pactes.dossiers.interchange import canonical_json, document_to_dossier, dossier_to_document
from pactes.dossiers.models import Action, Dossier, ExpenseLine, Partner, Priority
from tests.dossiers.fixtures import PASSWORD, example_document
from tests.instruction.fixtures import STAFF_EMAILS

AUTOSAVE = {"HTTP_X_PACTES_AUTOSAVE": "1"}
OTHER_SIRET = "88253614700011"


def fuzz(max_examples: int) -> fuzz_settings:
    return fuzz_settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- what a browser would send -------------------------------------------------------------------------------------
@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, value) as submitted, in order
    options: dict[str, list[str]] = field(default_factory=dict)  # every value offered for a choice field

    @property
    def names(self) -> list[str]:
        return sorted({name for name, _ in self.fields} | set(self.options))


class FormParser(HTMLParser):
    """The forms of a page with the values a browser would submit (checked boxes, selected options, textareas)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool, list[str], list[str]] | None = None  # name, multiple, selected, all options
        self._option: str | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        if self._form is None or ("name" not in attrs and tag not in {"option"}):
            return
        name = attrs.get("name", "")
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset"}:
                self._form.options.setdefault(name, []).append(attrs.get("value", ""))
            elif kind in {"checkbox", "radio"}:
                self._form.options.setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    self._form.fields.append((name, attrs.get("value", "on")))
            elif kind != "file":
                self._form.fields.append((name, attrs.get("value", "")))
        elif tag == "button":
            self._form.options.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select = (name, "multiple" in attrs, [], [])
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            self._option = value
            if value is not None:
                self._select[3].append(value)
                if "selected" in attrs:
                    self._select[2].append(value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            self._form.fields.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple, selected, every = self._select
            chosen = selected or ([] if multiple else every[:1])
            self._form.fields.extend((name, value) for value in chosen)
            self._form.options[name] = every
            self._select = None
        elif tag == "form":
            self._form = None


def page_form(client, url: str) -> Form:
    """The editing form of a page: the one with the most fields (not the header's logout form)."""
    response = client.get(url)
    assert response.status_code == 200, url
    parser = FormParser()
    parser.feed(response.content.decode())
    return max(parser.forms, key=lambda form: len(form.fields) + len(form.options))


def as_data(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


# -- generated values ----------------------------------------------------------------------------------------------
# Text a person could paste: any printable unicode (no lone surrogates: a browser cannot send them).
junk_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
huge_number = st.integers(min_value=11, max_value=80).map(lambda n: "9" * n)
numberish = st.sampled_from(
    [
        "1" * 27,
        "-5",
        "−1 000",
        "1e999",
        "NaN",
        "Infinity",
        "0x1F",
        "1_000",
        "12,345",
        "1.234,56",
        "٣٤٥",  # Arabic-Indic digits
        "１２３",  # fullwidth digits
        "99999999999999999999",
        "-99999999999999999999",
        "2024-02-30",
        "31/12/99999",
        "0",
        "",
        " ",
        "\x00",
    ]
)
any_value = st.one_of(junk_text, huge_number, numberish)


def mutated(form: Form, data: st.DataObject, *, keep: set[str] = frozenset()) -> dict[str, list[str]]:
    """The page's own values, some replaced by generated ones (field names unchanged)."""
    fields = as_data(form.fields)
    for name in form.names:
        if name in keep or name == "csrfmiddlewaretoken":
            continue
        if data.draw(st.integers(0, 3), label=f"change {name}?") == 0:
            fields[name] = data.draw(st.lists(any_value, min_size=0, max_size=2), label=name)
    return fields


def management_names(form: Form) -> list[str]:
    return [name for name in form.names if name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS"))]


def content(dossier: Dossier) -> str:
    return canonical_json(dossier_to_document(Dossier.objects.get(pk=dossier.pk)))


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example starts from the same saved dossier."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def saved(response) -> bool:
    if response.get("Content-Type", "").startswith("application/json"):
        return bool(json.loads(response.content).get("saved"))
    return response.status_code == 302


def post_and_check(client, url: str, data, dossier: Dossier, before: str, *, autosave: bool, unchanged: bool = False):
    """POST, then: never a 500; a refused request (or one that changes nothing by design) leaves the content as is."""
    response = client.post(url, data, **(AUTOSAVE if autosave else {}))
    assert response.status_code < 500, (url, data)
    if autosave:
        assert response["Content-Type"].startswith("application/json"), (url, response.status_code)
        assert isinstance(json.loads(response.content).get("message"), str)
    if unchanged or not saved(response):
        assert content(dossier) == before, (url, response.status_code, data)
    return response


# -- fixtures ------------------------------------------------------------------------------------------------------
@pytest.fixture
def owner(client, demo_draft, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def other_dossier(demo_call):
    """Another organisation's complete draft: its row ids are the forged ones."""
    other = User.objects.create_user("autre.porteur@pactes.test", PASSWORD, role=Role.APPLICANT)
    document = example_document(demo_call.slug)
    document["applicant"] = {**document["applicant"], "siret": OTHER_SIRET, "name": "Association Entraide Corbières"}
    return document_to_dossier(document, by=other)


@pytest.fixture
def step_forms(owner, demo_draft) -> dict[str, Form]:
    """Each step's form as the page offers it, once every step has been saved as is.

    The first save of an imported dossier settles what the editor derives (partners' contributions carried into the
    budget); from then on, sending a page back unchanged changes nothing, which the tests below rely on.
    """
    for step in STEP_CODES:
        response = owner.post(step_url(demo_draft, step), as_data(page_form(owner, step_url(demo_draft, step)).fields))
        assert response.status_code == 302, step
    before = content(demo_draft)
    for step in STEP_CODES:
        form = page_form(owner, step_url(demo_draft, step))
        assert owner.post(step_url(demo_draft, step), as_data(form.fields)).status_code == 302, step
        assert content(demo_draft) == before, f"sending « {step} » back unchanged changed the dossier"
    return {step: page_form(owner, step_url(demo_draft, step)) for step in STEP_CODES}


def step_url(dossier, step):
    return reverse("dossiers:step", kwargs={"reference": dossier.reference, "step": step})


# -- the steps: values ---------------------------------------------------------------------------------------------
@fuzz(max_examples=100)
@given(data=st.data())
def test_any_value_in_any_field_of_any_step_never_gives_a_500(owner, demo_draft, step_forms, data):
    before = content(demo_draft)
    step = data.draw(st.sampled_from(STEP_CODES), label="step")
    form = step_forms[step]
    row_identity = {name for name in form.names if name.endswith(("-id", "-DELETE"))}  # tested apart, below
    body = mutated(form, data, keep={*management_names(form), *row_identity, "lock_version"})
    extra = data.draw(st.dictionaries(junk_text, st.lists(any_value, max_size=2), max_size=3), label="extra fields")
    body.update({name: values for name, values in extra.items() if name and name not in body})
    with rolled_back():
        post_and_check(
            owner,
            step_url(demo_draft, step),
            body,
            demo_draft,
            before,
            autosave=data.draw(st.booleans(), label="autosave"),
        )


@fuzz(max_examples=25)
@given(data=st.data())
def test_a_broken_lock_version_never_gives_a_500_and_saves_nothing(owner, demo_draft, step_forms, data):
    before = content(demo_draft)
    step = data.draw(st.sampled_from(STEP_CODES), label="step")
    body = as_data(step_forms[step].fields)
    body["lock_version"] = data.draw(st.lists(any_value, max_size=2), label="lock_version")
    with rolled_back():
        post_and_check(
            owner,
            step_url(demo_draft, step),
            body,
            demo_draft,
            before,
            autosave=data.draw(st.booleans()),
            unchanged=True,
        )


# -- the steps: formset management forms ---------------------------------------------------------------------------
FORMSET_STEPS = ("porteur", "priorites", "partenaires", "budget")


def formset_body(form: Form, data: st.DataObject, counts: st.SearchStrategy[str]) -> dict[str, list[str]]:
    """The page's values, unchanged, but for the formset counts: what is typed stays what is stored."""
    body = as_data(form.fields)
    for name in management_names(form):
        if data.draw(st.booleans(), label=f"break {name}?"):
            body[name] = [data.draw(counts, label=name)]
    return body


@fuzz(max_examples=25)
@given(data=st.data())
def test_missing_management_forms_never_give_a_500_and_delete_nothing(owner, demo_draft, step_forms, data):
    before = content(demo_draft)
    step = data.draw(st.sampled_from(FORMSET_STEPS), label="step")
    form = step_forms[step]
    body = as_data(form.fields)
    for name in form.names:
        if "-" in name and name.rsplit("-", 1)[1].isupper() and data.draw(st.booleans(), label=f"drop {name}?"):
            body.pop(name, None)
    with rolled_back():
        post_and_check(
            owner,
            step_url(demo_draft, step),
            body,
            demo_draft,
            before,
            autosave=data.draw(st.booleans()),
            unchanged=True,
        )


@fuzz(max_examples=25)
@given(data=st.data())
def test_garbage_or_huge_formset_counts_never_give_a_500_and_delete_nothing(owner, demo_draft, step_forms, data):
    before = content(demo_draft)
    step = data.draw(st.sampled_from(FORMSET_STEPS), label="step")
    counts = st.one_of(
        st.sampled_from(["abc", "", "1.5", "1e3", "99999999999999999999", "1000001", "١"]),
        st.integers(min_value=1001, max_value=10**30).map(str),
    )
    with rolled_back():
        post_and_check(
            owner,
            step_url(demo_draft, step),
            formset_body(step_forms[step], data, counts),
            demo_draft,
            before,
            autosave=data.draw(st.booleans()),
            unchanged=True,
        )


@fuzz(max_examples=15)
@given(data=st.data())
def test_negative_formset_counts_never_give_a_500_and_delete_nothing(owner, demo_draft, step_forms, data):
    before = content(demo_draft)
    step = data.draw(st.sampled_from(FORMSET_STEPS), label="step")
    counts = st.integers(min_value=-(10**20), max_value=-1).map(str)
    with rolled_back():
        post_and_check(
            owner,
            step_url(demo_draft, step),
            formset_body(step_forms[step], data, counts),
            demo_draft,
            before,
            autosave=data.draw(st.booleans()),
            unchanged=True,
        )


# -- the steps: forged row ids -------------------------------------------------------------------------------------
def foreign_ids(dossier: Dossier) -> dict[str, list[int]]:
    return {
        "priorites": list(Priority.objects.filter(dossier=dossier).values_list("pk", flat=True)),
        "partenaires": list(Partner.objects.filter(dossier=dossier).values_list("pk", flat=True)),
        "depenses": list(ExpenseLine.objects.filter(dossier=dossier).values_list("pk", flat=True)),
    }


def forged_body(form: Form, ids: st.SearchStrategy[str], data: st.DataObject) -> dict[str, list[str]]:
    body = as_data(form.fields)
    id_fields = [name for name in form.names if name.endswith("-id")]
    for name in data.draw(st.lists(st.sampled_from(id_fields), min_size=1, max_size=3, unique=True), label="ids"):
        body[name] = [data.draw(ids, label=name)]
    return body


@pytest.mark.parametrize("autosave", [False, True], ids=["save", "autosave"])
def test_deleting_a_priority_that_actions_use_never_gives_a_500(owner, demo_draft, step_forms, autosave):
    before = content(demo_draft)
    body = as_data(step_forms["priorites"].fields)
    body["priorites-0-DELETE"] = ["on"]
    response = post_and_check(owner, step_url(demo_draft, "priorites"), body, demo_draft, before, autosave=autosave)
    assert not saved(response)


@fuzz(max_examples=25)
@given(data=st.data())
def test_junk_row_ids_never_give_a_500_and_change_nothing(owner, demo_draft, step_forms, data):
    before = content(demo_draft)
    step = data.draw(st.sampled_from(FORMSET_STEPS), label="step")
    ids = st.one_of(
        st.sampled_from(["abc", "-1", "0", "99999999999999999999", "1.5", " 1"]), junk_text.filter(str.strip)
    )
    with rolled_back():
        post_and_check(
            owner,
            step_url(demo_draft, step),
            forged_body(step_forms[step], ids, data),
            demo_draft,
            before,
            autosave=data.draw(st.booleans()),
            unchanged=True,
        )


@pytest.mark.parametrize("prefix", ["consortium", "priorites", "partenaires", "depenses"])
def test_an_existing_row_sent_back_without_its_id_changes_nothing(owner, demo_draft, step_forms, prefix):
    step = {"consortium": "porteur", "depenses": "budget"}.get(prefix, prefix)
    before = content(demo_draft)
    body = as_data(step_forms[step].fields)
    body[f"{prefix}-0-id"] = [""]
    for autosave in (False, True):
        post_and_check(owner, step_url(demo_draft, step), body, demo_draft, before, autosave=autosave, unchanged=True)


@fuzz(max_examples=20)
@given(data=st.data())
def test_another_dossiers_row_ids_never_give_a_500_and_change_nothing(
    owner, demo_draft, other_dossier, step_forms, data
):
    before, theirs = content(demo_draft), content(other_dossier)
    step = data.draw(st.sampled_from(("priorites", "partenaires", "budget")), label="step")
    prefix = {"priorites": "priorites", "partenaires": "partenaires", "budget": "depenses"}[step]
    ids = st.sampled_from(foreign_ids(other_dossier)[prefix]).map(str)
    with rolled_back():
        post_and_check(
            owner,
            step_url(demo_draft, step),
            forged_body(step_forms[step], ids, data),
            demo_draft,
            before,
            autosave=data.draw(st.booleans()),
            unchanged=True,
        )
        assert content(other_dossier) == theirs


# -- the other POST endpoints of the editor ------------------------------------------------------------------------
@fuzz(max_examples=30)
@given(data=st.data())
def test_the_action_pages_never_give_a_500(owner, demo_draft, other_dossier, data):
    before, theirs = content(demo_draft), content(other_dossier)
    own = list(Action.objects.filter(dossier=demo_draft).values_list("pk", flat=True))
    foreign = list(Action.objects.filter(dossier=other_dossier).values_list("pk", flat=True))
    pk = data.draw(st.sampled_from([None, *own, *foreign, 2**63 - 1, 99999999999999999999]), label="action")
    ref = demo_draft.reference
    new_url = reverse("dossiers:action_new", kwargs={"reference": ref})
    form = page_form(owner, new_url)
    delete = pk is not None and data.draw(st.booleans(), label="delete?")
    if pk is None:
        url = new_url
    elif delete:
        url = reverse("dossiers:action_delete", kwargs={"reference": ref, "pk": pk})
    else:
        url = reverse("dossiers:action_edit", kwargs={"reference": ref, "pk": pk})
    body = mutated(form, data)
    if data.draw(st.booleans(), label="forged priority?"):
        body["priority"] = [str(data.draw(st.sampled_from(foreign_ids(other_dossier)["priorites"])))]
    with rolled_back():
        post_and_check(owner, url, body, demo_draft, before, autosave=False)
        assert content(other_dossier) == theirs


@fuzz(max_examples=15)
@given(email=st.one_of(junk_text, st.emails().map(str)), extra=st.dictionaries(junk_text, junk_text, max_size=2))
def test_the_invitation_never_gives_a_500(owner, demo_draft, email, extra):
    before = content(demo_draft)
    with rolled_back():
        post_and_check(
            owner,
            reverse("dossiers:invite", kwargs={"reference": demo_draft.reference}),
            {"email": email, **extra},
            demo_draft,
            before,
            autosave=False,
            unchanged=True,
        )


@fuzz(max_examples=15)
@given(data=st.data())
def test_a_new_dossier_never_gives_a_500(owner, demo_draft, demo_call, data):
    form = page_form(owner, reverse("dossiers:new"))
    body = mutated(form, data)
    if data.draw(st.booleans(), label="real call?"):
        body["call"] = [demo_call.slug]
    count = Dossier.objects.count()
    with rolled_back():
        response = owner.post(reverse("dossiers:new"), body)
        assert response.status_code < 500
        if response.status_code != 302:
            assert Dossier.objects.count() == count


@fuzz(max_examples=20)
@given(
    kind=st.one_of(junk_text, st.sampled_from(["statuts", "rib", "budget", ""])),
    name=st.one_of(junk_text, st.sampled_from(["a.pdf", "../../etc/passwd", "x" * 300 + ".pdf", ".pdf", "a.PDF"])),
    payload=st.one_of(
        st.binary(max_size=2000),
        st.sampled_from([b"", b"%PDF-1.4\n%%EOF", b"\x00" * 100, b"PK\x03\x04" + b"\x00" * 30]),
    ),
)
def test_an_upload_never_gives_a_500(owner, demo_draft, media_root, kind, name, payload):
    before = content(demo_draft)
    with rolled_back():
        response = owner.post(
            reverse("filing:attachments", kwargs={"reference": demo_draft.reference}),
            {"kind": kind, "file": SimpleUploadedFile(name or "sans-nom", payload)},
        )
        assert response.status_code < 500
        assert content(demo_draft) == before


@fuzz(max_examples=15)
@given(extra=st.dictionaries(st.sampled_from(["certify", "lock_version", "version", "x"]), any_value, max_size=3))
def test_filing_never_gives_a_500(owner, demo_draft, extra):
    before = content(demo_draft)
    with rolled_back():
        response = owner.post(reverse("filing:summary", kwargs={"reference": demo_draft.reference}), extra)
        assert response.status_code < 500
        if response.status_code != 302:
            assert content(demo_draft) == before


# -- numeric filters of the staff pages ----------------------------------------------------------------------------
JUNK_PARAMS = [
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "1" * 27,
    "9" * 5000,
    "1e999",
    "NaN",
    "2024-02-30",
    "%00",
    "\x00",
    "é" * 300,
]
QUEUE_FILTERS = (
    "page",
    "amount_min",
    "amount_max",
    "state",
    "departement",
    "epci",
    "measure",
    "public",
    "call",
    "sort",
)
# (URL name, its arguments, the query parameters it reads)
FILTERED_PAGES = [
    ("instruction:queue", {}, QUEUE_FILTERS),
    ("assessment:ranking", {}, ("departement", "appel", "page")),
    ("assessment:transmit", {}, ("departement", "appel", "page")),
    ("followup:index", {}, ("page", "call", "departement")),
    ("followup:consolidated", {}, ("call", "departement", "page")),
    ("committee:index", {}, ("page",)),
    ("agreements:index", {}, ("page", "state")),
    ("territories:index", {}, ("q",)),
    ("core:dashboard", {}, ("page",)),
]
HUGE = 99999999999999999999
HUGE_IDS = [
    ("committee:detail", {"pk": HUGE}),
    ("committee:minutes_pdf", {"pk": HUGE}),
    ("committee:decision_letter", {"pk": HUGE}),
    ("agreements:detail", {"dossier_id": HUGE}),
    ("assessment:transmission_pdf", {"pk": HUGE}),
]


@pytest.mark.parametrize("role", ["dreets", "i09", "admin"])
@pytest.mark.parametrize("junk", JUNK_PARAMS, ids=lambda junk: repr(junk[:20]))
def test_junk_in_every_filter_and_page_number_never_gives_a_500(client, demo_accounts, role, junk):
    client.force_login(User.objects.get(email=STAFF_EMAILS[role]))
    for name, kwargs, params in FILTERED_PAGES:
        response = client.get(reverse(name, kwargs=kwargs), dict.fromkeys(params, junk))
        assert response.status_code < 500, name


@pytest.mark.parametrize("role", ["dreets", "admin"])
def test_huge_ids_in_addresses_answer_404_not_500(client, demo_accounts, role):
    client.force_login(User.objects.get(email=STAFF_EMAILS[role]))
    for name, kwargs in HUGE_IDS:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


def test_a_27_digit_amount_in_the_queue_filter_is_a_french_error(client, demo_accounts):
    client.force_login(User.objects.get(email=STAFF_EMAILS["dreets"]))
    response = client.get(reverse("instruction:queue"), {"amount_min": "1" * 27, "amount_max": "1" * 27})
    assert response.status_code == 200
    assert "Montant trop grand" in response.content.decode()
