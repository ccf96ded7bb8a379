"""The rule table: code -> module, written by hand (easy to grep), one module per rule.

Names, severities and fix safety live in the catalogue (:mod:`mlmodel.core.codes`);
a module holds the check and its documentation. Retired codes (MLM101, MLM103,
MLM202: the validator reports those problems as V402, V400 and V209) have no
module; their fixes moved to :mod:`mlmodel.checking.lint.fixers`.
"""

from __future__ import annotations

import importlib
from functools import cache

from mlmodel.checking.lint.model import Fixer, Rule
from mlmodel.core.codes import UNUSED_SUPPRESSION

__all__ = ["FIXER_MODULES", "RULE_MODULES", "UNUSED_SUPPRESSION", "all_fixers", "all_rules"]

RULE_MODULES: dict[str, str] = {
    "MLM102": "mlm102_legacy_time_created",
    "MLM104": "mlm104_unknown_key",
    "MLM105": "mlm105_legacy_env_string",
    "MLM106": "mlm106_sklearn_data_without_model_path",
    "MLM201": "mlm201_no_python_function",
    "MLM203": "mlm203_absolute_model_code_path",
    "MLM301": "mlm301_no_signature",
    "MLM302": "mlm302_example_mismatch",
    "MLM401": "mlm401_missing_requirements",
    "MLM402": "mlm402_unpinned_requirement",
    "MLM403": "mlm403_requirement_contradicts_flavor",
    "MLM404": "mlm404_python_version_mismatch",
    "MLM405": "mlm405_model_size",
    "MLM501": "mlm501_dangerous_pickle",
    "MLM502": "mlm502_skops_trusted_types",
    "MLM503": "mlm503_unexpected_pickle_import",
    "MLM504": "mlm504_signature_mismatch",
    "MLM505": "mlm505_unsigned_model",
    "MLM506": "mlm506_signature_unchecked",
    "MLM507": "mlm507_model_directory_code",
}

#: fixes for validation codes: code -> module under mlmodel.checking.lint.fixers
FIXER_MODULES: dict[str, str] = {
    "V201": "v201_sklearn_model_path",
    "V400": "v400_timestamp_format",
    "V402": "v402_version_as_number",
}


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = []
    for code, module_name in RULE_MODULES.items():
        module = importlib.import_module(f"{__name__}.{module_name}")
        declared = module.CODE
        if declared != code:
            raise RuntimeError(f"{module_name} declares {declared}, the table says {code}")
        rules.append(Rule.from_module(module))
    return tuple(rules)


@cache
def all_fixers() -> dict[str, Fixer]:
    fixers = {}
    for code, module_name in FIXER_MODULES.items():
        module = importlib.import_module(f"mlmodel.checking.lint.fixers.{module_name}")
        declared = module.CODE
        if declared != code:
            raise RuntimeError(f"{module_name} declares {declared}, the table says {code}")
        fixers[code] = Fixer.from_module(module)
    return fixers
