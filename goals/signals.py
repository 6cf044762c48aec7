"""Signals goals sends so later apps can react without goals importing them (dependencies point
one way): the tracking app recomputes a goal's indicators when its targets or status change."""

from django.dispatch import Signal

# Sent after a goal's targets or status changed; arguments: goal, since (date from which the
# figures change, or None for "today").
targets_changed = Signal()
