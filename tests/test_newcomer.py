"""A newcomer's path (issue 11 §5): what bin/serve installs, what the scripts and the README
name exists in a clone."""

import re
import stat
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _fake_checkout(tmp_path: Path) -> tuple[Path, Path]:
    """bin/bootstrap and the requirement files in a folder whose .venv/bin/python only logs
    what it was asked to do."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "bootstrap").write_bytes((ROOT / "bin" / "bootstrap").read_bytes())
    (tmp_path / "bin" / "bootstrap").chmod(0o755)
    for name in ("requirements.txt", "requirements-dev.txt"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    log = tmp_path / "pip.log"
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\necho "$@" >> {log}\necho "Collecting Django==5.2"\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return tmp_path, log


def _bootstrap(checkout: Path, *args: str) -> str:
    return subprocess.run(["bash", "bin/bootstrap", *args], cwd=checkout, check=True,
                          capture_output=True, text=True).stdout


def test_bin_serve_installs_the_site_packages_only_and_bin_test_adds_the_tools(tmp_path):
    checkout, log = _fake_checkout(tmp_path)
    out = _bootstrap(checkout, "site")
    assert "installing the site's packages (requirements.txt)" in out
    assert "Collecting Django==5.2" in out  # pip's progress is shown
    installs = [line for line in log.read_text().splitlines() if " -r " in line]
    assert installs == [next(i for i in installs if i.endswith("-r requirements.txt"))]
    log.write_text("")
    assert _bootstrap(checkout, "site") == ""  # up to date: nothing installed, nothing said
    assert log.read_text() == ""
    _bootstrap(checkout)  # bin/test's default: the test tools too
    assert log.read_text().strip().splitlines()[-1].endswith("-r requirements-dev.txt")
    log.write_text("")
    _bootstrap(checkout, "site")  # the dev set holds the site's: nothing more to do
    assert log.read_text() == ""


def test_each_script_asks_for_its_own_set():
    assert re.search(r"^bin/bootstrap site$", (ROOT / "bin/serve").read_text(), re.M)
    assert re.search(r"^bin/bootstrap dev$", (ROOT / "bin/test").read_text(), re.M)
    assert re.search(r"^bin/bootstrap dev$", (ROOT / ".ci/run").read_text(), re.M)


def test_the_usage_of_bin_test_names_real_folders():
    usage = [line for line in (ROOT / "bin/test").read_text().splitlines()
             if line.startswith("#   bin/test ")]
    named = [word for line in usage for word in line.split()[2:]
             if "/" in word and not word.startswith("-")]
    assert named, usage
    for path in named:
        assert (ROOT / path).is_dir(), path


def test_the_readme_names_only_files_a_clone_has():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # A path starts with a letter, "_" or "." (a rate such as `10/m` is not one).
    named = set(re.findall(r"`((?:\.{0,2}/)?[A-Za-z_.][\w.-]*(?:/[\w.<>-]*)+)`", readme))
    named |= set(re.findall(r"\]\(([\w./-]+)\)", readme))
    checked = []
    for path in sorted(named):
        if path.startswith(("../shared", "/", "var/")) or "://" in path:
            continue  # beside the clone, the system's, or generated (the README says so)
        checked.append(path)
        assert (ROOT / path.split("<")[0]).exists(), path
    assert "docs/deployment.md" in checked and "tests/browser/" in checked
    assert "generated" in readme or "create it" in readme  # var/ is explained
