"""PDF documents with Chinese text: opening records, evaluation reports, bulletins.

fpdf2 writes the PDF (pure Python, subsets the font it embeds). It reads OpenType fonts with CFF outlines
but not font collections, so the Simplified Chinese face of Debian's ``fonts-noto-cjk`` collection is
extracted once with fontTools into ``var/fonts/`` and reused. ``settings.YANGGUANG_PDF_FONT`` may name
another .otf/.ttf file (or a collection, with ``YANGGUANG_PDF_FONT_INDEX``).

Every page carries the document title in its header and "第 x 页 / 共 y 页 · Page x of y" in its footer.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from fpdf import FPDF
from fpdf.fonts import FontFace

from .errors import ServiceError

# Debian (fonts-noto-cjk) and common other places; the first that exists is used.
_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
)
_lock = threading.Lock()
_font_path: Path | None = None
FAMILY = "cjk"
# fontTools reports every subsetting step at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class FontMissing(ServiceError):
    status = 500
    code = "pdf_font_missing"


def _extract(collection: Path, face: str, index: int | None) -> Path:
    from fontTools.ttLib import TTCollection

    target_dir = Path(settings.VAR_DIR) / "fonts"
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = hashlib.sha256(f"{collection}:{collection.stat().st_mtime_ns}:{face}:{index}".encode()).hexdigest()[:12]
    target = target_dir / f"pdf-{stamp}.otf"
    if target.exists():
        return target
    fonts = TTCollection(str(collection)).fonts
    chosen = fonts[index] if index is not None else next(
        (f for f in fonts if f["name"].getDebugName(1) == face), fonts[0])
    tmp = target.with_suffix(".tmp")
    chosen.save(str(tmp))
    tmp.replace(target)
    return target


def font_path() -> Path:
    """The single-face font file the PDFs embed (extracted and cached on first use)."""
    global _font_path
    if _font_path is not None:
        return _font_path
    with _lock:
        if _font_path is not None:
            return _font_path
        configured = getattr(settings, "YANGGUANG_PDF_FONT", "")
        index = getattr(settings, "YANGGUANG_PDF_FONT_INDEX", None)
        candidates = [(configured, "")] if configured else list(_CANDIDATES)
        for name, face in candidates:
            path = Path(name)
            if not path.exists():
                continue
            if path.suffix.lower() in (".ttc", ".otc"):
                path = _extract(path, face, index)
            _font_path = path
            return path
        raise FontMissing("No Chinese font for PDFs: install Debian's fonts-noto-cjk or set YANGGUANG_PDF_FONT.")


class Document(FPDF):
    """A4 portrait document with the Chinese font loaded, a title header and page numbers."""

    def __init__(self, title: str, *, subtitle: str = "", orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.doc_title = title
        self.doc_subtitle = subtitle
        self.add_font(FAMILY, fname=str(font_path()))
        self.set_title(title)
        self.set_creator("Yangguang")
        self.alias_nb_pages("{nb}")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 20, 15)
        self.add_page()
        self.set_font(FAMILY, size=16)
        self.multi_cell(0, 9, title, align="C", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.set_font(FAMILY, size=10)
            self.multi_cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)
        self.set_font(FAMILY, size=10)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 6, self.doc_title, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 6, f"第 {self.page_no()} 页 / 共 {{nb}} 页 · Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FAMILY, size=12)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, size=10)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")

    def rows(self, headings: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> None:
        """A table with a repeated heading row on every page it spans."""
        with self.table(col_widths=tuple(widths) if widths else None, text_align="LEFT",
                        line_height=5.5, first_row_as_headings=True, repeat_headings=1,
                        headings_style=FontFace(emphasis="", fill_color=(232, 236, 242))) as table:
            table.row([str(h) for h in headings])
            for row in rows:
                table.row(["" if v is None else str(v) for v in row])

    def to_bytes(self) -> bytes:
        return bytes(self.output())
