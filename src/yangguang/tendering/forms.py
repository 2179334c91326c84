"""Web forms of tendering. Lots and criteria are entered one per line, so a phone keyboard suffices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yangguang.projects.models import Project

from .presets import METHOD_CHOICES, PRESETS, EvaluationMethod
from .services import LotData, ProcedureData

EVALUATION_CHOICES = [(code, label) for code, label in EvaluationMethod.LABELS.items()]


class ProcedureForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    title = forms.CharField(label=_("Title"), max_length=200)
    method = forms.ChoiceField(label=_("Method"), choices=METHOD_CHOICES)
    evaluation_method = forms.ChoiceField(label=_("Evaluation method"), choices=EVALUATION_CHOICES)
    criteria = forms.CharField(
        label=_("Evaluation criteria"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name | weight | kind (price, technical, commercial, pass_fail)."))
    lots = forms.CharField(
        label=_("Lots"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name | budget | ceiling price | bid security (yuan)."))
    qualification_requirements = forms.CharField(label=_("Qualification requirements"),
                                                 widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("Scope and requirements"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Place of performance"), required=False, max_length=200)
    document_days = forms.IntegerField(label=_("Document period (days)"), required=False, min_value=1, max_value=365)
    bid_days = forms.IntegerField(label=_("Bid period (days)"), min_value=1, max_value=365,
                                  help_text=_("From the issue of the documents to the bid deadline; checked "
                                              "against the method's legal minimum when you publish."))
    accepts_consortium = forms.BooleanField(label=_("Consortium bids accepted"), required=False)
    single_source_reason = forms.CharField(label=_("Why single source"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    expert_opinion = forms.CharField(label=_("Expert opinion (single source)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, projects: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects  # type: ignore[attr-defined]

    def clean_lots(self) -> list[LotData]:
        lots = []
        for line in self.cleaned_data["lots"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2:
                raise forms.ValidationError(_("Each lot line needs at least a name and a budget."))
            parts += [""] * (4 - len(parts))
            lots.append(LotData(parts[0], parts[1], parts[2] or None, parts[3] or 0))
        return lots

    def clean_criteria(self) -> list[dict[str, Any]]:
        criteria = []
        for line in self.cleaned_data["criteria"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            criteria.append({"name": parts[0], "weight": parts[1] or "0", "kind": parts[2] or "technical"})
        return criteria

    def data_object(self) -> ProcedureData:
        d = self.cleaned_data
        return ProcedureData(
            title=d["title"], method=d["method"], qualification_requirements=d["qualification_requirements"],
            evaluation_method=d["evaluation_method"], evaluation_criteria=d["criteria"], lots=d["lots"],
            document_days=d.get("document_days"), bid_days=d.get("bid_days"), description=d.get("description", ""),
            place=d.get("place", ""), accepts_consortium=d.get("accepts_consortium", False),
            extra={"single_source_reason": d.get("single_source_reason", ""),
                   "expert_opinion": d.get("expert_opinion", "")})


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Tender documents"))
    sha256 = forms.CharField(label=_("SHA-256 (optional, checked)"), required=False, max_length=64)


class ClarificationForm(forms.Form):
    text = forms.CharField(label=_("Clarification or amendment"), widget=forms.Textarea(attrs={"rows": 3}))
    affects_preparation = forms.BooleanField(label=_("May affect the preparation of bids"), required=False)
    file = forms.FileField(label=_("Amended documents (optional)"), required=False)


class TextForm(forms.Form):
    text = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class GuaranteeForm(forms.Form):
    guarantee_number = forms.CharField(label=_("Guarantee number"), max_length=80)
    issuer = forms.CharField(label=_("Issuing institution"), max_length=120)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2)


def method_hints() -> list[tuple[str, Any]]:
    return [(code, p.label) for code, p in PRESETS.items()]
