"""Forms of the instruction workspace: the queue's filters, the transitions of the dossier page, the request for
complements, the manual admissibility checklist and the messages."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from dsfr.forms import DsfrBaseForm

from pactes.dossiers.attachments import ACCEPTED_EXTENSIONS, ACCEPTED_LABEL, max_attachment_bytes, size_label
from pactes.instruction.selectors import DEFAULT_SORT, QueueFilters
from pactes.rules.call_config import Choice
from pactes.rules.lifecycle import DossierState, transition_named
from pactes.web.dossiers.forms import AmountField

SORT_CHOICES = (
    ("-depot", "Date de dépôt (plus récents d'abord)"),
    ("depot", "Date de dépôt (plus anciens d'abord)"),
    ("reference", "Numéro de dossier (croissant)"),
    ("-reference", "Numéro de dossier (décroissant)"),
    ("-montant", "Subvention demandée (plus élevée d'abord)"),
    ("montant", "Subvention demandée (plus faible d'abord)"),
    ("etat", "État (ordre alphabétique)"),
    ("-etat", "État (ordre alphabétique inverse)"),
)


class PlainSelect(forms.Select):
    """A ``<select>`` whose options are written in Python: Django's widget renders each option through its own
    template, which made the queue's lists (EPCI of a region, measures) most of the page's time (issue 12). Same HTML
    as Django's (flat choices only)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = {"" if v is None else str(v) for v in self.format_value(value)}
        # html.escape is what Django's escape does, without its lazy wrapper: hundreds of options for the DREETS.
        options = "\n".join(
            f'<option value="{html.escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{html.escape(str(label))}</option>"
            for key, label in self.choices
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),
        )


class PlainTextInput(forms.TextInput):
    """A text ``<input>`` written in Python rather than through the form renderer's templates: same HTML as Django's
    (the queue's filters render on every page of the queue, issue 12)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        shown = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            format_html(' value="{}"', shown) if shown is not None else "",
            _attributes(self.build_attrs(self.attrs, attrs)),
        )


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """`` name="value"`` in the attributes' order, as Django's ``attrs.html`` writes them (``flatatt`` sorts them)."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(' {}="{}"', k, v) if v is not True else format_html(" {}", k),)
            for k, v in attrs.items()
            if v is not False and v is not None
        ),
    )


class InstructionForm(DsfrBaseForm):
    """Marks optional fields, as the DSFR recommends."""

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class QueueFilterForm(InstructionForm):
    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=200,
        widget=PlainTextInput,
        help_text="Numéro de dossier, intitulé du projet, porteur, SIRET, commune ou EPCI (accents et majuscules "
        "indifférents).",
    )
    state = forms.ChoiceField(label="État", required=False, widget=PlainSelect)
    departement = forms.ChoiceField(label="Département", required=False, widget=PlainSelect)
    epci = forms.ChoiceField(label="EPCI du périmètre", required=False, widget=PlainSelect)
    measure = forms.ChoiceField(label="Mesure du Pacte", required=False, widget=PlainSelect)
    public = forms.ChoiceField(label="Public visé", required=False, widget=PlainSelect)
    call = forms.ChoiceField(label="Appel", required=False, widget=PlainSelect)
    amount_min = AmountField(label="Subvention demandée, au moins (€)", required=False, widget=PlainTextInput)
    amount_max = AmountField(label="Subvention demandée, au plus (€)", required=False, widget=PlainTextInput)
    sort = forms.ChoiceField(label="Trier par", required=False, choices=SORT_CHOICES, widget=PlainSelect)

    def __init__(
        self,
        *args: Any,
        departements: list[tuple[str, str]] | None,
        epcis: list[tuple[str, str]],
        measures: list[tuple[str, str]],
        publics: list[tuple[str, str]],
        calls: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", "Tous")
        self.fields["state"].choices = [
            everything,
            *((s.value, s.label) for s in DossierState if s != DossierState.DRAFT),
        ]
        if departements is None:
            del self.fields["departement"]
        else:
            self.fields["departement"].choices = [everything, *departements]
        self.fields["epci"].choices = [everything, *epcis]
        self.fields["measure"].choices = [("", "Toutes"), *measures]
        self.fields["public"].choices = [everything, *publics]
        self.fields["call"].choices = [everything, *calls]
        for name in ("state", "departement", "epci", "measure", "public", "call", "sort"):
            if name in self.fields:
                self.fields[name].error_messages["invalid_choice"] = "Choix inconnu : choisissez dans la liste."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "Le montant maximal doit être supérieur ou égal au montant minimal.")
        return data

    def filters(self) -> QueueFilters:
        """The valid filters (an invalid one is ignored, its error shown)."""
        data = self.cleaned_data if self.is_bound else {}
        valid = {k: v for k, v in data.items() if k not in self.errors}
        return QueueFilters(
            q=(valid.get("q") or "").strip(),
            state=valid.get("state") or "",
            departement=valid.get("departement") or "",
            epci=valid.get("epci") or "",
            measure=valid.get("measure") or "",
            public=valid.get("public") or "",
            call=valid.get("call") or "",
            amount_min=valid.get("amount_min"),
            amount_max=valid.get("amount_max"),
            sort=valid.get("sort") or DEFAULT_SORT,
        )


class TransitionForm(InstructionForm):
    transition = forms.CharField(widget=forms.HiddenInput)
    state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Motivation",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour une décision d'irrecevabilité ou une réouverture ; visible dans l'historique.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        move = transition_named(data.get("transition") or "")
        if move is None:
            raise forms.ValidationError("Action inconnue.")
        if move.needs_reason and not (data.get("reason") or "").strip():
            self.add_error("reason", f"La motivation est obligatoire pour « {move.label} ».")
        return data


class ComplementsForm(InstructionForm):
    state = forms.CharField(widget=forms.HiddenInput)
    message = forms.CharField(
        label="Compléments demandés",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Ce message est envoyé au porteur et figure dans l'historique du dossier.",
        error_messages={"required": "Décrivez les compléments demandés au porteur."},
    )
    due_on = forms.DateField(
        label="À transmettre au plus tard le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Indiquez la date limite de réponse.",
            "invalid": "Saisissez une date valide, par exemple 08/10/2024.",
        },
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_due_on(self) -> dt.date:
        due_on: dt.date = self.cleaned_data["due_on"]
        if due_on < self.today:
            raise forms.ValidationError("La date limite de réponse ne peut pas être déjà passée.")
        return due_on


def checked_name(code: str) -> str:
    return f"{code}__verifie"


def comment_name(code: str) -> str:
    return f"{code}__commentaire"


def comment_label(item: Choice) -> str:
    return f"Commentaire — {item.label}"


class ChecklistForm(InstructionForm):
    """One checkbox and one comment per point of the call's checklist."""

    def __init__(self, *args: Any, items: tuple[Choice, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[checked_name(item.code)] = forms.BooleanField(label=item.label, required=False)
            self.fields[comment_name(item.code)] = forms.CharField(
                label=comment_label(item),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def answers(self) -> dict[str, tuple[bool, str]]:
        return {
            item.code: (
                bool(self.cleaned_data[checked_name(item.code)]),
                self.cleaned_data[comment_name(item.code)] or "",
            )
            for item in self.items
        }

    def rows(self) -> list[tuple[Choice, forms.BoundField, forms.BoundField]]:
        return [(item, self[checked_name(item.code)], self[comment_name(item.code)]) for item in self.items]


class MessageForm(InstructionForm):
    body = forms.CharField(
        label="Message",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Écrivez un message."},
    )
    file = forms.FileField(
        label="Pièce jointe",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        error_messages={"empty": "Le fichier envoyé est vide.", "invalid": "Aucun fichier n'a été reçu."},
    )
    private = forms.BooleanField(
        label="Annotation privée",
        required=False,
        help_text="Visible seulement des instructeurs du département et de la DREETS, jamais du porteur ni du jury.",
    )

    def __init__(self, *args: Any, may_annotate: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = (
            f"Facultative. Formats acceptés : {ACCEPTED_LABEL}. Taille maximale : {size_label(max_attachment_bytes())}."
        )
        if not may_annotate:
            del self.fields["private"]
