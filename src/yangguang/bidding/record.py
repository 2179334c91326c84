"""The opening record (开标记录) as a PDF."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yangguang.core.deadlines import SHANGHAI
from yangguang.core.pdf import Document

from .models import Opening
from .selectors import opening_rows
from .terms import terms_text


def record_pdf(opening: Opening) -> bytes:
    lot = opening.lot
    procedure = lot.procedure
    doc = Document("开标记录 Opening record", subtitle=f"{procedure.code} {procedure.title} — {lot}")
    start = opening.started_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    doc.paragraph(f"{_('Opened at')}: {start}  ·  {_('Bids submitted')}: {opening.bid_count}")
    if opening.closing_size is not None:
        doc.paragraph(f"{_('Closing log head')}: size {opening.closing_size}, root {opening.closing_root}")
    rows = opening_rows(opening)
    doc.heading(_("Bids read out"))
    doc.rows([_("No."), _("Bidder"), _("Bid total price (yuan)"), _("Quoted terms"), _("Bid security"),
              _("Decryption"), _("Bidder's response")],
             [[r["number"], r["bidder"], r["total_price"] or "—",
               terms_text(r["terms"]) or "—",
               _("received") if r["security_ok"] else _("not received"),
               f"{r['status_label']}" + (f" ({r['decrypted_by']})" if r["decrypted_by"] else ""),
               {"confirmed": _("confirmed"), "objection": _("objection")}.get(r["response"] or "", "—")
               + (f": {r['objection']}" if r["objection"] else "")] for r in rows],
             widths=[10, 40, 25, 35, 20, 25, 25])
    return doc.to_bytes()
