"""The addresses of the pages people use (views.py)."""
from __future__ import annotations

from django.contrib.auth import views as auth
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth.LoginView.as_view(template_name="service/login.html"), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("", views.home, name="home"),
    path("rounds/<int:round_id>/<str:code>/", views.selfcheck, name="selfcheck"),
    path("rounds/<int:round_id>/<str:code>/result/", views.result, name="result"),
    path("rounds/<int:round_id>/<str:code>/workplan/<str:ruleset_id>.docx", views.workplan_docx, name="workplan"),
]
