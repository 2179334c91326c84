from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yangguang.accounts.models import Organisation, Region
from yangguang.accounts.states import OrganisationKind
from yangguang.catalogue.models import CatalogueItem
from yangguang.catalogue.states import Category, FundingSource

FUNDING_ROWS = 3


class ProjectForm(forms.Form):
    """The registration form; business checks (sums, catalogue in force) are in the service, whose
    field-named errors this form shows next to the field."""

    owner = forms.ModelChoiceField(Organisation.objects.none(), label=_("Purchaser / tenderer"), required=False)
    agency = forms.ModelChoiceField(Organisation.objects.none(), label=_("Agency"), required=False)
    name = forms.CharField(label=_("Project name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    region = forms.ModelChoiceField(Region.objects.all(), label=_("Region"))
    catalogue_item = forms.ModelChoiceField(
        CatalogueItem.objects.select_related("type__version__region").filter(type__version__status="active"),
        label=_("Catalogue item"))
    budget = forms.DecimalField(label=_("Budget (yuan)"), max_digits=16, decimal_places=2)
    responsible_leader = forms.CharField(label=_("Responsible leader"), max_length=40)
    responsible_section = forms.CharField(label=_("Responsible section"), max_length=80)
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=40)
    responsible_phone = forms.CharField(label=_("Responsible person's phone"), max_length=30)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, role: str = "", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        purchasers = Organisation.objects.filter(kind=OrganisationKind.PURCHASER).order_by("name")
        agencies = Organisation.objects.filter(kind=OrganisationKind.AGENCY).order_by("name")
        self.fields["owner"].queryset = purchasers  # type: ignore[attr-defined]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        # A purchaser owns what it registers; an agency registers for a purchaser and is itself the agency.
        if role == "purchaser":
            del self.fields["owner"]
        else:
            del self.fields["agency"]
            self.fields["owner"].required = True
        for index in range(FUNDING_ROWS):
            self.fields[f"funding_source_{index}"] = forms.ChoiceField(
                label=_("Funding source %(number)s") % {"number": index + 1},
                choices=[("", "—"), *FundingSource.choices], required=False)
            self.fields[f"funding_amount_{index}"] = forms.DecimalField(
                label=_("Amount %(number)s (yuan)") % {"number": index + 1}, max_digits=16, decimal_places=2,
                required=False)

    def funding_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"funding_source_{i}"], self[f"funding_amount_{i}"]) for i in range(FUNDING_ROWS)]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("funding_")]

    def fundings(self) -> list[tuple[str, object]]:
        rows = []
        for i in range(FUNDING_ROWS):
            source = self.cleaned_data.get(f"funding_source_{i}")
            amount = self.cleaned_data.get(f"funding_amount_{i}")
            if source or amount is not None:
                rows.append((source or "", amount if amount is not None else ""))
        return rows


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))
    sha256 = forms.CharField(label=_("SHA-256 of the file (optional)"), max_length=64, required=False,
                             help_text=_("If given, the upload is refused unless the file arrives unchanged."))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason for return"), widget=forms.Textarea(attrs={"rows": 3}))
