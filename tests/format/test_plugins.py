"""Flavor plugins through the ``mlmodel.flavors`` entry-point group, installed for real."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from mlmodel.flavors.builtin import BUILTIN_FLAVORS
from mlmodel.flavors.registry import (
    BUILTIN_ENTRY_POINT,
    ENTRY_POINT_GROUP,
    FlavorRegistry,
    _installed_entry_points,
)

PLUGIN_MODULE = """\
from mlmodel.flavors.registry import FlavorSpec, PathRef
from mlmodel.schema.base import MLmodelSchema


class CrateFlavor(MLmodelSchema):
    version: str
    model: str


CRATE = FlavorSpec(
    name="crate",
    schema="fake_mlmodel_plugin:CrateFlavor",
    paths=(PathRef(("model",), "file"),),
    summary="R models saved with carrier::crate",
)
SKLEARN_CLAIM = FlavorSpec(name="sklearn", schema="fake_mlmodel_plugin:CrateFlavor")
NOT_A_SPEC = ["sklearn"]
"""

ENTRY_POINTS = """\
[mlmodel.flavors]
crate = fake_mlmodel_plugin:CRATE
sklearn-claim = fake_mlmodel_plugin:SKLEARN_CLAIM
broken = fake_missing_module:SPEC
wrong-type = fake_mlmodel_plugin:NOT_A_SPEC
"""


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    """A folder that, on sys.path, holds an installed distribution with flavor plugins."""
    site = tmp_path / "site"
    dist_info = site / "fake_mlmodel_plugin-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-mlmodel-plugin\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(ENTRY_POINTS)
    (site / "fake_mlmodel_plugin.py").write_text(PLUGIN_MODULE)
    return site


def _registry(plugin_path: Path, monkeypatch: pytest.MonkeyPatch) -> FlavorRegistry:
    monkeypatch.syspath_prepend(str(plugin_path))
    return FlavorRegistry(BUILTIN_FLAVORS, _installed_entry_points)


def test_builtins_register_through_the_entry_point_group() -> None:
    values = {ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert BUILTIN_ENTRY_POINT in values


def test_plugin_flavor_is_found(plugin_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = _registry(plugin_path, monkeypatch)
    crate = registry.get("crate")
    assert crate is not None
    assert crate.origin == "plugin crate (fake-mlmodel-plugin)"


def test_broken_and_conflicting_plugins_are_named_and_the_rest_works(
    plugin_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = _registry(plugin_path, monkeypatch)
    assert registry.get("crate") is not None
    sklearn = registry.get("sklearn")
    assert sklearn is not None and sklearn.origin == "built-in"  # built-ins are never replaced
    problems = sorted((d.code, d.message.split(":")[0]) for d in registry.problems)
    assert problems == [
        ("V210", "flavor plugin broken (fake-mlmodel-plugin) failed to load"),
        ("V210", "flavor plugin wrong-type (fake-mlmodel-plugin) failed to load"),
        (
            "V211",
            (
                "flavor plugin sklearn-claim (fake-mlmodel-plugin) defines 'sklearn', already "
                "defined by mlmodel (built-in); the first definition is kept"
            ),
        ),
    ]


def test_builtin_documents_never_scan_entry_points(
    plugin_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[bool] = []

    def spy() -> list[object]:
        scanned.append(True)
        return []

    registry = FlavorRegistry(BUILTIN_FLAVORS, spy)
    assert registry.get("sklearn") is not None
    assert registry.get("python_function") is not None
    assert scanned == []
    assert registry.get("crate") is None
    assert scanned == [True]


def _cli(plugin_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(plugin_path)}
    return subprocess.run(
        [sys.executable, "-m", "mlmodel", "validate", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_plugin_schema_and_paths_are_checked_end_to_end(plugin_path: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text(
        textwrap.dedent(
            """\
            flavors:
              crate:
                model: crate.bin
            """
        )
    )
    result = _cli(plugin_path, str(model))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert f"{model / 'MLmodel'}:2:3: error V201 missing required key 'version'" in out
    assert "error V500 flavors.crate.model points to 'crate.bin'" in out
    assert "warning V210 flavor plugin broken (fake-mlmodel-plugin) failed to load" in out
    assert "warning V211" in out
    assert "Traceback" not in out + result.stderr


def test_a_valid_plugin_flavor_passes_unless_strict(plugin_path: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "crate.bin").write_bytes(b"")
    (model / "MLmodel").write_text("flavors:\n  crate:\n    version: 0.4.0\n    model: crate.bin\n")
    assert _cli(plugin_path, str(model)).returncode == 0
    assert _cli(plugin_path, "--strict", str(model)).returncode == 1  # the plugin warnings
