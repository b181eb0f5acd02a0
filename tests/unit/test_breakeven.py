"""The calculation model of METHOD.md section 6, against its worked examples A and B."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trp_core.method.breakeven import BreakEvenInputs, compute, input_errors

EXAMPLE_A = dict(
    model="recurring", investment=15000, vendor_funding=2000, fixed_costs_per_month=4000,
    deals_per_month=3, first_deal_month=2, ramp_up_months=3, deal_value=1000, margin=0.20,
    variable_cost_per_customer=20, onboarding_fee=3000, services_margin=0.40, churn_per_month=0.01,
)  # fmt: skip
EXAMPLE_B = dict(
    model="one_off", investment=20000, vendor_funding=3000, fixed_costs_per_month=5000,
    deals_per_month=1.5, first_deal_month=4, ramp_up_months=2, deal_value=30000, margin=0.15,
    rebate=0.03, services_share=0.30, services_margin=0.45,
)  # fmt: skip


@pytest.mark.parametrize(
    ("inputs", "cf", "month", "roi", "cf36", "required"),
    [
        (EXAMPLE_A, (-17000.00, -20008.98, 3989.36), 12, 0.0654, 254145.45, 2.9),
        (EXAMPLE_B, (-22000.00, -29912.50, 43487.50), 8, 0.5648, 263687.50, 1.0),
    ],
    ids=["A-cloud", "B-classic"],
)
def test_worked_examples(inputs, cf, month, roi, cf36, required):
    result = compute(BreakEvenInputs(**inputs))
    assert [round(result.cumulative[t], 2) for t in (1, 4, 12)] == list(cf)
    assert result.break_even_month == month
    assert round(result.roi_12, 4) == roi
    assert round(result.cumulative[36], 2) == cf36
    assert result.required_deals_per_month == required
    assert len(result.cumulative) == 37 and len(result.gross_profit) == 36


def test_example_a_with_two_deals_breaks_even_later():
    # METHOD.md says month 17; the formulas give CF(17) = -3 649 and CF(18) = +98.
    result = compute(BreakEvenInputs(**{**EXAMPLE_A, "deals_per_month": 2}))
    assert round(result.cumulative[17]) == -3649
    assert result.break_even_month == 18


def test_required_deals_is_the_smallest_tenth_that_reaches_the_target():
    for example in (EXAMPLE_A, EXAMPLE_B):
        required = compute(BreakEvenInputs(**example)).required_deals_per_month
        at = compute(BreakEvenInputs(**{**example, "deals_per_month": required})).break_even_month
        below = compute(BreakEvenInputs(**{**example, "deals_per_month": round(required - 0.1, 1)}))
        assert at is not None and at <= 12
        assert below.break_even_month is None or below.break_even_month > 12


def test_no_break_even_and_no_roi():
    result = compute(BreakEvenInputs(**{**EXAMPLE_B, "deals_per_month": 0}))
    assert result.break_even_month is None
    assert result.roi_12 == -1.0
    # Unprofitable unit economics: no number of deals helps.
    result = compute(BreakEvenInputs(**{**EXAMPLE_A, "variable_cost_per_customer": 500, "onboarding_fee": 0}))
    assert result.break_even_month is None and result.required_deals_per_month is None
    free = compute(
        BreakEvenInputs(**{**EXAMPLE_B, "investment": 0, "vendor_funding": 0, "fixed_costs_per_month": 0})
    )
    assert free.roi_12 is None  # K12 = 0


def test_recurring_churn_and_ramp_follow_the_formula():
    inputs = BreakEvenInputs(**EXAMPLE_A)
    gp = compute(inputs).gross_profit
    customers = 0.0
    for t in range(1, 7):
        deals = 0 if t < 2 else 3 * min(1, (t - 1) / 3)
        customers = customers * 0.99 + deals
        assert gp[t - 1] == pytest.approx(customers * (1000 * 0.2 - 20) + deals * 3000 * 0.4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"investment": -1}, "investment: must not be negative"),
        ({"margin": 1.2}, "margin: must be a fraction between 0 and 1"),
        ({"churn_per_month": -0.1}, "churn_per_month: must be a fraction between 0 and 1"),
        ({"first_deal_month": 0}, "first_deal_month"),
        ({"deals_per_month": "many"}, "deals_per_month"),
        ({"colour": "blue"}, "colour: unknown input"),
        ({"model": "leasing"}, "model"),
    ],
)
def test_bad_inputs_name_the_input(change, message):
    errors = input_errors({**EXAMPLE_A, **change})
    assert any(message in e for e in errors), errors


def test_missing_required_inputs_are_all_listed():
    errors = input_errors({"model": "one_off"})
    for name in ("investment", "fixed_costs_per_month", "deals_per_month", "deal_value", "margin"):
        assert f"{name}: required input is missing" in errors


deals = st.floats(min_value=0, max_value=50, allow_nan=False)


@given(
    a=deals,
    b=deals,
    model=st.sampled_from(["one_off", "recurring"]),
    investment=st.floats(0, 200_000),
    fixed=st.floats(0, 20_000),
    first=st.integers(1, 12),
    ramp=st.integers(0, 12),
    value=st.floats(1, 100_000),
    margin=st.floats(0.01, 0.6),
    churn=st.floats(0, 0.2),
)
def test_more_deals_never_break_even_later(a, b, model, investment, fixed, first, ramp, value, margin, churn):
    low, high = sorted((a, b))
    base = dict(
        model=model, investment=investment, fixed_costs_per_month=fixed, first_deal_month=first,
        ramp_up_months=ramp, deal_value=value, margin=margin,
    )  # fmt: skip
    if model == "recurring":
        # Each customer must earn more than he costs, or more deals lose more money.
        base.update(churn_per_month=churn, variable_cost_per_customer=value * margin / 2)
    m_low = compute(BreakEvenInputs(**base, deals_per_month=low)).break_even_month
    m_high = compute(BreakEvenInputs(**base, deals_per_month=high)).break_even_month
    if m_low is not None:
        assert m_high is not None and m_high <= m_low
