"""Hash-checked file storage. A document is stored under its SHA-256, so the same bytes are stored once
and a client-supplied hash proves that what arrived is what was sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from .errors import ValidationFailed

MAX_DOCUMENT_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    path: str
    sha256: str
    size: int


def file_store(upload: File, *, expected_sha256: str | None = None, folder: str = "documents") -> StoredFile:
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size == 0:
        raise ValidationFailed(_("The file is empty."), code="file_empty", field="file")
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(_("The file is larger than 200 MB."), code="file_too_large", field="file")
    sha = digest.hexdigest()
    if expected_sha256 and expected_sha256.strip().lower() != sha:
        raise ValidationFailed(
            _("The file arrived damaged: its SHA-256 does not match the one sent. Please upload it again."),
            code="hash_mismatch", field="file",
        )
    path = f"{folder}/{sha[:2]}/{sha}"
    if not default_storage.exists(path):
        upload.seek(0)
        default_storage.save(path, upload)
    return StoredFile(path=path, sha256=sha, size=size)
