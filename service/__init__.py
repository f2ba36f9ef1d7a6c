"""`unionscore serve`: the web service where a union self-checks and a county runs its assessment round.

A Django project in one app (`service`): the data model (`models.py`), who may see what
(`access.py`), grading a fact record with the engine (`grading.py`), the self-check pages
(`views.py`, `selfcheck_form.py`), the JSON API (`api.py`), importing a county (`importing.py`),
the demo database (`demo.py`), backups (`backup.py`) and starting the server (`server.py`).
Everything is configured from `unionscore` options through environment variables read by
`settings.py`; `bootstrap.configure` sets them and starts Django.
"""
