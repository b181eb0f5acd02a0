"""The calculation model (Rechenmodell, METHOD.md section 6): when does the partnership pay for itself."""

from __future__ import annotations

import math
from enum import StrEnum
from itertools import accumulate
from typing import Final, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Model(StrEnum):
    ONE_OFF = "one_off"
    RECURRING = "recurring"


class BreakEvenInputs(BaseModel):
    """The inputs of section 6; names are part of the public contract."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    model: Model
    investment: float = Field(ge=0)
    vendor_funding: float = Field(default=0, ge=0)
    fixed_costs_per_month: float = Field(ge=0)
    deals_per_month: float = Field(ge=0)
    first_deal_month: int = Field(default=1, ge=1)
    ramp_up_months: int = Field(default=0, ge=0, le=1200)  # 100 years: d(t) divides by it
    deal_value: float = Field(ge=0)
    margin: float = Field(ge=0, le=1)
    rebate: float = Field(default=0, ge=0, le=1)
    services_share: float = Field(default=0, ge=0, le=1)
    onboarding_fee: float = Field(default=0, ge=0)
    services_margin: float = Field(default=0, ge=0, le=1)
    variable_cost_per_customer: float = Field(default=0, ge=0)
    churn_per_month: float = Field(default=0, ge=0, le=1)
    horizon_months: int = Field(default=36, ge=1, le=120)
    target_months: int = Field(default=12, ge=1, le=120)


# Inputs without a default in METHOD.md section 6; `model` comes from the survey.
REQUIRED_INPUTS: Final = (
    "investment",
    "fixed_costs_per_month",
    "deals_per_month",
    "deal_value",
    "margin",
)
INPUT_NAMES: Final = tuple(n for n in BreakEvenInputs.model_fields if n != "model")
FRACTION_INPUTS: Final = tuple(
    n for n, f in BreakEvenInputs.model_fields.items() if any(getattr(m, "le", None) == 1 for m in f.metadata)
)
INTEGER_INPUTS: Final = tuple(n for n, f in BreakEvenInputs.model_fields.items() if f.annotation is int)
# Inputs that only mean something for one of the two models.
MODEL_INPUTS: Final = {
    Model.ONE_OFF: ("rebate", "services_share"),
    Model.RECURRING: ("onboarding_fee", "variable_cost_per_customer", "churn_per_month"),
}
MAX_REQUIRED_DEALS: Final = 1000.0
DEFAULTS: Final = {n: f.default for n, f in BreakEvenInputs.model_fields.items() if not f.is_required()}


class BreakEven(BaseModel):
    """The result of the calculation model: the break-even JSON of METHOD.md section 7."""

    model_config = ConfigDict(frozen=True)

    break_even_month: int | None
    roi_12: float | None
    required_deals_per_month: float | None
    cumulative: list[float]
    gross_profit: list[float]


def _deals(i: BreakEvenInputs) -> list[float]:
    """d(t) for t = 1..H: none before the first deal, a linear ramp, then full speed."""
    first, ramp, full, horizon = i.first_deal_month, i.ramp_up_months, i.deals_per_month, i.horizon_months
    before = min(horizon, first - 1)
    ramping = [full * k / ramp for k in range(1, min(ramp, horizon - before + 1))] if ramp > 1 else []
    return [0.0] * before + ramping + [full] * (horizon - before - len(ramping))


def gross_profit(inputs: BreakEvenInputs) -> list[float]:
    """GP(t) for t = 1..H."""
    i = inputs
    deals = _deals(i)
    if i.model is Model.ONE_OFF:
        per_deal = i.deal_value * (i.margin + i.rebate) + i.deal_value * i.services_share * i.services_margin
        return [d * per_deal for d in deals]
    per_customer = i.deal_value * i.margin - i.variable_cost_per_customer
    per_new = i.onboarding_fee * i.services_margin
    keep = 1 - i.churn_per_month
    customers = 0.0
    out: list[float] = []
    for d in deals:
        customers = customers * keep + d
        out.append(customers * per_customer + d * per_new)
    return out


def cumulative_cash(inputs: BreakEvenInputs, gp: list[float] | None = None) -> list[float]:
    """CF(t) for t = 0..H; CF(0) is minus the net investment."""
    gp = gross_profit(inputs) if gp is None else gp
    fixed = inputs.fixed_costs_per_month
    return list(accumulate([g - fixed for g in gp], initial=-(inputs.investment - inputs.vendor_funding)))


def break_even_month(cumulative: list[float]) -> int | None:
    """The smallest t ≥ 1 with CF(t) ≥ 0, or None within the horizon."""
    for t in range(1, len(cumulative)):
        if cumulative[t] >= 0:
            return t
    return None


def roi_12(inputs: BreakEvenInputs, gp: list[float]) -> float | None:
    """(Σ GP over the first 12 months − K₁₂) / K₁₂, with K₁₂ = I₀ − MDF + 12·F."""
    cost = inputs.investment - inputs.vendor_funding + 12 * inputs.fixed_costs_per_month
    if cost <= 0:
        return None
    # Months past the horizon earn nothing; a horizon under 12 shortens the sum.
    roi = (sum(gp[:12]) - cost) / cost
    return roi if math.isfinite(roi) else None  # a cost of a fraction of a cent gives no ratio


def required_deals_per_month(inputs: BreakEvenInputs, gp: list[float] | None = None) -> float | None:
    """Smallest D in steps of 0.1 that breaks even by the target month, all else fixed.

    None when more than 1000 deals a month would be needed. Gross profit is linear in D
    (deals, customers and margins all scale with it), so with U(t) the cumulative gross
    profit per unit of D, CF(t) = D·U(t) − (I₀ − MDF) − t·F, and the answer is the smallest
    D with D·U(t) ≥ (I₀ − MDF) + t·F for some t ≤ T.
    """
    target = min(inputs.target_months, inputs.horizon_months)
    if gp is None or inputs.deals_per_month == 0:
        gp = gross_profit(inputs.model_copy(update={"deals_per_month": 1.0}))
        per_deal = 1.0
    else:
        per_deal = inputs.deals_per_month
    net, fixed = inputs.investment - inputs.vendor_funding, inputs.fixed_costs_per_month
    best: float | None = None
    unit = 0.0
    for t in range(1, target + 1):
        unit += gp[t - 1] / per_deal
        need = net + t * fixed
        if need <= 0:
            return 0.0
        if unit > 0:
            d = need / unit
            if best is None or d < best:
                best = d
    if best is None or not best <= MAX_REQUIRED_DEALS + 1:  # also a margin so thin that best is inf
        return None
    # Round up to the next tenth; the epsilon keeps 2.9000000001 at 2.9.
    tenths = math.ceil(best * 10 - 1e-7)
    if tenths > MAX_REQUIRED_DEALS * 10:
        return None
    near_boundary = abs(best * 10 - round(best * 10)) < 1e-6
    if near_boundary and break_even_month(
        cumulative_cash(inputs.model_copy(update={"deals_per_month": tenths / 10}))
    ) in (
        None,
        *range(target + 1, inputs.horizon_months + 1),
    ):
        tenths += 1  # the epsilon above rounded a hair too far down
    return tenths / 10 if tenths <= MAX_REQUIRED_DEALS * 10 else None


def compute(inputs: BreakEvenInputs) -> BreakEven:
    """Run the calculation model over the horizon."""
    gp = gross_profit(inputs)
    cf = cumulative_cash(inputs, gp)
    return _BLANK.model_copy(
        update={
            "break_even_month": break_even_month(cf),
            "roi_12": roi_12(inputs, gp),
            "required_deals_per_month": required_deals_per_month(inputs, gp),
            "cumulative": cf,
            "gross_profit": gp,
        }
    )


# Copied with each result: model_copy is several times faster than model_construct (scoring's hot path).
_BLANK: Final = BreakEven.model_construct(
    break_even_month=None, roi_12=None, required_deals_per_month=None, cumulative=[], gross_profit=[]
)


def evaluate(data: object) -> tuple[BreakEven | None, list[str]]:
    """Raw break-even inputs checked and computed once: (the result, []) when they are valid,
    else (None, every problem, each naming the input)."""
    try:
        inputs = BreakEvenInputs.model_validate(data)
    except ValidationError as exc:
        return None, [_describe(e) for e in exc.errors()]
    result = compute(inputs)
    if not all(math.isfinite(x) for x in [*result.cumulative, *result.gross_profit]):
        return None, ["inputs: the figures are too large to compute with; enter amounts in euros"]
    return result, []


def input_errors(data: object) -> list[str]:
    """Every problem with raw break-even inputs, each naming the input; empty if valid."""
    return evaluate(data)[1]


def _describe(err: dict) -> str:
    name = ".".join(str(p) for p in err["loc"]) or "inputs"
    kind = err["type"]
    if kind == "missing":
        return f"{name}: required input is missing"
    if kind == "extra_forbidden":
        return f"{name}: unknown input (known inputs: model, {', '.join(INPUT_NAMES)})"
    if name in FRACTION_INPUTS and kind in ("greater_than_equal", "less_than_equal"):
        return f"{name}: must be a fraction between 0 and 1 (e.g. 0.2 for 20 %), got {err['input']!r}"
    if kind == "greater_than_equal" and err["ctx"]["ge"] == 0:
        return f"{name}: must not be negative, got {err['input']!r}"
    return f"{name}: {err['msg']}, got {err['input']!r}"


class Month(NamedTuple):
    """One month of the calculation model, as a partner recomputes it (METHOD.md section 6)."""

    month: int  # t
    deals: float  # d(t)
    customers: float | None  # N(t), active customers of the recurring model; None for one_off
    gross_profit: float  # GP(t)
    fixed_costs: float  # F
    cumulative: float  # CF(t)


def monthly(inputs: BreakEvenInputs) -> list[Month]:
    """The month-by-month table t = 1..H from the same d(t), GP(t) and CF(t) that `compute` uses."""
    deals = _deals(inputs)
    gp = gross_profit(inputs)
    cf = cumulative_cash(inputs, gp)
    customers: list[float | None] = [None] * len(deals)
    if inputs.model is Model.RECURRING:
        keep, n = 1 - inputs.churn_per_month, 0.0
        for t, d in enumerate(deals):
            n = n * keep + d
            customers[t] = n
    return [
        Month(t + 1, deals[t], customers[t], gp[t], inputs.fixed_costs_per_month, cf[t + 1])
        for t in range(len(deals))
    ]
