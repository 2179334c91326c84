"""Every write of tendering: build and publish a procedure, register, download, ask, clarify and amend,
bid securities, holds, the chronograph's time-driven steps, failure, termination and re-tendering.

Each step: check → lock → change → event → (notices through the notices app, in the same transaction).

Secrecy and the public log: the log is public, so events about registrations, downloads, questions and
securities name neither the bidder nor the lot. Their actor is ``"bidder"``/``"bank"`` (not the user) and
their payload is a salted SHA-256 commitment over (token, lot, organisation, time) that can be opened after
the deadline to prove the record existed then.
"""

from __future__ import annotations

from .bidders import clarification_publish, document_download, question_ask, registration_create
from .clock import procedure_check_due, procedure_hold, procedure_release, procedures_check_due
from .procedures import (
                         LotData,
                         ProcedureData,
                         document_upload,
                         invitations_set,
                         lot_get,
                         procedure_create,
                         procedure_failure_announce,
                         procedure_publish,
                         procedure_retender,
                         procedure_terminate,
                         procedure_update,
)
from .securities import security_bank_notify, security_guarantee_record, security_refund

__all__ = [
                         "LotData",
                         "ProcedureData",
                         "clarification_publish",
                         "document_download",
                         "document_upload",
                         "invitations_set",
                         "lot_get",
                         "procedure_check_due",
                         "procedure_create",
                         "procedure_failure_announce",
                         "procedure_hold",
                         "procedure_publish",
                         "procedure_release",
                         "procedure_retender",
                         "procedure_terminate",
                         "procedure_update",
                         "procedures_check_due",
                         "question_ask",
                         "registration_create",
                         "security_bank_notify",
                         "security_guarantee_record",
                         "security_refund",
]
