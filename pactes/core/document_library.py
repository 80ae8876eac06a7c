"""The only tags and filters a document template edited in the administration may use (``document_sandbox``).

Words: a *document template* is a convention (or any document) body an administrator types. It may branch, loop
and format values (dates, amounts, rates); it may not mark anything safe, turn escaping off, load another library,
include, extend or reach a file. Every name here was chosen; nothing is added by default (ADR 0030).
"""

from django.template import Library, defaultfilters, defaulttags

from pactes.core.templatetags import pactes_format

register = Library()

ALLOWED_TAGS = (
    "comment",
    "cycle",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "regroup",
    "resetcycle",
    "spaceless",
    "widthratio",
    "with",
)
# Filters whose output is escaped under autoescape (none of them marks a typed value safe as it is).
ALLOWED_FILTERS = (
    "add",
    "capfirst",
    "center",
    "cut",
    "date",
    "default",
    "default_if_none",
    "dictsort",
    "dictsortreversed",
    "divisibleby",
    "escape",
    "filesizeformat",
    "first",
    "floatformat",
    "force_escape",
    "join",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "ljust",
    "lower",
    "make_list",
    "pluralize",
    "rjust",
    "slice",
    "slugify",
    "stringformat",
    "striptags",
    "time",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "wordcount",
    "wordwrap",
    "yesno",
)
PROJECT_FILTERS = ("euros", "number", "rate")  # pactes.rules.money, the one owner of these formats

for name in ALLOWED_TAGS:
    register.tags[name] = defaulttags.register.tags[name]
for name in ALLOWED_FILTERS:
    register.filters[name] = defaultfilters.register.filters[name]
for name in PROJECT_FILTERS:
    register.filters[name] = pactes_format.register.filters[name]
