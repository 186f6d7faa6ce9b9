"""A new menu app needs its own folder plus at most two lines elsewhere (docs/new-menu-app.md):
its INSTALLED_APPS line and its ``path(..., include(...))`` line in ebank/urls.py.

Everything else an app adds to the whole (its menu group, business types, bank books, demo data)
it registers from its own ``AppConfig.ready()``; the core files that gather them name no app.
"""

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

MENU_APPS = ["accounts", "security", "transfers", "payments", "creditcard", "wealth", "deposits",
             "loans"]
# The menu app built last: the proof that outside its folder only its two lines name it.
LAST_BUILT = ["loans"]

# The core files that gather what the apps register.
CORE_FILES = [
    "ebank/core/menu.py",
    "ebank/core/context_processors.py",
    "ebank/core/demo.py",
    "ebank/core/management/commands/seed_demo.py",
    "ebank/ledger/models.py",
    "ebank/ledger/business_types.py",
    "ebank/ledger/bank_books.py",
    "security/context_processors.py",
]


def _docstrings(tree) -> set[int]:
    """ids of the docstring constants (prose, not code)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            found.add(id(body[0].value))
    return found


def _code_mentions(source: str) -> list[tuple[int, str]]:
    """(line, text) of every import, name and string of the code (no comments, no docstrings)."""
    tree = ast.parse(source)
    prose = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, f"import {alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, f"import {node.module}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in prose:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.Name):
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute):
            found.append((node.lineno, node.attr))
    return found


def _names_of_apps(source: str) -> set[str]:
    """Menu apps a module imports or whose URL names (``"app:name"``) it spells."""
    named = set()
    for _, text in _code_mentions(source):
        if text.startswith("import "):
            named.add(text.split()[1].split(".")[0])
        named |= set(re.findall(r"\b([a-z]+):[a-z_]+", text))
    return named & set(MENU_APPS)


def _calls_in_ready(config) -> set[str]:
    ready = type(config).__dict__.get("ready")
    assert ready is not None, f"{config.label}: AppConfig.ready() registers the app"
    tree = ast.parse(textwrap.dedent(inspect.getsource(ready)))
    return {node.func.id for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


@pytest.mark.parametrize("label", MENU_APPS)
def test_each_menu_app_registers_its_menu_group_from_its_app_config(label):
    assert "menu_group" in _calls_in_ready(apps.get_app_config(label))


def test_the_demo_parts_are_registered_by_their_apps():
    for label in ("clearing", "accounts", "security"):
        assert "demo_part" in _calls_in_ready(apps.get_app_config(label)), label


def test_business_types_and_bank_books_are_registered_by_their_apps():
    assert "business_types" in _calls_in_ready(apps.get_app_config("transfers"))
    assert "business_types" in _calls_in_ready(apps.get_app_config("payments"))
    assert "bank_book" in _calls_in_ready(apps.get_app_config("loans"))
    assert "bank_book" in _calls_in_ready(apps.get_app_config("creditcard"))


@pytest.mark.parametrize("path", CORE_FILES)
def test_the_core_files_name_no_menu_app(path):
    named = _names_of_apps((ROOT / path).read_text(encoding="utf-8"))
    own = {path.split("/")[0]} if path.startswith("security/") else set()
    assert named - own == set(), path


def _code_files():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if path.suffix not in {".py", ".html", ".toml", ".cfg", ".txt", ".yml", ".sh"}:
            continue
        if parts[0].startswith(".") or "node_modules" in parts or parts[0] in {"docs", "var"}:
            continue
        if parts[0] in {"tests", "bench"} or "tests" in parts[1:-1]:
            continue  # tests and benchmarks may name any app (this one does)
        yield relative, path


@pytest.mark.parametrize("label", LAST_BUILT)
def test_outside_its_folder_only_its_two_lines_name_a_new_app(label):
    # Another app linking to the new app's page by URL name ("payments:index") needs nothing
    # from it (the link appears once the page exists), so a name followed by ":" is no mention.
    mention = re.compile(rf"\b{label}\b(?!:)")
    lines = []
    for relative, path in _code_files():
        if relative.parts[0] == label or relative.parts[:2] == ("templates", label):
            continue  # its folder and its templates' folder (templates/<app>/) are its own
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            found = sorted({number for number, code in _code_mentions(text) if mention.search(code)})
        else:
            found = [number for number, line in enumerate(text.splitlines(), 1)
                     if mention.search(line)]
        lines += [f"{relative}:{number}" for number in found]
    assert lines == [f"ebank/settings/base.py:{_installed_line(label)}",
                     f"ebank/urls.py:{_include_line(label)}"], lines


def _include_line(label: str) -> int:
    text = (ROOT / "ebank/urls.py").read_text(encoding="utf-8").splitlines()
    return text.index(f'    path("{label}/", include("{label}.urls")),') + 1


def _installed_line(label: str) -> int:
    text = (ROOT / "ebank/settings/base.py").read_text(encoding="utf-8").splitlines()
    return text.index(f'    "{label}",') + 1


def test_the_url_conf_has_one_include_line_per_app_with_pages():
    urls = (ROOT / "ebank/urls.py").read_text(encoding="utf-8")
    for label in ("accounts", "transfers", "security"):
        assert len(re.findall(rf'include\("{label}\.urls"\)', urls)) == 1, label


# The dependency rule (docs/architecture.md): menu apps → security → accounts → the lower apps.
# A product's menu app (transfers, payments, deposits …) never imports another: what two of them
# share lives below them (accounts.payers, security, ebank.*).
PRODUCT_APPS = ["transfers", "payments", "creditcard", "wealth", "deposits", "loans"]


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("label", PRODUCT_APPS)
def test_a_product_app_imports_no_other_product_app(label):
    lines = []
    for relative, path in _code_files():
        if relative.parts[0] != label or path.suffix != ".py":
            continue
        for module in sorted(_imported_modules(path)):
            top = module.split(".")[0]
            if top in PRODUCT_APPS and top != label:
                lines.append(f"{relative}: imports {module}")
    assert not lines, "\n".join(lines)
