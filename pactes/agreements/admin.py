"""Administration of the convention templates: every save is a new version; older versions stay readable."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from pactes.agreements.models import AgreementTemplate
from pactes.agreements.services import agreement_template_save
from pactes.core.document_sandbox import document_template_problems


class AgreementTemplateForm(forms.ModelForm):
    """Refuses, in French, a body that could leak: ``|safe``, ``autoescape``, ``load``, ``include``, ``extends``,
    ``ssi``, ``<link>``, ``<img>``, ``rel="attachment"``… (the document sandbox, ADR 0030)."""

    class Meta:
        model = AgreementTemplate
        fields = ["call", "body", "note"]

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if problems := document_template_problems(body):
            raise forms.ValidationError(problems)
        return body


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    form = AgreementTemplateForm
    list_display = ["call", "version", "is_current", "note", "created_by", "created_at"]
    list_filter = ["call", "is_current"]
    fields = ["call", "body", "note", "version", "is_current", "created_by", "created_at"]
    readonly_fields = ["version", "is_current", "created_by", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: AgreementTemplate | None = None) -> list[str]:
        # The call of an existing version does not change; an older version is read only.
        if obj is None:
            return self.readonly_fields
        if not obj.is_current:
            return [*self.fields]
        return [*self.readonly_fields, "call"]

    def has_delete_permission(self, request: HttpRequest, obj: AgreementTemplate | None = None) -> bool:
        return False  # a version used by a convention must stay readable

    def save_model(self, request: HttpRequest, obj: AgreementTemplate, form: Any, change: bool) -> None:
        # Never overwrite a version: saving creates the next one and makes it current.
        created = agreement_template_save(call=obj.call, body=obj.body, by=request.user, note=obj.note)  # type: ignore[arg-type]
        obj.pk, obj.version, obj.is_current = created.pk, created.version, created.is_current
        obj._state.adding = False
