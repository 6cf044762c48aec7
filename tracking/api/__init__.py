"""Tracking API under /api/v1/orgs/<org_slug>/, by sub-domain: `core` (stand-ups, metric values,
indicators, alerts, corrective actions, channels and deliveries, reviews) and `integrations`
(value imports, a goal's recompute, alert rules). The names config.api_urls uses are re-exported."""

from .core import (
    AlertViewSet,
    ChannelViewSet,
    CorrectiveActionViewSet,
    DeliveryViewSet,
    IndicatorViewSet,
    MetricEntryViewSet,
    ReviewViewSet,
    StandupViewSet,
)
from .integrations import AlertRuleViewSet, GoalRecomputeView, ImportJobViewSet

__all__ = [
    "AlertRuleViewSet",
    "AlertViewSet",
    "ChannelViewSet",
    "CorrectiveActionViewSet",
    "DeliveryViewSet",
    "GoalRecomputeView",
    "ImportJobViewSet",
    "IndicatorViewSet",
    "MetricEntryViewSet",
    "ReviewViewSet",
    "StandupViewSet",
]
