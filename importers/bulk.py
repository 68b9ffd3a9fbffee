"""Rows of the module's own bookkeeping tables (journal, bindings) inserted in one statement.

A batch writes one journal entry and one binding per record: through ``create`` that is the
ORM's per-record bookkeeping (defaults, related company, cache, triggers) for rows nothing
computes from. Here the rows are inserted with one ``INSERT … VALUES … RETURNING id`` and
the ORM is told what changed (the inverse one2many fields invalidated, the new records
marked created, so computes that depend on them run). Only for models whose fields are
plain columns plus stored fields related to a plain field of ``project_id`` (its company,
its source identity), filled from the project (checked).
"""

#: columns filled here, not from defaults
MAGIC = {"id", "create_uid", "create_date", "write_uid", "write_date"}
PLAIN = {"char", "text", "integer", "float", "boolean", "selection", "many2one", "datetime",
         "date", "json"}


def _column(value):
    """A project's field value as its column holds it (a record as its id)."""
    if hasattr(value, "_ids"):
        return value.id or None
    return value or None


def insert_rows(model, vals_list):
    """``model.create(vals_list)`` as one INSERT; returns the new records in order."""
    if not vals_list:
        return model.browse()
    env, fields_of = model.env, model._fields
    names = sorted({name for values in vals_list for name in values})
    for name in names:
        field = fields_of[name]
        if not field.store or field.type not in PLAIN or field.compute or field.related:
            raise ValueError(f"{model._name}.{name} is not a plain column")
    missing = [name for name, field in fields_of.items()
               if field.store and not field.compute and not field.related
               and field.name not in names and field.name not in MAGIC]
    defaults = model.default_get(missing) if missing else {}
    names += sorted(defaults)
    rows = [{**defaults, **values} for values in vals_list]
    # stored fields related to the project's own (company_id, source_identity)
    of_project = {name: field.related.split(".", 1)[1] for name, field in fields_of.items()
                  if field.store and field.related and field.related.startswith("project_id.")
                  and "." not in field.related.split(".", 1)[1]}
    if of_project:
        projects = model.env["fsm.migration.project"].browse(
            {row["project_id"] for row in rows}).sudo()
        values_of = {project.id: {name: _column(project[source])
                                  for name, source in of_project.items()}
                     for project in projects}
        names += sorted(of_project)
        for row in rows:
            row.update(values_of[row["project_id"]])
    if model._log_access:
        now = env.cr.now()
        names += ["create_uid", "create_date", "write_uid", "write_date"]
        for row in rows:
            row.update(create_uid=env.uid, create_date=now, write_uid=env.uid, write_date=now)
    columns = ", ".join(f'"{name}"' for name in names)
    ids = [row_id for (row_id,) in env.cr.execute_values(
        f'INSERT INTO "{model._table}" ({columns}) VALUES %s RETURNING id',
        [tuple(fields_of[name].convert_to_column_insert(row.get(name), model)
               for name in names) for row in rows], page_size=len(rows), fetch=True)]
    records = model.browse(ids)
    for name in names:
        for inverse in model.pool.field_inverses[fields_of[name]]:
            env[inverse.model_name].invalidate_model([inverse.name])
    records.modified(names, create=True)
    return records
