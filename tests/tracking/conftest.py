"""Fixtures shared by the tracking tests."""

from tests.tracking.test_alerts import receiver  # noqa: F401 - the local webhook receiver fixture
