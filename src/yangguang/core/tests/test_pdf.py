"""core.pdf: Chinese text, page numbers, repeated table headings, a clear error without a font."""

from __future__ import annotations

import pytest

from yangguang.core import pdf


def test_document_with_chinese_table_spans_pages() -> None:
    doc = pdf.Document("开标记录 Bid opening record", subtitle="第1标段")
    doc.heading("一、投标人 Bidders")
    doc.rows(["序号", "投标人", "报价（元）"], [[i, f"投标人{i}有限公司", f"{1000 + i:,.2f}"] for i in range(90)])
    data = doc.to_bytes()
    assert data.startswith(b"%PDF-")
    assert doc.page_no() >= 2
    # The font is embedded (subset), so the PDF reads the same on a machine without it.
    assert b"/FontFile" in data


def test_missing_font_is_a_clear_error(settings, monkeypatch) -> None:
    monkeypatch.setattr(pdf, "_font_path", None)
    settings.YANGGUANG_PDF_FONT = "no-such-font.otf"
    with pytest.raises(pdf.FontMissing) as caught:
        pdf.Document("x")
    assert "fonts-noto-cjk" in str(caught.value)
    monkeypatch.setattr(pdf, "_font_path", None)
