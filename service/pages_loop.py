"""The addresses of the 整改 loop, the history and the audit pages (views_loop.py)."""
from __future__ import annotations

from django.urls import path

from . import views_loop

urlpatterns = [
    path("rounds/<int:round_id>/<str:code>/tasks/", views_loop.task_list, name="tasks"),
    path("tasks/<int:task_id>/evidence/", views_loop.task_evidence, name="task_evidence"),
    path("tasks/<int:task_id>/transition/", views_loop.task_transition, name="task_transition"),
    path("evidence/<int:evidence_id>/", views_loop.evidence_file, name="evidence"),
    path("evidence/<int:evidence_id>/withdraw/", views_loop.evidence_withdraw, name="evidence_withdraw"),
    path("county/<int:round_id>/overdue/", views_loop.overdue_page, name="overdue"),
    path("county/<int:round_id>/compare/", views_loop.compare_page, name="compare"),
    path("unions/<str:code>/history/", views_loop.history_page, name="history"),
    path("audit/", views_loop.audit_page, name="audit"),
]
