"""Write the countries and states of an Odoo database as JSON, for the pure place tests.

Run with Odoo's interpreter, the module's addons directory on the path::

    /opt/odoo/.venv/bin/python tools/dump_places.py --odoo /opt/odoo \\
        --addons-path /opt/odoo/addons,/tmp/addons-data -d fsm_data \\
        > tests/unit/places_dump.json

The rows are what the engine reads at run time (``importers/places.py``: code and name in
every installed language of ``res.country``, code and name of ``res.country.state``), plus
``iso3``: the ISO-3 codes Odoo's own Babel gives each country, which the pure test expects
the transform to accept.
"""

import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--odoo", required=True, help="the Odoo source tree")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    sys.path.insert(0, args.odoo)
    import odoo  # pylint: disable=import-outside-toplevel
    from odoo import SUPERUSER_ID, api  # pylint: disable=import-outside-toplevel

    odoo.tools.config.parse_config(["--addons-path", args.addons_path, "-d", args.database])
    from odoo.addons.field_service_migration.importers.places import (  # pylint: disable=import-outside-toplevel
        read_places,
    )
    from odoo.addons.field_service_migration.services.transforms.places import (  # pylint: disable=import-outside-toplevel
        _babel_iso3,
    )

    with odoo.modules.registry.Registry(args.database).cursor() as cr:
        data = read_places(api.Environment(cr, SUPERUSER_ID, {}))
    iso3 = _babel_iso3()
    data["iso3"] = {c["code"]: sorted(iso3.get(c["code"], ())) for c in data["countries"]}
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
