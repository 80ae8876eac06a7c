"""The instruction queue's page: the dossiers of the person's territory, filtered, sorted, counted by state, one page of
25 rows at a time (issue 12: the same work at 20 000 dossiers as at 200).

Words: a *row* is what the table shows of one dossier, formatted once here (``rows_html``); a *filter field* is what
the lean filter template writes for one field of the form (the DSFR field group, without going through the form
renderer's templates).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

from django.core.paginator import Page, Paginator
from django.forms.utils import ErrorList
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from dsfr.utils import dsfr_input_class_attr

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.calls.selectors import measure_labels
from pactes.core.templatetags.pactes_format import date_short, euros
from pactes.instruction.selectors import (
    QUEUE_PAGE_MAX,
    QueueFilters,
    QueueRow,
    calls_in_scope_list,
    departement_of,
    instruction_deadline,
    queue_choices,
    queue_rows,
    state_counts,
)
from pactes.instruction.templatetags.instruction_tags import state_badge
from pactes.rules.lifecycle import DossierState, state_label

from .forms import QueueFilterForm
from .views import _staff

PER_PAGE = QUEUE_PAGE_MAX


FILTERS_TEMPLATE = "instruction/_queue_filters.html"
FormArguments = tuple[tuple[str, tuple[tuple[str, str], ...] | None], ...]


def form_arguments(user: User) -> tuple[list[Call], FormArguments]:
    """The calls in scope and the lists of the queue's filter form, from the reference data of the person's territory,
    not from a pass over its dossiers (``queue_choices``), as (name, choices) pairs."""
    calls = calls_in_scope_list(user)
    choices = queue_choices(user, calls)
    publics: dict[str, str] = {}
    for call in calls:
        publics.update({p.code: p.label for p in call.rules.target_publics})
    arguments = (
        ("departements", tuple(choices.departements) if choices.departements is not None else None),
        ("epcis", tuple(choices.epcis)),
        ("measures", tuple((code, f"{code} — {label[:90]}") for code, label in measure_labels())),
        ("publics", tuple(publics.items())),
        ("calls", tuple((c.slug, c.short_title) for c in calls)),
    )
    return calls, arguments


def _form(data: QueryDict | None, arguments: FormArguments) -> QueueFilterForm:
    return QueueFilterForm(data, **{name: list(v) if v is not None else None for name, v in arguments})


def queue_form(request: HttpRequest, user: User) -> tuple[QueueFilterForm, list[Call]]:
    """The queue's filter form as the page builds it (bound to the query string), and the calls in scope."""
    calls, arguments = form_arguments(user)
    form = _form(request.GET or None, arguments)
    if form.is_bound:
        form.is_valid()
    return form, calls


def filters_html(form: QueueFilterForm) -> SafeString:
    return SafeString(render_to_string(FILTERS_TEMPLATE, {"form": form, "filter_fields": filter_fields(form)}))


@lru_cache(maxsize=64)
def blank_filters_html(arguments: FormArguments) -> SafeString:
    """The filters of a queue shown without a query string: the same for the same lists, written once per process
    (named by the lists themselves: another list is another entry)."""
    return filters_html(_form(None, arguments))


@dataclass(frozen=True)
class FilterField:
    group: str  # the DSFR group: fr-input-group or fr-select-group
    id: str
    label: str
    help_text: str
    widget: SafeString
    errors: ErrorList


def filter_fields(form: QueueFilterForm) -> list[FilterField]:
    """The fields of the filter form as DSFR's field template writes them (classes, hint, aria of an error), for the
    lean template ``instruction/_queue_filters.html``."""
    fields = []
    for bound in form:
        dsfr_input_class_attr(bound)  # DSFR's class on the widget, aria-invalid and the error's id when in error
        fields.append(
            FilterField(
                group=getattr(bound.field.widget, "group_class", "fr-input-group"),
                id=bound.id_for_label,
                label=str(bound.label),
                help_text=str(bound.help_text),
                widget=bound.as_widget(),
                errors=bound.errors,
            )
        )
    return fields


def query_with(query: QueryDict, **params: object) -> str:
    """The query string with ``params`` replaced (``url_remplace_params`` of DSFR, without copying the QueryDict)."""
    lists = dict(query.lists())
    for key, value in params.items():
        lists[key] = [str(value)]
    return "&".join(urlencode({key: value}) for key, values in lists.items() for value in values)


# One row of the table; the columns are the <th> of instruction/queue.html.
ROW = """          <tr data-reference="{reference}">
            <td><a class="fr-link" href="{url}">{reference}</a></td>
            <td><strong>{organisation}</strong><br><span class="fr-text--sm">{title}</span></td>
            <td>{departement}</td>
            <td class="fr-text--sm">{epcis}</td>
            <td>{filed_on}</td>
            <td class="pactes-num">{grant}</td>
            <td><p class="fr-badge fr-badge--sm fr-badge--no-icon {badge}" data-state="{state}">{state_label}</p></td>
          </tr>
"""


def rows_html(rows: list[QueueRow]) -> SafeString:
    """The rows of the page, formatted once and written in Python: a template spent ~450 calls per row on its
    variables (issue 12). Every value is escaped (``html.escape`` is what Django's ``escape`` does)."""
    # One reverse for the page: the dossier URLs differ by their reference only, quoted as ``reverse`` quotes it.
    pattern = reverse("instruction:dossier", args=["REFERENCE"])
    zone = timezone.get_current_timezone_name()
    return mark_safe("".join(_row_html(pattern, zone, row) for row in rows))  # every value escaped


@lru_cache(maxsize=4096)
def _row_html(pattern: str, zone: str, row: QueueRow) -> str:
    """One row, kept in this process under all it shows (the row itself, the address pattern, the time zone of its
    date): a row seen again on another request is not formatted again."""
    cells = {
        "reference": row.reference,
        "url": pattern.replace("REFERENCE", quote(row.reference, safe=RFC3986_SUBDELIMS + "/~:@")),
        "organisation": row.organisation,
        "title": row.title,
        "departement": row.departement,
        "epcis": " ; ".join(row.epcis) or "—",
        "filed_on": date_short(row.submitted_at),
        "grant": euros(row.requested_grant),
        "badge": state_badge(row.state),
        "state": row.state,
        "state_label": state_label(row.state),
    }
    return ROW.format_map({key: html.escape(value) for key, value in cells.items()})


# One counter by state above the table: a link that filters the queue by this state.
COUNTER = (
    '      <li><a class="fr-tag fr-tag--sm{dismiss}" href="?{query}" data-state="{state}" data-count="{count}"'
    "{current}>{label} : {count}</a></li>\n"
)


def counters_html(counts: list[tuple[DossierState, int]], query: QueryDict, current: str) -> SafeString:
    """The counters by state, written in Python like the rows (the count as the template wrote an int, unlocalised
    below 1 000: ``number_format`` of the locale)."""
    written = []
    for state, count in counts:
        chosen = state.value == current
        cells = {
            "dismiss": " fr-tag--dismiss" if chosen else "",
            "query": html.escape(query_with(query, state=state.value, page=1)),
            "state": html.escape(state.value),
            "count": html.escape(str(localize(count))),
            "current": ' aria-current="true"' if chosen else "",
            "label": html.escape(str(state.label)),
        }
        written.append(COUNTER.format_map(cells))
    return mark_safe("".join(written))  # every value escaped above


class CountedPaginator(Paginator):
    """A paginator told its count (the sum of the counts by state, already read): no ``COUNT`` of its own."""

    def __init__(self, object_list: object, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    regional = user.role == Role.DREETS
    calls, arguments = form_arguments(user)
    if request.GET:
        form = _form(request.GET, arguments)
        form.is_valid()
        filters, written = form.filters(), filters_html(form)
    else:  # the blank form's filters, and its fields as they were written for the same lists
        filters, written = QueueFilters(), blank_filters_html(arguments)
    counts = state_counts(user, filters)
    total = sum(n for state, n in counts if not filters.state or state.value == filters.state)
    paginator = CountedPaginator(range(total), PER_PAGE, count=total)
    page: Page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    start = (page.number - 1) * PER_PAGE
    rows = queue_rows(user, filters, start, PER_PAGE) if total else []
    shown_call = next((c for c in calls if c.slug == filters.call), calls[0] if calls else None)
    query = request.GET
    return render(
        request,
        "instruction/queue.html",
        {
            "page_title": "Instruction des dossiers",
            "breadcrumb_data": {
                "links": [{"url": reverse("core:dashboard"), "title": "Mon espace"}],
                "current": "Instruction des dossiers",
            },
            "filters_html": written,
            "filters_open": bool(request.GET),
            "page_obj": page,
            "rows": rows,
            "rows_html": rows_html(rows),
            "counters_html": counters_html(counts, query, filters.state),
            "sort_links": {
                "reference": query_with(query, sort="reference", page=1),
                "depot": query_with(query, sort="-depot", page=1),
                "montant": query_with(query, sort="-montant", page=1),
                "etat": query_with(query, sort="etat", page=1),
            },
            "total": total,
            "filters": filters,
            "deadline": instruction_deadline(shown_call, timezone.localdate()) if shown_call else None,
            "scope_label": "Tous les départements de la région" if regional else f"Département {departement_of(user)}",
        },
    )
