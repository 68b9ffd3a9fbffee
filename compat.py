"""The differences between the Odoo series this add-on runs on (18.0, 19.0), in one place."""

from odoo import models
from odoo.release import version_info

SERIES = version_info[0]

# --- field names that 19.0 renamed -----------------------------------------------------
#: res.users -> res.groups
USER_GROUPS = "group_ids" if SERIES >= 19 else "groups_id"


def table_constraints(namespace, specs):
    """Declare SQL constraints from a model's class body, the way the running series wants::

        compat.table_constraints(locals(), [("name_uniq", "unique(name)", "…")])

    18.0 reads ``_sql_constraints``; 19.0 ignores it (and warns) and reads one
    ``models.Constraint`` attribute per constraint, named ``_<name>`` (same SQL name,
    ``<table>_<name>``, so a database upgraded from 18.0 keeps its constraints)."""
    constraint = getattr(models, "Constraint", None)
    if constraint is None:
        namespace["_sql_constraints"] = list(specs)
        return
    for name, definition, message in specs:
        namespace[f"_{name}"] = constraint(definition, message)


def cron_progress(env, done, remaining):
    """Tell the running cron how far it is (the cron framework calls again while work
    remains). 19.0 deprecates ``_notify_progress`` for ``_commit_progress``, which also
    commits: called only from inside a cron job there, never from a test or a shell."""
    cron = env["ir.cron"]
    if SERIES < 19:
        cron._notify_progress(done=done, remaining=remaining)
    elif env.context.get("ir_cron_progress_id"):
        cron._commit_progress(done, remaining=remaining)


def first_database(config):
    """The ``-d`` database: a string on 18.0, a list on 19.0."""
    value = config["db_name"]
    if isinstance(value, (list, tuple)):
        return value[0] if value else ""
    return value or ""


def command_name(name):
    """An ``odoo-bin`` subcommand's name: 19.0 loads ``cli/<name>.py`` by the command's
    name, which must equal the file's name (``[a-z][a-z0-9_]*``); 18.0 takes any."""
    return name.replace("-", "_")


def register_command_alias(command, alias):
    """Keep an 18.0 spelling (``fsm-migrate``) working there; 19.0 cannot reach it."""
    if SERIES < 19:
        from odoo.cli.command import commands

        commands.setdefault(alias, command)


def link_group_sections(env, category_xmlid, group_xmlids):
    """Put the module's groups in its section of the user form. 18.0 links each group to
    the ``ir.module.category``; 19.0 puts a ``res.groups.privilege`` (of that category)
    between them and has no ``res.groups.category_id``. The privilege gets an xml id of
    the module, so that uninstalling removes it. Called from the security XML (one file
    for both series)."""
    category = env.ref(category_xmlid)
    groups = env["res.groups"].browse([env.ref(xmlid).id for xmlid in group_xmlids])
    if SERIES < 19:
        groups.write({"category_id": category.id})
        return
    module = category_xmlid.split(".")[0]
    privilege = env["res.groups.privilege"]._load_records([{
        "xml_id": f"{module}.res_groups_privilege_{category_xmlid.split('.')[1]}",
        "values": {"name": category.name, "sequence": category.sequence,
                   "description": category.description, "category_id": category.id},
        "noupdate": False,
    }])
    groups.write({"privilege_id": privilege.id})


def message_email_from(env, author_id):
    """The ``email_from`` mail.message.create computes for an author, never raising:
    18.0 raises unless told ``raise_on_email=False``; 19.0 dropped the parameter (it
    never raises)."""
    extra = {"raise_on_email": False} if SERIES < 19 else {}
    return env["mail.thread"]._message_compute_author(author_id, email_from=None, **extra)[1]


#: 18.0 lets a lost (archived) lead sit in a won stage; 19.0's crm refuses it
#: (``crm.lead._check_won_validity``: a lead in a won stage has probability 100)
LOST_LEAD_IN_WON_STAGE = SERIES < 19


#: 18.0's mail.activity.create subscribes the same user twice in one INSERT when one list
#: holds an activity assigned to them and one with no user (UniqueViolation); 19.0 does
#: not. The engine splits such lists in rounds (``BatchProcessor._rounds``) on both.
ACTIVITY_SUBSCRIBES_TWICE = SERIES < 19


def is_thread_message(messages, values):
    """Whether mail.message.create would compute a document's reply-to for ``values``:
    ``is_thread_message`` on 18.0, ``_is_thread_message`` on 19.0 (which no longer
    excludes user notifications there)."""
    if SERIES < 19:
        return messages.is_thread_message(values)
    return messages._is_thread_message(vals=values)


def notify_reply_to(documents, sender, author_id):
    """``{res_id: reply_to}`` as mail.message.create computes it: 19.0 also passes the
    author, and reads the documents as superuser."""
    if SERIES < 19:
        return documents._notify_get_reply_to(default=sender)
    return documents.sudo()._notify_get_reply_to(default=sender, author_id=author_id)


#: 19.0's crm.lead.create updates the predictive lead scoring once for the whole list
#: (``_handle_won_lost`` from each lead's won/lost status, created-lost leads counted
#: lost); 18.0 calls it per lead from the values, which ``importers.lead_writer`` batches
CRM_CREATE_SCORES_IN_ONE_GO = SERIES >= 19
