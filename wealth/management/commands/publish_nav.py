"""``manage.py publish_nav FILE``: the fund company's 净值 file, checked whole, then written all
or nothing (wealth.catalog.navfile; docs/wealth.md, Products, 净值 and maturity)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ebank.core.errors import BusinessError
from wealth.catalog.navfile import NavFileError, nav_file_read
from wealth.catalog.services import navs_publish


class Command(BaseCommand):
    help = "发布产品净值文件（CSV：产品代码,净值日期,单位净值,万份收益,七日年化收益率）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="净值文件（UTF-8 CSV）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取净值文件 {path}：{exc.strerror}") from None
        try:
            lines = nav_file_read(raw)
            outcome = navs_publish(lines=lines, source=path.name)
        except NavFileError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"净值文件有{len(exc.problems)}处错误，未发布任何净值") from None
        except BusinessError as exc:
            raise CommandError(f"{exc.message}，未发布任何净值") from None
        self.stdout.write(f"已发布净值 {outcome.published} 条，未变 {outcome.unchanged} 条")
