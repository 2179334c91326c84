from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yangguang.accounts.models import User
from yangguang.accounts.states import Role

from .musttrade_states import InvestigationOutcome

CONTRACT_ROWS = 5


class ExemptionForm(forms.Form):
    department: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("Competent department"))  # type: ignore[arg-type]
    reason = forms.CharField(label=_("Reason for trading outside the platform"),
                             widget=forms.Textarea(attrs={"rows": 4}))
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300,
                                  help_text=_("The law, regulation or document and article that allows it."))
    method = forms.CharField(label=_("How it will be traded"), max_length=200,
                             help_text=_("For example: direct commission approved by the government meeting."))

    def __init__(self, *args, departments=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    opinion = forms.CharField(label=_("Opinion (required to reject)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class TradeDateForm(forms.Form):
    trade_date = forms.DateField(label=_("Trade date (contract signed)"),
                                 widget=forms.DateInput(attrs={"type": "date"}))


class ReportForm(forms.Form):
    trade_date = forms.DateField(label=_("Trade date (contract signed)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary of the trade"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for i in range(CONTRACT_ROWS):
            self.fields[f"supplier_{i}"] = forms.CharField(label=_("Supplier %(n)s") % {"n": i + 1}, required=False,
                                                           max_length=120)
            self.fields[f"credit_code_{i}"] = forms.CharField(label=_("Credit code %(n)s") % {"n": i + 1},
                                                              required=False, max_length=18)
            self.fields[f"amount_{i}"] = forms.DecimalField(label=_("Amount %(n)s (yuan)") % {"n": i + 1},
                                                            required=False, max_digits=16, decimal_places=2)

    def contract_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(self[f"supplier_{i}"], self[f"credit_code_{i}"], self[f"amount_{i}"]) for i in range(CONTRACT_ROWS)]

    def contracts(self) -> list[dict[str, object]]:
        rows = []
        for i in range(CONTRACT_ROWS):
            supplier = self.cleaned_data.get(f"supplier_{i}") or ""
            amount = self.cleaned_data.get(f"amount_{i}")
            if supplier or amount is not None:
                rows.append({"supplier": supplier, "credit_code": self.cleaned_data.get(f"credit_code_{i}") or "",
                             "amount": "" if amount is None else str(amount)})
        return rows


class BulletinForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))


class AssignForm(forms.Form):
    assignees = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(role__in=[Role.COMMITTEE_OFFICE, Role.DISCIPLINE_INSPECTION, Role.AUDIT],
                                     is_active=True).order_by("role", "username"),
        label=_("Assignees"), widget=forms.CheckboxSelectMultiple)


class FindingsForm(forms.Form):
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InvestigationOutcome.choices)


class ImportForm(forms.Form):
    department: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("Department"))  # type: ignore[arg-type]
    file = forms.FileField(label=_("Project list (.xlsx or .csv)"))

    def __init__(self, *args, departments=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class FundingForm(forms.Form):
    project = forms.CharField(label=_("Project code"), max_length=60)
