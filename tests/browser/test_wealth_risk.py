"""风险测评 in Chromium on a 390 px phone: 张伟 opens 风险测评 from the menu, submits with one
question unanswered (said on the page, his other answers kept), answers it, 提交 → the result
page (C3, R1–R3); no horizontal scrolling on either page."""

from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from ebank.core.clock import SHANGHAI
from tests.customer_world import world as world  # noqa: F401 - fixture
from wealth.models import RiskAssessment
from wealth.risk.demo import questionnaire_seed
from wealth.risk.services import questionnaire_active

from .test_deposits_fixed import MOBILE, login, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 6, 8, 10, 0, tzinfo=SHANGHAI)
C3_ANSWERS = (1, 1, 1, 1, 2, 2, 1, 1, 1, 2)  # 56 points


def test_take_the_test_on_a_phone(page: Page, live_server, world, shot):
    questionnaire_seed()
    questions = questionnaire_active().questions
    base = live_server.url
    page.set_viewport_size(MOBILE)
    with time_machine.travel(NOW, tick=True):
        login(page, base, world.zhang.username)
        page.click(".menu-toggle")
        page.click(".side-menu summary:has-text('基金/投资理财')")
        page.click(".side-menu a:has-text('风险测评')")
        expect(page.locator("h1")).to_have_text("风险测评")
        expect(page.locator("#risk-none")).to_contain_text("您尚未进行风险测评")
        for question, index in list(zip(questions, C3_ANSWERS, strict=True))[:-1]:
            choice = list(question.choices.all())[index]
            page.check(f"input[name=q{question.pk}][value='{choice.pk}']")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".error-summary")).to_contain_text("尚有1题未作答")
        assert no_horizontal_overflow(page)
        shot("risk-missing-answer")
        first = questions[0]
        expect(page.locator(
            f"input[name=q{first.pk}][value='{list(first.choices.all())[1].pk}']")).to_be_checked()
        last = questions[-1]
        page.check(f"input[name=q{last.pk}][value='{list(last.choices.all())[2].pk}']")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator("h1")).to_have_text("风险测评结果")
        expect(page.locator("#risk-result")).to_contain_text("C3（平衡型）")
        expect(page.locator("#risk-result")).to_contain_text("R1、R2、R3")
        assert no_horizontal_overflow(page)
        shot("risk-result")
    assert RiskAssessment.objects.get().score == 56
