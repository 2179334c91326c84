"""Errors that services raise and the API and views turn into clear messages.

Every error carries a machine-readable ``code`` and a message in the active language (messages are
gettext strings, so the Chinese and English texts live in the catalogue).
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: Any, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.field:
            data["field"] = self.field
        return data


class ValidationFailed(ServiceError):
    status = 422
    code = "validation_failed"


class PermissionDenied(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class IllegalTransition(ServiceError):
    """A step that the workflow's transition table does not allow from the current status."""

    status = 409
    code = "illegal_transition"
