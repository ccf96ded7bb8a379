"""Shared fixtures. The public corpus is read from ../shared/corpus when it exists."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "github"
EXAMPLES = ROOT / "examples"

#: the corpus files that must get errors (see the corpus README's conformance rule)
CORPUS_MUST_FAIL = {"0006.MLmodel": "V100", "0190.MLmodel": "V100", "0251.MLmodel": "V201"}


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.MLmodel")) if CORPUS.is_dir() else []


def corpus_mlflow_loads() -> dict[str, bool]:
    """File name -> whether MLflow's Model.load read it (CHECKS.tsv)."""
    table = CORPUS / "CHECKS.tsv"
    if not table.is_file():
        return {}
    with table.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows)
        return {row[0]: row[2] == "ok" for row in rows}


requires_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


def corpus_params() -> list[object]:
    files = corpus_files()
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus not present"))]
    return [pytest.param(f, id=f.stem) for f in files]
