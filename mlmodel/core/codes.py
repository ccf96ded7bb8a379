"""The catalogue of every code mlmodel reports: validation (V), lint (MLM), internal errors.

Codes are stable: once published a code keeps its meaning and is never
reused for something else. The catalogue is the one home of each code's name,
severity, summary, fix and family; the CLI (``mlmodel rule``), the SARIF rule
descriptions and ``docs/rules.md`` are generated from it.

The two families split one question each (see :data:`FAMILIES`):

* ``validate``: *can MLflow use this model?* ``mlmodel validate`` reports these.
* ``lint``: *MLflow tolerates it, but it is wrong or risky.* ``mlmodel lint``
  reports these **and** every validate finding, so one lint run is one stream
  and no problem ever has two codes. Where a lint rule and a validation check
  once found the same problem, the validation code kept it and the lint code is
  retired (:attr:`Code.replaced_by`): selecting or suppressing the retired code
  acts on its replacement.

Groups: ``V1xx`` the YAML layer (encoding, syntax, tags, limits); ``V2xx``
structure and types of the document and its flavors; ``V3xx`` signature and
input example; ``V4xx`` formats MLflow tolerates (timestamps, ids, versions):
warnings; ``V5xx`` files the document references. ``MLM0xx`` the linter
itself, ``MLM1xx`` the document, ``MLM2xx`` flavors, ``MLM3xx`` signature and
input example, ``MLM4xx`` environment, ``MLM5xx`` security (never silenced by a
comment inside the model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlmodel.core.diagnostics import Diagnostic, FixSafety, Severity

E = Severity.ERROR
W = Severity.WARNING

Family = Literal["validate", "lint"]

#: the one statement of the split between the two commands
FAMILIES: dict[Family, str] = {
    "validate": "can MLflow use this model? (mlmodel validate; mlmodel lint reports these too)",
    "lint": "MLflow tolerates it, but it is wrong or risky (mlmodel lint)",
}

#: codes whose findings inline suppressions inside a model can never silence
SECURITY_PREFIX = "MLM5"
#: the code of a suppression comment that silences nothing
UNUSED_SUPPRESSION = "MLM001"
#: the code of a failure of mlmodel itself (a bug)
INTERNAL_ERROR = "V199"


@dataclass(frozen=True)
class Code:
    """One catalogue entry. ``fix``: whether some findings of this code can be fixed by
    ``lint --fix`` (``safe``) or ``--fix --unsafe-fixes`` (``unsafe``); ``replaced_by``:
    a retired code whose problem is reported under another code."""

    code: str
    name: str
    severity: Severity
    summary: str
    family: Family = "validate"
    fix: FixSafety | None = None
    replaced_by: str | None = None

    @property
    def security(self) -> bool:
        return self.code.startswith(SECURITY_PREFIX)

    @property
    def retired(self) -> bool:
        return self.replaced_by is not None


def _lint(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    fix: FixSafety | None = None,
    replaced_by: str | None = None,
) -> Code:
    return Code(code, name, severity, summary, "lint", fix, replaced_by)


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
    Code("V116", "control-character", E, "a character YAML does not allow (a control character)"),
    Code(
        "V117", "bad-typed-scalar", E, "a value that cannot be read as its explicit tag (!!int...)"
    ),
    Code("V118", "merge-cycle", E, "a merge key (<<) that refers to the mapping holding it"),
    Code("V119", "integer-too-large", E, "an integer too large to convert to or from text"),
    Code("V120", "lone-surrogate", E, "a string escape that is not a Unicode character"),
    Code("V199", "internal-error", E, "mlmodel failed on this file (a bug: please report it)"),
    Code("V200", "wrong-type", E, "a value has the wrong type"),
    Code("V201", "missing-key", E, "a required key is missing", fix="safe"),
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
    Code("V309", "signature-nesting", E, "a signature part nested beyond what JSON readers take"),
    Code("V400", "timestamp-format", W, "a timestamp not in MLflow's format", fix="safe"),
    Code("V401", "run-id-format", W, "a run id that is not 32 hex digits"),
    Code("V402", "version-format", W, "a version that is not a version string", fix="safe"),
    Code("V403", "uuid-format", W, "a model uuid that is not 32 hex digits"),
    Code("V404", "model-id-format", W, "a model id that is not m-<32 hex digits>"),
    Code("V500", "missing-file", E, "a referenced file or folder does not exist"),
    Code("V501", "absolute-path", E, "a referenced path is absolute"),
    Code("V502", "path-escape", E, "a referenced path leaves the model directory"),
    Code("V503", "symlink-outside", E, "a symlink points outside the model directory"),
    Code(
        "V504",
        "wrong-file-kind",
        E,
        "a file where a folder is expected, or the reverse; or a FIFO or a device",
    ),
    Code("V505", "empty-model-file", E, "a model file is empty (0 bytes)"),
    Code("V506", "lfs-pointer", E, "a Git LFS pointer committed in place of a model file"),
    Code("V507", "wrong-archive-kind", E, "a model file is not the container its format says"),
    Code("V508", "not-a-pickle", E, "a model file MLflow unpickles does not begin like a pickle"),
    Code(
        "V509", "unusable-path", E, "a path no file system accepts (a NUL, a name over 255 bytes)"
    ),
    Code("V510", "unreadable-side-file", W, "an environment or example file that cannot be read"),
    _lint("MLM001", "unused-suppression", W, "a suppression comment that silences nothing"),
    _lint(
        "MLM101", "version-as-float", W, "a version written as a bare number", replaced_by="V402"
    ),
    _lint("MLM102", "legacy-time-created", W, "the legacy time_created key", fix="unsafe"),
    _lint(
        "MLM103",
        "timestamp-format",
        W,
        "utc_time_created not in MLflow's format",
        replaced_by="V400",
    ),
    _lint("MLM104", "unknown-key", W, "an unknown key that looks like a known one", fix="unsafe"),
    _lint(
        "MLM105", "legacy-env-string", W, "python_function env written as a 1.x string", fix="safe"
    ),
    _lint(
        "MLM106",
        "sklearn-data-without-model-path",
        W,
        "an mlflow.sklearn pyfunc naming its model file in data, not model_path",
        fix="safe",
    ),
    _lint("MLM201", "no-python-function", W, "no python_function flavor"),
    _lint(
        "MLM202", "removed-flavor", W, "a flavor current MLflow no longer has", replaced_by="V209"
    ),
    _lint(
        "MLM203", "absolute-model-code-path", W, "model_code_path is an absolute path", fix="safe"
    ),
    _lint("MLM301", "no-signature", W, "no signature: inputs are not checked when serving"),
    _lint("MLM302", "example-mismatch", W, "the input example does not match the signature"),
    _lint("MLM401", "missing-requirements", W, "a pyfunc model without any environment file"),
    _lint("MLM402", "unpinned-requirement", W, "a requirement not pinned to one version"),
    _lint(
        "MLM403",
        "requirement-contradicts-flavor",
        W,
        "requirements.txt pins a version the MLmodel contradicts",
    ),
    _lint(
        "MLM404",
        "python-version-mismatch",
        W,
        "python_version disagrees with python_env.yaml or conda.yaml",
    ),
    _lint(
        "MLM405",
        "model-size",
        W,
        "model_size_bytes far from the directory's real size",
        fix="unsafe",
    ),
    _lint("MLM501", "dangerous-pickle", E, "a pickle whose opcodes import code-running callables"),
    _lint(
        "MLM502",
        "skops-trusts-too-much",
        W,
        "skops_trusted_types trusts more types than the file needs",
        fix="unsafe",
    ),
    _lint(
        "MLM503",
        "unexpected-pickle-import",
        W,
        "a pickle imports globals off its framework's allowlist: it loads only with trust",
    ),
    _lint(
        "MLM504",
        "signature-mismatch",
        E,
        "model.sig does not cover the model's files as they are, or cannot be read",
    ),
    _lint("MLM505", "unsigned-model", E, "no model.sig where the configuration requires one"),
    _lint("MLM506", "signature-unchecked", W, "model.sig not checked: the model is too large"),
    _lint(
        "MLM507",
        "model-directory-code",
        W,
        "loading runs Python from the model directory: it loads only with trust",
    ),
)

CODES: dict[str, Code] = {c.code: c for c in _TABLE}
ALL = "ALL"


def resolve_selectors(selectors: tuple[str, ...], *, where: str = "") -> frozenset[str]:
    """The current (not retired) codes that ``selectors`` name: codes, prefixes (``MLM1``),
    ``ALL``, or a retired code (its replacement). Raises UsageError for a selector that names
    no code."""
    from mlmodel.core.errors import UsageError

    current = [c.code for c in _TABLE if not c.retired]
    chosen: set[str] = set()
    unknown = []
    for selector in selectors:
        entry = CODES.get(selector)
        if selector == ALL:
            chosen.update(current)
        elif entry is not None and entry.replaced_by is not None:
            chosen.add(entry.replaced_by)
        else:
            matched = [c for c in current if c.startswith(selector)]
            if not matched:
                unknown.append(selector)
            chosen.update(matched)
    if unknown:
        origin = f" in {where}" if where else ""
        raise UsageError(
            f"unknown rule selector(s){origin}: {', '.join(unknown)}; known: ALL, a code or a "
            f"prefix of one of {', '.join(current)} (see mlmodel rule --all)"
        )
    return frozenset(chosen)


def canonical(code: str) -> str:
    """A retired code's replacement, or the code itself."""
    entry = CODES.get(code)
    return entry.replaced_by if entry is not None and entry.replaced_by else code


def diagnostic(
    code: str,
    message: str,
    *,
    line: int | None = None,
    column: int | None = None,
    hint: str | None = None,
    key: str = "",
    severity: Severity | None = None,
    fix: FixSafety | None = None,
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
        fix=fix,
    )
