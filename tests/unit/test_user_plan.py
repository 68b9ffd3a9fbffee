from services.user_plan import plan_users

ODOO = [{"id": 2, "login": "admin", "email": "Admin@Example.com"},
        {"id": 7, "login": "tech.one@example.com", "email": False},
        {"id": 9, "login": "dup", "email": "admin@example.com"}]


def test_match_by_email_case_and_space_insensitive():
    lines = plan_users([{"id": 1, "name": "Ann", "email": "  ADMIN@example.com "},
                        {"id": 2, "name": "Tech", "email": "tech.one@EXAMPLE.com"}], ODOO)
    by_id = {line.source_id: line for line in lines}
    assert by_id["1"].action == "map" and by_id["1"].user_id == 2  # lowest id wins a tie
    assert by_id["2"].action == "map" and by_id["2"].user_id == 7  # login is an e-mail
    assert "admin" in by_id["1"].reason


def test_unmatched_listed_first_with_what_they_own():
    lines = plan_users([{"id": 1, "name": "Ann", "email": "admin@example.com"},
                        {"id": 2, "name": "No Mail", "email": ""},
                        {"id": 3, "name": "New", "email": "new@example.com"},
                        {"id": 4, "name": "New again", "email": "NEW@example.com"}],
                       ODOO, owned={"2": 40, "3": 5, "4": 1})
    assert [line.source_id for line in lines] == ["2", "4", "3", "1"]
    assert lines[0].action == "fallback" and lines[0].owned == 40
    assert "no e-mail" in lines[0].reason
    assert lines[1].action == "fallback" and "source user 3" in lines[1].reason
    assert lines[2].action == "create"


def test_a_shared_email_maps_one_source_user_whether_the_odoo_user_exists_or_not():
    """Two technicians typed with one e-mail: one Odoo login (and one employee) per
    e-mail, so the second goes to the fallback user - in a first project (the user is
    created) as in a second one in the same database (the user exists by then)."""
    from services.user_plan import plan_users

    source = [{"id": 1, "name": "Ann", "email": "shared@example.com"},
              {"id": 2, "name": "Bob", "email": " Shared@Example.com "}]
    first = {line.source_id: line.action for line in plan_users(source, [])}
    existing = [{"id": 7, "login": "shared@example.com", "email": "shared@example.com"}]
    second = {line.source_id: (line.action, line.user_id)
              for line in plan_users(source, existing)}
    assert first == {"1": "create", "2": "fallback"}
    assert second == {"1": ("map", 7), "2": ("fallback", None)}


def test_without_user_administration_unmatched_users_go_to_the_fallback():
    lines = plan_users([{"source_object": "technicians", "id": 1, "name": "Ann",
                         "email": "ann@example.com"}], [], {"1": 3}, may_create=False)
    assert [(line.action, line.user_id) for line in lines] == [("fallback", None)]
    assert "Access Rights" in lines[0].reason
