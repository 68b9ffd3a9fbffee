"""One source, one identity: spellings of the same source agree, other sources differ,
and no secret is part of it."""

from services.source_identity import normalise_host, source_identity


def test_spellings_of_one_host_agree():
    same = {normalise_host(u) for u in (
        "https://api.dispatch.me", "https://API.Dispatch.me/", "https://api.dispatch.me:443",
        "https://api.dispatch.me/v3/jobs?x=1", "api.dispatch.me")}
    assert same == {"https://api.dispatch.me"}
    assert normalise_host("http://127.0.0.1:8079/") == "http://127.0.0.1:8079"
    assert normalise_host("") == "" and normalise_host(None) == ""


def test_identity_names_kind_host_and_account_never_a_secret():
    one = source_identity("dispatch", "https://api.dispatch.me/", client_id=" abc ")
    assert one == "dispatch|https://api.dispatch.me|abc"
    assert one == source_identity("dispatch", "https://API.dispatch.me:443", client_id="abc")
    assert one != source_identity("dispatch", "https://api.dispatch.me", client_id="other")
    assert one != source_identity("fst_rest", "https://api.dispatch.me", client_id="abc")
    assert source_identity("fst_rest", "https://fst.example.com", username="ops") == \
        "fst_rest|https://fst.example.com|ops"
    assert source_identity("dispatch", None) == "" and source_identity(None) == ""


def test_a_bundle_is_its_location(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    link = tmp_path / "link"
    link.symlink_to(folder)
    assert source_identity("fst_bundle", bundle_path=str(folder)) == \
        source_identity("fst_bundle", bundle_path=f"{folder}/") == \
        source_identity("fst_bundle", bundle_path=str(link))
    assert source_identity("fst_bundle", bundle_path=str(tmp_path / "other")) != \
        source_identity("fst_bundle", bundle_path=str(folder))
    assert source_identity("fst_bundle", bundle_path="") == ""
