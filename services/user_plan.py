"""Technicians and other source users → Odoo users, matched by e-mail.

E-mails are compared trimmed and case-insensitively. A source user without a match is
listed with what it owns, so that the plan can decide before anything moves: map it to an
existing user, create one, or give its records to a fallback user.
"""

from dataclasses import asdict, dataclass


def normalise_email(value):
    return (value or "").strip().lower() or None


@dataclass
class UserPlanLine:
    source_object: str
    source_id: str
    name: str
    email: str | None
    owned: int  # records the user owns in the source (work orders, appointments, notes …)
    action: str  # "map" (to an existing user), "create", "fallback"
    user_id: int | None  # the Odoo user when mapped
    reason: str

    def to_dict(self):
        return asdict(self)


def plan_users(source_users, odoo_users, owned=None, may_create=True):
    """``source_users``: dicts with ``source_object``, ``id``, ``name``, ``email``;
    ``odoo_users``: dicts with ``id``, ``login``, ``email`` (active internal users);
    ``owned``: ``{source_id: count}``; ``may_create``: whether the user planning may
    create users (user administration). Returns ``UserPlanLine``s, unmatched first."""
    owned = owned or {}
    by_email = {}
    for user in sorted(odoo_users, key=lambda u: u["id"]):
        for key in (normalise_email(user.get("email")), normalise_email(user.get("login"))):
            if key and "@" in key:
                by_email.setdefault(key, user)
    seen_emails = {}
    lines = []
    for src in source_users:
        source_id = str(src["id"])
        email = normalise_email(src.get("email"))
        count = owned.get(source_id, 0)
        name = (src.get("name") or "").strip() or email or f"#{source_id}"
        match = by_email.get(email) if email else None
        if email in seen_emails:  # (checked first: the same whether the user exists or not)
            line = UserPlanLine(src.get("source_object", "users"), source_id, name, email, count,
                                "fallback", None,
                                f"same e-mail as source user {seen_emails[email]}: one Odoo login "
                                "(and one employee) per e-mail; choose the user or keep the "
                                "fallback")
        elif match:
            line = UserPlanLine(src.get("source_object", "users"), source_id, name, email, count,
                                "map", match["id"],
                                f"same e-mail as the Odoo user {match['login']}")
        elif not email:
            line = UserPlanLine(src.get("source_object", "users"), source_id, name, None, count,
                                "fallback", None,
                                "no e-mail in the source: cannot be matched; its records go to "
                                "the fallback user unless you choose a user")
        elif not may_create:
            line = UserPlanLine(src.get("source_object", "users"), source_id, name, email, count,
                                "fallback", None, "no Odoo user with this e-mail; creating one "
                                "needs Administration / Access Rights: its records go to the "
                                "fallback user unless you map it (or an administrator creates "
                                "the user)")
        else:
            line = UserPlanLine(src.get("source_object", "users"), source_id, name, email, count,
                                "create", None, "no Odoo user with this e-mail: one is created "
                                "(internal user) unless you map it or use the fallback")
        if email:
            seen_emails.setdefault(email, source_id)
        lines.append(line)
    order = {"fallback": 0, "create": 1, "map": 2}
    return sorted(lines, key=lambda line: (order[line.action], -line.owned, line.source_id))
