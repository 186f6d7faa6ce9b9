"""The demo bank's secrets, and a search for them in text (logs, pages)."""

from collections.abc import Iterable


def seeded_secrets() -> dict[str, str]:
    """label → secret for everything seed_demo creates that must never be logged or shown."""
    from accounts import demo as accounts_demo

    secrets = {"交易密码": accounts_demo.DEMO_PIN}
    for customer in accounts_demo.CUSTOMERS:
        for medium in customer.media:
            number = accounts_demo.demo_medium_number(customer.branch_code, medium.serial)
            secrets[f"card {number[-4:]}"] = number
    try:
        from security import demo as security_demo
    except ImportError:
        return secrets
    for label, value in getattr(security_demo, "DEMO_SECRETS", {}).items():
        secrets[label] = value
    return secrets


def find_seeded_secrets(lines: Iterable[str]) -> list[tuple[str, str]]:
    secrets = seeded_secrets()
    hits = []
    for line in lines:
        for label, secret in secrets.items():
            if secret and secret in line:
                hits.append((label, line))
    return hits
