"""Model URI parsing (pure stdlib): MLflow's forms and rules (notes §8), golden cases and
properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlmodel.core.errors import UsageError
from mlmodel.core.uris import is_model_uri, parse_model_uri

GOOD = [
    ("runs:/abc123/model", {"kind": "runs", "run_id": "abc123", "path": "model"}),
    ("runs:/abc123/a/b/model/", {"kind": "runs", "run_id": "abc123", "path": "a/b/model"}),
    ("models:/reg/3", {"kind": "models", "name": "reg", "version": "3"}),
    ("models:/reg/latest", {"kind": "models", "name": "reg", "latest": True}),
    ("models:/reg/Latest", {"kind": "models", "name": "reg", "latest": True}),
    ("models:/reg/Production", {"kind": "models", "name": "reg", "stage": "Production"}),
    ("models:/reg@champion", {"kind": "models", "name": "reg", "alias": "champion"}),
    ("models:/m-0123abcd", {"kind": "models", "model_id": "m-0123abcd"}),
    ("file:///tmp/x/model", {"kind": "file", "path": "/tmp/x/model"}),
    ("file:/tmp/x/model", {"kind": "file", "path": "/tmp/x/model"}),
    ("file://localhost/tmp/a%20b", {"kind": "file", "path": "/tmp/a b"}),
    ("s3://bucket/key/model", {"kind": "artifact"}),
    ("mlflow-artifacts:/0/abc/artifacts/model", {"kind": "artifact"}),
    ("dbfs:/databricks/model", {"kind": "artifact"}),
    ("http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/x", {"kind": "artifact"}),
]

BAD = [
    ("models:/a/b/c", "3 path segments"),
    ("models:/a//1", "empty path segment"),
    ("models:/", "nothing after the scheme"),
    ("models://a/1", "one '/'"),
    ("models:/a@1/2", "both an alias and a version"),
    ("models:/@alias", "empty name or alias"),
    ("models:/name@", "empty name or alias"),
    ("models:/reg/v3", "not a version, stage or 'latest'"),
    ("runs:/onlyrun", "runs:/<run_id>/<path>"),
    ("runs:/", "nothing after the scheme"),
    ("runs:/run//model", "empty path segment"),
    ("file://remote-host/x", "remote host"),
    ("s3:///key", "no host or bucket"),
]


@pytest.mark.parametrize(("uri", "fields"), GOOD)
def test_parses_mlflow_uri_forms(uri: str, fields: dict[str, object]) -> None:
    parsed = parse_model_uri(uri)
    for key, value in fields.items():
        assert getattr(parsed, key) == value


@pytest.mark.parametrize(("uri", "reason"), BAD)
def test_malformed_uris_are_one_line_usage_errors(uri: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_model_uri(uri)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_pathlib_folded_uris_are_restored() -> None:
    assert parse_model_uri(Path("s3://bucket/key")).uri == "s3://bucket/key"
    assert parse_model_uri(Path("file:///tmp/m")).path == "/tmp/m"


def test_local_paths_are_not_uris(tmp_path: Path) -> None:
    assert not is_model_uri(tmp_path)
    assert not is_model_uri("relative/model")
    assert not is_model_uri("C:/models/x")  # one letter: a drive, not a scheme
    assert is_model_uri("models:/reg/1")
    odd = tmp_path / "runs:"
    (odd / "x").mkdir(parents=True)
    assert not is_model_uri(odd / "x")  # an existing local path wins


NAMES = st.from_regex(r"[A-Za-z0-9_.\-]{1,20}", fullmatch=True)


@given(name=NAMES, version=st.integers(min_value=1, max_value=10**6))
def test_version_uris_round_trip(name: str, version: int) -> None:
    parsed = parse_model_uri(f"models:/{name}/{version}")
    assert (parsed.name, parsed.version, parsed.is_immutable) == (name, str(version), True)


@given(name=NAMES, alias=NAMES)
def test_alias_uris_are_not_immutable(name: str, alias: str) -> None:
    parsed = parse_model_uri(f"models:/{name}@{alias}")
    assert (parsed.name, parsed.alias, parsed.is_immutable) == (name, alias, False)


@given(text=st.text(max_size=40))
def test_any_text_parses_or_is_a_usage_error(text: str) -> None:
    try:
        parse_model_uri(f"models:/{text}")
    except UsageError as exc:
        assert "\n" not in str(exc) or "\n" in text
