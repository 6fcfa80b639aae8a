"""Spreadsheets in and out: CSV and XLSX files read into rows of text, and written back, safely.

Reading refuses what is not a spreadsheet (by its first bytes, never its name), a file larger than the limit, a
workbook that would unpack to far more than it weighs (a zip bomb), more rows than a register holds, and text a
spreadsheet program would run as a formula (``=cmd|...``, ``@SUM(...)``). CSV files saved by Excel in China are
GB18030 (GBK); UTF-8 with or without a byte-order mark is read too. Writing prefixes every cell that a spreadsheet
would take for a formula with an apostrophe, so an export opened in Excel never runs anything.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

MAX_BYTES = 16 * 1024 * 1024  # as the app's request limit
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SheetError(ValueError):
    """A file that cannot be read as a register; ``code`` names the reason, ``params`` fill its sentence."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Table:
    """A sheet's header row and its data rows (each a list of cell texts), with each row's line in the file."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet program would evaluate: it starts with = or @, or with + or - not followed by
    a number (a phone number "+86 138..." and "-5" are data)."""
    if not text or text[0] not in FORMULA_START:
        return False
    if text[0] in "+-":
        rest = text[1:].replace(" ", "").replace("-", "").replace(".", "", 1)
        return not rest.isdigit()
    return True


def read(filename: str, data: bytes) -> Table:
    """The first sheet of an XLSX workbook or a CSV file, as text; SheetError when it cannot be a register."""
    if len(data) > MAX_BYTES:
        raise SheetError("too_large", mb=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise SheetError("empty")
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".xls", ".xlsm", ".ods", ".numbers")) or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError("old_format")
    else:
        rows = _csv_rows(data)
    return _table(rows)


def _csv_rows(data: bytes):
    if b"\x00" in data[:65536]:
        raise SheetError("not_a_spreadsheet")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover (gb18030 decodes any byte string without NUL that utf-8 refuses... nearly)
        raise SheetError("not_a_spreadsheet")
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:65536]):
        raise SheetError("not_a_spreadsheet")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise SheetError("bad_csv", detail=str(error)) from None


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise SheetError("not_a_spreadsheet")
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise SheetError("too_large", mb=MAX_BYTES // (1024 * 1024))
    except zipfile.BadZipFile:
        raise SheetError("not_a_spreadsheet") from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds for a damaged workbook)
        raise SheetError("not_a_spreadsheet") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell_text(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                raise SheetError("too_many_rows", rows=MAX_ROWS)
        return rows
    finally:
        workbook.close()


def _cell_text(value) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO, formulas kept as written (they are refused)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _table(rows: list[list[str]]) -> Table:
    rows = [[cell.strip() for cell in row] for row in rows]
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(row)]
    if not numbered:
        raise SheetError("empty")
    if len(numbered) > MAX_ROWS + 1:
        raise SheetError("too_many_rows", rows=MAX_ROWS)
    (_, headers), data = numbered[0], numbered[1:]
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(headers) > MAX_COLUMNS:
        raise SheetError("too_many_columns", columns=MAX_COLUMNS)
    width = len(headers)
    return Table(headers=headers, rows=[(line, (row + [""] * width)[:width]) for line, row in data
                                        if any(row[:width])])


def safe_cell(value) -> str | int | float:
    """A value as an export writes it: numbers as numbers, text a spreadsheet would run prefixed with "'"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def write_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(headers: list[str], rows: list[list], title: str = "register", notes: list[str] | None = None) -> bytes:
    """One sheet of data, every text cell stored as text (never as a formula), and an optional sheet of notes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])

    def cells(values):
        out = []
        for value in values:
            if value is None or isinstance(value, str):
                cell = WriteOnlyCell(sheet, value="" if value is None else value)
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        return out

    sheet.append(cells([str(h) for h in headers]))
    for row in rows:
        sheet.append(cells(row))
    if notes:
        help_sheet = workbook.create_sheet("说明 Notes")
        for line in notes:
            cell = WriteOnlyCell(help_sheet, value=line)
            cell.data_type = "s"
            help_sheet.append([cell])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
