from django.urls import path

from . import calendar_views, pulse_views, views, wins_views

urlpatterns = [
    path("", views.index_view, name="people_index"),
    path("one-on-ones/new/", views.series_start_view, name="people_series_start"),
    path("one-on-ones/<int:series_id>/", views.series_view, name="people_series"),
    path("meetings/<int:meeting_id>/", views.meeting_view, name="people_meeting"),
    path("pulses/", pulse_views.pulses_view, name="people_pulses"),
    path("pulses/new/", pulse_views.pulse_create_view, name="people_pulse_create"),
    path("pulses/<int:pulse_id>/", pulse_views.pulse_answer_view, name="people_pulse_answer"),
    path(
        "pulses/schedules/new/", pulse_views.pulse_schedule_create_view, name="people_pulse_schedule_create"
    ),
    path(
        "pulses/schedules/<int:schedule_id>/stop/",
        pulse_views.pulse_schedule_stop_view,
        name="people_pulse_schedule_stop",
    ),  # fmt: skip
    path("calendar/", calendar_views.calendar_view, name="people_calendar"),
    path("pulses/<int:pulse_id>/results/", pulse_views.pulse_results_view, name="people_pulse_results"),
    path("small-wins/", wins_views.small_wins_view, name="people_small_wins"),
    path("load/", wins_views.team_load_view, name="people_team_load"),
]
