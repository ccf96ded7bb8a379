"""The catalogue of validation codes.

Codes are stable: once published a code keeps its meaning and is never
reused for something else. Groups:

* ``V1xx`` the YAML layer (encoding, syntax, tags, limits)
* ``V2xx`` structure and types of the document and its flavors
* ``V3xx`` signature and input example
* ``V4xx`` formats MLflow tolerates (timestamps, ids, versions): warnings
* ``V5xx`` files the document references
"""

from __future__ import annotations

from dataclasses import dataclass

from mlmodel.diagnostics import Diagnostic, Severity

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    severity: Severity
    summary: str


_TABLE: tuple[Code, ...] = (
    Code("V100", "yaml-syntax", E, "the file is not valid YAML"),
    Code("V101", "tab-indentation", E, "a tab character in indentation"),
    Code("V102", "duplicate-key", E, "a key appears twice in one mapping"),
    Code("V103", "multiple-documents", E, "more than one YAML document in the file"),
    Code("V104", "not-utf8", E, "the file is not UTF-8 text"),
    Code("V105", "nul-byte", E, "the file contains a NUL byte"),
    Code("V106", "non-string-key", E, "a mapping key is not a string"),
    Code("V107", "complex-key", E, "a mapping key is a mapping or a sequence"),
    Code("V108", "python-tag", E, "a !!python/... tag (never constructed)"),
    Code("V109", "unknown-tag", E, "a tag that YAML safe loading does not know"),
    Code("V110", "alias-limit", E, "aliases expand beyond the limit (YAML bomb)"),
    Code("V111", "nesting-limit", E, "collections nested beyond the limit"),
    Code("V112", "file-too-large", E, "the file is larger than the size limit"),
    Code("V113", "empty-document", E, "the file holds no document"),
    Code("V114", "not-a-mapping", E, "the document is not a mapping"),
    Code("V115", "unreadable", E, "the file cannot be read"),
    Code("V199", "internal-error", E, "mlmodel failed on this file (a bug: please report it)"),
    Code("V200", "wrong-type", E, "a value has the wrong type"),
    Code("V201", "missing-key", E, "a required key is missing"),
    Code("V202", "no-flavors", E, "the document has no flavor"),
    Code("V203", "invalid-value", E, "a value is not one of those allowed"),
    Code("V204", "unknown-loader-module", E, "an mlflow loader_module that does not exist"),
    Code("V205", "unverifiable-loader", W, "a loader_module outside MLflow"),
    Code("V206", "flavor-mismatch", W, "flavor entries that disagree with each other"),
    Code("V207", "external-model", W, "metadata marks the model external: pyfunc refuses it"),
    Code("V208", "loader-without-flavor", E, "a loader_module whose flavor is missing"),
    Code("V209", "removed-flavor", W, "a flavor current MLflow no longer has"),
    Code("V210", "plugin-failed", W, "a flavor plugin failed to load"),
    Code("V211", "plugin-conflict", W, "a flavor plugin claims a name already defined"),
    Code("V212", "declared-flavor", E, "settings break the project's declared flavor schema"),
    Code("V213", "newer-than-release", E, "needs an MLflow newer than --mlflow-version"),
    Code("V300", "signature-json", E, "a signature part is not valid JSON"),
    Code("V301", "signature-spec", E, "a signature spec MLflow cannot read"),
    Code("V302", "signature-mixed", E, "a signature mixes spec kinds or named and unnamed specs"),
    Code("V303", "signature-empty", E, "a signature with no inputs, outputs or params"),
    Code("V304", "signature-params", E, "a params spec MLflow cannot read"),
    Code("V305", "input-example-type", E, "an input example type MLflow cannot load"),
    Code("V306", "tensor-dtype", E, "a tensor dtype numpy does not accept"),
    Code("V307", "column-name", W, "a signature column name that is not a string"),
    Code("V308", "colspec-optional", E, "the legacy ColSpec 'optional' key (MLflow >= 2.18 fails)"),
    Code("V400", "timestamp-format", W, "a timestamp not in MLflow's format"),
    Code("V401", "run-id-format", W, "a run id that is not 32 hex digits"),
    Code("V402", "version-format", W, "a version that is not a version string"),
    Code("V403", "uuid-format", W, "a model uuid that is not 32 hex digits"),
    Code("V404", "model-id-format", W, "a model id that is not m-<32 hex digits>"),
    Code("V500", "missing-file", E, "a referenced file or folder does not exist"),
    Code("V501", "absolute-path", E, "a referenced path is absolute"),
    Code("V502", "path-escape", E, "a referenced path leaves the model directory"),
    Code("V503", "symlink-outside", E, "a symlink points outside the model directory"),
    Code("V504", "wrong-file-kind", E, "a file where a folder is expected, or the reverse"),
)

CODES: dict[str, Code] = {c.code: c for c in _TABLE}


def diagnostic(
    code: str,
    message: str,
    *,
    line: int | None = None,
    column: int | None = None,
    hint: str | None = None,
    key: str = "",
    severity: Severity | None = None,
) -> Diagnostic:
    """Build a diagnostic with the code's default severity."""
    entry = CODES[code]
    return Diagnostic(
        code=code,
        severity=severity or entry.severity,
        message=message,
        line=line,
        column=column,
        hint=hint,
        key=key,
    )
