"""Web forms of the supplier pool. They only collect input; the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yangguang.accounts.models import Region
from yangguang.core.errors import ValidationFailed

from .credit_code import credit_code_validate
from .states import SupplyClass


class DateInput(forms.DateInput):
    input_type = "date"


class ServiceErrorMixin:
    def add_service_error(self, exc: ValidationFailed) -> None:
        field = exc.field if exc.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, str(exc.message))  # type: ignore[attr-defined]


class ProfileFieldsForm(ServiceErrorMixin, forms.Form):
    classes = forms.MultipleChoiceField(label=_("Supply classes"), choices=SupplyClass.choices,
                                        widget=forms.CheckboxSelectMultiple)
    primary_class = forms.ChoiceField(label=_("Main supply class"), choices=SupplyClass.choices)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=40)
    registered_capital = forms.DecimalField(label=_("Registered capital (10,000 yuan)"), min_value=0,
                                            max_digits=14, decimal_places=2)
    address = forms.CharField(label=_("Registered address"), max_length=200)
    business_scope = forms.CharField(label=_("Business scope"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("classes") and data.get("primary_class") and data["primary_class"] not in data["classes"]:
            self.add_error("primary_class", _("The main supply class must be one of the chosen classes."))
        return data


class RegistrationForm(ProfileFieldsForm):
    field_order = ["name", "credit_code", "region", "classes", "primary_class", "legal_representative",
                   "registered_capital", "address", "business_scope", "contact_name", "contact_phone",
                   "username", "password", "password_confirm"]

    name = forms.CharField(label=_("Company name"), max_length=120,
                           help_text=_("Exactly as on the business licence."))
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=1,
                                  help_text=_("18 characters, on the business licence."))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("code"),
                                    to_field_name="code")
    contact_name = forms.CharField(label=_("Contact person"), max_length=40)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    username = forms.CharField(label=_("User name for signing in"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_confirm = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)
    # One key per form page, so a double-clicked or re-sent form registers once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def clean_credit_code(self) -> str:
        try:
            return credit_code_validate(self.cleaned_data["credit_code"])
        except ValidationFailed as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_confirm") and data["password"] != data["password_confirm"]:
            self.add_error("password_confirm", _("The two passwords differ."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class QualificationForm(ServiceErrorMixin, forms.Form):
    name = forms.CharField(label=_("Qualification"), max_length=120,
                           help_text=_("For example: 建筑工程施工总承包二级"))
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=60)
    issuer = forms.CharField(label=_("Issued by"), max_length=120)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)
    file = forms.FileField(label=_("Scan of the certificate"))


class BlacklistForm(ServiceErrorMixin, forms.Form):
    ends_on = forms.DateField(label=_("Blacklisted until"), widget=DateInput)
    reason = forms.CharField(label=_("Reason and decision"), widget=forms.Textarea(attrs={"rows": 2}))
