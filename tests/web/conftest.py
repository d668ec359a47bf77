"""The app under test: two small offline models (a linear bag with closed-form IG and a tiny
BERT with layers) and a small data set, declared by name as ``wordlight app`` would."""

from __future__ import annotations

import pytest

from tests.conftest import linear_bag_classifier, tiny_hf

ROWS = (
    ("a good movie with charm", "pos", "e1"),
    ("a bad plot and awful acting", "neg", "e1"),
    ("great fun", "pos", "e2"),
    ("boring", "neg", "e2"),
    ("the film was not very good but the acting was great", "pos", "e1"),
    ("more than enough bad acting", "neg", "e2"),
    ("this movie is fun and memorable", "pos", "e1"),
    ("awful awful awful", "neg", "e2"),
)  # text, label, group (the toy set's extra column "group")
STARS = (5, 1, 4, 2, 3, 1, 5, 1)  # the extra column "stars"


def linear_classifier():
    """logit_c = sum_t E[id_t] . W_c + b_c over [cls] and the words of the text, so IG with
    output="logit" and a pad baseline gives word token t exactly (E[id_t] - E[pad]) . W_c."""
    clf, module, tok = linear_bag_classifier()
    return clf, module, tok.vocab


def toy_dataset():
    from wordlight.data import TextDataset

    names = ("neg", "pos")
    return TextDataset(
        texts=tuple(t for t, _, _ in ROWS),
        labels=tuple(names.index(label) for _, label, _ in ROWS),
        scores=tuple(float(names.index(label)) for _, label, _ in ROWS),
        label_names=names,
        ids=tuple(f"r{i}" for i in range(len(ROWS))),
        extra={"group": tuple(g for _, _, g in ROWS), "stars": STARS},
    )


def build_app(**settings):
    """The app with models "linear" and "tiny" and the data set "toy"."""
    from wordlight import load_model
    from wordlight.web import create_app

    linear, module, vocab = linear_classifier()
    tiny = load_model(*tiny_hf("bert"))
    app = create_app({"linear": linear, "tiny": tiny}, {"toy": toy_dataset()}, **settings)
    app.state.linear = (module, vocab)
    return app


@pytest.fixture(scope="module")
def app():
    built = build_app()
    yield built
    built.state.wordlight.close()


@pytest.fixture(scope="module")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c
