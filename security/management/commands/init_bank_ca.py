"""Create the bank's CA (安徽农金个人网银CA) that signs every USBKey certificate.

Run once per installation, then back the directory up (docs/security-tools.md). The passphrase
comes from BANK_CA_PASSPHRASE (environment, else settings) and is never a command-line argument,
so it stays out of shell history and the process list.
"""

import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ebank.core.signing import RECEIPT_KEY_FILE, receipt_key_init
from security.tools.ca import CA_CERT_FILE, CA_KEY_FILE, bank_ca_init


class Command(BaseCommand):
    help = "Create the bank CA key and certificate (BANK_CA_DIR, passphrase BANK_CA_PASSPHRASE)."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=None,
                            help="where to write ca-key.pem and ca-cert.pem (default BANK_CA_DIR)")
        parser.add_argument("--force", action="store_true",
                            help="replace an existing CA: every USBKey issued under it stops verifying")

    def handle(self, *args, directory: Path | None, force: bool, **options):
        passphrase = os.environ.get("BANK_CA_PASSPHRASE") or settings.BANK_CA_PASSPHRASE
        if not passphrase:
            raise CommandError("BANK_CA_PASSPHRASE is not set (environment or settings): refusing "
                               "to create a CA key without a passphrase")
        directory = directory or Path(settings.BANK_CA_DIR)
        # The e-receipt signing key (ACC-RECEIPT) lives beside the CA, under the same passphrase.
        if not (directory / RECEIPT_KEY_FILE).exists():
            fingerprint = receipt_key_init(directory=directory, passphrase=passphrase)
            self.stdout.write(f"receipt signing key created ({RECEIPT_KEY_FILE}), public key "
                              f"SHA-256 {fingerprint}")
        try:
            bank_ca_init(directory=directory, passphrase=passphrase, force=force)
        except (FileExistsError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        if force:
            self.stderr.write(self.style.WARNING(
                "the CA was replaced: certificates issued under the old CA no longer verify; "
                "restart running web processes (they cache the CA)"))
        self.stdout.write(self.style.SUCCESS(
            f"bank CA created in {directory} ({CA_KEY_FILE} encrypted, {CA_CERT_FILE}; mode 600)"))
        certificate = x509.load_pem_x509_certificate((directory / CA_CERT_FILE).read_bytes())
        self.stdout.write("certificate SHA-256 fingerprint: "
                          + certificate.fingerprint(hashes.SHA256()).hex(":").upper())
        self.stdout.write("back up this directory and the passphrase separately (docs/security-tools.md)")
