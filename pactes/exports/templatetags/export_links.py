"""« Exporter » with its three formats (XLSX, ODS, CSV), for a list page: the links carry the page's current filters.

{% export_links "instruction" %}                  the queue: its whole query string (but the page number)
{% export_links "comite" seance=session.pk %}     fixed parameters of the page, added to its query string
{% export_links "appel" appel=call.slug %}        the whole call (``/appels/<slug>/export.<format>``)
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import slugify

from pactes.accounts.permissions import can_export
from pactes.exports.writers import FORMATS

register = template.Library()


@register.simple_tag(takes_context=True)
def export_links(context: template.Context, source: str, **fixed: Any) -> SafeString | str:
    request = context.get("request")
    if request is None or not can_export(request.user):
        return ""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in fixed.items():
        query[key] = str(value)
    links = []
    for fmt in FORMATS.values():
        if source == "appel":
            url = reverse("exports:call", kwargs={"slug": fixed["appel"], "fmt": fmt.code})
            encoded = ""
        else:
            url = reverse("exports:page", kwargs={"source": source, "fmt": fmt.code})
            encoded = query.urlencode()
        links.append({"label": fmt.label, "url": f"{url}?{encoded}" if encoded else url, "code": fmt.code})
    key = "-".join([source, *(slugify(str(v)) for v in fixed.values())])  # one id per block, even when repeated
    return render_to_string("exports/_links.html", {"links": links, "source": source, "key": key})
