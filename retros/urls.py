from django.urls import path

from . import views, views_knowledge

urlpatterns = [
    path("", views.index_view, name="retros_index"),
    path("start/", views.start_view, name="retro_start"),
    path("knowledge/", views_knowledge.knowledge_view, name="retros_knowledge"),
    path("knowledge/new/", views_knowledge.knowledge_new_view, name="knowledge_new"),
    path("knowledge/<int:lesson_id>/", views_knowledge.knowledge_entry_view, name="knowledge_entry"),
    path("knowledge/<int:lesson_id>/apply/", views_knowledge.lesson_apply_view, name="knowledge_apply"),
    path("causes/", views_knowledge.causes_view, name="retros_causes"),
    path("<int:retro_id>/", views.retro_detail_view, name="retro_detail"),
    path("<int:retro_id>/export/<str:fmt>/", views.retro_export_view, name="retro_export"),
    path("cards/<int:card_id>/", views.card_view, name="retro_card"),
    path("lessons/<int:lesson_id>/publish/", views.lesson_publish_view, name="retro_lesson_publish"),
    path("actions/<int:retro_action_id>/status/", views.action_status_view, name="retro_action_status"),
    path("actions/<int:retro_action_id>/convert/", views.action_convert_view, name="retro_action_convert"),
]
