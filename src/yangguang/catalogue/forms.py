"""Forms of the committee office's catalogue pages. They only shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .states import Category, FundingSource


class VersionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False,
                                  help_text=_("The document that issues this catalogue, e.g. its file number."))


class CopyForm(forms.Form):
    title = forms.CharField(label=_("Title of the new draft"), max_length=200, required=False)


class ActivateForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text=_("Leave empty for today."))


class TypeForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)


class ItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    funding_sources = forms.MultipleChoiceField(
        label=_("Funding sources in scope"), choices=FundingSource.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: a project with any funding is in scope."))
    threshold = forms.DecimalField(label=_("Threshold (yuan)"), max_digits=16, decimal_places=2, min_value=0,
                                   required=False, help_text=_("Empty: any amount must be traded."))
    rule_code = forms.CharField(label=_("Rule code"), max_length=20, required=False,
                                help_text=_("The rule the threshold comes from, e.g. G-003."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
