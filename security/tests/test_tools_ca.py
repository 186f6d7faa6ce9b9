"""The bank CA: created once, encrypted, private files; loaded from settings; never silently in prod."""

import datetime
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from security.tools.ca import CA_CERT_FILE, CA_KEY_FILE
from security.tools.services import bank_ca_ensure, bank_ca_init, bank_ca_load

PASSPHRASE = "test-only-ca-passphrase"


@pytest.fixture
def ca_settings(settings, tmp_path):
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = PASSPHRASE
    return settings


def test_init_writes_an_encrypted_key_and_a_ten_year_ca_certificate(tmp_path):
    directory = tmp_path / "ca"
    bank_ca_init(directory=directory, passphrase=PASSPHRASE)

    key_pem = (directory / CA_KEY_FILE).read_bytes()
    assert key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert PASSPHRASE.encode() not in key_pem
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(key_pem, b"wrong-passphrase")
    for name in (CA_KEY_FILE, CA_CERT_FILE):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600

    cert = x509.load_pem_x509_certificate((directory / CA_CERT_FILE).read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "安徽农金个人网银CA"
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)  # self-signed
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert datetime.timedelta(days=3650) <= lifetime <= datetime.timedelta(days=3660)


def test_init_refuses_to_overwrite_without_force(tmp_path):
    directory = tmp_path / "ca"
    bank_ca_init(directory=directory, passphrase=PASSPHRASE)
    before = (directory / CA_CERT_FILE).read_bytes()
    with pytest.raises(FileExistsError):
        bank_ca_init(directory=directory, passphrase=PASSPHRASE)
    assert (directory / CA_CERT_FILE).read_bytes() == before

    bank_ca_init(directory=directory, passphrase=PASSPHRASE, force=True)
    assert (directory / CA_CERT_FILE).read_bytes() != before
    assert stat.S_IMODE((directory / CA_KEY_FILE).stat().st_mode) == 0o600


def test_load_says_how_to_create_a_missing_ca(ca_settings):
    with pytest.raises(ImproperlyConfigured, match="manage.py init_bank_ca"):
        bank_ca_load()
    ca_settings.BANK_CA_PASSPHRASE = None
    with pytest.raises(ImproperlyConfigured, match="BANK_CA_PASSPHRASE"):
        bank_ca_load()


def test_load_refuses_a_wrong_passphrase(ca_settings):
    bank_ca_init(directory=ca_settings.BANK_CA_DIR, passphrase=PASSPHRASE)
    ca_settings.BANK_CA_PASSPHRASE = "not-the-passphrase"
    with pytest.raises(ImproperlyConfigured, match="无法解密"):
        bank_ca_load()


def test_load_is_cached_per_process(ca_settings):
    bank_ca_init(directory=ca_settings.BANK_CA_DIR, passphrase=PASSPHRASE)
    assert bank_ca_load() is bank_ca_load()


def test_ensure_creates_in_tests_but_only_loads_in_production(ca_settings):
    ca_settings.BANK_CA_AUTO_CREATE = False  # what DEBUG off outside the test settings means
    with pytest.raises(ImproperlyConfigured, match="init_bank_ca"):
        bank_ca_ensure()
    assert not (ca_settings.BANK_CA_DIR / CA_KEY_FILE).exists()

    del ca_settings.BANK_CA_AUTO_CREATE  # the test settings: created on demand
    created = bank_ca_ensure()
    assert (ca_settings.BANK_CA_DIR / CA_KEY_FILE).exists()
    assert bank_ca_ensure().certificate == created.certificate  # and not re-created


def test_the_command_creates_refuses_to_overwrite_and_needs_a_passphrase(ca_settings, monkeypatch,
                                                                          tmp_path, capsys):
    monkeypatch.delenv("BANK_CA_PASSPHRASE", raising=False)
    directory = tmp_path / "cmd-ca"
    call_command("init_bank_ca", "--directory", str(directory))
    assert (directory / CA_KEY_FILE).exists() and (directory / CA_CERT_FILE).exists()
    assert "fingerprint" in capsys.readouterr().out

    with pytest.raises(CommandError, match="--force"):
        call_command("init_bank_ca", "--directory", str(directory))
    call_command("init_bank_ca", "--directory", str(directory), "--force")

    ca_settings.BANK_CA_PASSPHRASE = None
    with pytest.raises(CommandError, match="BANK_CA_PASSPHRASE"):
        call_command("init_bank_ca", "--directory", str(tmp_path / "other"))
    assert not (tmp_path / "other").exists()


def test_the_command_defaults_to_bank_ca_dir(ca_settings, monkeypatch):
    monkeypatch.delenv("BANK_CA_PASSPHRASE", raising=False)
    call_command("init_bank_ca")
    assert bank_ca_load().directory == ca_settings.BANK_CA_DIR
