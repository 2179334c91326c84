"""The committee office's pages for the trading catalogue; staff and supervisors read them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yangguang.accounts.access import forbidden, role_required
from yangguang.core.errors import ServiceError

from . import services
from .access import EDIT_ROLES, READ_ROLES, catalogue_editor, version_editable, version_manageable
from .forms import ActivateForm, CopyForm, ImportForm, ItemForm, TypeForm, VersionForm
from .models import CatalogueItem, CatalogueType, CatalogueVersion
from .selectors import version_tree, versions_listed
from .spreadsheet import rows_from_xlsx, version_export_xlsx
from .states import VersionStatus

ALL_READERS = tuple(READ_ROLES | EDIT_ROLES)


def _form_error(form: forms.Form, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@role_required(*ALL_READERS)
def version_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # role_required guarantees a signed-in user
    can_create = catalogue_editor(user) and user.organisation is not None
    form = VersionForm(request.POST or None)
    if request.method == "POST":
        if not can_create:
            return forbidden(request)
        if form.is_valid():
            try:
                version = services.version_create(actor=user, region=user.organisation.region,
                                                  title=form.cleaned_data["title"],
                                                  legal_basis=form.cleaned_data["legal_basis"])
            except ServiceError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Draft version %(number)s created.") % {"number": version.number})
                return redirect("catalogue:version_detail", pk=version.pk)
    return render(request, "catalogue/version_list.html", {
        "versions": versions_listed(), "form": form if can_create else None,
    })


@role_required(*ALL_READERS)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(CatalogueVersion.objects.select_related("region"), pk=pk)
    blocks = version_tree(version)
    return render(request, "catalogue/version_detail.html", {
        "version": version, "blocks": blocks,
        "item_count": sum(len(t.items.all()) for b in blocks for t in b.types),
        "editable": version_editable(request.user, version),
        "manageable": version_manageable(request.user, version),
        "is_draft": version.status == VersionStatus.DRAFT,
        "activate_form": ActivateForm(), "copy_form": CopyForm(), "import_form": ImportForm(),
    })


@role_required(*EDIT_ROLES)
@require_POST
def version_activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(CatalogueVersion, pk=pk)
    if not version_manageable(request.user, version):
        return forbidden(request)
    form = ActivateForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, _("Please enter a valid date."))
        else:
            services.version_activate(actor=request.user, version=version,
                                      effective_from=form.cleaned_data["effective_from"])
            messages.success(request, _("Version %(number)s is now in force.") % {"number": version.number})
    except ServiceError as error:
        messages.error(request, str(error.message))
    return redirect("catalogue:version_detail", pk=version.pk)


@role_required(*EDIT_ROLES)
@require_POST
def version_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(CatalogueVersion, pk=pk)
    if not version_manageable(request.user, source):
        return forbidden(request)
    form = CopyForm(request.POST)
    title = form.cleaned_data["title"] if form.is_valid() else ""
    copy = services.version_copy(actor=request.user, source=source, title=title)
    messages.success(request, _("Draft version %(number)s created as a copy.") % {"number": copy.number})
    return redirect("catalogue:version_detail", pk=copy.pk)


@role_required(*ALL_READERS)
def version_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(CatalogueVersion.objects.select_related("region"), pk=pk)
    response = HttpResponse(version_export_xlsx(version),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="catalogue-{version.region.code}-v{version.number}.xlsx"'
    return response


@role_required(*EDIT_ROLES)
def version_import(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(CatalogueVersion.objects.select_related("region"), pk=pk)
    if not version_editable(request.user, version):
        return forbidden(request, _("Only a draft version of your region can be changed."))
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = rows_from_xlsx(form.cleaned_data["file"])
            services.version_content_replace(actor=request.user, version=version, rows=rows)
        except services.ImportRefused as error:
            form.add_error(None, str(error.message))
            row_errors = error.row_errors
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(count)d items imported.") % {"count": len(rows)})
            return redirect("catalogue:version_detail", pk=version.pk)
    return render(request, "catalogue/import.html", {"version": version, "form": form, "row_errors": row_errors})


def _editable_or_403(request: HttpRequest, version: CatalogueVersion) -> HttpResponse | None:
    if version_editable(request.user, version):
        return None
    return forbidden(request, _("Only a draft version of your region can be changed."))


def _edit_page(request: HttpRequest, form: forms.Form, version: CatalogueVersion, title: str) -> HttpResponse:
    return render(request, "catalogue/edit.html", {"form": form, "version": version, "title": title})


@role_required(*EDIT_ROLES)
def type_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(CatalogueVersion, pk=pk)
    if (refusal := _editable_or_403(request, version)) is not None:
        return refusal
    form = TypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.type_create(actor=request.user, version=version, **form.cleaned_data)
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Type added."))
            return redirect("catalogue:version_detail", pk=version.pk)
    return _edit_page(request, form, version, _("Add a type"))


@role_required(*EDIT_ROLES)
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    catalogue_type = get_object_or_404(CatalogueType.objects.select_related("version"), pk=pk)
    version = catalogue_type.version
    if (refusal := _editable_or_403(request, version)) is not None:
        return refusal
    initial = {"category": catalogue_type.category, "code": catalogue_type.code, "name": catalogue_type.name,
               "name_en": catalogue_type.name_en}
    form = TypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.type_update(actor=request.user, catalogue_type=catalogue_type, **form.cleaned_data)
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Type saved."))
            return redirect("catalogue:version_detail", pk=version.pk)
    return _edit_page(request, form, version, _("Edit type %(code)s") % {"code": catalogue_type.code})


@role_required(*EDIT_ROLES)
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    catalogue_type = get_object_or_404(CatalogueType.objects.select_related("version"), pk=pk)
    version = catalogue_type.version
    if (refusal := _editable_or_403(request, version)) is not None:
        return refusal
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_create(actor=request.user, catalogue_type=catalogue_type, **form.cleaned_data)
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Item added."))
            return redirect("catalogue:version_detail", pk=version.pk)
    return _edit_page(request, form, version,
                      _("Add an item to %(type)s") % {"type": f"{catalogue_type.code} {catalogue_type.name}"})


@role_required(*EDIT_ROLES)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(CatalogueItem.objects.select_related("type__version"), pk=pk)
    version = item.type.version
    if (refusal := _editable_or_403(request, version)) is not None:
        return refusal
    initial = {"code": item.code, "name": item.name, "name_en": item.name_en, "funding_sources": item.funding_sources,
               "threshold": item.threshold, "rule_code": item.rule_code, "note": item.note}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.user, item=item, **form.cleaned_data)
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Item saved."))
            return redirect("catalogue:version_detail", pk=version.pk)
    return _edit_page(request, form, version, _("Edit item %(code)s") % {"code": item.code})


@role_required(*EDIT_ROLES)
@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(CatalogueItem.objects.select_related("type__version"), pk=pk)
    version = item.type.version
    if (refusal := _editable_or_403(request, version)) is not None:
        return refusal
    try:
        services.item_delete(actor=request.user, item=item)
        messages.success(request, _("Item %(code)s deleted.") % {"code": item.code})
    except ServiceError as error:
        messages.error(request, str(error.message))
    return redirect("catalogue:version_detail", pk=version.pk)
