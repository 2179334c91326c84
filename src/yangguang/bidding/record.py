"""The opening record (开标记录) as a PDF."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yangguang.core.deadlines import SHANGHAI
from yangguang.core.pdf import Document

from .models import Opening
from .selectors import opening_rows
from .states import decryption_text
from .terms import terms_text


def record_pdf(opening: Opening) -> bytes:
    lot = opening.lot
    procedure = lot.procedure
    doc = Document("开标记录 Opening record", subtitle=f"{procedure.code} {procedure.title} — {lot}")
    start = opening.started_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    # Labels outside the f-strings, where makemessages finds them ("Opened at" has another sense elsewhere).
    opened_at, submitted = pgettext("opening record", "Opened at"), _("Bids submitted")
    doc.paragraph(f"{opened_at}: {start}  ·  {submitted}: {opening.bid_count}")
    if opening.closing_size is not None:
        head, size, root = _("Closing log head"), _("size"), _("root hash")
        doc.paragraph(f"{head}: {size} {opening.closing_size}, {root} {opening.closing_root}")
    rows = opening_rows(opening)
    doc.heading(_("Bids read out"))
    doc.rows([_("No."), _("Bidder"), _("Bid total price (yuan)"), _("Quoted terms"), _("Bid security"),
              _("Decryption"), _("Bidder's response")],
             [[r["number"], r["bidder"], r["total_price"] or "—",
               terms_text(r["terms"]) or "—",
               _("received") if r["security_ok"] else _("not received"),
               decryption_text(r["status_label"], r["decrypted_by"]),
               {"confirmed": _("confirmed"), "objection": _("objection")}.get(r["response"] or "", "—")
               + (f": {r['objection']}" if r["objection"] else "")] for r in rows],
             widths=[11, 44, 24, 29, 20, 31, 21])  # mm of 180; "已解密（投标人）" on one line
    return doc.to_bytes()
