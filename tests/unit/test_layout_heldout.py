"""The layout proposer on words it was never tuned on: shapes drawn with the held-out
vocabulary (``heldout_vocabulary.py``) instead of the generator's own, scored as the
acceptance test does (``test_layout_shapes.score_shape``).

The proposer's word lists were written while looking at the generator's words, so the
acceptance score over the generator's shapes says how well it knows those words; this
one says how well it reads exports it has never seen: every file assigned, at least
:data:`COLUMN_FLOOR` of the columns right, never a wrong link, and at most
:data:`UNRESOLVED_SHARE` of the link values that name a real record left unresolved
(passed on as written so that they name none, lost, or flagged as a problem).
"""

import ast
from pathlib import Path

import pytest
from heldout_vocabulary import FIELD_LABELS, FILE_NAMES, ID_LABELS, LINK_LABELS, VOCABULARY
from test_layout_shapes import DRAWN, score_shape

from emulators.fst_shapes import draw_shape, make_shape, shape_files

#: the first 24 drawn shapes (three at scale 1, where names repeat)
SHAPES = DRAWN[:24]
COLUMN_FLOOR = 0.95
UNRESOLVED_SHARE = 0.01
PROPOSER_VOCABULARY = Path(__file__).resolve().parents[2] / "services/layout/vocabulary.py"


def _words():
    out = set()
    for table in (FILE_NAMES, ID_LABELS, FIELD_LABELS, LINK_LABELS):
        for words in table.values():
            out.update(words)
    return out


def _norm(text):
    return " ".join(text.casefold().split())


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    base = tmp_path_factory.mktemp("heldout")
    out = []
    for k, seed, scale in SHAPES:
        export = base / (f"h{k}" + (".zip" if k % 4 == 3 else ""))
        truth = make_shape(export, scale, seed, k, as_zip=k % 4 == 3,
                           truth_path=base / f"h{k}.truth.json", words=VOCABULARY)
        out.append(score_shape(export, truth))
    return out


def test_the_heldout_words_are_not_in_the_proposer_vocabulary():
    tree = ast.parse(PROPOSER_VOCABULARY.read_text(encoding="utf-8"))
    known = {_norm(node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    words = _words()
    assert len(words) > 100
    leaked = sorted(w for w in words if _norm(w) in known)
    assert not leaked, ("held-out words in the proposer's vocabulary: the held-out score "
                        "would measure the word lists again", leaked)


def test_the_heldout_words_are_drawn():
    """The generator writes the held-out words, not its own, where they replace them."""
    files, truth = _shape(0)
    labels = {c["name"] for t in truth["tables"] for c in t["columns"]}
    words = {_norm(w) for w in _words()}
    assert sum(1 for label in labels if _norm(label) in words) >= 20, sorted(labels)
    stems = {_norm(Path(p).stem) for p in files}
    assert stems & {_norm(n) for names in FILE_NAMES.values() for n in names}, stems


def _shape(k):
    shape = draw_shape(k)
    shape.label_style, shape.file_style = "as_is", "as_is"
    return shape_files(0.3, 0, shape, VOCABULARY)


def test_every_file_is_assigned(results):
    wrong = [(r["seed"], f) for r in results for f in r["files"]]
    assert not wrong, wrong[:20]


def test_columns_get_their_role(results):
    total = sum(r["columns"] for r in results)
    right = sum(r["right"] for r in results)
    wrong = [(r["seed"], w) for r in results for w in r["wrong_columns"]]
    assert right >= COLUMN_FLOOR * total, (f"{right / total:.1%} of {total}", wrong[:30])


def test_no_link_is_ever_wrong(results):
    wrong = [(r["seed"], w) for r in results for w in r["links"]["wrong"]]
    assert not wrong, wrong[:20]


def test_links_naming_a_real_record_are_resolved(results):
    missed = [(r["seed"], kind, w) for r in results for kind in ("unresolved", "lost",
                                                                  "flagged_at")
              for w in r["links"][kind]]
    right = sum(r["links"]["right"] for r in results)
    assert right > 1000
    assert len(missed) <= UNRESOLVED_SHARE * (right + len(missed)), (len(missed), missed[:20])
