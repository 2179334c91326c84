"""Property tests: ranking does not depend on input order; a worse bid changes no one's price-score order;
totals stay within 0..100."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from yangguang.evaluation.methods import BidInput, Criterion, MethodConfig, evaluate

CRITERIA = (Criterion("p", "价格", "price", D(40)), Criterion("t", "技术", "technical", D(45)),
            Criterion("w", "质保", "commercial", D(15), {"term": "w", "better": "higher", "formula": "ratio"}))
METHODS = [
    MethodConfig("comprehensive_score", "goods", CRITERIA, sme_deduction=D("0.1")),
    MethodConfig("comprehensive_evaluation", "works", CRITERIA,
                 benchmark={"method": "B2", "above_per_pct": "2", "below_per_pct": "1"}),
    MethodConfig("comprehensive_evaluation", "works", CRITERIA,
                 benchmark={"method": "B5", "k_choices": ["0.95", "0.97"], "above_per_pct": "1"}),
    MethodConfig("lowest_price", "goods", (), tie_break="none"),
    MethodConfig("lowest_evaluated_price", "works", ()),
    MethodConfig("lowest_quote", "goods", ()),
]

bid = st.tuples(st.integers(1000, 2000000), st.sampled_from(["large", "medium", "small", "micro"]),
                st.booleans(), st.integers(0, 45), st.integers(0, 45), st.integers(0, 10))


def build(spec):  # type: ignore[no-untyped-def]
    bids = [BidInput(f"b{i}", D(p), size, ok, {"w": str(w)}) for i, (p, size, ok, _, _, w) in enumerate(spec)]
    scores = {"e1": {f"b{i}": {"t": D(s1)} for i, (*_, s1, _s2, _w) in enumerate(spec)},
              "e2": {f"b{i}": {"t": D(s2)} for i, (*_, _s1, s2, _w) in enumerate(spec)}}
    return bids, scores


def result(out):  # type: ignore[no-untyped-def]
    return {r.ref: (r.rank, r.total, r.price_score, r.evaluated_price) for r in out.rows}


@settings(max_examples=60, deadline=None)
@given(st.lists(bid, min_size=1, max_size=8), st.sampled_from(range(len(METHODS))), st.randoms())
def test_ranking_invariant_to_input_order(spec, m, rnd) -> None:  # type: ignore[no-untyped-def]
    bids, scores = build(spec)
    shuffled = list(bids)
    rnd.shuffle(shuffled)
    if not METHODS[m].criteria:
        scores = {}
    a = evaluate(METHODS[m], bids, scores, random_value=b"seed")
    b = evaluate(METHODS[m], shuffled, scores, random_value=b"seed")
    assert result(a) == result(b)
    for row in a.rows:
        assert D(0) <= row.total <= D(100)
        assert (row.rank is None) == (not row.compliant)


@settings(max_examples=60, deadline=None)
@given(st.lists(bid, min_size=1, max_size=8), st.integers(1, 1000))
def test_worse_bid_keeps_price_score_order(spec, extra) -> None:  # type: ignore[no-untyped-def]
    """Adding a bid priced above every other (and a large enterprise) leaves the price-score order of the
    others unchanged and, under the lowest-price benchmark, their price scores too."""
    bids, scores = build(spec)
    worst = max(b.price for b in bids) + extra
    worse = BidInput("worse", worst, "large", True, {"w": "0"})
    more = {e: {**v, "worse": {"t": D(0)}} for e, v in scores.items()}
    cfg = METHODS[0]
    before = evaluate(cfg, bids, scores)
    after = evaluate(cfg, [*bids, worse], more)

    def order(out):  # type: ignore[no-untyped-def]
        return sorted((r.ref for r in out.rows if r.compliant and r.ref != "worse"),
                      key=lambda ref: (-out.row(ref).price_score, ref))

    assert order(before) == order(after)
    for r in before.rows:
        if r.compliant:
            assert after.row(r.ref).price_score == r.price_score
