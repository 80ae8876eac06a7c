from functools import lru_cache
from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from pactes.accounts.models import User
from pactes.calls.selectors import calls_public
from pactes.dossiers.selectors import dossier_list_page, dossiers_visible_to
from pactes.rules.lifecycle import DossierState

PER_PAGE = 25  # dossiers per page of « Mon espace »
_REFERENCE_MARK = "numero-du-dossier"  # stands for a reference in the address reversed once per request
_URL_SAFE = "!$&'()*+,;=~:@"  # what Django's reverse() leaves unquoted in a path segment (RFC 3986 sub-delims, ~:@)


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    calls = [(call, call.rules.is_filing_open(now)) for call in calls_public()]
    return render(request, "core/home.html", {"page_title": "Appels à projets", "calls": calls})


@lru_cache(maxsize=64)
def _space_actions(role: str, script_prefix: str, calls: tuple[tuple[str, str], ...]) -> SafeString:
    """The buttons of « Mon espace »: they depend on the role alone (and the calls, for an administrator), so they are
    rendered once per process and address prefix (each {% url %} costs tens of microseconds), for an unsaved person of
    that role named ``as_role`` (never ``user``: the page's context keeps the real one)."""
    return SafeString(render_to_string("core/_space_actions.html", {"as_role": User(role=role), "calls": calls}))


@lru_cache(maxsize=256)
def _pagination(number: int, num_pages: int, query: str, language: str) -> SafeString:
    """DSFR's pagination of a page: a function of its number, the count of pages, the query string and the language
    only, rendered once per process for each."""
    paginator = Paginator(range(num_pages), 1)
    page = paginator.page(number)
    page.pages_list = list(paginator.get_elided_page_range(number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    request = HttpRequest()
    request.GET = QueryDict(query)
    return SafeString(render_to_string("core/_pagination.html", {"page_obj": page, "request": request}))


def _dossier_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The page's rows with their link and the label of their state (the address is reversed once, not per row)."""
    pattern = reverse("dossiers:detail", args=[_REFERENCE_MARK])
    for row in rows:
        row["href"] = pattern.replace(_REFERENCE_MARK, quote(row["reference"], safe=_URL_SAFE))
        row["state_label"] = DossierState(row["state"]).label
    return rows


def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    paginator = Paginator(dossiers_visible_to(user).order_by("-updated_at", "-pk"), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))  # counts the scope itself, without the columns' joins
    calls = tuple(calls_public().values_list("slug", "short_title")) if user.is_platform_admin else ()
    return render(
        request,
        "core/dashboard.html",
        {
            "page_title": "Mon espace",
            "dossiers": _dossier_rows(list(dossier_list_page(page.object_list))),
            "count": paginator.count,
            "pagination": _pagination(page.number, paginator.num_pages, request.GET.urlencode(), get_language())
            if paginator.num_pages > 1
            else "",
            "actions": _space_actions(user.role, get_script_prefix(), calls),
            "organisations": list(user.organisations.values("name", "siret")) if user.is_applicant else [],
            "breadcrumb_data": {"current": "Mon espace"},
        },
    )


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/accessibility.html",
        {"page_title": "Déclaration d'accessibilité", "breadcrumb_data": {"current": "Accessibilité"}},
    )


@login_not_required
def legal(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/legal.html",
        {"page_title": "Mentions légales", "breadcrumb_data": {"current": "Mentions légales"}},
    )
