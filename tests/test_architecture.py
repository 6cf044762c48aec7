"""The dependency rules of PRODUCT.md, checked on the source: teams ← goals ← plans ← tracking ←
incentives, recognition, retros, people; those four never import each other and read tracking only
through its published modules; services, selectors and tasks never import views or the API layer;
services import their tasks at module level (HackSoft), never inside a function; no module of app
code grows past 450 lines. `services` and `selectors` may be modules or packages of modules."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["teams", "goals", "plans", "tracking", "incentives", "recognition", "retros", "people"]
ALLOWED = {app: set(ORDER[: ORDER.index(app)]) | {app} for app in ORDER}
# incentives, recognition, retros and people sit side by side: none imports another.
ABOVE_TRACKING = ORDER[ORDER.index("tracking") + 1 :]
for _app in ABOVE_TRACKING:
    ALLOWED[_app] -= set(ABOVE_TRACKING) - {_app}
WEB_LAYER = {"views", "api", "serializers", "urls"}
BUSINESS_LAYER = ("services", "selectors", "tasks", "models")
# What the apps above tracking may import from it (the names `tracking.services` re-exports
# included); its submodules, models, selectors and helpers are tracking's own business.
TRACKING_PUBLISHED = {"tracking.services", "tracking.selectors.results"}
MAX_LINES = 450


@dataclass(frozen=True)
class Found:
    module: str  # the module imported, resolved: `from .tasks import x` in tracking/services/a.py is tracking.tasks
    line: int
    in_function: bool


def module_of(path: Path) -> tuple[str, bool]:
    """The dotted name of a source file under ROOT, and whether it is a package's __init__."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def imports_in(source: str, module: str, is_package: bool = False) -> list[Found]:
    """Every import of `source` (the code of `module`), at any depth, with its target resolved:
    relative imports against the module's package, and `from a import b` to `a.b` when b is a module
    (so `from tracking import selectors` is tracking.selectors, `from tracking.services import x`
    is tracking.services)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: list[Found] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Found(alias.name, node.lineno, in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                target = f"{origin}.{alias.name}"
                found.append(Found(target if is_module(target) else origin, node.lineno, in_function))
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(ast.parse(source), False)
    return list(dict.fromkeys(found))  # `from a import b, c` is one import of a


def imports_at(path: Path) -> list[Found]:
    return imports_in(path.read_text(), *module_of(path))


def imports_of(path: Path) -> set[str]:
    return {found.module for found in imports_at(path)}


def app_code(*apps: str, migrations: bool = True) -> list[Path]:
    """The source files of the apps (all of ORDER by default)."""
    return sorted(
        path
        for app in apps or ORDER
        for path in (ROOT / app).rglob("*.py")
        if migrations or "migrations" not in path.relative_to(ROOT).parts
    )


def business_layer(app: str) -> list[Path]:
    """services, selectors, tasks and models of an app, each a module or a package of modules."""
    paths = []
    for name in BUSINESS_LAYER:
        if (ROOT / app / f"{name}.py").exists():
            paths.append(ROOT / app / f"{name}.py")
        if (ROOT / app / name).is_dir():
            paths.extend(sorted((ROOT / app / name).rglob("*.py")))
    return paths


def reads_tracking_unpublished(app: str, module: str) -> bool:
    return app in ABOVE_TRACKING and module.split(".")[0] == "tracking" and module not in TRACKING_PUBLISHED


def is_task_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in ORDER and "tasks" in parts[1:]


def where(path: Path, found: Found) -> str:
    return f"{path.relative_to(ROOT)}:{found.line}"


def test_apps_only_import_apps_to_their_left():
    problems = []
    for app in ORDER:
        for path in app_code(app):
            for module in imports_of(path):
                top = module.split(".")[0]
                if top in ORDER and top not in ALLOWED[app]:
                    problems.append(f"{path.relative_to(ROOT)} imports {module}")
                if top == "config" and "management" not in path.parts:
                    problems.append(
                        f"{path.relative_to(ROOT)} imports {module} (config wires apps, not the reverse)"
                    )
    assert not problems, "\n".join(problems)


def test_apps_above_tracking_read_it_only_through_its_published_modules():
    problems = [
        f"{where(path, found)} imports {found.module}"
        for app in ABOVE_TRACKING
        for path in app_code(app)
        for found in imports_at(path)
        if reads_tracking_unpublished(app, found.module)
    ]
    assert not problems, (
        f"Apps above tracking may import only {sorted(TRACKING_PUBLISHED)} from it "
        f"({len(problems)} imports do otherwise):\n" + "\n".join(problems)
    )


def test_no_function_imports_a_task():
    """HackSoft: a service imports its task at module level; a task imports the services inside its
    body (tasks.py may do that: a services import is not a tasks import)."""
    problems = [
        f"{where(path, found)} imports {found.module} inside a function"
        for path in app_code()
        for found in imports_at(path)
        if found.in_function and is_task_module(found.module)
    ]
    assert not problems, (
        f"Import tasks at module level ({len(problems)} function-level imports):\n" + "\n".join(problems)
    )


def test_no_module_of_app_code_is_over_450_lines():
    sizes = {path: path.read_text().count("\n") for path in app_code(migrations=False)}
    problems = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path, lines in sorted(sizes.items(), key=lambda item: (-item[1], item[0]))
        if lines > MAX_LINES
    ]
    assert not problems, f"Modules over {MAX_LINES} lines (migrations aside):\n" + "\n".join(problems)


def test_business_layer_does_not_import_the_web_layer():
    problems = []
    for app in ORDER:
        for path in business_layer(app):
            for module in imports_of(path):
                parts = module.split(".")
                if parts[0] in ORDER and len(parts) > 1 and parts[1] in WEB_LAYER:
                    problems.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not problems, "Services, selectors, tasks and models import the web layer:\n" + "\n".join(problems)


def test_the_rule_checker_sees_imports():
    """Guards the checker itself against silently finding nothing."""
    found = imports_of(ROOT / "teams" / "views.py")
    assert "teams.services" in found or "teams" in found
    assert any(m.startswith("django") for m in found)
    assert ROOT / "tracking" / "models" / "alerts.py" in business_layer("tracking")  # a package
    assert ROOT / "goals" / "models.py" in business_layer("goals")  # a module
    assert ROOT / "teams" / "views.py" in app_code("teams")
    assert ROOT / "teams" / "migrations" / "0001_initial.py" in app_code("teams")
    assert not any("migrations" in path.parts for path in app_code(migrations=False))


def test_the_rule_checker_sees_violations():
    """Each new rule flags a known violation, written here, and lets the allowed forms pass."""
    source = """
from tracking.models import MetricEntry
from tracking.services import parse_day
from tracking.selectors.results import goal_period_results
from tracking import services
import tracking.services.alerts
from ..tasks import at_module_level


def compute():
    from ..tasks import payout_run_compute
    from tracking.indicators import tier_of
    import recognition.tasks
    from incentives import tasks
"""
    found = imports_in(source, "incentives.services.runs")
    unpublished = [f.module for f in found if reads_tracking_unpublished("incentives", f.module)]
    assert unpublished == ["tracking.models", "tracking.services.alerts", "tracking.indicators"]
    # An app below tracking is held by the rule of apps to the left, not by this one.
    assert not [f for f in found if reads_tracking_unpublished("goals", f.module)]
    task_imports = [(f.module, f.line) for f in found if f.in_function and is_task_module(f.module)]
    assert task_imports == [("incentives.tasks", 11), ("recognition.tasks", 13), ("incentives.tasks", 14)]
    assert ("incentives.tasks", 7) in [(f.module, f.line) for f in found if not f.in_function]
    # In a package's __init__, `.` is the package itself.
    for source, module, is_package in [
        ("from ..tasks import x", "tracking.services", True),
        ("from ..tasks import x", "tracking.services.alerts", False),
        ("from .tasks import x", "tracking.services", False),
    ]:
        assert [f.module for f in imports_in(source, module, is_package)] == ["tracking.tasks"], source


def test_the_rules_follow_services_and_selectors_packages(tmp_path, monkeypatch):
    """The rules run on a small made-up project whose tracking has split into packages."""
    files = {
        "tracking/__init__.py": "",
        "tracking/views.py": "",
        "tracking/tasks.py": "def task():\n    from .services.alerts import alert_send\n",  # allowed
        "tracking/services/__init__.py": "from .alerts import alert_send\n",
        "tracking/services/alerts.py": "from .. import views\n\n\ndef alert_send():\n    from ..tasks import task\n"
        + "\n" * 450,
        "tracking/selectors/__init__.py": "",
        "tracking/selectors/results.py": "",
        "tracking/selectors/alerts.py": "",
        "tracking/migrations/0001_initial.py": "\n" * 500,
        "incentives/__init__.py": "",
        "incentives/services.py": "from tracking.services import alert_send\nfrom tracking.selectors import results, alerts\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    for rule, problems in [
        (test_business_layer_does_not_import_the_web_layer, ["tracking/services/alerts.py imports tracking.views"]),
        (test_apps_above_tracking_read_it_only_through_its_published_modules,
         ["incentives/services.py:2 imports tracking.selectors.alerts"]),
        (test_no_function_imports_a_task, ["tracking/services/alerts.py:5 imports tracking.tasks inside a function"]),
        (test_no_module_of_app_code_is_over_450_lines, ["tracking/services/alerts.py: 455 lines"]),
    ]:  # fmt: skip
        with pytest.raises(AssertionError) as caught:
            rule()
        listed = [line.strip() for line in str(caught.value).split("\nassert")[0].splitlines()[1:]]
        assert listed == problems, rule.__name__
