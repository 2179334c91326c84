"""The evaluation report PDF (评标报告 / 评审报告), built from plain data with ``core.pdf.Document``.

Sections: cover (procedure, lot, method, date, committee), compliance review with the reasons for every
rejection, arithmetic corrections, every expert's score per criterion per bidder, totals and ranking (with the
benchmark price, the random draws and the computation steps), outliers, score amendments and corrections with
their recorded reasons, signatures (who, when, the SHA-256 of the PDF they signed). Every page's footer carries
the SHA-256 of the report's content (:func:`content_digest`: canonical JSON of :class:`ReportData`), so a
printed page can be matched to the data it came from.

The wide score tables are printed landscape; the figures are the published (rounded) ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from yangguang.core.pdf import FAMILY, Document

from .methods import Criterion, Outcome, Outlier, Row


@dataclass(frozen=True)
class MemberEntry:
    name: str
    kind: str  # "expert" | "purchaser_rep"
    is_chair: bool = False
    specialty: str = ""


@dataclass(frozen=True)
class ReviewItem:
    item: str
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class BidderReview:
    ref: str
    name: str
    price: Decimal
    compliant: bool
    items: Sequence[ReviewItem] = ()
    enterprise_size: str = ""


@dataclass(frozen=True)
class CorrectionEntry:
    ref: str
    stated_total: Decimal
    corrected_total: Decimal
    changes: Sequence[str]
    reason: str
    recorded_by: str = ""
    recorded_at: dt.datetime | str | None = None


@dataclass(frozen=True)
class AmendmentEntry:
    """A score changed after submission (M87 第64条, rule P-031), or an outlier's recorded explanation."""

    expert: str
    ref: str
    criterion: str
    old: Decimal | None
    new: Decimal | None
    ground: str
    reason: str
    at: dt.datetime | str | None = None


@dataclass(frozen=True)
class SignatureEntry:
    name: str
    signed_at: dt.datetime | str
    sha256: str


@dataclass(frozen=True)
class ReportData:
    procedure_code: str
    procedure_title: str
    lot: str
    method: str  # the method's label
    date: dt.datetime | dt.date | str
    committee: Sequence[MemberEntry]
    reviews: Sequence[BidderReview]
    criteria: Sequence[Criterion]
    scores: Mapping[str, Mapping[str, Mapping[str, Decimal]]]  # expert (name as printed) → ref → code → points
    outcome: Outcome
    corrections: Sequence[CorrectionEntry] = ()
    amendments: Sequence[AmendmentEntry] = ()
    signatures: Sequence[SignatureEntry] = ()
    random_value: str = ""  # hex, drawn at the opening of the evaluation
    buyer: str = ""
    agency: str = ""
    notes: Sequence[str] = field(default_factory=tuple)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return str(value)
    return value


def content_digest(data: ReportData) -> str:
    """SHA-256 of the report's content, signatures excluded (they sign the PDF that shows this digest)."""
    body = _plain(data)
    body.pop("signatures", None)
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                          .encode()).hexdigest()


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _money(value: Any) -> str:
    return "" if value is None else f"{Decimal(str(value)):,.2f}"


def _num(value: Any) -> str:
    return "" if value is None else f"{Decimal(str(value)):.2f}"


class _Report(Document):
    def __init__(self, title: str, subtitle: str, digest: str) -> None:
        self.digest = digest
        super().__init__(title, subtitle=subtitle)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, size=7)
        self.set_text_color(110)
        self.cell(0, 4, f"内容摘要 Content SHA-256: {self.digest}", align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"第 {self.page_no()} 页 / 共 {{nb}} 页 · Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)


MIN_COL = 14  # mm: the narrowest score column


class _Wrapper:
    """Greedy line wrapping by character width (Chinese text wraps anywhere; long Latin words are cut), with
    per-character widths cached: fpdf's own table layout costs ~0.4 ms a cell, too slow for 5,000 cells."""

    def __init__(self, pdf: Document) -> None:
        self.pdf = pdf
        self.widths: dict[str, float] = {}

    def width(self, ch: str) -> float:
        w = self.widths.get(ch)
        if w is None:
            w = self.widths[ch] = self.pdf.get_string_width(ch)
        return w

    def lines(self, text: str, avail: float) -> list[str]:
        out: list[str] = []
        for para in text.split("\n"):
            current, used = "", 0.0
            for ch in para:
                w = self.width(ch)
                if used + w > avail and current:
                    cut = current.rfind(" ")
                    if cut > 0 and ch != " ":  # break a Latin line at its last space
                        out.append(current[:cut])
                        current = current[cut + 1:]
                    else:
                        out.append(current)
                        current = ""
                    used = sum(self.width(c) for c in current)
                    if ch == " " and not current:
                        continue
                current += ch
                used += w
            out.append(current)
        return out


def _grid(pdf: Document, headings: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
          *, size: float = 8) -> None:
    """A bordered table whose cells wrap; the heading row is repeated on every page it spans."""
    line = size * 0.5
    pad = 1.0
    pdf.set_font(FAMILY, size=size)
    wrap = _Wrapper(pdf)

    def draw(cells: Sequence[Any], fill: bool) -> None:
        texts = [wrap.lines("" if v is None else str(v), w - 2 * pad) for v, w in zip(cells, widths, strict=True)]
        height = max(len(t) for t in texts) * line + 1
        if pdf.get_y() + height > pdf.page_break_trigger and not fill:
            pdf.add_page(orientation=pdf.cur_orientation)
            pdf.set_font(FAMILY, size=size)
            draw(headings, True)
        x, y = pdf.l_margin, pdf.get_y()
        for t, w in zip(texts, widths, strict=True):
            pdf.rect(x, y, w, height, style="DF" if fill else "D")
            for n, text in enumerate(t):
                if text:
                    pdf.text(x + pad, y + 0.5 + line * n + line * 0.78, text)
            x += w
        pdf.set_xy(pdf.l_margin, y + height)

    pdf.set_fill_color(232, 236, 242)
    draw(headings, True)
    for row in rows:
        draw(row, False)
    pdf.set_font(FAMILY, size=10)
    pdf.ln(2)


def _slices(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    size = max(size, 1)
    return [items[i: i + size] for i in range(0, len(items), size)] or [items]


def _flag_text(flags: Sequence[str]) -> str:
    names = {"abnormally_low": "报价明显偏低", "tied": "得分并列", "non_compliant": "未通过审查",
             "below_validity_limit": "低于有效报价下限"}
    return "、".join(names.get(f, f) for f in flags)


def report_pdf(data: ReportData) -> bytes:
    """The report as PDF bytes (module text)."""
    digest = content_digest(data)
    names = {r.ref: r.name for r in data.reviews}
    pdf = _Report("评标报告 Evaluation report", f"{data.procedure_code} · {data.procedure_title} · {data.lot}", digest)
    # Cover.
    _grid(pdf, ["事项 Item", "内容 Value"], [
        ["项目编号及名称 Procedure", f"{data.procedure_code} {data.procedure_title}"],
        ["标段/包 Lot", data.lot],
        ["评标方法 Method", data.method],
        ["评标日期 Date", _when(data.date)],
        ["采购人/招标人 Buyer", data.buyer],
        ["代理机构 Agency", data.agency],
        ["参评投标数 Bids", str(len(data.reviews))],
    ], [45, 135])
    pdf.heading("评标委员会 Committee")
    kinds = {"expert": "评审专家", "purchaser_rep": "采购人/招标人代表"}
    _grid(pdf, ["#", "姓名 Name", "身份 Role", "专业 Specialty"], [
        [n, m.name + ("（" + "组长" + "）" if m.is_chair else ""), kinds.get(m.kind, m.kind), m.specialty]
        for n, m in enumerate(data.committee, start=1)], [10, 50, 60, 60])
    # Compliance review.
    pdf.heading("资格性和符合性审查 Qualification and compliance review")
    rows = []
    for r in data.reviews:
        failed = [f"{i.item}: {i.reason}" if i.reason else i.item for i in r.items if not i.passed]
        rows.append([r.ref, r.name, _money(r.price), "通过" if r.compliant else "否决",
                     "；".join(failed) if failed else ("—" if r.compliant else "（未记录理由）")])
    _grid(pdf, ["编号 Ref", "投标人 Bidder", "开标报价 Price", "结论 Result", "否决理由 Reasons for rejection"], rows,
             [14, 50, 30, 18, 68])
    # Arithmetic corrections.
    pdf.heading("算术修正 Arithmetic corrections (M87 第59条)")
    if data.corrections:
        _grid(pdf, ["编号 Ref", "原报价 Stated", "修正后 Corrected", "修正内容 Changes", "理由、记录人、时间 Reason"], [
            [c.ref, _money(c.stated_total), _money(c.corrected_total), "\n".join(c.changes),
             f"{c.reason}\n{c.recorded_by} {_when(c.recorded_at)}".strip()] for c in data.corrections],
            [14, 28, 28, 70, 40])
    else:
        pdf.paragraph("无。None.")
    # Scores per expert per criterion per bidder (landscape: one column per expert, in slices if many).
    outcome = data.outcome
    experts = list(data.scores)
    subjective = [c for c in data.criteria if c.objective is None and c.kind in ("technical", "commercial")]
    by_ref = {row.ref: row for row in outcome.rows}
    scored = [r for r in data.reviews if r.ref in by_ref and by_ref[r.ref].compliant]
    if subjective and experts:
        pdf.add_page(orientation="L")
        pdf.heading("各评委评分 Scores of every expert")
        for part in _slices(experts, int((pdf.epw - 14 - 46 - 18) // MIN_COL)):
            col = min((pdf.epw - 14 - 46 - 18) / len(part), 24)
            table = [[r.ref, f"{c.name} ({_num(c.points)})",
                      *[_num(data.scores[e].get(r.ref, {}).get(c.code)) for e in part],
                      _num(by_ref[r.ref].criterion_scores.get(c.code))] for r in scored for c in subjective]
            _grid(pdf, ["编号 Ref", "评审因素（分值） Criterion", *part, "平均 Mean"], table,
                  [14, 46, *([col] * len(part)), 18])
        pdf.add_page(orientation="P")
    # Totals and ranking.
    pdf.heading("得分汇总及排序 Totals and ranking")
    criteria_cols = [c for c in data.criteria if c.kind not in ("price", "pass_fail")
                     and not (c.objective and "price_adjustment" in c.objective)]
    ranked: list[Row] = sorted((r for r in outcome.rows if r.rank is not None), key=lambda r: (r.rank, r.ref))
    body = [[r.rank, r.ref, names.get(r.ref, ""), _money(r.evaluated_price), _num(r.price_score),
             _num(sum(r.criterion_scores.values(), Decimal(0))), _num(r.total), _flag_text(r.flags)]
            for r in ranked]
    _grid(pdf, ["排序 Rank", "编号 Ref", "投标人 Bidder", "评审价 Evaluated price", "价格分 Price",
              "其他因素 Other criteria", "总分 Total", "备注 Notes"], body, [14, 14, 42, 28, 16, 20, 16, 30])
    if criteria_cols and ranked:
        pdf.heading("各评审因素得分 Score of every criterion")
        for part in _slices(criteria_cols, int((pdf.epw - 14) // 16)):
            col = min((pdf.epw - 14) / len(part), 30)
            _grid(pdf, ["编号 Ref", *[f"{c.name} ({_num(c.points)})" for c in part]],
                  [[r.ref, *[_num(r.criterion_scores.get(c.code)) for c in part]] for r in ranked],
                  [14, *([col] * len(part))])
    facts = []
    if outcome.benchmark_price is not None:
        facts.append(["评标基准价 Benchmark price", _money(outcome.benchmark_price)])
    if data.random_value:
        facts.append(["随机数 Random value", data.random_value])
    for key, value in outcome.random_draws.items():
        facts.append([f"抽取 Drawn {key}", value])
    if facts:
        _grid(pdf, ["事项 Item", "内容 Value"], facts, [45, 135])
    if outcome.steps:
        pdf.heading("计算过程 How the figures were computed")
        pdf.set_font(FAMILY, size=8)
        wrap = _Wrapper(pdf)
        for step in outcome.steps:
            for text in wrap.lines(step, pdf.epw):
                if pdf.get_y() + 4 > pdf.page_break_trigger:
                    pdf.add_page()
                    pdf.set_font(FAMILY, size=8)
                pdf.cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, size=10)
    # Outliers and amendments.
    crit_names = {c.code: c.name for c in data.criteria}
    pdf.heading("评分畸高畸低 Outlying scores")
    if outcome.outliers:
        explained = {(a.expert, a.ref, a.criterion): a for a in data.amendments}
        _grid(pdf, ["评委 Expert", "编号 Ref", "评审因素 Criterion", "评分 Score", "中位数 Median",
                  "记录的说明 Explanation"], [
            [o.expert, o.ref, crit_names.get(o.code, o.code), _num(o.score), _num(o.median),
             getattr(explained.get((o.expert, o.ref, o.code)), "reason", "")]
            for o in outcome.outliers], [30, 14, 30, 18, 18, 70])
    else:
        pdf.paragraph("无。None.")
    pdf.heading("评分修改 Score amendments (M87 第64条)")
    if data.amendments:
        _grid(pdf, ["评委 Expert", "编号 Ref", "评审因素 Criterion", "修改前", "修改后", "情形 Ground",
                  "理由、时间 Reason"], [
            [a.expert, a.ref, crit_names.get(a.criterion, a.criterion), _num(a.old), _num(a.new), a.ground,
             f"{a.reason} {_when(a.at)}".strip()]
            for a in data.amendments], [26, 14, 26, 16, 16, 30, 52])
    else:
        pdf.paragraph("无。None.")
    for note in data.notes:
        pdf.paragraph(note)
    # Signatures.
    pdf.heading("签字 Signatures")
    if data.signatures:
        _grid(pdf, ["评委 Member", "签字时间 Signed at", "所签报告的 SHA-256 of the signed report"], [
            [s.name, _when(s.signed_at), s.sha256] for s in data.signatures], [35, 35, 110], size=7)
    else:
        pdf.paragraph("尚未签字：每位评委在平台上对本报告的 SHA-256 签字。Not signed yet.")
    return pdf.to_bytes()


# --- reading an outcome back from its stored JSON ------------------------------------------------------------


def outcome_load(data: Mapping[str, Any]) -> Outcome:
    """An :class:`Outcome` from its JSON form (``dataclasses.asdict`` with Decimals as strings)."""

    def dec(v: Any) -> Decimal | None:
        return None if v is None or v == "" else Decimal(str(v))

    rows = [Row(ref=r["ref"], quoted_price=dec(r["quoted_price"]) or Decimal(0),
                corrected_price=dec(r["corrected_price"]) or Decimal(0),
                evaluated_price=dec(r["evaluated_price"]) or Decimal(0),
                price_score=dec(r["price_score"]) or Decimal(0),
                criterion_scores={k: Decimal(str(v)) for k, v in (r.get("criterion_scores") or {}).items()},
                total=dec(r["total"]) or Decimal(0), rank=r.get("rank"), flags=list(r.get("flags") or []),
                compliant=bool(r.get("compliant", True))) for r in data.get("rows", [])]
    outliers = [Outlier(str(o[0]), str(o[1]), str(o[2]), Decimal(str(o[3])), Decimal(str(o[4])))
                if isinstance(o, list | tuple) else
                Outlier(o["expert"], o["ref"], o["code"], Decimal(str(o["score"])), Decimal(str(o["median"])))
                for o in data.get("outliers", [])]
    return Outcome(method=str(data.get("method", "")), rows=rows, benchmark_price=dec(data.get("benchmark_price")),
                   outliers=outliers, steps=list(data.get("steps", [])),
                   random_draws=dict(data.get("random_draws") or {}))
