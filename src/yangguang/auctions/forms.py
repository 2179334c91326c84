"""The staff form that prepares a lot."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus

from .services import VARIANT_CATEGORIES
from .states import Variant

CATEGORIES = sorted({c for cats in VARIANT_CATEGORIES.values() for c in cats})


class LotForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    variant = forms.ChoiceField(label=_("Bidding method"), choices=Variant.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description (location, area, use, term, planning indicators)"),
                                  widget=forms.Textarea(attrs={"rows": 3}), required=False)
    eligibility = forms.CharField(label=_("Bidder eligibility"), widget=forms.Textarea(attrs={"rows": 2}),
                                  required=False)
    starting_price = forms.DecimalField(label=_("Starting price (yuan)"), max_digits=16, decimal_places=2)
    reserve_price = forms.DecimalField(label=_("Reserve price (yuan, secret until the end)"), max_digits=16,
                                       decimal_places=2, required=False)
    increment = forms.DecimalField(label=_("Increment / decrement (yuan)"), max_digits=16, decimal_places=2)
    deposit = forms.DecimalField(label=_("Bid deposit (yuan)"), max_digits=16, decimal_places=2)
    listing_starts_at = forms.DateTimeField(label=_("Bidding starts"),
                                            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    listing_ends_at = forms.DateTimeField(label=_("Listing / bidding period ends"),
                                          widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    countdown_seconds = forms.IntegerField(label=_("Countdown (seconds)"), initial=300, min_value=10,
                                           max_value=3600)

    def __init__(self, *args: Any, region_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Project.objects.filter(status=ProjectStatus.ACCEPTED, category__in=CATEGORIES)
        if region_id is not None:
            qs = qs.filter(centre__region_id=region_id)
        self.fields["project"].queryset = qs.order_by("-accepted_at")  # type: ignore[attr-defined]

    def add_service_error(self, exc: Any) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, str(exc.message))
