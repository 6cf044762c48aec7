"""Every environment variable the settings and gunicorn read is documented in the README and
.env.example (Docker-only variables are in docs/deployment.md)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_from_the_environment_is_documented():
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
        names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    gunicorn = (ROOT / "gunicorn.conf.py").read_text()
    names |= set(re.findall(r'(?:_env_int|os\.environ\.get)\(\s*"([A-Z][A-Z0-9_]+)"', gunicorn))
    assert len(names) > 20
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    assert not sorted(n for n in names if f"`{n}`" not in readme), "undocumented in README.md"
    assert not sorted(n for n in names if f"\n{n}=" not in example), "missing from .env.example"
