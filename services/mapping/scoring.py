"""Scoring a source field no template knows against an Odoo field (name similarity, type
compatibility, value patterns; the rule is in the package's docstring), and the name and
type of the new x_ field proposed below the threshold."""

import difflib
import re
import unicodedata

from .targets import MAGIC_FIELDS

MATCH_THRESHOLD = 0.55
#: weights of the scoring rule (see the package's docstring)
WEIGHTS = {"name": 0.55, "type": 0.30, "values": 0.15}
NEW_FIELD_PREFIX = "x_studio_"
NEW_FIELD_NAME = re.compile(r"^x_[a-z0-9_]+$")
NEW_FIELD_MAX = 63
#: models on which unknown/custom source fields may become new x_ fields (DESIGN.md)
NEW_FIELD_MODELS = ("crm.lead", "res.partner")

#: target types never proposed for an unknown source field
UNSCORED_TTYPES = {"one2many", "many2many", "binary", "properties", "properties_definition",
                   "reference", "many2one_reference"}
UNSCORED_PREFIXES = ("message_", "activity_", "website_message", "avatar_", "image_",
                     "my_activity", "has_message")

SYNONYM_GROUPS = (
    {"zip", "postal_code", "postcode", "post_code", "zipcode", "zip_code", "postal"},
    {"mobile", "cell", "cellphone", "cell_phone", "mobile_phone", "mobile_number"},
    {"phone", "phone_number", "telephone", "tel", "work_phone", "phone1", "landline"},
    {"street", "street_1", "street1", "address1", "address_1", "address_line_1", "line1",
     "addr1"},
    {"street2", "street_2", "address2", "address_2", "address_line_2", "line2", "addr2"},
    {"city", "town", "locality"},
    {"state_id", "state", "state_code", "province", "region"},
    {"country_id", "country", "country_code", "nation"},
    {"function", "title", "job_title", "position", "job_position", "role_title"},
    {"comment", "notes", "note", "remarks", "memo", "description", "details"},
    {"email", "e_mail", "email_address", "mail", "email_from", "work_email"},
    {"name", "full_name", "display_name"},
    {"ref", "reference", "account_code", "account_number", "customer_code", "code"},
    {"website", "url", "web", "homepage", "web_site"},
    {"vat", "tax_id", "vat_number", "tax_number"},
    {"partner_latitude", "latitude", "lat"},
    {"partner_longitude", "longitude", "lng", "lon", "long"},
    {"date_deadline", "deadline", "due_date", "expected_closing"},
    {"user_id", "salesperson", "sales_rep", "owner", "assigned_to", "technician"},
    {"expected_revenue", "revenue", "amount", "deal_value"},
    {"priority", "urgency", "importance"},
    {"company_name", "company", "organization", "organisation", "business_name"},
)
_SYNONYM = {}
for _group in SYNONYM_GROUPS:
    for _word in _group:
        _SYNONYM.setdefault(_word, _group)

#: inferred type → Odoo type of a new field, and the transform that feeds it
NEW_FIELD_TYPES = {
    "char": ("char", "trim"), "text": ("text", "trim"), "html": ("html", "identity"),
    "email": ("char", "email"), "phone": ("char", "phone"), "url": ("char", "trim"),
    "integer": ("integer", "integer"), "float": ("float", "number"),
    "boolean": ("boolean", "boolean"), "date": ("date", "date"),
    "datetime": ("datetime", "datetime_utc"), "selection": ("selection", "selection_map"),
    "list": ("text", "json_dump"), "json": ("text", "json_dump"), "empty": ("char", "trim"),
}
#: compatibility of an inferred source type with an Odoo field type (0..1)
TYPE_COMPAT = {
    "char": {"char": 1.0, "text": 0.9, "html": 0.7, "selection": 0.6, "many2one": 0.4},
    "text": {"text": 1.0, "html": 0.9, "char": 0.6},
    "html": {"html": 1.0, "text": 0.7, "char": 0.3},
    "email": {"char": 1.0, "text": 0.5},
    "phone": {"char": 1.0, "text": 0.5},
    "url": {"char": 1.0, "text": 0.5},
    "integer": {"integer": 1.0, "float": 0.9, "monetary": 0.8, "char": 0.4, "many2one": 0.5,
                "selection": 0.4},
    "float": {"float": 1.0, "monetary": 1.0, "integer": 0.5, "char": 0.3},
    "boolean": {"boolean": 1.0, "selection": 0.3, "char": 0.2},
    "date": {"date": 1.0, "datetime": 0.8, "char": 0.3},
    "datetime": {"datetime": 1.0, "date": 0.7, "char": 0.3},
    "selection": {"selection": 1.0, "char": 0.8, "many2one": 0.6, "boolean": 0.3},
    "list": {"json": 0.8, "text": 0.6, "char": 0.4, "many2many": 0.5},
    "json": {"json": 1.0, "text": 0.6},
}
#: what an empty profile is compatible with
EMPTY_COMPAT = 0.5


def normalise_name(name):
    """``"Postal Code"``, ``postalCode``, ``x_studio_postal_code`` → ``postal_code``."""
    leaf = str(name).rsplit(".", 1)[-1]
    leaf = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", leaf)
    leaf = re.sub(r"[^0-9a-z]+", "_", _ascii(leaf).lower()).strip("_")
    for prefix in ("x_studio_", "x_", "cf_"):
        if leaf.startswith(prefix) and len(leaf) > len(prefix):
            leaf = leaf[len(prefix):]
    return leaf


def new_field_name(source_field):
    """The ``x_studio_<snake>`` name proposed for a source field (≤ 63 characters)."""
    base = str(source_field)
    if base.startswith("custom_fields."):
        base = base[len("custom_fields."):]
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", base.replace(".", "_"))
    snake = re.sub(r"[^0-9a-z]+", "_", _ascii(snake).lower()).strip("_")
    if snake.startswith("cf_"):
        snake = snake[3:]
    return (NEW_FIELD_PREFIX + (snake or "field"))[:NEW_FIELD_MAX].rstrip("_")


def _ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _key(name):
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _name_score(source_name, target):
    source = normalise_name(source_name)
    names = {normalise_name(target.name)}
    label = normalise_name(target.string) if target.string else ""
    if source in names:
        return 1.0, "same name"
    if label and source == label:
        return 0.95, f"same as the label {target.string!r}"
    group = _SYNONYM.get(source)
    if group and (names & group or (label and label in group)):
        return 0.95, f"synonyms ({source} ~ {target.name})"
    ratio = max(difflib.SequenceMatcher(None, source, n).ratio() for n in names | {label})
    source_tokens, target_tokens = set(source.split("_")), set(target.name.split("_"))
    if label:
        target_tokens |= set(label.split("_"))
    overlap = len(source_tokens & target_tokens) / len(source_tokens | target_tokens)
    score = round(max(0.8 * ratio, 0.85 * overlap), 3)
    return score, f"similar names ({score:.2f})"


def _type_score(inferred, target):
    if inferred in (None, "", "empty"):
        return EMPTY_COMPAT
    return TYPE_COMPAT.get(inferred, {}).get(target.ttype, 0.0)


def _value_score(inferred, target):
    name = normalise_name(target.name)
    if inferred == "email":
        return (1.0, "values are e-mails") if "email" in name else (0.3, "e-mails")
    if inferred == "phone":
        return (1.0, "values are phone numbers") if (
            "phone" in name or "mobile" in name) else (0.3, "phone numbers")
    if inferred in ("date", "datetime"):
        return (1.0, f"values are {inferred}s") if target.ttype in ("date", "datetime") \
            else (0.3, f"{inferred}s")
    if inferred == "url":
        return (1.0, "values are URLs") if "website" in name or "url" in name else (0.3, "")
    return 0.6, ""


def score_field(source_name, source_profile, target):
    """``(confidence, reason)`` of mapping a profiled source field onto ``target``."""
    inferred = (source_profile or {}).get("inferred_type")
    name, name_why = _name_score(source_name, target)
    kind = _type_score(inferred, target)
    values, values_why = _value_score(inferred, target)
    confidence = (WEIGHTS["name"] * name + WEIGHTS["type"] * kind
                  + WEIGHTS["values"] * values)
    reason = f"{name_why}; {inferred or 'unknown'} → {target.ttype} ({kind:.1f})"
    if values_why:
        reason += f"; {values_why}"
    if kind == 0.0:
        confidence = min(confidence, 0.3)
        reason += "; types incompatible"
    elif name < 0.6 and values < 1.0:
        confidence = min(confidence, MATCH_THRESHOLD - 0.05)
        reason += "; no name or value evidence"
    return round(confidence, 3), reason


def _scorable(target):
    return not (target.readonly or target.ttype in UNSCORED_TTYPES
                or target.name in MAGIC_FIELDS or target.name.startswith(UNSCORED_PREFIXES))
