"""The dependency rules of PRODUCT.md, checked on the source: teams ← goals ← plans ← tracking ←
incentives, recognition, retros; those three never import each other; services, selectors and
tasks never import views or the API layer."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["teams", "goals", "plans", "tracking", "incentives", "recognition", "retros"]
ALLOWED = {app: set(ORDER[: ORDER.index(app)]) | {app} for app in ORDER}
# incentives, recognition and retros sit side by side: none imports another.
ALLOWED["recognition"] -= {"incentives"}
ALLOWED["retros"] -= {"incentives", "recognition"}
WEB_LAYER = {"views", "api", "serializers", "urls"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            app = path.relative_to(ROOT).parts[0]
            found.add(f"{app}.{node.module}" if node.module else app)
            found |= {f"{app}.{alias.name}" for alias in node.names} if not node.module else set()
    return found


def test_apps_only_import_apps_to_their_left():
    problems = []
    for app in ORDER:
        for path in (ROOT / app).rglob("*.py"):
            for module in imports_of(path):
                top = module.split(".")[0]
                if top in ORDER and top not in ALLOWED[app]:
                    problems.append(f"{path.relative_to(ROOT)} imports {module}")
                if top == "config" and "management" not in path.parts:
                    problems.append(
                        f"{path.relative_to(ROOT)} imports {module} (config wires apps, not the reverse)"
                    )
    assert not problems, "\n".join(problems)


def test_business_layer_does_not_import_the_web_layer():
    problems = []
    for app in ORDER:
        for name in ("services.py", "selectors.py", "tasks.py", "models.py"):
            path = ROOT / app / name
            if not path.exists():
                continue
            for module in imports_of(path):
                parts = module.split(".")
                if parts[0] in ORDER and len(parts) > 1 and parts[1] in WEB_LAYER:
                    problems.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not problems, "\n".join(problems)


def test_the_rule_checker_sees_imports():
    """Guards the checker itself against silently finding nothing."""
    found = imports_of(ROOT / "teams" / "views.py")
    assert "teams.services" in found or "teams" in found
    assert any(m.startswith("django") for m in found)
