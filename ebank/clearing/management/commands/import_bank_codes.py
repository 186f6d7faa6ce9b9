from django.core.management.base import BaseCommand, CommandError

from ebank.clearing.services import SAMPLE_BANK_CODES_FILE, ClearingDataError, bank_codes_import


class Command(BaseCommand):
    help = ("Import the 联行号 table from a UTF-8 CSV with columns code,name,bank_name,city"
            "[,clearing_code]; existing codes are updated, others left alone.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="CSV file to import")
        parser.add_argument("--sample", action="store_true",
                            help="import the sample rows shipped in ebank/clearing/data/ (demo only)")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="import the valid rows even if some rows are invalid")

    def handle(self, *args, path, sample, skip_invalid, **options):
        if bool(path) == sample:
            raise CommandError("give either a CSV path or --sample")
        try:
            result = bank_codes_import(rows_or_path=path or SAMPLE_BANK_CODES_FILE,
                                       skip_invalid=skip_invalid)
        except ClearingDataError as exc:
            raise CommandError(str(exc)) from None
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors and not skip_invalid:
            raise CommandError(f"联行号文件有 {len(result.errors)} 行错误，未导入任何数据"
                               "（--skip-invalid 可只导入正确的行）")
        self.stdout.write(self.style.SUCCESS(f"联行号导入完成：{result.summary()}"))
        if sample:
            self.stdout.write(self.style.WARNING(
                "注意：样例联行号仅供开发演示，不是人民银行发布的真实数据，生产环境请导入正式行号表"))
