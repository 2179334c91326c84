"""Web forms for publishers. Business checks (mandatory fields, publicity minimum, who may publish) live
in the services; their field-named errors are shown next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yangguang.accounts.models import Region
from yangguang.catalogue.states import Category

from .registry import TypeSpec
from .states import NoticeType


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's FileField cleans one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


class TypeChoiceForm(forms.Form):
    type = forms.ChoiceField(label=_("Notice type"),
                             choices=[c for c in NoticeType.choices if c[0] != NoticeType.CORRECTION])


def _field_key(key: str) -> str:
    return f"field_{key}"


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    region = forms.ModelChoiceField(Region.objects.all(), label=_("Region (trading centre)"), required=False)
    project: forms.ModelChoiceField = forms.ModelChoiceField(None, label=_("Project"), required=False)  # type: ignore[arg-type]
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices], required=False)
    publicity_days = forms.IntegerField(label=_("Publicity period (days, blank for the legal minimum)"),
                                        required=False, min_value=1, max_value=365)
    body_html = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False,
                                help_text=_("Paragraphs, lists, tables and links are kept; anything else is removed."))
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, spec: TypeSpec, projects: Any, choose_region: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        if not choose_region:
            del self.fields["region"]
        for field in spec.fields:
            self.fields[_field_key(field.key)] = forms.CharField(
                label=str(field.label), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
        for field in spec.optional_fields:
            self.fields[_field_key(field.key)] = forms.CharField(
                label=str(field.label), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False)
        if spec.category:
            self.fields["category"].initial = spec.category
        if spec.publicity_days is None:
            self.fields["publicity_days"].label = _("Publicity period (calendar days, optional)")

    def notice_fields(self) -> dict[str, str]:
        keys = [f.key for f in (*self.spec.fields, *self.spec.optional_fields)]
        return {key: self.cleaned_data.get(_field_key(key)) or "" for key in keys}

    def error_field(self, key: str | None) -> str | None:
        if key and _field_key(key) in self.fields:
            return _field_key(key)
        return key if key in self.fields else None


class CorrectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    changes = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 4}))
    new_deadline = forms.CharField(label=_("New deadlines"), max_length=4000, required=False)
    reason = forms.CharField(label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}))
    body_html = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), widget=forms.Textarea(attrs={"rows": 2}))
