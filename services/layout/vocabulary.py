"""The English words of exports: table and column synonyms per canonical object/column.

Names are compared as *token tuples* (:func:`tokens`): case, spaces, dashes,
underscores, camelCase and punctuation aside, plurals singular, ``#``/``No``/``Num``
read as ``number``, common abbreviations spelled out (``Cust`` → ``customer``, ``Tech``
→ ``technician``, ``Qty`` → ``quantity``), and for file names the noise of exports
(``list``, ``export``, ``report``, ``tbl``, digits, dates) dropped.
"""

import re
from functools import lru_cache

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"^\d+$|^\d{4}\d{2}\d{2}$|^v\d+$|^q[1-4]$")

#: spellings read as one word (applied to the lower-cased text before splitting)
_PHRASES = (
    (re.compile(r"#"), " number "),
    (re.compile(r"&|\+"), " and "),
    (re.compile(r"(?<![a-z])e[\s\-_.]?mail"), "email"),
    (re.compile(r"(?<![a-z])work[\s\-_]*orders?(?![a-z])"), "workorder"),
    (re.compile(r"(?<![a-z])service[\s\-_]*calls?(?![a-z])"), "workorder"),
    (re.compile(r"(?<![a-z])w\.?o(?![a-z])\.?"), "workorder"),
    (re.compile(r"(?<![a-z])zip[\s\-_/]*(postal)?[\s\-_]*(code)?(?![a-z])"), "zip"),
    (re.compile(r"(?<![a-z])post(al)?[\s\-_]*code(?![a-z])"), "zip"),
    (re.compile(r"(?<![a-z])line[\s\-_]*items?(?![a-z])"), "lineitem"),
    (re.compile(r"(?<![a-z])p\.?o\.?(?![a-z])(?=.*number)|(?<![a-z])purchase[\s\-_]*order"
                r"(?![a-z])"), "po"),
)

#: one spelling per word
WORD_ALIASES = {
    "no": "number", "num": "number", "nbr": "number", "nr": "number", "numb": "number",
    "identifier": "id", "key": "id", "uid": "id", "guid": "id",
    "cust": "customer", "client": "customer", "acct": "account",
    "tech": "technician", "techs": "technician", "emp": "employee",
    "wo": "workorder", "job": "workorder", "ticket": "workorder",
    "appt": "appointment", "inv": "invoice",
    "qty": "quantity", "desc": "description", "descr": "description",
    "addr": "address", "tel": "phone", "telephone": "phone", "ph": "phone",
    "cell": "mobile", "cellphone": "mobile", "mob": "mobile",
    "lat": "latitude", "lng": "longitude", "lon": "longitude",
    "dt": "date", "amt": "amount", "fname": "first", "lname": "last",
    "given": "first", "forename": "first", "surname": "last", "family": "last",
    "modified": "updated", "changed": "updated", "edited": "updated", "update": "updated",
    "created": "created", "entered": "created", "added": "created", "create": "created",
    "sched": "scheduled", "schedule": "scheduled", "st": "street", "str": "street",
    "province": "state", "region": "state", "town": "city", "cty": "city",
}

#: words of file names that say nothing about the object
NOISE_WORDS = frozenset({
    "list", "export", "exported", "report", "tbl", "table", "data", "all", "fst", "final",
    "copy", "backup", "file", "csv", "xlsx", "sheet", "dump", "extract", "master",
    "directory", "the", "of", "for", "on", "by", "per", "and", "from", "to", "in", "full",
    "new", "old", "latest", "current", "active", "info", "register", "roster", "index",
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
    "dec", "field", "service", "trakker", "tracker", "fieldservice",
})
#: file-name words kept although they are noise elsewhere (they name objects)
_KEEP_IN_PHRASES = {"detail", "record", "field", "service", "file"}


def singular(word):
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=4096)
def tokens(label):
    """``"Cust. No."`` → ``("customer", "number")``; ``"workOrderID"`` → ``("workorder",
    "id")``."""
    text = _CAMEL.sub(" ", str(label or "")).lower()
    text = re.sub(r"(?<=[a-z])(?=\d)", " ", text)
    for pattern, repl in _PHRASES:
        text = pattern.sub(repl, text)
    out = []
    for raw in _SPLIT.split(text):
        if not raw:
            continue
        for part in _glued(raw):
            alias = singular(WORD_ALIASES.get(part, part))
            out.append(WORD_ALIASES.get(alias, alias))
    return tuple(out)


def _glued(word):
    """``firstname`` → ``first``, ``name``; ``CUSTOMERID`` → ``customer``, ``id``: a word
    not known is split into known words when it can be (else kept whole)."""
    if len(word) < 5 or not KNOWN_WORDS or word in KNOWN_WORDS \
            or singular(word) in KNOWN_WORDS:
        return (word,)
    best = {0: ()}
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 14), end):
            if start in best and (word[start:end] in KNOWN_WORDS
                                  or singular(word[start:end]) in KNOWN_WORDS) \
                    and (end - start >= 2) and len(best[start]) < 3:
                candidate = best[start] + (word[start:end],)
                if end not in best or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best.get(len(word)) or (word,)


#: the words of the vocabulary (filled below), for splitting glued words
KNOWN_WORDS = set()


def name_tokens(name):
    """Tokens of a file or sheet name: extension, folders, digits, dates and noise
    words dropped (``"2024-05 Customer List (export).csv"`` → ``("customer",)``)."""
    stem = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = re.sub(r"\.(csv|tsv|txt|xlsx|xlsm|xls|json)$", "", stem, flags=re.I)
    words = tokens(stem)
    kept = [w for w in words if not _DIGITS.match(w) and w not in NOISE_WORDS]
    return tuple(kept)


# -- tables ------------------------------------------------------------------------------

#: object → names a file or sheet holding it goes by
TABLE_SYNONYMS = {
    "customers": ("customer", "client", "account", "customer list", "account list",
                  "company", "customer account", "bill to", "patron", "customer master"),
    "contacts": ("contact", "people", "person", "customer contact", "contact person",
                 "client contact", "site contact"),
    "sites": ("site", "location", "service address", "service location", "property",
              "job site", "premise", "premises", "address", "service site", "building",
              "customer site", "customer location"),
    "technicians": ("technician", "employee", "staff", "user", "worker", "field technician",
                    "crew", "personnel", "resource", "team member", "team", "mechanic",
                    "installer", "field staff"),
    "work_orders": ("workorder", "order", "service order", "service request", "call",
                    "job ticket", "dispatch ticket", "workorder header", "job list",
                    "request"),
    "work_order_lines": ("workorder line", "lineitem", "workorder lineitem", "charge",
                         "workorder material", "job material", "labor",
                         "labor and material", "labor material", "order line",
                         "workorder item", "workorder charge", "billable item",
                         "billable", "service item", "workorder detail", "workorder line",
                         "job item", "job charge", "line", "item"),
    "appointments": ("appointment", "scheduled", "dispatch", "booking", "calendar",
                     "dispatch board", "scheduled visit", "assignment", "time slot",
                     "timeslot", "slot"),
    "invoices": ("invoice", "bill", "billing", "invoice header", "receivable", "statement",
                 "invoice history", "invoice log"),
    "invoice_lines": ("invoice line", "invoice item", "invoice detail", "invoice lineitem",
                      "bill line", "bill item", "invoice charge", "billing line",
                      "billing item"),
    "parts_used": ("part used", "part", "material", "material used", "inventory used",
                   "part log", "used part", "part usage", "used material",
                   "part consumed", "workorder part", "part and material",
                   "material consumed", "inventory"),
    "notes": ("note", "comment", "history", "activity", "log", "journal", "remark",
              "workorder note", "activity log", "workorder history", "tech note",
              "technician note", "communication"),
    "attachments": ("attachment", "file", "photo", "photo manifest", "document",
                    "file manifest", "media", "attachment manifest", "picture", "image",
                    "upload", "workorder photo", "workorder attachment", "manifest"),
}
#: names that fit two objects: decided by content
AMBIGUOUS_TABLE_NAMES = {("visit",): ("work_orders", "appointments"),
                         ("service", "visit"): ("work_orders", "appointments")}
#: the custom field schema (not an object: its rows describe columns of other tables)
CUSTOM_FIELD_SCHEMA_NAMES = (("custom", "field"), ("custom", "field", "definition"),
                             ("user", "defined", "field"), ("udf",),
                             ("field", "definition"))


def _compile(synonyms):
    out = []
    for obj, names in synonyms.items():
        for name in names:
            words = tuple(w for w in tokens(name)
                          if w not in NOISE_WORDS or w in _KEEP_IN_PHRASES)
            out.append((words, obj))
    return out


_TABLE_PHRASES = _compile(TABLE_SYNONYMS)
for _obj in TABLE_SYNONYMS:
    _TABLE_PHRASES.append((tokens(_obj.replace("_", " ")), _obj))


def _find(phrase, words):
    """Start index of ``phrase`` as a contiguous run of ``words``, else -1."""
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if words[start:start + size] == phrase:
            return start
    return -1


def table_name_scores(name):
    """``{object: (score, phrase)}`` for a file/sheet name: 1.0 when a synonym is the
    whole name, less when it is part of it (more when it ends the name: English puts
    the head noun last, "Job Notes" are notes)."""
    words = name_tokens(name)
    if not words:
        return {}
    scores = {}
    for phrase, obj in _TABLE_PHRASES:
        if not phrase:
            continue
        start = _find(phrase, words)
        if start < 0:
            continue
        coverage = len(phrase) / len(words)
        at_end = start + len(phrase) == len(words)
        score = 1.0 if coverage == 1 else 0.55 + 0.3 * coverage + (0.1 if at_end else 0.0)
        score += 0.01 * len(phrase)  # the longer synonym wins a tie
        if score > scores.get(obj, (0, ()))[0]:
            scores[obj] = (min(score, 1.0), phrase)
    for phrase, objects in AMBIGUOUS_TABLE_NAMES.items():
        if _find(phrase, words) >= 0:
            coverage = len(phrase) / len(words)
            for obj in objects:
                score = 0.5 + 0.2 * coverage
                if score > scores.get(obj, (0, ()))[0]:
                    scores[obj] = (score, phrase)
    return scores


def is_custom_field_schema(name):
    words = name_tokens(name) or tokens(name)
    return any(_find(phrase, words) >= 0 for phrase in CUSTOM_FIELD_SCHEMA_NAMES)


# -- columns -----------------------------------------------------------------------------

#: canonical column → labels exports use (for any object that has the column)
COLUMN_SYNONYMS = {
    "customer_id": ("customer id", "customer number", "customer", "customer ref",
                    "customer code", "bill to", "account", "customer account"),
    "contact_id": ("contact id", "contact number", "contact", "contact ref", "person id"),
    "site_id": ("site id", "site number", "site", "location", "location id",
                "location number", "service address", "service location", "property",
                "property id", "site ref", "site code", "job site"),
    "technician_id": ("technician id", "technician", "assigned technician",
                      "assigned to", "technician number", "employee id", "employee",
                      "employee number", "assigned", "staff", "staff id", "user id",
                      "user", "worker", "assignee", "tech name", "technician name",
                      "field technician", "resource", "assigned technician name",
                      "technician email", "lead technician", "primary technician",
                      "dispatched to", "crew"),
    "author_technician_id": ("author", "written by", "created by", "entered by", "by",
                             "author id", "technician", "user", "employee", "posted by",
                             "note by", "added by", "logged by", "staff"),
    "work_order_id": ("workorder id", "workorder", "workorder number", "order",
                      "order number", "order id", "ref workorder", "service order",
                      "call number", "ticket number", "parent workorder"),
    "invoice_id": ("invoice id", "invoice", "invoice number", "invoice ref", "bill"),
    "line_id": ("line id", "line number", "line", "item id", "lineitem id", "lineitem",
                "line ref", "row id", "detail id", "charge id", "item number"),
    "appointment_id": ("appointment id", "appointment", "appointment number", "visit id",
                       "visit", "booking id", "schedule id", "dispatch id", "slot id",
                       "visit number", "booking number"),
    "part_id": ("part id", "part line id", "part usage id", "material id", "usage id",
                "part line", "part entry id", "entry id", "line id"),
    "note_id": ("note id", "note number", "comment id", "history id", "activity id",
                "entry id", "log id", "note"),
    "attachment_id": ("attachment id", "file id", "photo id", "document id",
                      "attachment number", "attachment", "media id"),
    "account_code": ("account code", "account number", "account", "customer code",
                     "customer number", "account ref", "code", "customer account number",
                     "acct code", "reference", "ref", "customer ref", "number"),
    "number": ("workorder number", "number", "ref", "reference", "workorder ref",
               "order number", "ticket number", "call number", "document number",
               "workorder code"),
    "invoice_number": ("invoice number", "number", "invoice ref", "reference",
                       "invoice code", "document number", "bill number", "ref"),
    "name": ("name", "customer name", "company", "company name", "business name",
             "account name", "full name", "display name", "site name", "location name",
             "property name", "part name", "part", "item", "material", "item name",
             "material name", "product", "product name", "part description",
             "title", "label"),
    "customer_type": ("customer type", "type", "account type", "category", "segment",
                      "class", "customer class", "customer category", "kind"),
    "status": ("status", "state", "stage", "workorder status", "customer status",
               "invoice status", "appointment status", "condition", "lifecycle",
               "account status", "progress"),
    "first_name": ("first name", "first", "given name", "contact first name",
                   "primary contact first name", "first nm"),
    "last_name": ("last name", "last", "family name", "contact last name",
                  "primary contact last name", "last nm"),
    "email": ("email", "email address", "primary email", "contact email", "mail",
              "customer email", "technician email", "work email", "email addr"),
    "phone": ("phone", "phone number", "primary phone", "office phone", "work phone",
              "main phone", "business phone", "home phone", "landline", "contact phone",
              "day phone", "voice"),
    "mobile": ("mobile", "mobile phone", "mobile number", "cell phone", "mobile phone number",
               "sms", "text", "cell number", "secondary phone", "alt phone", "other phone"),
    "tax_type": ("tax type", "tax", "tax code", "tax status", "taxable status",
                 "tax exempt", "tax class", "tax group"),
    "payment_type": ("payment type", "payment term", "term", "payment method",
                     "payment", "payment condition", "billing term", "pay term"),
    "credit_limit": ("credit limit", "credit", "credit line", "max credit"),
    "sales_rep_email": ("sales rep email", "sales rep", "salesperson", "sales person",
                        "account manager", "rep email", "sales representative",
                        "salesperson email", "account manager email", "rep"),
    "notes": ("notes", "note", "comment", "remark", "memo", "internal note",
              "customer note", "general note"),
    "bill_street": ("bill street", "billing street", "billing address", "street",
                    "address", "address line 1", "address 1", "street address",
                    "bill address", "billing address line 1", "bill to address",
                    "mailing address", "street 1", "billing street 1", "bill street 1"),
    "bill_street2": ("bill street 2", "billing street 2", "address line 2", "address 2",
                     "street 2", "billing address line 2", "suite", "unit", "apt",
                     "bill address 2", "mailing address 2"),
    "bill_city": ("bill city", "billing city", "city", "mailing city", "bill to city"),
    "bill_state": ("bill state", "billing state", "state", "mailing state",
                   "state province", "state code"),
    "bill_zip": ("bill zip", "billing zip", "zip", "mailing zip", "bill to zip"),
    "bill_country": ("bill country", "billing country", "country", "mailing country",
                     "country code"),
    "street": ("street", "address", "street address", "address line 1", "address 1",
               "site address", "service address", "location address", "street 1",
               "site street", "line 1"),
    "street2": ("street 2", "address line 2", "address 2", "suite", "unit", "apt",
                "site address 2", "line 2", "street2"),
    "city": ("city", "site city", "location city", "municipality"),
    "state": ("state", "site state", "state province", "state code", "location state"),
    "zip": ("zip", "site zip", "location zip", "zip code"),
    "country": ("country", "site country", "country code", "nation"),
    "latitude": ("latitude", "gps latitude", "geo latitude", "y", "gps lat"),
    "longitude": ("longitude", "long", "gps longitude", "geo longitude", "x", "gps long"),
    "access_notes": ("access notes", "access", "access instructions", "gate code",
                     "directions", "site note", "access info", "entry instructions",
                     "instructions", "access note", "site instructions note"),
    "title": ("title", "job title", "position", "contact title"),
    "role": ("role", "contact role", "contact type", "type", "relationship",
             "function", "purpose"),
    "skills": ("skills", "skill", "skill set", "specialty", "specialties", "trade",
               "trades", "certifications", "qualification", "expertise", "capability"),
    "active": ("active", "is active", "enabled", "status active", "active flag",
               "current", "employed"),
    "service_type": ("service type", "type", "job type", "workorder type", "category",
                     "call type", "work type", "service", "service category",
                     "order type", "service kind"),
    "priority": ("priority", "urgency", "importance", "priority level"),
    "po_number": ("po number", "po", "purchase order", "customer po", "po ref",
                  "purchase order number", "customer po number"),
    "description": ("description", "job description", "work description", "problem",
                    "problem description", "summary", "details", "work requested",
                    "request", "complaint", "reason", "item description", "item",
                    "line description", "memo", "scope", "task", "issue"),
    "office_notes": ("office notes", "office note", "internal notes", "dispatcher notes",
                     "dispatch notes", "office comment", "internal comment",
                     "notes", "note"),
    "billing_notes": ("billing notes", "billing note", "invoice notes", "billing memo",
                      "invoice memo", "accounting memo",
                      "accounting notes", "billing comment", "billing instructions"),
    "created_at": ("created at", "created", "date created", "created on", "created date",
                   "creation date", "date entered", "entered on", "opened", "date opened",
                   "opened on", "date", "timestamp", "date added", "posted", "date posted",
                   "logged", "entry date", "note date", "written", "when", "time"),
    "scheduled_at": ("scheduled at", "scheduled", "scheduled date", "scheduled for",
                     "date scheduled", "schedule date", "scheduled time",
                     "appointment date", "service date", "due", "planned", "planned date",
                     "scheduled start", "visit date", "requested date", "target date"),
    "completed_at": ("completed at", "completed", "date completed", "completed on",
                     "completion date", "closed", "date closed", "closed on",
                     "finished", "done", "finish date", "date finished", "resolved"),
    "updated_at": ("updated at", "updated", "last updated", "date updated", "updated on",
                   "last update", "last modified", "last updated", "date updated",
                   "last changed", "date last updated", "last edit", "modification date",
                   "mod date", "last activity", "updated date", "last change"),
    "kind": ("kind", "type", "line type", "item type", "category", "charge type",
             "class", "line kind", "entry type"),
    "quantity": ("quantity", "quantity used", "hour", "unit", "count", "amount used",
                 "qty used", "quantity"),
    "unit_price": ("unit price", "price", "rate", "unit rate", "price each", "each",
                   "unit cost", "sell price", "list price", "amount each",
                   "price per unit", "unit amount"),
    "taxable": ("taxable", "tax", "is taxable", "taxed", "tax flag", "apply tax",
                "tax applicable", "subject to tax"),
    "start": ("start", "start time", "start date", "starts", "begin", "from",
              "scheduled start", "appointment start", "start at", "starts at",
              "window start", "start datetime", "time in", "date"),
    "end": ("end", "end time", "end date", "ends", "finish", "to", "until",
            "scheduled end", "appointment end", "end at", "ends at", "window end",
            "end datetime", "time out", "stop", "finish time"),
    "travel_start": ("travel start", "travel", "departed", "departure", "en route",
                     "left for job", "left for site", "departed for job", "left at",
                     "enroute", "left", "travel time", "drive start", "dispatched at",
                     "travel began", "started travel", "on the way"),
    "arrived_at": ("arrived at", "arrived", "arrival", "arrival time", "on site",
                   "onsite", "checked in", "check in", "time arrived", "arrived on"),
    "invoice_date": ("invoice date", "date", "invoiced", "invoiced on", "bill date",
                     "billed on", "billed", "date billed", "billed date",
                     "issue date", "date issued", "issued", "document date"),
    "due_date": ("due date", "due", "payment due", "due on", "date due", "pay by"),
    "subtotal": ("subtotal", "sub total", "net", "net amount", "amount before tax",
                 "pre tax", "net total"),
    "tax": ("tax", "tax amount", "sales tax", "vat", "gst", "tax total", "taxes"),
    "total": ("total", "total amount", "grand total", "amount due", "invoice total",
              "gross", "balance", "amount"),
    "cost": ("cost", "unit cost", "part cost", "price", "cost each", "our cost",
             "purchase price", "amount", "material cost"),
    "body_html": ("body html", "body", "note", "text", "content", "comment", "message",
                  "note text", "details", "description", "entry", "remark", "note body",
                  "html", "comment text"),
    "file_name": ("file name", "filename", "name", "original name", "original file name",
                  "document name", "photo name", "title"),
    "path": ("path", "file path", "relative path", "location", "file", "file location",
             "url", "link", "stored as", "storage path"),
    "mime_type": ("mime type", "mime", "content type", "file type", "type", "format",
                  "media type"),
    "size": ("size", "file size", "byte", "size in byte", "length", "size byte"),
    "sha1": ("sha1", "checksum", "hash", "sha", "digest", "sha 1", "sha1 hash"),
}

#: canonical column → the value kinds (stats.kind) it accepts, best first
COLUMN_KINDS = {
    "email": ("email",), "sales_rep_email": ("email",),
    "phone": ("phone", "integer", "char"), "mobile": ("phone", "integer", "char"),
    "latitude": ("float",), "longitude": ("float",),
    "credit_limit": ("float", "integer", "money"), "quantity": ("float", "integer"),
    "unit_price": ("money", "float", "integer"), "cost": ("money", "float", "integer"),
    "subtotal": ("money", "float", "integer"), "tax": ("money", "float", "integer"),
    "total": ("money", "float", "integer"), "size": ("integer",),
    "taxable": ("boolean",), "active": ("boolean",),
    "created_at": ("datetime", "date"), "updated_at": ("datetime", "date"),
    "scheduled_at": ("datetime", "date"), "completed_at": ("datetime", "date"),
    "start": ("datetime",), "end": ("datetime",), "travel_start": ("datetime",),
    "arrived_at": ("datetime",), "invoice_date": ("date", "datetime"),
    "due_date": ("date", "datetime"), "body_html": ("html", "text", "char"),
    "description": ("char", "text", "html"), "notes": ("char", "text"),
    "office_notes": ("char", "text"), "billing_notes": ("char", "text"),
    "access_notes": ("char", "text"), "sha1": ("char",), "path": ("path", "char"),
    "file_name": ("path", "char"), "mime_type": ("char", "selection"),
    "first_name": ("char", "selection"), "last_name": ("char", "selection"),
    "bill_zip": ("char", "integer", "selection"), "zip": ("char", "integer", "selection"),
}
#: kinds a free-text canonical column takes when not listed above
TEXT_KINDS = ("char", "selection", "text", "integer")


def column_phrases(column):
    """The token tuples naming canonical ``column`` (its own name first)."""
    own = tokens(column.replace("_", " "))
    out = [own]
    out.extend(tokens(label) for label in COLUMN_SYNONYMS.get(column, ()))
    return out


def _known_words():
    words = set(WORD_ALIASES) | set(WORD_ALIASES.values())
    labels = [n for names in TABLE_SYNONYMS.values() for n in names]
    labels += [n for names in COLUMN_SYNONYMS.values() for n in names] + list(COLUMN_SYNONYMS)
    for label in labels:
        words.update(re.split(r"[^0-9a-z]+", label.lower().replace("_", " ")))
    words.update({"work", "order", "line", "item", "tech", "cust"})
    return {w for w in words if len(w) >= 2}


KNOWN_WORDS.update(_known_words())
_COLUMN_PHRASES = {c: column_phrases(c) for c in COLUMN_SYNONYMS}
_TABLE_PHRASES[:] = _compile(TABLE_SYNONYMS) + [
    (tokens(obj.replace("_", " ")), obj) for obj in TABLE_SYNONYMS]

#: the words an object's own columns may start with in its table ("Customer Name" in
#: the customers table is the name)
OBJECT_WORDS = {
    "customers": ("customer", "account", "company"), "contacts": ("contact", "person"),
    "sites": ("site", "location", "property"),
    "technicians": ("technician", "employee", "staff", "user", "worker"),
    "work_orders": ("workorder", "order", "call"), "work_order_lines": ("line", "lineitem"),
    "appointments": ("appointment", "visit", "booking", "scheduled", "dispatch"),
    "invoices": ("invoice", "bill"), "invoice_lines": ("line", "lineitem", "invoice"),
    "parts_used": ("part", "material"), "notes": ("note", "comment"),
    "attachments": ("attachment", "file", "photo", "document"),
}


#: labels that name a column only when the object has no better one (a technician's
#: "Cell" is his phone; a site's "Location" is its name)
COLUMN_FALLBACKS = {
    "phone": ("cell", "mobile", "cell phone", "mobile phone", "cell number"),
    "name": ("site", "location", "property", "premise", "customer", "account", "part"),
    "email": ("email address", "work email", "contact email"),
}
_FALLBACK_PHRASES = {c: [tokens(label) for label in labels]
                     for c, labels in COLUMN_FALLBACKS.items()}


def column_score(header, column, obj=None):
    """How well ``header`` names canonical ``column`` (0–1): 1 for a synonym exactly,
    0.9 when the table's own object word prefixes it, less on a partial overlap."""
    words = tokens(header)
    if not words:
        return 0.0
    phrases = _COLUMN_PHRASES.get(column) or [tokens(column.replace("_", " "))]
    variants = [words]
    if obj and len(words) > 1 and words[0] in OBJECT_WORDS.get(obj, ()):
        variants.append(words[1:])
    best = 0.0
    for index, variant in enumerate(variants):
        penalty = 0.03 * index
        if variant in _FALLBACK_PHRASES.get(column, ()):
            best = max(best, 0.7 - penalty)
        for phrase in phrases:
            if variant == phrase:
                best = max(best, 1.0 - penalty)
            elif len(phrase) > 1 and sorted(variant) == sorted(phrase):
                best = max(best, 0.95 - penalty)
            elif phrase and set(phrase) <= set(variant) and len(variant) <= len(phrase) + 1:
                best = max(best, 0.75 - penalty)
            elif phrase and set(variant) & set(phrase):
                overlap = len(set(variant) & set(phrase)) / len(set(variant) | set(phrase))
                if overlap >= 0.5:  # under the field threshold: weighs only a table
                    best = max(best, 0.3 + 0.3 * overlap - penalty)
    return best


#: words of a header saying the column is a record key or a key of another object
KEY_HINTS = frozenset({"id", "number", "code", "ref", "reference"})
