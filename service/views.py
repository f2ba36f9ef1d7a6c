"""The pages: sign in, the rounds and unions an account may see, the self-check form and its result."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "service/home.html", {})


def locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """Too many wrong passwords for one account from one address (django-axes): wait, then try again."""
    return render(request, "service/locked_out.html", status=429)
