from tests.secrets_scan import find_seeded_secrets, seeded_secrets


def test_the_scan_knows_the_demo_pin_and_card_numbers():
    secrets = seeded_secrets()
    assert "135246" in secrets.values()
    assert "6226790101000000013" in secrets.values()


def test_the_scan_finds_a_card_number_in_a_line_and_ignores_a_masked_one():
    assert find_seeded_secrets(["paid from 6226790101000000013"])
    assert not find_seeded_secrets(["paid from 6226 **** **** 0013"])
