"""Test helpers for the 客户服务/安全中心 pages: personas with logins, links and tools.

Used by security/tests/test_center_*.py only; nothing in the product imports it.
"""

from accounts.demo import seed_demo_bank
from accounts.models import Customer, LinkedMedium
from security.models import PendingOperation, RegistrationChannel, SecurityTool, User

PASSWORD = "Zx9-login-pass"  # noqa: S105 - test personas only


def customer_user_make(*, customer: Customer, username: str) -> User:
    user = User(username=username, customer=customer,
                registration_channel=RegistrationChannel.COUNTER)
    user.set_password(PASSWORD)
    user.save()
    return user


def links_make(*, customer: Customer) -> list[LinkedMedium]:
    """Link every medium of the customer, the newest link first (the default order)."""
    links = []
    media = list(customer.media.order_by("id"))
    for position, medium in enumerate(reversed(media), start=1):
        links.append(LinkedMedium.objects.create(customer=customer, medium=medium,
                                                 position=position))
    return links


def token_give(*, user: User) -> SecurityTool:
    from security.tools.services import token_issue

    return token_issue(user=user, branch=user.customer.branch)


def token_code(*, tool: SecurityTool, operation: PendingOperation | None = None) -> str:
    """The token's answer to the 挑战码 of ``operation`` (default: the holder's newest one)."""
    from security.confirm.services import operation_token_challenge
    from security.tools.services import token_answer_for

    if operation is None:
        operation = PendingOperation.objects.filter(user_id=tool.user_id).latest("pk")
    return token_answer_for(tool=tool, challenge=operation_token_challenge(operation))


def personas() -> dict[str, User]:
    """alice (张伟, three media, all linked) and bob (李娜), both logged-in-able customers."""
    customers = {c.cif_no: c for c in seed_demo_bank()}
    alice = customer_user_make(customer=customers["3401010001"], username="alice_zw")
    bob = customer_user_make(customer=customers["3401010002"], username="bob_ln")
    links_make(customer=alice.customer)
    links_make(customer=bob.customer)
    return {"alice": alice, "bob": bob}
