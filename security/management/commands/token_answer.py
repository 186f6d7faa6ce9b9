"""DEMO ONLY: what a customer's 数字令牌 shows for a 挑战码 (it plays the token device).

    python manage.py token_answer 12345678                 # the only live token, e.g. 李娜's
    python manage.py token_answer 12345678 --login 6226790101000000047
    python manage.py token_answer 12345678 --serial TK0000000001

The answer is OCRA (RFC 6287) over the token's secret, as the device computes it. Refused unless
``DEMO_TOOLS_ENABLED`` (on in the dev and test settings only): in production the bank does not
compute its customers' answers.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from security.models import SecurityTool, ToolKind, ToolStatus
from security.tools.services import ToolError, token_answer_for


class Command(BaseCommand):
    help = "DEMO: the digital token's answer (令牌动态码) to a confirmation page's 挑战码."

    def add_arguments(self, parser):
        parser.add_argument("challenge", help="the 8-digit 挑战码 shown on the confirmation page")
        parser.add_argument("--login", default=None, help="the customer's 登录名")
        parser.add_argument("--serial", default=None, help="the token's serial (TK…)")

    def handle(self, *args, challenge: str, login: str | None, serial: str | None, **options):
        if not getattr(settings, "DEMO_TOOLS_ENABLED", False):
            raise CommandError("token_answer is a demo tool: DEMO_TOOLS_ENABLED is off here.")
        tokens = SecurityTool.objects.filter(kind=ToolKind.TOKEN, status=ToolStatus.ACTIVE)
        if serial:
            tokens = tokens.filter(serial=serial)
        if login:
            tokens = tokens.filter(user__username=login)
        found = list(tokens.select_related("user")[:2])
        if not found:
            raise CommandError("No active 数字令牌 matches.")
        if len(found) > 1:
            raise CommandError("Several active tokens: name one with --login or --serial.")
        try:
            answer = token_answer_for(tool=found[0], challenge=challenge.strip())
        except ToolError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(answer)
