from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from incentives import urls as incentives_urls
from people import calendar_views as people_calendar_views
from teams import urls as teams_urls
from teams import views as teams_views
from tracking import urls as tracking_urls


class SchemaView(SpectacularAPIView):
    """The OpenAPI document is public, like the documentation it feeds."""

    stretch_access_kind = "public"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's bundled copy; its start-up script is served as
    a separate file so the Content Security Policy needs no inline script."""

    stretch_access_kind = "public"


org_patterns = [
    *teams_urls.org_urlpatterns,
    path("settings/integrations/", include(tracking_urls.integration_urlpatterns)),
    path("settings/pay-access/", include(incentives_urls.grant_urlpatterns)),
    path("goals/", include("goals.urls")),
    path("plans/", include("plans.urls")),
    path("tracking/", include("tracking.urls")),
    path("incentives/", include("incentives.urls")),
    path("recognition/", include("recognition.urls")),
    path("retros/", include("retros.urls")),
    path("people/", include("people.urls")),
]

urlpatterns = [
    path("", teams_views.home_view, name="home"),
    path("orgs/", teams_views.org_choose_view, name="org_choose"),
    path("calendar/<str:secret>.ics", people_calendar_views.calendar_feed_view, name="calendar_feed"),
    path("orgs/new/", teams_views.org_create_view, name="org_create"),
    path("i18n/language/", teams_views.language_view, name="set_language"),
    path("accounts/", include(teams_urls.account_urlpatterns)),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("healthz", teams_views.healthz_view, name="healthz"),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="swagger-ui"),
]

handler400 = "teams.views.error_400"
handler403 = "teams.views.error_403"
handler404 = "teams.views.error_404"
handler500 = "teams.views.error_500"
