"""The production server: waitress (pure Python, so it also runs on the Windows PCs of county offices)."""
from __future__ import annotations

import waitress

THREADS = 8  # requests at once; grading itself runs in service/grader.py's worker processes


def serve(host: str, port: int, proxy: str | None = None) -> None:
    """Serve until stopped. Behind a web server at address `proxy`, its X-Forwarded-For and -Proto are believed
    (the visitor's address counts wrong passwords; https makes Django's CSRF check accept the page's origin);
    from anyone else such headers are dropped."""
    from .wsgi import application  # after bootstrap.configure

    trusted = {"trusted_proxy": proxy, "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}} if proxy else {}
    waitress.serve(application, host=host, port=port, threads=THREADS, ident="unionscore", clear_untrusted_proxy_headers=True,
                   **trusted)
