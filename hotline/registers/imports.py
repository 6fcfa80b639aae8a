"""Importing a register from a spreadsheet: a dry run that says, row by row, what would be added, changed or
refused and why, then (once the coordinator confirms) all of it or nothing.

Rows are matched on the register's key (a firm's name, a licence number, a project code, a username), so importing
the same file twice changes nothing. A blank optional cell leaves an existing record's value as it is and gives a
new record the default. A change to a lawyer or a project that a published roster or the counsel in force depends
on is applied and listed: the roster periods it touches are marked for re-planning, the counsel for review.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.registers import columns as c
from hotline.registers.sheets import SheetError, Table
from hotline.registers.specs import LAWYERS, PROJECTS, Register
from hotline.registers.columns import CellError, Column, Lookups

# What a roster or the counsel in force depends on: changing these lists the record for re-planning or review.
ROSTER_FIELDS = {"active", "on_duty_roster", "areas", "languages", "city"}
COUNSEL_FIELDS = {"lawyers": {"active", "ftz_team", "areas", "languages", "firm"},
                  "projects": {"status", "needs", "languages", "city"}}


@dataclass
class RowOutcome:
    """What the import does with one row: add, change, same (nothing to do) or refuse, and why."""

    line: int
    key: str
    action: str = "same"
    changes: list[str] = field(default_factory=list)
    errors: list[tuple[str | None, str, dict]] = field(default_factory=list)  # (column key, code, params)
    values: dict = field(default_factory=dict, repr=False)
    target: object = field(default=None, repr=False)  # the record a form edits (its key may change)


@dataclass
class Plan:
    """The dry run of one file against one register."""

    register: Register
    language: str
    columns: list[Column]
    rows: list[RowOutcome] = field(default_factory=list)
    file_errors: list[tuple[str, dict]] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def refused(self) -> int:
        return self.count("refuse")

    @property
    def can_apply(self) -> bool:
        """Nothing refused, and something to do."""
        return not self.file_errors and not self.refused and any(r.action in ("add", "change") for r in self.rows)

    def digest(self) -> str:
        """A fingerprint of what applying would do: a confirmation applies only the plan the coordinator saw."""
        summary = [(r.line, r.key, r.action, sorted(r.changes)) for r in self.rows]
        return hashlib.sha256(json.dumps([self.register.kind, summary]).encode()).hexdigest()[:32]


@dataclass
class Applied:
    """What an applied import did, and what it listed for re-planning or review."""

    added: int = 0
    changed: int = 0
    replan_periods: list = field(default_factory=list)  # DutyPeriod
    counsel_review: list[tuple[str, str]] = field(default_factory=list)  # (register kind, key)


def _header_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def match_headers(register: Register, headers: list[str]) -> tuple[list[Column | None], str, list]:
    """The column of each header (None: unknown), the headers' language, and file-level errors."""
    by_name = {}
    for col in register.columns:
        for name in (col.en, col.zh, col.key):
            by_name[_header_key(name)] = col
    found, errors, seen = [], [], set()
    chinese = 0
    for header in headers:
        col = by_name.get(_header_key(header))
        if col is None:
            errors.append(("unknown_column", {"column": header}))
        elif col.key in seen:
            errors.append(("duplicate_column", {"column": header}))
            col = None
        else:
            seen.add(col.key)
            chinese += _header_key(header) == _header_key(col.zh)
        found.append(col)
    for col in register.required:
        if col.key not in seen:
            errors.append(("missing_column", {"column": col.zh, "column_en": col.en}))
    language = "zh" if chinese * 2 >= len(seen) and seen else "en"
    return found, language, errors


def plan(session: Session, register: Register, table: Table, target=None, city: int | None = None) -> Plan:
    """Read every row against the register; nothing is written. With a target (a form editing one record) the
    one row is that record, whatever its key, and the key may change to one no other record has. With a city (a
    city bureau's coordinator) every row must be, and stay, that city's."""
    columns, language, file_errors = match_headers(register, table.headers)
    result = Plan(register=register, language=language, columns=[col for col in columns if col is not None],
                  file_errors=list(file_errors))
    if file_errors:
        return result
    lookups = Lookups(session)
    records = {register.key_of(record).casefold(): record for record in register.load(session)}
    current = {key: register.values_of(record) for key, record in records.items()}
    first_line: dict[str, int] = {}
    accounts = {values.get("account"): key for key, values in current.items() if values.get("account")}
    own = register.key_of(target).casefold() if target is not None else None
    for line, cells in table.rows:
        row = RowOutcome(line=line, key="")
        values = {}
        for col, cell in zip(columns, cells):
            if col is None:
                continue
            try:
                text = c.clean(cell)
                if not text:
                    if col.required:
                        raise CellError("missing")
                    continue
                values[col.key] = col.parse(lookups, text)
            except CellError as error:
                row.errors.append((col.key, error.code, error.params))
        row.key = str(values.get(register.key, c.clean_quietly(cells[columns.index(register.column(register.key))])))
        key = row.key.casefold()
        if key and key in first_line:
            row.errors.append((register.key, "duplicate_key", {"line": first_line[key]}))
        elif key:
            first_line[key] = line
        existing = current.get(key)
        if own is not None:
            if key != own and key in current:
                row.errors.append((register.key, "key_taken", {}))
            existing, row.target = current[own], target
        merged = (existing or register.defaults) | values
        if not row.errors:
            _check_row(register, merged, accounts, own or key, row)
        if not row.errors and city is not None and not _in_city(register, existing, merged, city, lookups):
            row.errors.append(("city" if register.kind != "liaisons" else "projects", "outside_city", {}))
        if row.errors:
            row.action = "refuse"
        elif existing is None:
            row.action, row.values = "add", register.defaults | values
        else:
            row.changes = [k for k, v in values.items() if existing.get(k) != v]
            row.action = "change" if row.changes else "same"
            row.values = {k: values[k] for k in row.changes}
        result.rows.append(row)
    return result


def _check_row(register: Register, merged: dict, accounts: dict, key: str, row: RowOutcome) -> None:
    """Rules across a row's cells (and across rows: one sign-in account per lawyer)."""
    if register is LAWYERS:
        if merged.get("min_hours", 0) > merged.get("max_hours", 0):
            row.errors.append(("min_hours", "min_over_max", {}))
        account = merged.get("account")
        if account is not None:
            holder = accounts.get(account)
            if holder is not None and holder != key:
                row.errors.append(("account", "account_taken", {"holder": holder}))
            else:
                accounts[account] = key
    if register is PROJECTS and not merged.get("needs"):
        row.errors.append(("needs", "missing", {}))


def _in_city(register: Register, existing: dict | None, merged: dict, city: int, lookups: Lookups) -> bool:
    """A row a city bureau may write: its record is (and stays) the city's; a liaison speaks only for the city's
    projects, and for one at least."""
    if register.kind == "liaisons":
        before = existing.get("projects", frozenset()) if existing else frozenset()
        after = merged.get("projects", frozenset())
        return bool(after) and all(lookups.project_cities.get(p) == city for p in before | after)
    return merged.get("city") == city and (existing is None or existing.get("city") == city)


def apply(session: Session, import_plan: Plan, now: datetime) -> Applied:
    """Write every added and changed row (the caller commits, or rolls back on any error: all or nothing)."""
    if not import_plan.can_apply:
        raise ValueError("the plan has refusals or nothing to do")
    register = import_plan.register
    records = {register.key_of(record).casefold(): record for record in register.load(session)}
    done = Applied()
    touched = []
    for row in import_plan.rows:
        if row.action == "add":
            touched.append((register.write(session, None, row.values), set(row.values)))
            done.added += 1
        elif row.action == "change":
            record = row.target if row.target is not None else records[row.key.casefold()]
            touched.append((register.write(session, record, row.values), set(row.changes)))
            done.changed += 1
    session.flush()
    consequences(session, register, [(record, changed) for record, changed in touched], now, done)
    return done


def consequences(session: Session, register: Register, changed: list[tuple[object, set]], now: datetime,
                 done: Applied) -> None:
    """Mark the published periods a changed lawyer is on from today for re-planning; list counsel to review."""
    from hotline.models import CounselAssignment, DutyAssignment, DutyPeriod, Shift

    if register.kind == "lawyers":
        lawyer_ids = [record.id for record, fields in changed if fields & ROSTER_FIELDS]
        if lawyer_ids:
            periods = list(session.scalars(
                select(DutyPeriod).join(Shift, Shift.period_id == DutyPeriod.id)
                .join(DutyAssignment, DutyAssignment.shift_id == Shift.id)
                .where(DutyAssignment.lawyer_id.in_(lawyer_ids), DutyPeriod.status == "published",
                       Shift.starts_at >= now).distinct()))
            for period in periods:
                period.replan_needed_at = period.replan_needed_at or now
            done.replan_periods = periods
    fields = COUNSEL_FIELDS.get(register.kind)
    if fields:
        column = CounselAssignment.lawyer_id if register.kind == "lawyers" else CounselAssignment.project_id
        ids = {record.id: record for record, changed_fields in changed if changed_fields & fields}
        if ids:
            serving = set(session.scalars(select(column).where(column.in_(ids), CounselAssignment.ended_at.is_(None))))
            done.counsel_review = [(register.kind, register.key_of(ids[i])) for i in sorted(serving)]
    session.flush()


def read_plan(session: Session, register: Register, filename: str, data: bytes, city: int | None = None) -> Plan:
    """Read a file and plan it; a file that is no register comes back as a plan with one file error."""
    from hotline.registers import sheets

    try:
        table = sheets.read(filename, data)
    except SheetError as error:
        return Plan(register=register, language="zh", columns=[], file_errors=[(error.code, error.params)])
    return plan(session, register, table, city=city)
