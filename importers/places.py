"""The database's countries and states, read once per run for the place transforms.

``read_places(env)`` gives the rows of ``res.country`` (ISO-2 code, name in every installed
language) and ``res.country.state`` (country, code, name) as plain data, in the shape
:meth:`services.transforms.places.Places.from_data` takes (and ``tools/dump_places.py``
writes for the pure tests); ``load_places(env)`` builds the :class:`Places` and makes it
the data of the place transforms the mapper binds.
"""

from ..services.transforms.places import Places, use_places


def read_places(env):
    """``{"languages", "countries", "states"}`` of the database, sorted by code: one query
    per installed language for the translated country names, one for the states."""
    languages = sorted(code for code, _name in env["res.lang"].get_installed())
    country_model = env["res.country"].sudo()
    countries = {}
    for lang in languages:
        for row in country_model.with_context(lang=lang).search_read([], ["code", "name"]):
            if not row["code"]:
                continue
            entry = countries.setdefault(row["id"], {"code": row["code"].upper(), "names": {}})
            entry["names"][lang] = row["name"]
    codes = {cid: entry["code"] for cid, entry in countries.items()}
    states = [
        {"country": codes[row["country_id"][0]], "code": row["code"].upper(),
         "name": row["name"]}
        for row in env["res.country.state"].sudo().search_read(
            [], ["country_id", "code", "name"])
        if row["country_id"] and row["country_id"][0] in codes and row["code"]]
    return {
        "languages": languages,
        "countries": sorted(countries.values(), key=lambda c: c["code"]),
        "states": sorted(states, key=lambda s: (s["country"], s["code"])),
    }


def load_places(env):
    """The :class:`Places` of the database, made the data of the place transforms bound
    in this thread from now on (the engine calls it before building its mapper)."""
    places = Places.from_data(read_places(env))
    use_places(places)
    return places
