"""The access matrix's factories for wealth's URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""


def _risk_assessment(owner):
    """风险测评: a result of the owner's."""
    from datetime import UTC, date, datetime

    from wealth.models import RiskAssessment

    return {"pk": RiskAssessment.objects.create(
        customer=owner.customer, level="C3", score=56, answers={"maximum": 100, "items": []},
        taken_at=datetime(2026, 6, 1, 2, 0, tzinfo=UTC), valid_until=date(2027, 5, 31),
    ).pk}


OBJECT_URLS = {
    "wealth:risk_result": _risk_assessment,  # 风险测评 (wealth/risk/)
}
