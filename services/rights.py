"""What a migration map may write: the target models, the fields no map line, default or
plan may ever set, and where custom fields may be created — stated once, checked at
validation, at confirmation and again by the engine before every superuser write.

A Migration Manager is not an administrator. The engine writes with superuser rights, so
the map is the only thing between a manager and the whole database: it may write the
models of the object map (DESIGN.md) and nothing that grants rights, logs in, or changes
who owns a user.
"""

#: the Odoo models a map may write (DESIGN.md's object map), when installed
ALLOWED_MODELS = frozenset({
    "res.partner", "crm.lead", "crm.stage", "crm.tag", "res.users", "hr.employee",
    "hr.employee.skill", "sale.order", "sale.order.line", "mail.activity", "calendar.event",
    "account.move", "account.move.line", "mail.message", "ir.attachment", "stock.move",
    "project.task", "utm.source",
})
#: models bound by the user plan only (technicians matched by e-mail): no map line writes
#: a field of them; users are created by the plan, never by a map
MATCH_ONLY_MODELS = frozenset({"res.users"})
#: the user-plan roles that bind a record without writing it
MATCH_ROLES = frozenset({"technician"})
#: fields no map line, object default or plan may set, on any model
DENIED_FIELDS = frozenset({
    "groups_id", "group_ids", "implied_ids", "password", "new_password", "login", "share",
    "company_ids", "user_ids", "users", "api_key_ids", "totp_secret", "signup_token",
    "signup_type", "signup_expiration", "access_token", "create_uid", "write_uid",
    "create_date", "write_date", "id",
})
#: models a relational field written by a map may not point to (x2many of users and any
#: link to groups, rules, access rights, parameters … )
DENIED_RELATIONS = frozenset({"res.groups", "res.users.apikeys", "res.users.log"})
#: x2many links to users would change which partner or company a user has
DENIED_X2MANY_RELATIONS = frozenset({"res.users"})
#: ir.* models a field may still point to (attachments of a message, a model of an activity)
ALLOWED_IR_RELATIONS = frozenset({"ir.attachment", "ir.model"})
#: where the plan may create x_ fields (never ir.*, res.groups, res.users)
CUSTOM_FIELD_MODELS = ALLOWED_MODELS - MATCH_ONLY_MODELS - {"ir.attachment"}
#: field types a planned custom field may have
CUSTOM_FIELD_TYPES = frozenset({"char", "text", "html", "integer", "float", "boolean", "date",
                                "datetime", "selection", "many2one", "monetary"})
#: values journaled as "set", never in clear
SECRET_FIELDS = frozenset({"password", "new_password", "api_key", "token", "client_secret",
                           "totp_secret", "signup_token", "access_token"})


#: the pseudo-model of the JSON rebuild reference (exported, never written in Odoo)
REBUILD = "rebuild.reference"


def model_problem(model):
    """Why a map may not write ``model`` (None when it may)."""
    if model not in ALLOWED_MODELS and model != REBUILD:
        return (f"{model} is not a target a migration map may write (allowed: "
                f"{', '.join(sorted(ALLOWED_MODELS))})")
    return None


def relation_problem(relation, ttype):
    if not relation:
        return None
    if relation in DENIED_RELATIONS or (relation.startswith("ir.")
                                        and relation not in ALLOWED_IR_RELATIONS):
        return f"it links to {relation}, which a migration never writes"
    if relation in DENIED_X2MANY_RELATIONS and ttype in ("many2many", "one2many"):
        return f"it links to several {relation} records, which a migration never changes"
    return None


def field_problem(model, name, ttype=None, relation=None, role=None):
    """Why a map may not write ``model.name`` (None when it may). ``ttype`` and
    ``relation`` are the field's (or the planned field's) when known."""
    problem = model_problem(model)
    if problem:
        return problem
    if model == REBUILD or (model in MATCH_ONLY_MODELS and role in MATCH_ROLES):
        return None  # exported, or read to match: the engine writes nothing of them
    if model in MATCH_ONLY_MODELS and role not in MATCH_ROLES:
        return (f"{model} records are matched by the user plan (by e-mail) or created by "
                "it, never written through a map line")
    if not name or name.startswith("_") or name in DENIED_FIELDS:
        return (f"{model}.{name} is never written by a migration (rights, logins, "
                "passwords and ownership are not migrated)")
    reason = relation_problem(relation, ttype)
    if reason:
        return f"{model}.{name}: {reason}"
    return None


def custom_field_problem(model, name, ttype, relation=None):
    """Why the plan may not create the custom field ``model.name`` (None when it may)."""
    if model not in CUSTOM_FIELD_MODELS:
        return (f"custom field {name} on {model}: custom fields are created only on "
                f"{', '.join(sorted(CUSTOM_FIELD_MODELS))}")
    if ttype not in CUSTOM_FIELD_TYPES:
        return f"custom field {model}.{name}: type {ttype!r} is not one the plan creates"
    if ttype == "many2one" and (not relation or relation_problem(relation, ttype)
                                or relation not in ALLOWED_MODELS):
        return (f"custom field {model}.{name} links to {relation or 'nothing'}: a new link "
                "must point to a target model of the map")
    return field_problem(model, name, ttype, relation)


def proposal_problems(proposal, targets):
    """Every map line or default the rights model refuses, as sentences (``proposal`` a
    ``services.mapping.Proposal``, ``targets`` the database's ``{model: {name: TargetField}}``)."""
    problems = []
    for line in proposal.object_maps:
        if line.skip:
            continue
        where = f"{line.source_object} ({line.role or line.target_model})"
        problem = model_problem(line.target_model)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        if line.target_model in MATCH_ONLY_MODELS and line.role not in MATCH_ROLES:
            problems.append(f"{where}: {line.target_model} is matched by the user plan only "
                            f"(role technician), not written as {line.role!r}")
        for name in sorted(line.defaults or {}):
            target = targets.get(line.target_model, {}).get(name)
            problem = field_problem(line.target_model, name, getattr(target, "ttype", None),
                                    getattr(target, "relation", None), line.role)
            if problem:
                problems.append(f"{where}: default {name}: {problem}")
    for line in proposal.field_maps:
        if line.skip or not line.target_field or line.target_model == REBUILD:
            continue
        where = f"{line.source_object}.{line.source_field}"
        if line.new_field:
            problem = custom_field_problem(line.target_model, line.target_field,
                                           line.new_field.get("ttype"),
                                           line.new_field.get("relation"))
        else:
            target = targets.get(line.target_model, {}).get(line.target_field)
            problem = field_problem(line.target_model, line.target_field,
                                    getattr(target, "ttype", None),
                                    getattr(target, "relation", None), line.role)
        if problem:
            problems.append(f"{where}: {problem}")
    return problems


def values_problems(model, values, fields_of):
    """The fields of ``values`` the engine must not write on ``model`` as superuser:
    ``[(field name, reason)]`` (checked before every create and write)."""
    problems = []
    if model in MATCH_ONLY_MODELS or model == REBUILD:
        return [("", f"{model} is never written by the engine")]
    for name in values:
        field = fields_of.get(name)
        problem = field_problem(model, name, getattr(field, "ttype", None),
                                getattr(field, "relation", None))
        if problem:
            problems.append((name, problem))
    return problems


def mask_secrets(values):
    """``values`` as the journal keeps them: a secret is said to be set, never kept."""
    if not values:
        return values
    return {name: ("(set)" if name in SECRET_FIELDS and value else value)
            for name, value in values.items()}
