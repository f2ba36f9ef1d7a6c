"""What the service's tests share besides fixtures: a signed-in browser, and `assess` of the same facts."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from django.test import Client

from cli import cli
from service.models import Entry, User


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def assessed(entry: Entry, facts: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """`unionscore assess --format json` of the same facts, as a fact file."""
    path = tmp_path / f"{entry.union.code}.yaml"
    document = {"union": entry.union.header(), "period": entry.round.year, "facts": facts}
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    done = CliRunner().invoke(cli, ["assess", "--format", "json", str(path)])
    assert done.exit_code in (0, 1), done.output
    return json.loads(done.output)
