"""Where the corpus tests read their documents, so they never skip.

CORPUS is the sample corpus beside the project (`../shared/corpus`, 96 documents) when it is there,
else the small copy in tests/corpus_fixture/ (a few of its documents, unchanged, and a synthetic
one with anchor defects; its README says which). FIXTURE_CORPUS is always the small copy: the
tests of one named document read it there. Only figures counted over the whole sample corpus
need the sample corpus itself (`needs_sample_corpus`).
"""

from pathlib import Path

import pytest

SAMPLE_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
FIXTURE_CORPUS = Path(__file__).resolve().parent / "corpus_fixture"
HAS_SAMPLE_CORPUS = SAMPLE_CORPUS.is_dir()
CORPUS = SAMPLE_CORPUS if HAS_SAMPLE_CORPUS else FIXTURE_CORPUS

needs_sample_corpus = pytest.mark.skipif(
    not HAS_SAMPLE_CORPUS,
    reason=f"figures counted over the whole sample corpus, not at {SAMPLE_CORPUS} (tests/corpus_fixture runs the rest)",
)
