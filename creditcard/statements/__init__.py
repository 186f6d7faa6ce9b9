"""信用卡账单: the statement run (run.py), its arithmetic (rules.py) and its nightly step."""
