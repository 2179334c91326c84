"""The administrator's page for API keys: issue (the key is shown once, on the answer to the POST) and
revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yangguang.core.errors import ServiceError

from .access import role_required
from .apikey_models import ApiKey, Scope
from .apikeys import apikey_issue, apikey_revoke, keys_listed, organisations_for_keys
from .states import Role


class ApiKeyForm(forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Organisation"))  # type: ignore[arg-type]
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80,
                           help_text=gettext_lazy("For example, the system that will use the key."))
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Scopes"), choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for_keys()  # type: ignore[attr-defined]


@never_cache
@role_required(Role.PLATFORM_ADMIN)
def apikeys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            row, key = apikey_issue(actor=request.user, organisation=form.cleaned_data["organisation"],
                                    name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"])
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            issued = {"row": row, "key": key}
            form = ApiKeyForm()
    return render(request, "accounts/apikeys.html", {"form": form, "keys": keys_listed(), "issued": issued})


@role_required(Role.PLATFORM_ADMIN)
@require_POST
def apikey_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    try:
        apikey_revoke(actor=request.user, key=key)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The key was revoked; systems using it are refused from now on."))
    return redirect("accounts:apikeys")
