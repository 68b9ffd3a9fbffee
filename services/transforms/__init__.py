"""Value transforms: turn one source value into the value written to an Odoo field.

Pure Python (never imports odoo). The migration map names a transform and its arguments
for every mapped field; the importer runs it on each source value.

Public API
----------
``TRANSFORMS``
    registry ``name → Transform`` (``name, func, description, arg_names, output_type``
    plus ``defaults, required, handles_empty, inputs, outputs``).
``apply(name, value, **args)``
    the transformed value (notes discarded).
``run(name, value, **args)``
    a :class:`TransformResult` ``(value, notes, images)``: ``notes`` says the value was
    *altered* beyond plain normalisation (an address dropped, a text truncated, a default
    used…), ``images`` holds the inline images ``html_clean`` extracted.
``bind(name, **args)``
    checks the arguments once and returns a :class:`BoundTransform` (call it, or its
    ``run``): use it on the hot path, it does not re-validate arguments per value.
``chain(steps)``
    several transforms one after the other, notes and images merged.
``describe()``
    one dict per transform for the UI.

Contract
--------
* A value that cannot be transformed raises :class:`TransformError`; its ``reason`` is a
  sentence for a consultant that quotes the value and says what to do. Wrong *arguments*
  (a map problem, every value would fail) raise :class:`TransformArgError`, a subclass.
  Nothing else escapes: an unexpected exception is turned into a ``TransformError`` with
  ``internal=True`` (a bug to report, the record is reported, not lost).
* ``None``, ``""``, whitespace-only text and empty lists/dicts give ``None`` (``(None,
  None)`` for two-value transforms) without calling the transform, unless the transform
  says ``handles_empty`` (``default``, ``split_name``, ``full_name``, ``address_lines``).
* So the caller can tell the three outcomes apart: value with no notes = normalised
  only; value with notes = altered (show the notes in the sample diff); exception =
  rejected.
* Deterministic (no clock, no locale, no randomness) and fast (compiled regexes, arguments
  prepared once by ``bind``).

Formats chosen
--------------
* phone: the *international* format Odoo itself uses (``phone_validation``):
  ``+1 555-123-4567``, other countries as ``phonenumbers`` formats them
  (``+44 20 7946 0958``); an extension is always written `` ext. 12``. A number is
  checked for its length (``is_possible_number``), not for being assigned: a well-formed
  number with an unassigned area code is kept. Without the
  ``phonenumbers`` package the fallback writes North-American numbers identically and
  other numbers compactly (``+442079460958``). ``format="e164"`` gives ``+15551234567``.
* datetime: naive UTC text ``YYYY-MM-DD HH:MM:SS`` (Odoo's server format), fractions of a
  second dropped. date: ``YYYY-MM-DD``.
"""

import base64
import binascii
import hashlib
import html
import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as _date
from datetime import datetime as _datetime
from datetime import timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote_to_bytes
from zoneinfo import ZoneInfo

try:  # installed in Odoo's virtualenv (crm needs it); a regex fallback covers its absence
    import phonenumbers
except ImportError:  # pragma: no cover - exercised by the no-phonenumbers test run
    phonenumbers = None

from .base import (
    TransformError,
    TransformArgError,
    InlineImage,
    TransformResult,
    _INVISIBLE_RE,
    _SURROGATE_RE,
    _WS_RE,
    _HSPACE_RE,
    _NEWLINES_RE,
    _MANY_BLANK_RE,
    _EDGE,
    _WORD_RE,
    _q,
    _is_empty,
    _clean_text,
    _as_text,
    _clean,
    _pair,
)
from .registry import (
    OUTPUT_TYPES,
    _Ctx,
    Transform,
    TRANSFORMS,
    _register,
    BoundTransform,
    BoundChain,
    _BIND_CACHE,
    _freeze,
    bind,
    apply,
    run,
    chain,
    describe,
)
from .text import (
    as_typed,
    _t_identity,
    _t_trim,
    _t_lower,
    _t_upper,
    _TITLE_START_RE,
    _TITLE_APOS_RE,
    _TITLE_MC_RE,
    _TITLE_ACRONYMS,
    title_case,
    _t_title,
    _prepare_truncate,
    _t_truncate,
    _t_default,
    _prepare_join,
    _t_join,
    _HONORIFICS,
    _NAME_SUFFIXES,
    _PARTICLES,
    _token_key,
    split_name,
    _t_split_name,
    full_name,
    _t_full_name,
)
from .contact_points import (
    phonenumbers,
    _phonenumbers,
    _EMAIL_RE,
    _ANGLE_RE,
    _EMAIL_SPLIT_RE,
    _EMAIL_LIST_RE,
    _MAILTO_RE,
    _EMAIL_JUNK,
    _valid_email,
    _t_email,
    _EXT_RE,
    _TEL_PARAM_RE,
    _PHONE_LABEL_RE,
    _PHONE_TRAIL_RE,
    _PHONE_CHARS_RE,
    _PHONE_MULTI_RE,
    _EXCEL_FLOAT_RE,
    _NON_DIGIT_RE,
    _NANP_REGIONS,
    _prepare_phone,
    _split_phone,
    _format_nanp,
    _NANP_SHAPE_RE,
    _nanp_digits,
    _phone_fallback,
    _phone_reason,
    _phone_lib,
    _phone_one,
    _t_phone,
)
from .dates import (
    _UTC,
    _EPOCH,
    _TZ_PART,
    _TIME_PART,
    _ISO_RE,
    _ISO_BASIC_RE,
    _US_RE,
    _MONTHS,
    _NAMED_RE,
    _EPOCH_RE,
    _ZERO_DATE_RE,
    _year2,
    _tzinfo,
    _build,
    _parse_moment,
    _zero_date,
    _from_epoch,
    _date_error,
    _moment,
    _prepare_tz,
    _zone,
    _fmt_datetime,
    _t_datetime_utc,
    _prepare_date,
    _t_date,
)
from .numbers import (
    _GROUP_CHARS,
    _NUMBER_RES,
    _SCI_SIGNED_RE,
    _SCI_RE,
    _MONEY_SPLIT_RE,
    _CURRENCY_SYMBOLS_RE,
    _CURRENCY_CODES,
    _prepare_number,
    _number_error,
    _to_decimal,
    _round,
    _finite_float,
    _INT_MIN,
    _INT_MAX,
    _t_integer,
    _t_float,
    _t_money,
)
from .selections import (
    _TRUE,
    _FALSE,
    _t_boolean,
    _KEY_SEP_RE,
    _sel_key,
    _prepare_selection,
    _t_selection_map,
    PRIORITY_TABLE,
    _prepare_priority,
    _t_priority,
)
from .places import (
    _COUNTRIES,
    _NAME_KEY_RE,
    _name_key,
    _index,
    _COUNTRY_INDEX,
    _lookup,
    _t_country_code,
    _US_STATES,
    _CA_PROVINCES,
    _STATE_INDEX,
    _STATE_CODE_RE,
    _prepare_state,
    _t_state_code,
    address_lines,
    _t_address_lines,
)
from .rich_text import (
    _MD_HEADING_RE,
    _MD_HR_RE,
    _MD_UL_RE,
    _MD_OL_RE,
    _MD_QUOTE_RE,
    _MD_FENCE_RE,
    _MD_CODE_RE,
    _MD_LINK_RE,
    _MD_AUTOLINK_RE,
    _MD_URL_RE,
    _MD_BOLD_RE,
    _MD_ITALIC_RE,
    _MD_STRIKE_RE,
    _MD_TOKEN_RE,
    _SAFE_URL_RE,
    _MD_MAX_DEPTH,
    _md_inline,
    _md_blocks,
    markdown_to_html,
    _t_markdown_to_html,
    text_to_html,
    _t_text_to_html,
    _IMAGE_MAGIC,
    _SNIFFABLE,
    _EXTENSIONS,
    _DATA_URI_RE,
    _B64_WS_RE,
    _DROP_WITH_CONTENT,
    _DROP_TAG_ONLY,
    _VOID,
    _URL_ATTRS,
    _UNSAFE_URL_RE,
    _sniff,
    _decode_data_uri,
    _HtmlRewriter,
    _rewrite,
    extract_inline_images,
    replace_image_refs,
    html_clean,
    _t_html_clean,
)
from .structures import (
    _json_ready,
    _prepare_json,
    _pick,
    _t_json_dump,
)
