"""Messages and activities on documents, created in lists with the document lookups made
once per list.

``mail.message.create`` asks, for every message, its document's reply-to address
(``_notify_get_reply_to``: alias and company lookups, one document at a time) and its
document's name; ``mail.activity`` computes its ``res_name`` from the document's name, one
document at a time too. Here the documents' names are read in one go before the create
(Odoo's computes then find them in the cache) and the reply-to addresses are asked once
per document model and sender with Odoo's own ``_notify_get_reply_to`` for all the
documents of the list: the values Odoo would store, with a few queries per list instead of
a few per record (checked against plain ``create`` in tests/test_mail_writer.py).
"""

from collections import defaultdict

from .. import compat


def create_messages(model, vals_list):
    """``model.create(vals_list)`` for mail.message, the records in the order given."""
    Message = model
    for values in vals_list:
        if "email_from" not in values:  # what mail.message.create does first, per message
            values["email_from"] = compat.message_email_from(model.env, values.get("author_id"))
    # (model, sender, author) → documents whose reply-to Odoo would ask (19.0 reads the
    # author too)
    todo = defaultdict(set)
    for values in vals_list:
        if "reply_to" not in values and values.get("model") in model.env and \
                compat.is_thread_message(Message, values):
            todo[values["model"], values["email_from"], values.get("author_id")].add(
                values["res_id"])
    prefetch_names(model.env, [(values.get("model"), values.get("res_id"))
                               for values in vals_list], sudo=True)
    reply_to = {}
    for (doc_model, sender, author_id), ids in todo.items():
        found = compat.notify_reply_to(model.env[doc_model].browse(sorted(ids)), sender,
                                       author_id)
        reply_to.update({(doc_model, sender, author_id, res_id): value
                         for res_id, value in found.items()})
    for values in vals_list:
        key = (values.get("model"), values.get("email_from"), values.get("author_id"),
               values.get("res_id"))
        if "reply_to" not in values and key in reply_to:
            values["reply_to"] = reply_to[key]
    return model.create(vals_list)


def create_activities(model, vals_list):
    """``model.create(vals_list)`` for mail.activity, the documents' names read first."""
    names = model.env["ir.model"].browse(
        {values["res_model_id"] for values in vals_list if values.get("res_model_id")})
    model_of = {record.id: record.model for record in names.sudo()}
    prefetch_names(model.env, [(values.get("res_model") or model_of.get(
        values.get("res_model_id")), values.get("res_id")) for values in vals_list], sudo=True)
    return model.create(vals_list)


def prefetch_names(env, documents, sudo=False):
    """Read the display names of ``documents`` ((model, id) pairs) in one go per model."""
    by_model = defaultdict(set)
    for doc_model, res_id in documents:
        if doc_model and res_id and doc_model in env:
            by_model[doc_model].add(res_id)
    for doc_model, ids in by_model.items():
        records = env[doc_model].browse(sorted(ids))
        (records.sudo() if sudo else records).exists().mapped("display_name")
