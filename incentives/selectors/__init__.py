"""Every read of the incentives app (being split into sub-domain modules)."""

from .runs import *  # noqa: F403
