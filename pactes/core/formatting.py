"""French number formatting without locale surprises: narrow no-break space for thousands, comma for decimals."""

from decimal import ROUND_HALF_UP, Decimal

NNBSP = "\u202f"


def format_number(value: Decimal | int | float | None, decimals: int | None = None) -> str:
    if value is None:
        return "—"
    d = Decimal(str(value))
    if decimals is None:
        decimals = 0 if d == d.to_integral_value() else 2
    q = (
        d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if decimals
        else d.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    sign = "-" if q < 0 else ""
    integer, _, fraction = f"{abs(q):f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = NNBSP.join(groups) or "0"
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def format_euros(value: Decimal | int | None) -> str:
    """« 62 000 € », or « 1 234,50 € » when there are cents."""
    if value is None:
        return "—"
    return f"{format_number(value)}\u00a0€"


def format_rate(value: Decimal | None) -> str:
    """A ratio (0.5) shown as a percentage (« 50 % »)."""
    if value is None:
        return "—"
    return f"{format_number(Decimal(value) * 100, None if (Decimal(value) * 100) % 1 == 0 else 1)}\u00a0%"
