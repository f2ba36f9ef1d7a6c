"""The production server: waitress (pure Python, so it also runs on the Windows PCs of county offices)."""
from __future__ import annotations

import waitress

THREADS = 8  # grading runs one at a time (durable-rules); the other threads serve pages and files meanwhile


def serve(host: str, port: int) -> None:
    from .wsgi import application  # after bootstrap.configure

    waitress.serve(application, host=host, port=port, threads=THREADS, ident="unionscore", clear_untrusted_proxy_headers=True)
