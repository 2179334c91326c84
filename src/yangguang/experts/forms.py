"""Web forms of the expert pool and draws. They only collect input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yangguang.accounts.models import Region
from yangguang.core.errors import ValidationFailed

from .models import Specialty
from .states import ExpertStatus, RegionScope, TitleLevel


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class ServiceErrorMixin:
    def add_service_error(self, exc: ValidationFailed) -> None:
        field = exc.field if exc.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, str(exc.message))  # type: ignore[attr-defined]


class SpecialtyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class ApplicationForm(ServiceErrorMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("experts", "Name"), max_length=40)
    id_number = forms.CharField(label=_("ID card number"), max_length=18)
    title_level = forms.ChoiceField(label=_("Title level"), choices=TitleLevel.choices)
    title_name = forms.CharField(label=_("Professional title"), max_length=60,
                                 help_text=_("e.g. 高级工程师, 高级会计师"))
    years_in_field = forms.IntegerField(label=_("Years in the field"), min_value=0, max_value=70, initial=8)
    employer_name = forms.CharField(label=_("Employer"), max_length=120)
    employer_credit_code = forms.CharField(label=_("Employer's unified social credit code"), max_length=18)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), to_field_name="code")
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    email = forms.EmailField(label=_("E-mail"), required=False)
    specialties = SpecialtyChoiceField(label=_("Specialties"), queryset=Specialty.objects.filter(parent__isnull=False),
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, with_account: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_account:
            self.fields["username"] = forms.CharField(label=_("User name for signing in"), max_length=150)
            self.fields["password"] = forms.CharField(label=_("Password"), widget=forms.PasswordInput,
                                                      min_length=8)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=[(ExpertStatus.SUSPENDED, pgettext_lazy("experts", "Suspend")),
                                                           (ExpertStatus.BLACKLISTED,
                                                            pgettext_lazy("experts", "Blacklist"))])
    until = forms.DateField(label=_("Until (last day; empty = until lifted)"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("Reason and decision"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class DrawRequestForm(ServiceErrorMixin, forms.Form):
    project = forms.IntegerField(label=_("Project number (id)"), min_value=1)
    purchaser_credit_code = forms.CharField(label=_("Purchaser's credit code"), max_length=18)
    agency_credit_code = forms.CharField(label=_("Agency's credit code"), max_length=18, required=False)
    bidder_credit_codes = forms.CharField(
        label=_("Registered bidders' credit codes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."))
    quotas = forms.CharField(label=_("Experts per specialty"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("One per line: specialty code and number, e.g. A0101 3"))
    backups = forms.IntegerField(label=_("Backups per specialty"), min_value=0, max_value=20, initial=2)
    region_scope = forms.ChoiceField(label=_("Region scope"), choices=RegionScope.choices)
    evaluation_at = forms.DateTimeField(label=_("Evaluation starts at"), widget=DateTimeInput)
    served_window_days = forms.IntegerField(label=_("No repeat service for the purchaser within (days)"),
                                            min_value=0, max_value=3650, initial=90)
    venue = forms.CharField(label=_("Venue"), max_length=120, required=False)

    def clean_quotas(self) -> list[tuple[str, int]]:
        quotas = []
        for number, line in enumerate(self.cleaned_data["quotas"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].isdigit():
                raise forms.ValidationError(_("Line %(n)s: write a specialty code and a number, e.g. A0101 3.")
                                            % {"n": number})
            quotas.append((parts[0], int(parts[1])))
        return quotas

    def clean_bidder_credit_codes(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["bidder_credit_codes"].splitlines() if line.strip()]


class RespondForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", pgettext_lazy("experts", "Accept")),
                                        ("decline", pgettext_lazy("experts", "Decline"))])
    reason = forms.CharField(label=_("Reason for declining"), max_length=200, required=False)


class AttendanceForm(forms.Form):
    attended = forms.ChoiceField(choices=[("yes", pgettext_lazy("experts", "Attended")),
                                          ("no", pgettext_lazy("experts", "Absent"))])


class RatingForm(forms.Form):
    score = forms.IntegerField(label=_("Score (1–5)"), min_value=1, max_value=5)
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)
