from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pactes.calls.selectors import calls_public
from pactes.dossiers.selectors import dossier_list_page, dossiers_visible_to

PER_PAGE = 25  # dossiers per page of « Mon espace »


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    calls = [(call, call.rules.is_filing_open(now)) for call in calls_public()]
    return render(request, "core/home.html", {"page_title": "Appels à projets", "calls": calls})


def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    paginator = Paginator(dossier_list_page(dossiers_visible_to(user)).order_by("-updated_at", "-pk"), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return render(
        request,
        "core/dashboard.html",
        {
            "page_title": "Mon espace",
            "dossiers": list(page),
            "page_obj": page,
            "organisations": user.organisations.all() if user.is_applicant else [],
            "calls": calls_public(),
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
