"""A county into the service: its unions (from the sources `batch` reads) as a round, with accounts.

`import_round` reads every union of the sources, creates the federation, townships and unions
it does not yet hold, opens the round (year, rulesets) if it is new, and keeps each union's facts
as an imported version (graded). Each union gets an account named by its id in lower case
(qs-016), each township one named t-01, t-02 … in order of appearance, and the federation an admin
account when it has none; new accounts get one-time passwords, to be changed at first sign-in.
`write_accounts` puts them in a workbook for the county to hand out. A union that cannot be read
is reported and the rest go on, as in a batch.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from xlsxwriter import Workbook

from engine.atomic import atomic_path
from engine.diagnostics import InvalidInput, UsageError
from engine.facts.fact_file import FactFile, merged_declarations
from engine.facts.sources import Reading, units_of
from engine.language.model import FactDecl, Ruleset
from engine.load.rulesets import resolve_rulesets

from .models import Entry, Federation, Role, Round, Township, Union, User, Version, record_problem
from .records import save

ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I to misread on paper
PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class Account:
    """A new account and its one-time password, for the list the county hands out."""

    username: str
    password: str
    role: str
    unit: str
    township: str = ""


@dataclass
class Imported:
    round: Round
    unions: int = 0
    accounts: list[Account] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    make_accounts: bool = True  # the demo names its own accounts


def one_time_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))


def import_round(sources: Iterable[str | Path], year: int, ruleset_ids: list[str], county: str | None = None,
                 deadline: dt.date | None = None, warn: Callable[[str], None] = lambda message: None,
                 accounts: bool = True) -> Imported:
    """Read the sources into the round of `year` (created if new) of the federation named `county`,
    or the county the first union names; with `accounts`, an account for each new union and township."""
    rulesets = resolve_rulesets(tuple(ruleset_ids))
    decls = merged_declarations(rulesets)
    read, failures = read_all(sources, Reading(decls, warn=warn))
    if not read:
        raise UsageError("来源中没有可以导入的工会" + ("：" + "；".join(failures[:3]) if failures else ""))
    name = county or read[0].union.get("county") or "本县"
    report = Imported(open_round(name, year, rulesets, deadline), failures=failures, make_accounts=accounts)
    for facts in read:
        add_union(report, facts, decls)
    return report


def read_all(sources: Iterable[str | Path], reading: Reading) -> tuple[list[FactFile], list[str]]:
    """Every readable union (a county is a few thousand), and a message for each one that is not."""
    read, failures = [], []
    for unit in units_of(list(sources), reading):
        try:
            if unit.problems:
                raise InvalidInput(list(unit.problems))
            read.append(unit.read())
        except InvalidInput as exc:
            failures += [d.render(with_source=False) for d in exc.diagnostics]
    return read, failures


def open_round(county: str, year: int, rulesets: list[Ruleset], deadline: dt.date | None) -> Round:
    federation, _ = Federation.objects.get_or_create(name=county)
    chosen = [{"id": r.id, "name": r.name, "version": r.version, "hash": r.hash} for r in rulesets]
    found, _ = Round.objects.get_or_create(federation=federation, year=year, defaults={
        "title": f"{county}{year}年度基层工会考核评价", "rulesets": chosen, "deadline": deadline})
    return found


def add_union(report: Imported, facts: FactFile, decls: dict[str, FactDecl]) -> None:
    """One union: its record (new or updated), its account when new, its imported version."""
    federation = report.round.federation
    header = facts.union
    problem = record_problem(header)
    if problem:
        report.failures.append(f"{facts.path}（{header['id']}）：{problem[1]}")
        return
    with transaction.atomic():
        township = township_of(report, federation, header.get("township"))
        union, _ = Union.objects.update_or_create(federation=federation, code=header["id"], defaults={
            "name": header.get("name") or header["id"], "type": header["type"], "township": township})
        entry, _ = Entry.objects.get_or_create(round=report.round, union=union)
        if report.make_accounts and not User.objects.filter(union=union, role=Role.UNION).exists():
            report.accounts.append(new_account(header["id"].lower(), Role.UNION, federation, union=union, township=township))
        if report.make_accounts and not User.objects.filter(federation=federation, role=Role.ADMIN).exists():
            report.accounts.append(new_account("admin", Role.ADMIN, federation))
    graded, version = save(entry, None, {"facts": human_document(facts, decls)}, Version.Kind.IMPORTED)
    if version is None:
        report.failures += [f"{facts.path}（{header['id']}）：{problem['message']}" for problem in graded.problems]
    else:
        report.unions += 1


def township_of(report: Imported, federation: Federation, name: str | None) -> Township | None:
    if not name:
        return None
    township, created = Township.objects.get_or_create(federation=federation, name=name)
    if report.make_accounts and not User.objects.filter(township=township, role=Role.TOWNSHIP).exists():
        number = User.objects.filter(federation=federation, role=Role.TOWNSHIP).count() + 1
        report.accounts.append(new_account(f"t-{number:02d}", Role.TOWNSHIP, federation, township=township))
    return township


@cache
def shared_hash(password: str) -> str:
    """One hash for the accounts that share a password (the demo's): Argon2 costs a tenth of a second each."""
    return make_password(password)


def new_account(username: str, role: str, federation: Federation, union: Union | None = None,
                township: Township | None = None, password: str | None = None) -> Account:
    """An account with a one-time password (or the given one, for the demo: hashed once for every account)."""
    secret = password or one_time_password()
    user = User(username=username, role=role, federation=federation, union=union, township=township,
                must_change_password=password is None, password=shared_hash(password) if password else make_password(secret))
    user.save()
    unit = str(union) if union else (township.name if township else federation.name)
    return Account(username, secret, Role(role).label, unit, township.name if township else "")


def human_document(facts: FactFile, decls: dict[str, FactDecl]) -> dict[str, Any]:
    """The facts as a person would write them (what the service stores and grades): a spreadsheet
    row's read values back in plain form, so that reading them again gives the same values."""
    return {name: human_value(decls.get(name), value, facts.as_typed) for name, value in facts.facts.items()}


def human_value(decl: FactDecl | None, value: Any, as_typed: bool) -> Any:
    if isinstance(value, list):
        return [human_value(decl, item, as_typed) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if not as_typed and decl is not None and decl.unit == "%" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"{format((Decimal(value) * 100).normalize(), 'f')}%"
    return str(value) if isinstance(value, Decimal) else value


def write_accounts(path: Path, accounts: list[Account], title: str) -> None:
    """The accounts and their one-time passwords, as a workbook to print and hand out."""
    with atomic_path(path) as temporary:
        book = Workbook(str(temporary), {"strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet("账号")
        bold = book.add_format({"bold": True})
        sheet.write_string(0, 0, f"{title}：账号与初始密码（首次登录后须修改密码）", bold)
        for column, header in enumerate(("账号", "初始密码", "角色", "单位", "乡镇（街道）")):
            sheet.write_string(1, column, header, bold)
        for row, account in enumerate(accounts, 2):
            for column, value in enumerate((account.username, account.password, account.role, account.unit, account.township)):
                sheet.write_string(row, column, value)
        sheet.set_column(0, 1, 16)
        sheet.set_column(2, 4, 28)
        book.close()
