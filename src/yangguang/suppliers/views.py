"""Pages of the supplier pool: public registration, the supplier's own page, the staff review queue and the
blacklist. Every rule is in services and access; a view collects input and shows the outcome."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yangguang.accounts.access import forbidden, has_role, role_required
from yangguang.accounts.states import Role
from yangguang.core.errors import ServiceError, ValidationFailed

from . import services
from .access import READER_ROLES, REVIEWER_ROLES, supplier_reviewable, supplier_visible
from .forms import BlacklistForm, ProfileFieldsForm, QualificationForm, ReasonForm, RegistrationForm
from .models import BlacklistEntry, SupplierProfile
from .selectors import blacklist_visible, supplier_of, suppliers_visible
from .states import SupplierStatus, SupplyClass


def register(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supplier_register(
                actor=request.user, name=data["name"], credit_code=data["credit_code"], region=data["region"],
                classes=data["classes"], primary_class=data["primary_class"],
                legal_representative=data["legal_representative"], registered_capital=data["registered_capital"],
                address=data["address"], business_scope=data["business_scope"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                username=data["username"], password=data["password"], idempotency_key=data["idempotency_key"],
            )
        except ValidationFailed as exc:
            form.add_service_error(exc)
        else:
            return redirect("suppliers:register_done")
    return render(request, "suppliers/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "suppliers/register_done.html")


@role_required(Role.SUPPLIER)
def mine(request: HttpRequest) -> HttpResponse:
    profile = supplier_of(request.user)
    context: dict = {"profile": profile}
    if profile is not None:
        context["qualifications"] = profile.qualifications.all()
        context["blacklist"] = profile.blacklist_entries.all()
        context["qualification_form"] = QualificationForm()
        if profile.status == SupplierStatus.RETURNED:
            context["resubmit_form"] = ProfileFieldsForm(initial={
                "classes": profile.classes, "primary_class": profile.primary_class,
                "legal_representative": profile.legal_representative,
                "registered_capital": profile.registered_capital, "address": profile.address,
                "business_scope": profile.business_scope})
    return render(request, "suppliers/mine.html", context)


def _own_profile_or_404(request: HttpRequest) -> SupplierProfile:
    profile = supplier_of(request.user)
    if profile is None:
        raise Http404
    return profile


@require_POST
@role_required(Role.SUPPLIER)
def resubmit(request: HttpRequest) -> HttpResponse:
    profile = _own_profile_or_404(request)
    form = ProfileFieldsForm(request.POST)
    if form.is_valid():
        try:
            services.supplier_resubmit(actor=request.user, profile=profile, changes=form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your registration was submitted again for review."))
            return redirect("suppliers:mine")
    else:
        messages.error(request, _("Please correct the marked fields."))
    return render(request, "suppliers/mine.html", {
        "profile": profile, "qualifications": profile.qualifications.all(), "resubmit_form": form,
        "qualification_form": QualificationForm(), "blacklist": profile.blacklist_entries.all()})


@require_POST
@role_required(Role.SUPPLIER)
def qualification_add(request: HttpRequest) -> HttpResponse:
    profile = _own_profile_or_404(request)
    form = QualificationForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.qualification_add(actor=request.user, profile=profile, name=data["name"],
                                       certificate_number=data["certificate_number"], issuer=data["issuer"],
                                       valid_until=data["valid_until"], upload=data["file"])
        except ValidationFailed as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The qualification was added."))
            return redirect("suppliers:mine")
    return render(request, "suppliers/mine.html", {
        "profile": profile, "qualifications": profile.qualifications.all(), "qualification_form": form,
        "blacklist": profile.blacklist_entries.all()}, status=422)


@role_required(*READER_ROLES)
def pool(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    supply_class = request.GET.get("class", "")
    query = request.GET.get("q", "").strip()
    qs = suppliers_visible(request.user, status=status if status in SupplierStatus.values else "",
                           supply_class=supply_class if supply_class in SupplyClass.values else "", query=query)
    return render(request, "suppliers/pool.html", {
        "suppliers": qs[:300], "total": qs.count(), "status": status, "supply_class": supply_class,
        "query": query, "statuses": SupplierStatus.choices, "classes": SupplyClass.choices,
    })


def _visible_or_none(request: HttpRequest, pk: int) -> SupplierProfile | None:
    profile = get_object_or_404(SupplierProfile.objects.select_related("organisation__region"), pk=pk)
    return profile if supplier_visible(request.user, profile) else None


@role_required(*READER_ROLES)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _visible_or_none(request, pk)
    if profile is None:
        return forbidden(request)
    reviewable = supplier_reviewable(request.user, profile)
    return render(request, "suppliers/detail.html", {
        "profile": profile, "qualifications": profile.qualifications.all(),
        "blacklist": profile.blacklist_entries.all(), "reviewable": reviewable,
        "steps": [s for s in ("approve", "return", "suspend", "reinstate")
                  if s in services.TRANSITIONS.allowed_steps(profile.status)] if reviewable else [],
        "reason_form": ReasonForm(), "blacklist_form": BlacklistForm(),
    })


_REVIEW_STEPS: dict[str, Callable[..., SupplierProfile]] = {
    "approve": services.supplier_approve,
    "return": services.supplier_return,
    "suspend": services.supplier_suspend,
    "reinstate": services.supplier_reinstate,
}
_REVIEW_DONE = {
    "approve": _("The registration was approved."),
    "return": _("The registration was returned to the supplier."),
    "suspend": _("The supplier was suspended."),
    "reinstate": _("The supplier was reinstated."),
}


@require_POST
@role_required(*REVIEWER_ROLES)
def review(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in _REVIEW_STEPS:
        raise Http404
    profile = _visible_or_none(request, pk)
    if profile is None:
        return forbidden(request)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        _REVIEW_STEPS[step](actor=request.user, profile=profile, reason=form.cleaned_data.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, str(_REVIEW_DONE[step]))
    return redirect("suppliers:detail", pk=profile.pk)


@require_POST
@role_required(*REVIEWER_ROLES)
def blacklist_add(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _visible_or_none(request, pk)
    if profile is None:
        return forbidden(request)
    form = BlacklistForm(request.POST)
    if form.is_valid():
        try:
            services.supplier_blacklist(actor=request.user, profile=profile, ends_on=form.cleaned_data["ends_on"],
                                        reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The supplier was blacklisted."))
    else:
        messages.error(request, _("Enter the end date and the reason."))
    return redirect("suppliers:detail", pk=profile.pk)


@role_required(*READER_ROLES)
def blacklist(request: HttpRequest) -> HttpResponse:
    entries = blacklist_visible(request.user)
    return render(request, "suppliers/blacklist.html", {
        "entries": entries[:300], "can_lift": has_role(request.user, *REVIEWER_ROLES),
        "reason_form": ReasonForm()})


@require_POST
@role_required(*REVIEWER_ROLES)
def blacklist_lift(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(BlacklistEntry.objects.select_related("supplier__organisation"), pk=pk)
    if not supplier_reviewable(request.user, entry.supplier):
        return forbidden(request)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.blacklist_lift(actor=request.user, entry=entry, reason=form.cleaned_data.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The blacklisting was lifted."))
    return redirect("suppliers:blacklist")
