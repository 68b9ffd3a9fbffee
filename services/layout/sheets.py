"""Excel workbooks (XLSX with openpyxl, XLS with xlrd) read as rows of the text a user sees.

``open_workbook(stream, kind)`` gives a :class:`Workbook`: ``sheets()`` lists every sheet
as ``(name, status)`` (status None when it is a table to read, else why not: a chart
sheet), ``rows(name)`` yields ``(row number, [cell text])`` streamed. Cells are given as
the text a user sees: date-times ``YYYY-MM-DD HH:MM:SS``, a date-only cell
``YYYY-MM-DD``, numbers without float artefacts (``12.0`` → ``"12"``, ``0.1+0.2`` →
``"0.3"``, never an exponent), booleans ``TRUE``/``FALSE``, empty cells ``""``.
Formulas give their cached value (what Excel last showed).
"""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

try:  # an Odoo requirement; the pure tests install it (requirements-test.txt)
    import openpyxl
except ImportError:  # pragma: no cover - reported per file by the readers
    openpyxl = None
try:  # Odoo 18 pins xlrd (1.2.0 reads xls and xlsx; 2.x reads xls only)
    import xlrd
except ImportError:  # pragma: no cover - reported per file by the readers
    xlrd = None

#: quoted literals and [..] sections (colours, locales, elapsed time) of a number format
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class WorkbookError(Exception):
    """The workbook cannot be opened (damaged, password-protected, not a workbook)."""


def available(kind):
    """None when workbooks of ``kind`` can be read here, else why not (a status)."""
    if kind == "xlsx" and openpyxl is None:
        return "not read: the openpyxl library is not installed"
    if kind == "xls" and xlrd is None:
        return "not read: .xls needs the xlrd library, which is not installed; save the " \
               "workbook as .xlsx or CSV"
    return None


def number_text(value):
    """``12.0`` → ``"12"``, ``0.30000000000000004`` → ``"0.3"``, ``1e20`` → digits."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = format(Decimal(format(value, ".15g")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _has_time(number_format):
    """Whether an Excel number format shows a time (hours or seconds)."""
    cleaned = _FORMAT_NOISE.sub("", number_format or "").lower()
    return "h" in cleaned or "s" in cleaned


def datetime_text(value, number_format=None):
    """A date-time cell: ``YYYY-MM-DD`` when the cell shows a date only, else
    ``YYYY-MM-DD HH:MM:SS`` (rounded to the second: Excel stores fractions of days)."""
    if value.microsecond:
        value = value.replace(microsecond=0) + timedelta(
            seconds=1 if value.microsecond >= 500_000 else 0)
    known = number_format and number_format.lower() != "general"
    date_only = (not _has_time(number_format)) if known else value.time() == time(0)
    return value.date().isoformat() if date_only else value.strftime("%Y-%m-%d %H:%M:%S")


def cell_text(value, number_format=None):
    """The text a user sees for a cell value of openpyxl (or a converted xlrd one)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, datetime):
        return datetime_text(value, number_format)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.replace(microsecond=0).isoformat()
    return str(value)


class Workbook:
    """An opened workbook; ``close()`` releases it."""

    def sheets(self):
        raise NotImplementedError

    def rows(self, name):
        raise NotImplementedError

    def close(self):
        """Release the workbook."""


class _Xlsx(Workbook):
    def __init__(self, stream):
        try:
            self.book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception as exc:  # any damage is a reason given to the user
            raise WorkbookError(f"cannot be opened as an Excel workbook ({exc}); if it is "
                                "password-protected, save it again without a password") \
                from None

    def sheets(self):
        charts = {sheet.title for sheet in getattr(self.book, "chartsheets", ())}
        return [(name, "not a table: chart sheet" if name in charts else None)
                for name in self.book.sheetnames]

    def rows(self, name):
        sheet = self.book[name]
        sheet.reset_dimensions()  # a wrong <dimension> must not pad every row
        number = 0
        try:
            for number, row in enumerate(sheet.iter_rows(), start=1):
                yield number, [cell_text(c.value, getattr(c, "number_format", None))
                               for c in row]
        except Exception as exc:  # damaged sheet XML: the rows before it are kept
            raise WorkbookError(f"the sheet {name!r} is damaged after row {number} ({exc}); "
                                "the rest of it is skipped") from None

    def close(self):
        self.book.close()


class _Xls(Workbook):
    def __init__(self, data):
        try:
            self.book = xlrd.open_workbook(file_contents=data, on_demand=True)
        except Exception as exc:  # any damage is a reason given to the user
            raise WorkbookError(f"cannot be opened as an Excel 97-2003 workbook ({exc})") \
                from None

    def sheets(self):
        return [(name, None) for name in self.book.sheet_names()]

    def rows(self, name):
        sheet = self.book.sheet_by_name(name)
        for index in range(sheet.nrows):
            yield index + 1, [self._text(cell) for cell in sheet.row(index)]

    def _text(self, cell):
        kind = cell.ctype
        if kind == xlrd.XL_CELL_DATE:
            try:
                when = xlrd.xldate_as_datetime(cell.value, self.book.datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                return number_text(cell.value)
            return datetime_text(when, None if cell.value % 1 else "yyyy-mm-dd")
        if kind == xlrd.XL_CELL_NUMBER:
            return number_text(cell.value)
        if kind == xlrd.XL_CELL_BOOLEAN:
            return "TRUE" if cell.value else "FALSE"
        if kind == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#ERROR")
        if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        return str(cell.value)

    def close(self):
        self.book.release_resources()


def open_workbook(stream, kind):
    """A :class:`Workbook` over a seekable binary ``stream`` (``kind`` xlsx or xls);
    :class:`WorkbookError` when it cannot be opened."""
    if kind == "xls":
        return _Xls(stream.read())
    return _Xlsx(stream)
