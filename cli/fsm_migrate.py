"""``odoo-bin fsm-migrate VERB -d DB [options]``: run a migration project headless.

Verbs so far: ``test-connection`` and ``discover``. Connection flags create a project
(or update the one named by ``--project``); secrets may come from the environment
(``FSM_CLIENT_SECRET``, ``FSM_PASSWORD``, ``FSM_API_KEY``, ``FSM_TOKEN``) so that they do not
show in the process list. The result is printed and, with ``--report``, written as JSON.
"""

import json
import logging
import optparse
import os
import sys
from pathlib import Path

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

VERBS = ("test-connection", "discover")
SOURCES = {"dispatch": "dispatch", "fst-rest": "fst_rest", "fst-bundle": "fst_bundle"}
SECRET_ENV = {"client_secret": "FSM_CLIENT_SECRET", "password": "FSM_PASSWORD",
              "api_key": "FSM_API_KEY", "token": "FSM_TOKEN"}


class FsmMigrate(Command):
    """Run a field service migration project headless (test-connection, discover)"""

    name = "fsm-migrate"

    def run(self, args):
        parser = odoo.tools.config.parser
        parser.prog = f"{Path(sys.argv[0]).name} {self.name} {{{','.join(VERBS)}}}"
        group = optparse.OptionGroup(parser, "Field service migration")
        group.add_option("--project", dest="fsm_project", type="int",
                         help="id of the migration project (default: a new one when connection "
                              "flags are given, else the latest)")
        group.add_option("--name", dest="fsm_name", help="name of a project to create")
        group.add_option("--source", dest="fsm_source", choices=list(SOURCES),
                         help="dispatch, fst-rest or fst-bundle")
        group.add_option("--url", dest="fsm_url", help="base URL of the source API")
        group.add_option("--path", dest="fsm_path", help="FST bundle folder or zip")
        group.add_option("--auth", dest="fsm_auth",
                         choices=["client_credentials", "password", "bearer", "api_key", "basic"])
        group.add_option("--client-id", dest="fsm_client_id")
        group.add_option("--client-secret", dest="fsm_client_secret")
        group.add_option("--username", dest="fsm_username")
        group.add_option("--password", dest="fsm_password")
        group.add_option("--api-key", dest="fsm_api_key")
        group.add_option("--token", dest="fsm_token")
        group.add_option("--rest-config", dest="fsm_rest_config",
                         help="FST REST adapter settings: a JSON string or @file.json")
        group.add_option("--sample-size", dest="fsm_sample_size", type="int",
                         help="records profiled per object at most (discover)")
        group.add_option("--allow-loopback", dest="fsm_allow_loopback", action="store_true",
                         help="let a 127.0.0.1/localhost URL (a local emulator) through the "
                              "allow-list, for this database")
        group.add_option("--report", dest="fsm_report", help="write the JSON report here")
        parser.add_option_group(group)
        verbs = [a for a in args if not a.startswith("-")][:1]
        if not verbs or verbs[0] not in VERBS:
            sys.exit(f"usage: {parser.prog} -d DB [options]; verbs: {', '.join(VERBS)}")
        verb = verbs[0]
        args = list(args)
        args.remove(verb)
        opt = odoo.tools.config.parse_config(args, setup_logging=True)
        dbname = odoo.tools.config["db_name"]
        if not dbname:
            sys.exit("fsm-migrate needs a database: -d DB")
        registry = odoo.modules.registry.Registry(dbname)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if "fsm.migration.project" not in env:
                sys.exit(f"field_service_migration is not installed in {dbname}")
            try:
                project = self._project(env, opt)
                report = getattr(self, "_" + verb.replace("-", "_"))(project)
            except UserError as exc:
                cr.rollback()
                report = {"ok": False, "error": str(exc)}
            else:
                report = {"ok": True, **report}
            # leaving the block commits what the verb did (nothing after a rollback)
        text = json.dumps(report, indent=2, default=str)
        if opt.fsm_report:
            Path(opt.fsm_report).write_text(text)
        print(text)  # pylint: disable=print-used  # the command's output
        sys.exit(0 if report["ok"] else 1)

    def _project(self, env, opt):
        Project = env["fsm.migration.project"]
        if opt.fsm_allow_loopback:
            env["ir.config_parameter"].set_param("field_service_migration.allow_loopback", "True")
        vals = {key: value for key, value in {
            "source_kind": SOURCES.get(opt.fsm_source), "source_url": opt.fsm_url,
            "bundle_path": opt.fsm_path and str(Path(opt.fsm_path).resolve()),
            "auth_method": opt.fsm_auth, "client_id": opt.fsm_client_id,
            "username": opt.fsm_username, "discovery_sample_size": opt.fsm_sample_size,
            "rest_config": self._rest_config(opt.fsm_rest_config),
        }.items() if value}
        secrets = {key: getattr(opt, f"fsm_{key}") or os.environ.get(env_name)
                   for key, env_name in SECRET_ENV.items()}
        vals.update({f"{key}_input": value for key, value in secrets.items() if value})
        if opt.fsm_project:
            project = Project.browse(opt.fsm_project).exists()
            if not project:
                raise UserError(env._("No migration project with id %s.", opt.fsm_project))
            if vals:
                project.write(vals)
            return project
        if vals.get("source_kind"):
            name = opt.fsm_name or f"{opt.fsm_source} migration (command line)"
            return Project.create({"name": name, **vals})
        project = Project.search([], limit=1)
        if not project:
            raise UserError(env._("No migration project yet: give --source and its connection "
                                  "flags."))
        if vals:
            project.write(vals)
        return project

    @staticmethod
    def _rest_config(value):
        if not value:
            return None
        text = Path(value[1:]).read_text() if value.startswith("@") else value
        json.loads(text)  # refuse malformed JSON here, with the parser's message
        return text

    def _test_connection(self, project):
        project.action_test_connection()
        return {"project_id": project.id, "message": project.last_connection_message}

    def _discover(self, project):
        project.action_discover()
        return {
            "project_id": project.id,
            "objects": [{"object": o.name, "records": o.record_count,
                         "profiled": o.profiled_count, "sampled": o.sampled,
                         "fields": o.field_count, "custom_fields": o.custom_field_count}
                        for o in project.object_ids],
            "multi_contact_customers": project.multi_contact_customers,
            "multi_site_customers": project.multi_site_customers,
            "cardinality": json.loads(project.cardinality_json or "[]"),
            "issues": json.loads(project.discovery_issues_json or "[]"),
        }
