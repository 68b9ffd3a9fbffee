"""Number transforms: whole numbers, decimals, money amounts (and the ``number`` alias)."""

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .base import TransformArgError, TransformError, _as_text, _clean_text, _q
from .registry import TRANSFORMS, Transform, _register

# --------------------------------------------------------------------------- numbers

_GROUP_CHARS = ",.'\u00a0\u202f "
_NUMBER_RES = {
    ".": re.compile(r"(?:\d{1,3}(?:(?P<g>[, '\u00a0\u202f])\d{3})(?:(?P=g)\d{3})*|\d+)"
                    r"(?:\.\d*)?|\.\d+"),
    ",": re.compile(r"(?:\d{1,3}(?:(?P<g>[. '\u00a0\u202f])\d{3})(?:(?P=g)\d{3})*|\d+)"
                    r"(?:,\d*)?|,\d+"),
}
_SCI_SIGNED_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d{1,4}")
_SCI_RE = re.compile(r"\d+(?:\.\d*)?[eE][+-]?\d{1,4}|\.\d+[eE][+-]?\d{1,4}")
_MONEY_SPLIT_RE = re.compile(r"([^\d.,]*?)\s*([.,]?\d[\d.,'\u00a0\u202f ]*)\s*(\D*)")
_CURRENCY_SYMBOLS_RE = re.compile("[$€£¥₹₩₱]")
_CURRENCY_CODES = frozenset((
    "", "us", "usd", "c", "ca", "can", "cad", "eur", "gbp", "mx", "mxn", "a", "au", "aud",
    "nz", "nzd", "chf", "fr", "sfr", "jpy", "inr", "rs", "kr", "sek", "nok", "dkk", "r",
    "brl", "hk", "hkd", "s", "sgd", "cny", "rmb", "zar", "pln", "zł",
))


def _prepare_number(decimal=".", digits=None):
    if decimal not in (".", ","):
        raise TransformArgError(f"decimal must be '.' or ',', not {decimal!r}.")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)
                               or not 0 <= digits <= 10):
        raise TransformArgError(f"digits must be a whole number from 0 to 10, not {digits!r}.")
    return {"decimal": decimal, "digits": digits}


def _number_error(raw, decimal, what):
    other = "," if decimal == "." else "."
    return TransformError(
        f"Cannot read {_q(raw)} as {what} (decimal separator '{decimal}'): correct the "
        f"source, or set decimal='{other}' if the column writes 1{other}5 for one and a "
        "half.")


def _to_decimal(value, decimal, raw, what, currency=False):
    """``value`` → finite ``Decimal``; text may hold grouping, sign, brackets, currency."""
    if isinstance(value, bool):
        raise TransformError(f"Expected {what}, got the yes/no value {value}.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TransformError(f"{_q(raw)} is not a finite number.")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TransformError(f"{_q(raw)} is not a finite number.")
        return value
    text = _clean_text(_as_text(value, what))
    if not currency and decimal == "." and _SCI_SIGNED_RE.fullmatch(text):
        return Decimal(text)
    negative = False
    if len(text) > 2 and text[0] == "(" and text[-1] == ")":
        negative, text = True, text[1:-1].strip()
    m = _MONEY_SPLIT_RE.fullmatch(text)
    if m is None:
        raise _number_error(raw, decimal, what)
    pre, number, post = m.group(1), m.group(2).rstrip(_GROUP_CHARS[2:]), m.group(3)
    if number != m.group(2).rstrip():
        raise _number_error(raw, decimal, what)
    for affix, trailing in ((pre, False), (post, True)):
        token = affix.replace(" ", "").replace("\u00a0", "").lower()
        signs = token.count("-") + token.count("+")
        if "-" in token:
            negative = not negative
        token = token.replace("-", "").replace("+", "")
        if signs > 1 or (signs and trailing and token):
            raise _number_error(raw, decimal, what)
        if token:
            if not currency:
                raise _number_error(raw, decimal, what)
            if _CURRENCY_SYMBOLS_RE.sub("", token).rstrip(".") not in _CURRENCY_CODES:
                raise _number_error(raw, decimal, what)
    if _NUMBER_RES[decimal].fullmatch(number):
        plain = number
        for char in _GROUP_CHARS:
            if char != decimal:
                plain = plain.replace(char, "")
        plain = plain.replace(decimal, ".")
    elif decimal == "." and _SCI_RE.fullmatch(number):
        plain = number
    else:
        raise _number_error(raw, decimal, what)
    try:
        result = Decimal(plain)
    except InvalidOperation as exc:
        raise _number_error(raw, decimal, what) from exc
    return -result if negative else result


def _round(number, digits, raw):
    try:
        return number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise TransformError(f"{_q(raw)} is too large a number.") from exc


def _finite_float(number, raw):
    result = float(number)
    if not math.isfinite(result):
        raise TransformError(f"{_q(raw)} is too large a number for Odoo.")
    return result + 0.0  # no negative zero


_INT_MIN, _INT_MAX = -(2 ** 31), 2 ** 31 - 1


@_register("integer", "integer",
           "A whole number: '1,234' → 1234, '12.0' → 12; decimals other than .0 and values "
           "outside Odoo's integer range (±2,147,483,647) are rejected.",
           args=("decimal",), defaults={"decimal": "."},
           prepare=lambda decimal=".": {"decimal": _prepare_number(decimal)["decimal"]})
def _t_integer(value, ctx, decimal="."):
    number = _to_decimal(value, decimal, value, "a whole number")
    if number != number.to_integral_value():
        raise TransformError(
            f"{_q(value)} is not a whole number: map it to a decimal (float) field, or "
            "correct the source.")
    if not _INT_MIN <= number <= _INT_MAX:
        raise TransformError(
            f"{_q(value)} is outside the range of an Odoo integer field "
            "(±2,147,483,647): map it to a float or text field.")
    return int(number)


@_register("float", "float",
           "A decimal number: '1,234.5', '-3', '1.5e3'; decimal=',' for '1.234,5'; "
           "digits=N rounds (half up).",
           args=("decimal", "digits"), defaults={"decimal": ".", "digits": None},
           prepare=_prepare_number)
def _t_float(value, ctx, decimal=".", digits=None):
    number = _to_decimal(value, decimal, value, "a number")
    if digits is not None:
        number = _round(number, digits, value)
    return _finite_float(number, value)


@_register("money", "float",
           "An amount: '$1,234.50', 'USD 12', '(12.00)' (negative), '-$5', '1.234,50 €' "
           "with decimal=','; rounded half up to digits (default 2).",
           args=("decimal", "digits"), defaults={"decimal": ".", "digits": 2},
           prepare=lambda decimal=".", digits=2: _prepare_number(
               decimal, 2 if digits is None else digits))
def _t_money(value, ctx, decimal=".", digits=2):
    number = _to_decimal(value, decimal, value, "an amount", currency=True)
    return _finite_float(_round(number, digits, value), value)


# --------------------------------------------------------------------------- aliases

#: ``number`` is the name services/mapping.py uses for a decimal number
TRANSFORMS["number"] = Transform(
    name="number", func=_t_float,
    description="Alias of 'float': " + TRANSFORMS["float"].description,
    arg_names=TRANSFORMS["float"].arg_names, output_type="float",
    defaults=dict(TRANSFORMS["float"].defaults), prepare=_prepare_number)
