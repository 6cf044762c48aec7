"""The bonus arithmetic: the article's example, each curve, and properties that must hold for any
valid scheme (hypothesis)."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from incentives.calculator import Band, Curve, Part, bonus_percent, calculate, money


def yuan(value: D) -> str:
    return f"¥{value:,.2f}".replace(".00", "")


ARTICLE = Curve(
    kind="linear", threshold=D(60), bands=(Band(D(100), D(120), D("0.05")), Band(D(120), None, D("0.10")))
)


def test_the_articles_example_explains_every_number():
    payout = calculate(base=D(30000), target_bonus=D(20000), curve=ARTICLE, currency=yuan,
                       parts=[Part("team goal", D("0.6"), D(118)), Part("own goal", D("0.4"), D(103))])  # fmt: skip
    assert payout.attainment == D(112) and payout.bonus == D(20000) and payout.commission == D(12000)
    assert payout.total == D(62000)
    assert payout.lines == [
        "Attainment 112% = 0.6 × team goal 118% + 0.4 × own goal 103%.",
        "Full bonus ¥20,000.",
        "Commission 12 points × 5% × ¥20,000 = ¥12,000.",
        "Total ¥62,000 = base ¥30,000 + bonus ¥20,000 + commission ¥12,000.",
    ]


def test_beyond_120_percent_the_second_band_pays_10_percent_and_the_cap_holds():
    payout = calculate(base=D(0), target_bonus=D(20000), curve=ARTICLE, currency=yuan,
                       parts=[Part("own goal", D(1), D(130))])  # fmt: skip
    assert payout.commission == D(20) * D("0.05") * D(20000) + D(10) * D("0.10") * D(20000)  # 20,000 + 20,000
    capped = Curve(kind="linear", threshold=D(60), bands=ARTICLE.bands, cap=D(30000))
    payout = calculate(
        base=D(0), target_bonus=D(20000), curve=capped, currency=yuan, parts=[Part("g", D(1), D(130))]
    )
    assert (
        payout.capped
        and payout.bonus + payout.commission == D(30000)
        and "Capped at ¥30,000." in payout.lines
    )


def test_linear_below_and_above_the_threshold_and_steps():
    assert bonus_percent(ARTICLE, D(59)) == 0 and bonus_percent(ARTICLE, D(60)) == 0
    assert bonus_percent(ARTICLE, D(80)) == 50 and bonus_percent(ARTICLE, D(100)) == 100
    steps = Curve(kind="steps", steps=((D(80), D(50)), (D(90), D(75)), (D(100), D(100))))
    assert [bonus_percent(steps, D(a)) for a in (79, 80, 95, 100, 150)] == [0, 50, 75, 100, 100]
    payout = calculate(
        base=D(0), target_bonus=D(10000), curve=ARTICLE, currency=yuan, parts=[Part("g", D(1), D(50))]
    )
    assert payout.total == 0 and payout.lines[1] == "Below the threshold of 60%: no performance bonus."


def test_tier_scheme_pays_the_multiple_of_the_tier_reached():
    curve = Curve(kind="tiers", multiples=(("base", D("0.5")), ("challenge", D(1)), ("stretch", D("1.5"))))
    payout = calculate(base=D(0), target_bonus=D(10000), curve=curve, currency=yuan,
                       parts=[Part("team", D("0.5"), D(120), "stretch"), Part("own", D("0.5"), D(95), "base")])  # fmt: skip
    assert payout.bonus == D(10000) and payout.commission == 0  # (1.5 + 0.5) ÷ 2 = 1×


def test_rounding_is_to_the_cent_half_up_once_per_line():
    assert money(D("0.005")) == D("0.01") and money(D("2.675")) == D("2.68")
    payout = calculate(base=D("1000.005"), target_bonus=D("333.33"), curve=ARTICLE, currency=str,
                       parts=[Part("g", D(1), D("100.1"))])  # fmt: skip
    assert payout.base == D("1000.01") and payout.commission == money(D("0.1") * D("0.05") * D("333.33"))
    assert payout.total == payout.base + payout.bonus + payout.commission


# --- Properties ---------------------------------------------------------------------------------------
percent = st.decimals(min_value=0, max_value=300, places=1, allow_nan=False, allow_infinity=False)
amount = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def curves(draw):
    kind = draw(st.sampled_from(["linear", "steps"]))
    threshold = draw(st.decimals(min_value=0, max_value=99, places=0))
    steps = ()
    if kind == "steps":
        ats = sorted(set(draw(st.lists(st.integers(1, 100), min_size=1, max_size=4))))
        pays = sorted(draw(st.lists(st.integers(1, 100), min_size=len(ats), max_size=len(ats))))
        steps = tuple((D(a), D(p)) for a, p in zip(ats, pays, strict=True))
    first = draw(st.decimals(min_value=0, max_value=1, places=2))
    second = draw(st.decimals(min_value=0, max_value=1, places=2))
    split = draw(st.integers(101, 200))
    bands = (Band(D(100), D(split), first), Band(D(split), None, second))
    cap = draw(st.one_of(st.none(), st.decimals(min_value=1, max_value=3, places=1)))
    return Curve(kind=kind, threshold=threshold, steps=steps, bands=bands), cap


def pay(curve_and_cap, target, attainment):
    curve, cap_multiple = curve_and_cap
    if cap_multiple is not None:
        curve = Curve(kind=curve.kind, threshold=curve.threshold, steps=curve.steps, bands=curve.bands,
                      cap=money(target * cap_multiple))  # fmt: skip
    return calculate(
        base=D(0), target_bonus=target, curve=curve, currency=str, parts=[Part("g", D(1), attainment)]
    )


@settings(max_examples=300, deadline=None)
@given(curves(), amount, percent, percent)
def test_payout_never_falls_as_attainment_rises_never_negative_never_above_the_cap(curve, target, a, b):
    low, high = sorted((a, b))
    first, second = pay(curve, target, low), pay(curve, target, high)
    assert D(0) <= first.variable <= second.variable
    if curve[1] is not None:
        assert second.variable <= money(target * curve[1])
    assert second.total == second.base + second.bonus + second.commission
    assert pay(curve, target, high).lines == second.lines and pay(curve, target, high).total == second.total


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=0, max_value=99, places=0),
    amount,
    st.decimals(min_value=0, max_value=130, places=1),
)
def test_linear_is_continuous(threshold, target, attainment):
    curve = Curve(kind="linear", threshold=threshold, bands=(Band(D(100), None, D("0.05")),))
    step = D("0.1")
    near = calculate(
        base=D(0), target_bonus=target, curve=curve, currency=str, parts=[Part("g", D(1), attainment)]
    )
    nxt = calculate(
        base=D(0), target_bonus=target, curve=curve, currency=str, parts=[Part("g", D(1), attainment + step)]
    )
    # A 0.1-point move changes the pay by at most the slope's worth of it (plus a cent of rounding each side).
    slope = max(target / (D(100) - threshold), target * D("0.05"))
    assert nxt.variable - near.variable <= slope * step + D("0.02")
