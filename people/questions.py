"""The pulse question bank, versioned: a pulse keeps the bank version and the keys it asked, so
that changing a wording later is a new version and old results keep their meaning.

Every question is answered on a 1–5 scale (1: strongly disagree … 5: strongly agree). The
quarterly eNPS question is asked on the same scale: 5 counts as a promoter, 1–3 as a detractor."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

BANK_VERSION = 1
TOPICS = ("workload", "stress", "support", "clarity", "safety")
QUESTIONS_PER_PULSE = 4
ENPS = "enps"
TOPIC_LABELS = {
    "workload": _("Workload"),
    "stress": _("Stress"),
    "support": _("Support"),
    "clarity": _("Clarity of goals"),
    "safety": _("Psychological safety"),
}


@dataclass(frozen=True)
class Question:
    key: str
    topic: str
    text: Promise


BANK: dict[int, tuple[Question, ...]] = {
    1: (
        Question("workload-1", "workload", _("My workload is manageable.")),
        Question("workload-2", "workload", _("I can finish my work without regularly working late.")),
        Question(
            "stress-1", "stress", _("The pressure of my targets feels motivating rather than crushing.")
        ),
        Question("stress-2", "stress", _("I rarely feel stressed about work.")),
        Question("support-1", "support", _("I get the help I need when I am stuck.")),
        Question("support-2", "support", _("My manager supports me when things go wrong.")),
        Question("clarity-1", "clarity", _("I know what my goals are and why they matter.")),
        Question("clarity-2", "clarity", _("I know how my work adds up to the team's goal.")),
        Question("safety-1", "safety", _("I can try something new without fear of blame if it fails.")),
        Question("safety-2", "safety", _("I can raise a problem in my team without fear.")),
        Question(ENPS, "enps", _("I would recommend this team as a place to work.")),
    )
}


def question(key: str, version: int = BANK_VERSION) -> Question | None:
    return next((q for q in BANK.get(version, ()) if q.key == key), None)


def rotation(number: int, *, with_enps: bool, version: int = BANK_VERSION) -> list[Question]:
    """The questions of an organisation's `number`-th pulse (0 first): four of the five topics,
    rotating which one rests and which wording is used, and the eNPS question when asked for."""
    bank = BANK[version]
    rest = TOPICS[number % len(TOPICS)]
    variant = 1 + (number // len(TOPICS)) % 2
    chosen = [q for topic in TOPICS if topic != rest for q in bank if q.key == f"{topic}-{variant}"]
    if with_enps:
        chosen += [q for q in bank if q.key == ENPS]
    return chosen
