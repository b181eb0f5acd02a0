"""The calculation model (Rechenmodell, METHOD.md section 6): when does the partnership pay for itself."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Model(StrEnum):
    ONE_OFF = "one_off"
    RECURRING = "recurring"


class BreakEvenInputs(BaseModel):
    """The inputs of section 6; names are part of the public contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: Model
    investment: float = Field(ge=0)
    vendor_funding: float = Field(default=0, ge=0)
    fixed_costs_per_month: float = Field(ge=0)
    deals_per_month: float = Field(ge=0)
    first_deal_month: int = Field(default=1, ge=1)
    ramp_up_months: int = Field(default=0, ge=0)
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
    n
    for n, f in BreakEvenInputs.model_fields.items()
    if any(getattr(m, "le", None) == 1 for m in f.metadata)
)
INTEGER_INPUTS: Final = tuple(
    n for n, f in BreakEvenInputs.model_fields.items() if f.annotation is int
)
# Inputs that only mean something for one of the two models.
MODEL_INPUTS: Final = {
    Model.ONE_OFF: ("rebate", "services_share"),
    Model.RECURRING: ("onboarding_fee", "variable_cost_per_customer", "churn_per_month"),
}
MAX_REQUIRED_DEALS: Final = 1000.0


class BreakEven(BaseModel):
    """The result of the calculation model: the break-even JSON of METHOD.md section 7."""

    model_config = ConfigDict(frozen=True)

    break_even_month: int | None
    roi_12: float | None
    required_deals_per_month: float | None
    cumulative: list[float]
    gross_profit: list[float]


def gross_profit(inputs: BreakEvenInputs) -> list[float]:
    """GP(t) for t = 1..H."""
    i = inputs
    out: list[float] = []
    customers = 0.0
    for t in range(1, i.horizon_months + 1):
        if t < i.first_deal_month:
            deals = 0.0
        elif i.ramp_up_months == 0:
            deals = i.deals_per_month
        else:
            deals = i.deals_per_month * min(1.0, (t - i.first_deal_month + 1) / i.ramp_up_months)
        if i.model is Model.ONE_OFF:
            v = i.deal_value
            out.append(deals * (v * (i.margin + i.rebate) + v * i.services_share * i.services_margin))
        else:
            customers = customers * (1 - i.churn_per_month) + deals
            out.append(
                customers * (i.deal_value * i.margin - i.variable_cost_per_customer)
                + deals * i.onboarding_fee * i.services_margin
            )
    return out


def cumulative_cash(inputs: BreakEvenInputs, gp: list[float] | None = None) -> list[float]:
    """CF(t) for t = 0..H; CF(0) is minus the net investment."""
    gp = gross_profit(inputs) if gp is None else gp
    cf = [-(inputs.investment - inputs.vendor_funding)]
    for g in gp:
        cf.append(cf[-1] + g - inputs.fixed_costs_per_month)
    return cf


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
    return (sum(gp[:12]) - cost) / cost


def _breaks_even_by(inputs: BreakEvenInputs, month: int) -> bool:
    if month > inputs.horizon_months:
        return False
    cash = -(inputs.investment - inputs.vendor_funding)
    for g in gross_profit(inputs)[:month]:
        cash += g - inputs.fixed_costs_per_month
        if cash >= 0:
            return True
    return False


def required_deals_per_month(inputs: BreakEvenInputs) -> float | None:
    """Smallest D in steps of 0.1 that breaks even by the target month, all else fixed.

    None when more than 1000 deals a month would be needed. The break-even month never gets
    later as D rises (when each deal adds margin), so a bisection over tenths finds it.
    """
    target = inputs.target_months

    def ok(tenths: int) -> bool:
        return _breaks_even_by(inputs.model_copy(update={"deals_per_month": tenths / 10}), target)

    lo, hi = 0, int(MAX_REQUIRED_DEALS * 10)
    if ok(lo):
        return 0.0
    if not ok(hi):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi / 10


def compute(inputs: BreakEvenInputs) -> BreakEven:
    """Run the calculation model over the horizon."""
    gp = gross_profit(inputs)
    cf = cumulative_cash(inputs, gp)
    return BreakEven(
        break_even_month=break_even_month(cf),
        roi_12=roi_12(inputs, gp),
        required_deals_per_month=required_deals_per_month(inputs),
        cumulative=cf,
        gross_profit=gp,
    )


def input_errors(data: object) -> list[str]:
    """Every problem with raw break-even inputs, each naming the input; empty if valid."""
    try:
        BreakEvenInputs.model_validate(data)
    except ValidationError as exc:
        return [_describe(e) for e in exc.errors()]
    return []


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
