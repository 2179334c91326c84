"""Public endpoints of the transparency log."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from . import eventlog
from .errors import NotFound, ValidationFailed
from .selectors import head_as_dict

router = Router(tags=["log"])


class HeadOut(Schema):
    size: int
    root_hash: str
    timestamp: str
    signature: str
    public_key: str
    algorithm: str
    note: str


class ProofOut(Schema):
    index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]
    root_hash: str


@router.get("/head", response=HeadOut, summary="Latest signed tree head")
def log_head(request: HttpRequest) -> dict:
    head = head_as_dict(eventlog.head())
    if head is None:
        raise NotFound(_("No checkpoint has been signed yet."), code="no_checkpoint")
    return head


@router.get("/proof", response=ProofOut, summary="RFC 6962 inclusion proof of one event")
def log_proof(request: HttpRequest, index: int, size: int | None = None) -> dict:
    """Audit path for leaf ``index`` in the tree of ``size`` leaves (default: the latest signed head)."""
    head = eventlog.head()
    if head is None:
        raise NotFound(_("No checkpoint has been signed yet."), code="no_checkpoint")
    size = head.size if size is None else size
    if size > eventlog.log_size() or size < 1:
        raise ValidationFailed(_("The tree size is larger than the log."), code="size_out_of_range", field="size")
    if not 0 <= index < size:
        raise ValidationFailed(
            _("Index %(index)s is not in a tree of %(size)s events.") % {"index": index, "size": size},
            code="index_out_of_range", field="index",
        )
    from .models import Event

    path = eventlog.inclusion_proof(index, size)
    root = head.root_hash if size == head.size else eventlog.root_at(size).hex()
    return {
        "index": index,
        "tree_size": size,
        "leaf_hash": Event.objects.values_list("leaf_hash", flat=True).get(seq=index),
        "audit_path": [p.hex() for p in path],
        "root_hash": root,
    }
