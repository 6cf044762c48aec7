import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bin"))

import check_messages  # noqa: E402


def test_zh_hans_catalogue_is_complete_and_compiled():
    problems = check_messages.problems()
    assert not problems, "\n".join(problems)
