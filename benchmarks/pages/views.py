"""The bare page: ``base.html`` rendered with nothing else, the reference every page's throughput is divided by."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def bare(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {"page_title": "Page nue du banc d'essai"})
