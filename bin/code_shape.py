"""The shape of the app code, as issue 12 measured it: modules over 400 lines, functions over 60
lines and view functions over 25 lines (migrations aside). Usage: python bin/code_shape.py [root]"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

APPS = ["teams", "goals", "plans", "tracking", "incentives", "recognition", "retros", "people"]


def shape(root: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]]]:
    modules, functions, views = [], [], []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")) if (root / app).exists() else []:
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            name = str(path.relative_to(root))
            if (lines := len(text.splitlines())) > 400:
                modules.append((lines, name))
            in_views = "views" in path.parts or path.name.endswith("views.py")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
                    length = node.end_lineno - node.lineno + 1
                    if length > 60:
                        functions.append((length, f"{name}:{node.name}"))
                    if in_views and node.name.endswith("_view") and length > 25:
                        views.append((length, f"{name}:{node.name}"))
    return sorted(modules, reverse=True), sorted(functions, reverse=True), sorted(views, reverse=True)


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    for title, rows in zip(("modules over 400 lines", "functions over 60 lines", "view functions over 25 lines"),
                           shape(root), strict=True):  # fmt: skip
        print(f"{title}: {len(rows)}")
        for lines, name in rows:
            print(f"  {lines:5}  {name}")


if __name__ == "__main__":
    main()
