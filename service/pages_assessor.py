"""The addresses of the county's pages: rounds, verification, publication (views_assessor.py)."""
from __future__ import annotations

from django.urls import path

from . import views_assessor as views

urlpatterns = [
    path("county/new-round/", views.round_new, name="round_new"),
    path("county/<int:round_id>/", views.round_board, name="round_board"),
    path("county/<int:round_id>/reminders.xlsx", views.reminders, name="reminders"),
    path("county/<int:round_id>/verification/", views.figures, name="figures"),
    path("county/<int:round_id>/publish/", views.publish, name="publish"),
    path("county/<int:round_id>/report.html", views.published_report, name="published_report"),
    path("county/<int:round_id>/summary.xlsx", views.published_workbook, name="published_workbook"),
    path("rounds/<int:round_id>/<str:code>/verify/", views.verify, name="verify"),
    path("rounds/<int:round_id>/<str:code>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("rounds/<int:round_id>/<str:code>/notice.docx", views.notice_docx, name="notice"),
]
