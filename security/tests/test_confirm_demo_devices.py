"""The demo helpers that play the customer's token and phone: dev and test settings only."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from security.confirm.services import operation_token_challenge

from . import test_confirm_support as support
from .test_confirm_support import token_code

pytestmark = pytest.mark.django_db

bank, token = support.bank, support.token


def run(*args) -> str:
    out = io.StringIO()
    call_command("token_answer", *args, stdout=out)
    return out.getvalue().strip()


def test_token_answer_computes_what_the_token_shows(bank, token):
    operation = bank.start_move(amount="3.00")
    challenge = operation_token_challenge(operation)
    assert run(challenge) == token_code(token, operation)
    assert run(challenge, "--login", bank.zhang.username) == token_code(token, operation)
    assert run(challenge, "--serial", token.serial) == token_code(token, operation)
    with pytest.raises(CommandError, match="No active"):
        run(challenge, "--serial", "TK0000000000")
    with pytest.raises(CommandError, match="挑战码应为8位数字"):
        run("1234")


def test_token_answer_refuses_outside_the_demo(bank, token, settings):
    settings.DEMO_TOOLS_ENABLED = False
    with pytest.raises(CommandError, match="demo tool"):
        run("12345678")


def test_the_devices_page_answers_the_challenge_and_shows_the_texts(client, bank, token):
    client.force_login(bank.zhang)
    operation = bank.start_move(amount="3.00")
    confirm_page = client.get(reverse("security:confirm", args=[operation.public_id]))
    assert reverse("security:demo_devices") in confirm_page.content.decode()
    challenge = operation_token_challenge(operation)
    body = client.get(reverse("security:demo_devices"), {"challenge": challenge}).content.decode()
    assert f'id="token-answer">{token_code(token, operation)}<' in body
    assert "挑战码应为8位数字" in client.get(reverse("security:demo_devices"),
                                          {"challenge": "12"}).content.decode()


def test_the_devices_page_is_a_404_outside_the_demo(client, bank, token, settings):
    client.force_login(bank.zhang)
    settings.DEMO_TOOLS_ENABLED = False
    assert client.get(reverse("security:demo_devices")).status_code == 404
    operation = bank.start_move(amount="3.00")
    page = client.get(reverse("security:confirm", args=[operation.public_id])).content.decode()
    assert reverse("security:demo_devices") not in page
