"""Turns the mapper's ``Ref``s into Odoo values, with lookups prefetched in lists.

Small reference tables (countries, states, stages, tags, activity types, models, users
by e-mail) are read once per processor; bindings and staged source values are read once
per batch for all the refs of a role. A ref that cannot be resolved raises
``Unresolved``: the record is *blocked* by it (or *failed* when the path is not
supported), never written with a missing or wrong link. A link value the source layout
could not resolve (``LINK_PROBLEM`` + a sentence: a name matching two records, or none)
blocks the record with that sentence, and is never looked up.
"""

from collections import defaultdict

from psycopg2 import errors as pg_errors

from ..services.errors import SourceError
from ..services.http_client import MAX_ATTACHMENT_BYTES
from ..services.layout.source import LINK_PROBLEM

#: the largest attachment read into Odoo (bytes); larger files fail with the reason
MAX_FILE_SIZE = MAX_ATTACHMENT_BYTES


class Unresolved(Exception):
    """A reference without an Odoo record. ``status`` is how the record is counted."""

    def __init__(self, message, status="blocked"):
        super().__init__(message)
        self.status = status


def link_problem(key):
    """The sentence of a link value the layout could not resolve, else ``None`` (also
    behind the ``company:`` prefix of links by company name)."""
    if key is None:
        return None
    text = str(key)
    if text.startswith("company:"):
        text = text[len("company:"):]
    marker = LINK_PROBLEM.strip()
    if not text.startswith(marker):
        return None
    return text[len(marker):].strip() or "the link could not be resolved"


class RefResolver:
    def __init__(self, env, project, user_plan, source_factory=None):
        self.env = env
        self.project = project
        #: source user id → Odoo user id, from the confirmed map's user plan
        self.user_plan = user_plan
        self._source_factory = source_factory
        self._source = None
        self._tables = {}
        #: (source_object, source_id) → {(role, model): res_id}
        self._bindings = {}
        #: (source_object, source_id) → staged source record
        self._staged = {}
        #: looked up and not staged (a missing parent): not asked again by this processor
        self._not_staged = set()
        self._records = {}  # (model, name) → id, for 'record', product and skill refs
        self._fresh = set()  # keys of _records this batch created
        #: configuration records created on the way (products, skills): journaled by the
        #: engine so that rollback removes them
        self.created = []
        self._skill_type = None  # the type of the skills resolved next (same record)
        self._fields = {}  # (model, res_id, field) → value, for refs through a bound record

    # --- small tables, read once -------------------------------------------------------
    def _table(self, name):
        if name not in self._tables:
            self._tables[name] = getattr(self, f"_load_{name}")()
        return self._tables[name]

    def _load_country(self):
        return {c.code.upper(): c.id for c in self.env["res.country"].search([])}

    def _load_state(self):
        return {(s.country_id.code.upper(), s.code.upper()): s.id
                for s in self.env["res.country.state"].search([])}

    def _by_name(self, model, order="id"):
        table = {}
        for record in self.env[model].sudo().with_context(active_test=False).search(
                [], order=order):
            table.setdefault((record.display_name or "").strip().casefold(), record.id)
        return table

    def _load_stage(self):
        return self._by_name("crm.stage", "sequence, id")

    def _load_tag(self):
        return self._by_name("crm.tag")

    def _load_activity_type(self):
        return self._by_name("mail.activity.type", "sequence, id")

    def _load_model(self):
        return {m.model: m.id for m in self.env["ir.model"].sudo().search([])}

    def _load_user_email(self):
        table = {}
        for user in self.env["res.users"].sudo().search([("share", "=", False)], order="id"):
            for key in (user.email, user.login):
                if key and "@" in key:
                    table.setdefault(key.strip().lower(), user.id)
        return table

    # --- per batch -------------------------------------------------------------------------
    def prefetch(self, refs):
        """One query per source object for the bindings and staged records the refs need."""
        bindings, staged = defaultdict(set), defaultdict(set)
        for ref in refs:
            if link_problem(ref.key) is not None:
                continue  # blocked by its sentence: nothing to look up
            if ref.kind == "binding":
                if ref.via:
                    staged[ref.source_object].add(str(ref.key))
                else:
                    bindings[ref.source_object].add(str(ref.key))
            elif ref.kind == "source_field":
                staged[ref.source_object].add(str(ref.key))
        for source_object, keys in staged.items():
            self._prefetch_staged(source_object, keys)
        for ref in refs:  # refs through another source record: their parents' bindings
            if ref.kind == "binding" and ref.via:
                parent = (self._staged.get((ref.source_object, str(ref.key))) or {}).get(ref.via)
                if parent not in (None, "") and link_problem(parent) is None:
                    bindings[ref.to].add(str(parent))
        for source_object, keys in bindings.items():
            self._prefetch_bindings(source_object, keys)

    def _prefetch_bindings(self, source_object, keys):
        # only found bindings are kept: another worker may bind a missing one meanwhile
        missing = [k for k in keys if not self._bindings.get((source_object, k))
                   and link_problem(k) is None]
        if not missing:
            return
        self.env.cr.execute("""
            SELECT source_id, role, model, res_id FROM fsm_migration_binding
             WHERE project_id = %s AND source_object = %s AND source_id = ANY(%s)
             ORDER BY id
        """, (self.project.id, source_object, missing))
        for source_id, role, model, res_id in self.env.cr.fetchall():
            self._bindings.setdefault((source_object, source_id), {})[(role, model)] = res_id

    def start_batch(self):
        """Forget what the last batch read (bindings, staged records, linked values): the
        memory a worker holds stays bounded by the batch size, not by the data size."""
        self._bindings.clear()
        self._staged.clear()
        self._not_staged.clear()
        self._fields.clear()
        # what the last batch created may have been rolled back with it: looked up again
        for key in self._fresh:
            self._records.pop(key, None)
        self._fresh.clear()

    def looked_up(self, source_object, source_id):
        """Whether ``source_id`` was already looked up (found or not)."""
        key = (source_object, source_id)
        return key in self._staged or key in self._not_staged

    def staged(self, source_object, source_id):
        """A staged source record read by :meth:`prefetch_staged`, else ``None``."""
        return self._staged.get((source_object, str(source_id)))

    def prefetch_staged(self, source_object, keys):
        self._prefetch_staged(source_object, keys)

    def _prefetch_staged(self, source_object, keys):
        missing = [k for k in keys if (source_object, k) not in self._staged
                   and (source_object, k) not in self._not_staged and link_problem(k) is None]
        if not missing:
            return
        self._not_staged.update((source_object, k) for k in missing)
        # the staged pages of this project's runs hold the source records themselves
        self.env.cr.execute("""
            SELECT DISTINCT ON (elem->>'id') elem->>'id', elem
              FROM fsm_migration_batch b
              JOIN fsm_migration_run r ON r.id = b.run_id,
                   jsonb_array_elements(b.payload) elem
             WHERE r.project_id = %s AND b.source_object = %s AND elem->>'id' = ANY(%s)
             ORDER BY elem->>'id', b.id DESC
        """, (self.project.id, source_object, missing))
        for source_id, record in self.env.cr.fetchall():
            self._staged[(source_object, source_id)] = record
            self._not_staged.discard((source_object, source_id))

    def remember_binding(self, source_object, source_id, role, model, res_id):
        self._bindings.setdefault((source_object, str(source_id)), {})[(role, model)] = res_id

    def bound(self, source_object, source_id, role=None, model=None):
        """The res_id a source record is bound to (for ``role`` / ``model`` when given)."""
        if not self._bindings.get((source_object, str(source_id))):
            self._prefetch_bindings(source_object, [str(source_id)])
        bound = self._bindings.get((source_object, str(source_id))) or {}
        for (b_role, b_model), res_id in bound.items():
            if (role is None or b_role == role) and (model is None or b_model == model):
                return res_id
        return None

    # --- resolution ------------------------------------------------------------------------
    def resolve(self, ref, field):
        """The value to write in ``field`` (a TargetField) for ``ref``; raises Unresolved."""
        problem = link_problem(ref.key) if ref.kind in (
            "binding", "source_field", "user") else None
        if problem is not None:
            raise Unresolved(problem)
        method = getattr(self, f"_resolve_{ref.kind}", None)
        if method is None:
            raise Unresolved(f"links of kind '{ref.kind}' are not supported by this version "
                             "of the engine yet; skip the line in the map", status="failed")
        value = method(ref, field)
        if isinstance(value, int) and ref.many:
            return [(6, 0, [value])]
        return value

    def _resolve_binding(self, ref, field):
        source_object, key = ref.source_object, str(ref.key)
        role, model = ref.role, ref.model if ref.model else (None if ref.role else field.relation)
        if ref.via:
            # through another record (job contact → its job → the job's customer): the
            # customer's record of the field's model, whatever its role
            staged = self._staged.get((source_object, key)) or {}
            parent = staged.get(ref.via)
            if parent in (None, ""):
                raise Unresolved(f"{source_object} {key} has no {ref.via}")
            if link_problem(parent) is not None:
                raise Unresolved(link_problem(parent))
            source_object, key = ref.to, str(parent)
            role, model = None, field.relation
        res_id = self.bound(source_object, key, role, model)
        if res_id is None:
            raise Unresolved(f"{source_object} {key} was not migrated (failed, blocked or "
                             "missing in the source)")
        if ref.field:
            return self._field_of(model or field.relation, res_id, ref.field)
        return res_id

    def _field_of(self, model, res_id, field_name):
        key = (model, res_id, field_name)
        if key not in self._fields:
            value = self.env[model].browse(res_id)[field_name]
            self._fields[key] = value.id if hasattr(value, "_name") else value
        return self._fields[key]

    def _resolve_user(self, ref, field):
        user_id = (self.user_plan.get(str(ref.key)) if ref.key is not None else None) \
            or self.project.fallback_user_id.id
        if not user_id:
            raise Unresolved(f"source user {ref.key} has no Odoo user and the project has no "
                             "fallback user: choose one on the project")
        if ref.field or field.relation == "res.partner":
            return self._field_of("res.users", user_id, ref.field or "partner_id")
        return user_id

    def _resolve_user_email(self, ref, _field):
        """A user named by e-mail (a sales rep): the matching user, else the fallback user
        the plan gives unmatched users' records to (a salesperson is not a parent)."""
        user_id = self._table("user_email").get(str(ref.key).strip().lower()) \
            or self.project.fallback_user_id.id
        if not user_id:
            raise Unresolved(f"no Odoo user with the e-mail {ref.key} and no fallback user")
        return user_id

    def _from_table(self, table, key, label):
        value = self._table(table).get(key)
        if value is None:
            raise Unresolved(f"no {label} '{key}' in Odoo")
        return value

    def _resolve_country(self, ref, _field):
        return self._from_table("country", str(ref.key).upper(), "country")

    def _resolve_state(self, ref, _field):
        key = tuple(str(part).upper() for part in ref.key)
        return self._from_table("state", key, "state")

    def _resolve_stage(self, ref, _field):
        return self._from_table("stage", str(ref.key).strip().casefold(), "CRM stage")

    def _resolve_tag(self, ref, _field):
        return self._from_table("tag", str(ref.key).strip().casefold(), "CRM tag")

    def _resolve_activity_type(self, ref, _field):
        return self._from_table("activity_type", str(ref.key).strip().casefold(),
                                "activity type")

    def _resolve_model(self, ref, _field):
        return self._from_table("model", str(ref.key), "model")

    def _resolve_subtype(self, ref, _field):
        record = self.env.ref(str(ref.key), raise_if_not_found=False)
        if not record:
            raise Unresolved(f"no message subtype {ref.key}")
        return record.id

    def _resolve_record(self, ref, field):
        model = ref.model or field.relation
        key = (model, str(ref.key).strip().casefold())
        if key not in self._records:
            found = self.env[model].sudo().with_context(active_test=False).name_search(
                str(ref.key), operator="=ilike", limit=1)
            self._records[key] = found[0][0] if found else None
        if self._records[key] is None:
            raise Unresolved(f"no {model} named '{ref.key}' in Odoo")
        return self._records[key]

    def _find_or_create(self, model, name, vals, domain=()):
        """The record of ``model`` named ``name`` (case-insensitive), created when missing.

        Workers side by side must not both create it: the name is locked for the rest of
        the transaction first (a worker that finds it locked waits for the other's commit),
        and a record another worker committed since this transaction began (invisible to
        it) makes this batch start again, so that it sees that record."""
        key = (model, name.casefold(), tuple(domain))
        if key not in self._records:
            search = [("name", "=ilike", name), *domain]
            Model = self.env[model].sudo().with_context(active_test=False)
            found = Model.search(search, limit=1)
            if not found:
                self._claim_name(Model, key, search)
                found = self.env[model].sudo().create({"name": name, **vals})
                self.created.append(found)
                self._fresh.add(key)
            self._records[key] = found.id
        return self._records[key]

    @staticmethod
    def _claim_name(model, key, search):
        # held until this transaction ends; a worker creating the same waits for it
        model.env.cr.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (repr(key),))
        with model.env.registry.cursor() as fresh:
            if model.with_env(model.env(cr=fresh)).search_count(search, limit=1):
                raise pg_errors.SerializationFailure(f"{key[0]} '{key[1]}' was just created "
                                                     "by another worker")

    def _resolve_product(self, ref, _field):
        """A service product per line kind or name, found or created (a priced sale line
        needs a product to be confirmed)."""
        name = str(ref.key).strip()
        if ref.field == "kind":
            name = name.title()
        return self._find_or_create("product.product", name,
                                    {"type": "service", "sale_ok": True})

    def _resolve_skill_type(self, ref, _field):
        self._skill_type = self._find_or_create("hr.skill.type", str(ref.key).strip(), {})
        return self._skill_type

    def _resolve_skill_level(self, ref, _field):
        type_name, level = ref.key
        type_id = self._resolve_skill_type(type(ref)(kind="skill_type", key=type_name), None)
        return self._find_or_create("hr.skill.level", str(level).strip(), {
            "skill_type_id": type_id, "level_progress": 100, "default_level": True},
            domain=(("skill_type_id", "=", type_id),))

    def _resolve_skill(self, ref, _field):
        if not self._skill_type:
            raise Unresolved("a skill needs its skill type (map skill_type_id)", "failed")
        return self._find_or_create("hr.skill", str(ref.key).strip(), {
            "skill_type_id": self._skill_type},
            domain=(("skill_type_id", "=", self._skill_type),))

    def _resolve_location(self, ref, _field):
        found = self.env["stock.location"].sudo().search(
            [("complete_name", "=", str(ref.key))], limit=1)
        if not found:
            raise Unresolved(f"no stock location {ref.key}")
        return found.id

    def _resolve_source_field(self, ref, _field):
        staged = self._staged.get((ref.source_object, str(ref.key)))
        if staged is None:
            raise Unresolved(f"{ref.source_object} {ref.key} is not in the staged source")
        return staged.get(ref.field)

    def _resolve_file(self, ref, _field):
        """The attachment's bytes, read from the source (one file at a time)."""
        if self._source is None:
            self._source = self._source_factory()
        try:
            # the source record as far as the map knows it: the bundle reads its path, the
            # Dispatch files API its file token, the FST REST API its id
            stream = self._source.open_attachment(
                {"id": ref.record_id, ref.field: ref.key} if ref.field and ref.record_id
                else ref.key)
        except SourceError as exc:
            raise Unresolved(f"the file could not be read from the source: {exc}",
                             status="failed") from exc
        try:
            data = stream.read(MAX_FILE_SIZE + 1)
        except SourceError as exc:  # (past the cap, counted in decoded bytes)
            raise Unresolved(f"the file could not be read from the source: {exc}",
                             status="failed") from exc
        finally:
            stream.close()
        if len(data) > MAX_FILE_SIZE:
            raise Unresolved(f"the file is larger than {MAX_FILE_SIZE // (1024 * 1024)} MB",
                             status="failed")
        return data

    def close(self):
        if self._source is not None:
            self._source.close()
            self._source = None
