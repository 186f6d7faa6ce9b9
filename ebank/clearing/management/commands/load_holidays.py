from django.core.management.base import BaseCommand, CommandError

from ebank.clearing.services import BUILTIN_HOLIDAY_FILES, ClearingDataError, holidays_load


class Command(BaseCommand):
    help = ("Load the holiday calendar (X-CAL) from CSV files with columns date,kind,name[,source]; "
            "kind is HOLIDAY/法定节假日 or MAKEUP_WORKDAY/调休工作日. Loading twice changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="CSV files to load")
        parser.add_argument("--builtin", action="store_true",
                            help="also load the files shipped in ebank/clearing/data/")
        parser.add_argument("--replace", action="store_true",
                            help="treat each year in the files as complete: delete that year's "
                                 "other rows (e.g. the provisional 2027 days)")

    def handle(self, *args, paths, builtin, replace, **options):
        files = [*(BUILTIN_HOLIDAY_FILES if builtin else ()), *paths]
        if not files:
            raise CommandError("give CSV paths or --builtin")
        try:
            result = holidays_load(paths=files, replace=replace)
        except ClearingDataError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"节假日文件有 {len(exc.problems)} 处错误，未导入任何数据") from None
        self.stdout.write(self.style.SUCCESS(f"节假日导入完成：{result.summary()}"))
