from django.urls import path

from . import views

urlpatterns = [
    path("", views.index_view, name="people_index"),
    path("one-on-ones/new/", views.series_start_view, name="people_series_start"),
    path("one-on-ones/<int:series_id>/", views.series_view, name="people_series"),
    path("meetings/<int:meeting_id>/", views.meeting_view, name="people_meeting"),
]
