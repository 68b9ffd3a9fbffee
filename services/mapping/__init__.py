"""The mapping proposer: from a data dictionary to an object, field and value map.

Pure Python (never imports odoo). :func:`propose` takes the discovery result of
``services.profiling.profile_source``, the Odoo target fields (built by the Odoo side from
``fields_get()``) and the installed optional apps, and returns a :class:`Proposal`:

* object lines (source object → Odoo model, role, dependency order, condition);
* field lines, each with a transform *name* (implemented in ``services.transforms``), a
  confidence and a reason; custom fields of the source become new ``x_studio_`` fields;
* value lines: statuses → crm.stage, priorities → '0'..'3', enumerations → selection
  options kept identical to the source's.

Layout
------
One module per role, each stating it in its first docstring line: ``model`` (the
dataclasses ``Proposal``, ``ObjectMapLine``, ``FieldMapLine``, ``ValueMapLine`` and their
``to_dict``/``from_dict``), ``targets`` (``TargetField``, ``targets_from_fields_get``,
``ODOO_DEFAULTS``, ``MAGIC_FIELDS``, ``REBUILD``, the update roles and required links),
``values`` (option spellings, priority and status words), ``scoring`` (the scoring rule
below, ``MATCH_THRESHOLD``, ``new_field_name``), ``policy`` (``ON_INVALID``,
``default_on_invalid``, ``on_invalid_of``), ``validation`` (``validate`` and its checks;
it calls ``services.rights``), ``proposer`` (``propose``, ``sorted_for_review`` and
``_Builder``). ``_Builder`` is made of one mixin per part of the work: ``template_lines``
(the source fields bound to the templates' lines), ``unknown_fields`` (custom fields and
scored fields, new x_ fields planned), ``value_lines`` (stages, priorities, selection
options), ``adapt`` (the fit to what discovery saw: skips, fallbacks, unlinking). The
built-in templates are the ``templates`` package. The names below are
re-exported here, so callers import from ``services.mapping`` only (``_Builder`` too:
``services.engine`` reads its ``_id_column``).

Known objects and fields come from the built-in templates (``services.mapping.templates``);
a field no template knows is scored against the target model's fields by
:func:`score_field`. **Scoring rule**::

    confidence = 0.55 × name + 0.30 × type + 0.15 × values

``name`` is 1.0 for the same normalised name (snake/camel/space/case-insensitive, ``x_``,
``x_studio_``, ``cf_`` prefixes dropped), 0.95 for synonyms (zip/postal_code, mobile/cell,
title/function …) or the target's label, else string similarity; ``type`` is the
compatibility of the inferred type with the Odoo type (0 = impossible, which caps the
confidence at 0.3); ``values`` is 1.0 when the values prove the field (e-mails → an e-mail
field, phones → phone/mobile, dates → date/datetime), 0.3 when they contradict it, 0.6
otherwise. Without name evidence (name < 0.5) and without value proof the confidence is
capped below the threshold: type alone never maps a field. At or above
:data:`MATCH_THRESHOLD` (0.55) the field is mapped; below it, a new ``x_studio_`` field of
the inferred type is proposed (on crm.lead / res.partner targets), else the field is
skipped. Everything is deterministic: no randomness, dictionaries walked in sorted order.
"""

# the map's lines and the proposal
from .model import (
    FieldMapLine,
    ObjectMapLine,
    Proposal,
    ValueMapLine,
)
# the Odoo side: target fields, required fields Odoo fills, fields never written
from .targets import (
    MAGIC_FIELDS,
    ODOO_DEFAULTS,
    REBUILD,
    REQUIRED_LINKS,
    TargetField,
    UPDATE_ROLES,
    targets_from_fields_get,
)
# option values, priority and status words
from .values import (
    LOST_WORDS,
    MASK,
    PRIORITY_LABELS,
    PRIORITY_WORDS,
    WON_WORDS,
    canonical_values,
    clean_value,
    observed_values,
    priority_level,
    status_kind,
    value_key,
)
# the scoring rule and the names of new x_ fields
from .scoring import (
    EMPTY_COMPAT,
    MATCH_THRESHOLD,
    NEW_FIELD_MAX,
    NEW_FIELD_MODELS,
    NEW_FIELD_NAME,
    NEW_FIELD_PREFIX,
    NEW_FIELD_TYPES,
    SYNONYM_GROUPS,
    TYPE_COMPAT,
    UNSCORED_PREFIXES,
    UNSCORED_TTYPES,
    WEIGHTS,
    new_field_name,
    normalise_name,
    score_field,
)
# what a line does with a value its transform cannot normalise
from .policy import (
    AMOUNT_MODELS,
    KEY_FIELDS,
    ON_INVALID,
    TEXT_TTYPES,
    default_on_invalid,
    on_invalid_of,
)
# the checks of a map
from .validation import (
    AGGREGATE_TRANSFORMS,
    TRANSFORM_RELATION,
    TRANSFORM_TYPES,
    validate,
)
# propose (its builder's parts: template_lines, unknown_fields, value_lines, adapt)
from .proposer import (
    _Builder,
    propose,
    sorted_for_review,
)
