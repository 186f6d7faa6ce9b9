"""风险测评's rules as pure functions (WLT-RISK; DOMAIN-RULES §5): the score bands and the
validity. No database here: services.py and the tests call them.

Score bands
-----------
The level is read from the total score *as a share of the questionnaire's maximum* (the sum of
each active question's highest choice), so head office may add or remove questions, or change
scores, in the admin without a change of code. Five equal bands, upper bounds inclusive:

    C1 保守型  score ≤ 20 % of the maximum
    C2 稳健型  score ≤ 40 %
    C3 平衡型  score ≤ 60 %
    C4 成长型  score ≤ 80 %
    C5 进取型  above 80 %

With the demo questionnaire (10 questions, 10 points at most each, maximum 100) that is the
table Chinese banks print: C1 0–20, C2 21–40, C3 41–60, C4 61–80, C5 81–100. A bound that is not
a whole number is rounded down (maximum 37: C1 ≤ 7, C2 ≤ 14, C3 ≤ 22, C4 ≤ 29), computed in
integers (``score × 5 ≤ maximum × n``), never in floats.

Validity
--------
A result is valid through the day before its anniversary, counted on the Asia/Shanghai date it
was taken (the first day counts, 算头不算尾): taken 2026-06-01 → valid through 2027-05-31. A
result taken on 29 February has no anniversary date in a common year; its anniversary there is
1 March (the year that began on 29 February is over only when 28 February has passed), so it is
valid through 28 February: taken 2028-02-29 → valid through 2029-02-28, the same last day as a
result taken 2028-03-01 — the reading of 民法典 第二百零二条 (no corresponding day in the last
month: the month's last day ends the period), and never a day shorter than a year.
"""

from datetime import date, timedelta

from wealth.models import CustomerRiskLevel, level_rank

# The bands' upper bounds in fifths of the maximum: C<n> up to n/5 of it.
BANDS = 5
LEVELS = (CustomerRiskLevel.C1, CustomerRiskLevel.C2, CustomerRiskLevel.C3,
          CustomerRiskLevel.C4, CustomerRiskLevel.C5)


def level_for_score(score: int, maximum: int) -> CustomerRiskLevel:
    """The level of ``score`` out of ``maximum`` (see the module's table)."""
    if maximum <= 0:
        raise ValueError("问卷最高分须大于0")
    if not 0 <= score <= maximum:
        raise ValueError(f"得分{score}不在0至{maximum}之间")
    for n, level in enumerate(LEVELS, start=1):
        if score * BANDS <= maximum * n:
            return level
    return LEVELS[-1]  # unreachable: score ≤ maximum


def band_bounds(maximum: int) -> list[tuple[CustomerRiskLevel, int, int]]:
    """Each level with the lowest and highest score of its band (the page prints the table)."""
    bounds, low = [], 0
    for n, level in enumerate(LEVELS, start=1):
        high = maximum * n // BANDS
        bounds.append((level, low, high))
        low = high + 1
    return bounds


def anniversary(taken_on: date) -> date:
    """The same day a year later; 1 March for a 29 February when the next year has none."""
    try:
        return taken_on.replace(year=taken_on.year + 1)
    except ValueError:  # 29 February → a common year
        return date(taken_on.year + 1, 3, 1)


def valid_until(taken_on: date) -> date:
    """The last day the result taken on ``taken_on`` (a Shanghai date) is valid."""
    return anniversary(taken_on) - timedelta(days=1)


def allowed_product_levels(level: str) -> list[str]:
    """The product levels C<n> may buy: R1…R<n> (suitability.suitability_check's rule)."""
    return [f"R{n}" for n in range(1, level_rank(level) + 1)]
