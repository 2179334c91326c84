from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l


def _parse_lines(text: str, year: int) -> list[tuple[dt.date, str]]:
    """Lines of "YYYY-MM-DD name" or "YYYY-MM-DD..YYYY-MM-DD name" (a range, both ends included)."""
    days: list[tuple[dt.date, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        span, _sep, name = line.partition(" ")
        try:
            if ".." in span:
                first_text, last_text = span.split("..", 1)
                first, last = dt.date.fromisoformat(first_text), dt.date.fromisoformat(last_text)
            else:
                first = last = dt.date.fromisoformat(span)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Line %(n)s: “%(line)s” does not start with a date like 2027-10-01 or 2027-10-01..2027-10-07.")
                % {"n": number, "line": line}
            ) from exc
        if first.year != year or last.year != year or last < first:
            raise forms.ValidationError(
                _("Line %(n)s: the dates must lie in %(year)s, in order.") % {"n": number, "year": year}
            )
        day = first
        while day <= last:
            days.append((day, name.strip()))
            day += dt.timedelta(days=1)
    return days


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_l("Year"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_l("Source (State Council notice number)"), max_length=200)
    holidays = forms.CharField(
        label=_l("Holidays"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_l("One per line: a date or a range and the holiday's name, e.g. 2027-10-01..2027-10-07 国庆节"),
    )
    workdays = forms.CharField(
        label=_l("Make-up working days (调休)"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_l("One per line: a weekend date that is a working day, e.g. 2027-09-26 国庆节调休"),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        year = data.get("year")
        if year is None:
            return data
        try:
            data["holiday_days"] = _parse_lines(data.get("holidays", ""), year)
        except forms.ValidationError as exc:
            self.add_error("holidays", exc)
        try:
            data["workday_days"] = _parse_lines(data.get("workdays", ""), year)
        except forms.ValidationError as exc:
            self.add_error("workdays", exc)
        return data
