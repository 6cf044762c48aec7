"""Every write of the tracking app (see values.py until it is split by sub-domain)."""

from .values import *  # noqa: F403
from .values import _notify  # noqa: F401
