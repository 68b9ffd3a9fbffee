"""Value transforms: turn one source value into the value written to an Odoo field.

Pure Python (never imports odoo). The migration map names a transform and its arguments
for every mapped field; the importer runs it on each source value.

Layout
------
One module per family of transforms, each registering its own with ``@_register``:
``text`` (trim, case, title, truncate, default, join, personal names; ``as_typed``),
``contact_points`` (e-mail, phone), ``dates`` (dates, date-times, time zones),
``numbers`` (integer, float, money), ``selections`` (boolean, value maps, priorities),
``places`` (countries and states against the database's data, street lines),
``rich_text`` (markdown, HTML, inline images), ``structures`` (JSON). ``base`` holds the
errors, result types and shared text helpers, ``registry`` the ``TRANSFORMS`` dict and
``bind``/``apply``/``run``/``chain``.
Importing this package imports every family, which fills the registry; the names below
are re-exported here, so callers import from ``services.transforms`` only.

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

# the registry and the types every transform uses
from .base import InlineImage, TransformArgError, TransformError, TransformResult
from .registry import (
    OUTPUT_TYPES,
    TRANSFORMS,
    BoundChain,
    BoundTransform,
    Transform,
    apply,
    bind,
    chain,
    describe,
    run,
)

# the families, in registration order: importing them fills TRANSFORMS
from . import text
from . import contact_points
from . import dates
from . import numbers
from . import selections
from . import places
from . import rich_text
from . import structures

# their public helpers, imported from here by the importers, the mapper and the tests
from .text import as_typed, full_name, split_name, title_case
from .contact_points import phonenumbers  # the switch the tests turn off (see contact_points)
from .selections import PRIORITY_TABLE
from .places import Places, active_places, address_lines, use_places
from .rich_text import (
    extract_inline_images,
    html_clean,
    markdown_to_html,
    replace_image_refs,
    text_to_html,
)
