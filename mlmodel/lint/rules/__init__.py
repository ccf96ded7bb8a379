"""The rule table: code -> module, written by hand (easy to grep), one module per rule.

Codes are stable and never reused. Groups: MLM0xx the linter itself, MLM1xx the
document, MLM2xx flavors, MLM3xx signature and input example, MLM4xx
environment, MLM5xx security.
"""

from __future__ import annotations

import importlib
from functools import cache

from mlmodel.lint.model import Rule

RULE_MODULES: dict[str, str] = {
    "MLM101": "mlm101_version_as_float",
    "MLM102": "mlm102_legacy_time_created",
    "MLM103": "mlm103_timestamp_format",
    "MLM104": "mlm104_unknown_key",
    "MLM201": "mlm201_no_python_function",
    "MLM202": "mlm202_removed_flavor",
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
}

#: the linter's own code, for suppressions that silence nothing
UNUSED_SUPPRESSION = "MLM001"


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = []
    for code, module_name in RULE_MODULES.items():
        module = importlib.import_module(f"{__name__}.{module_name}")
        rule = Rule.from_module(module)
        if rule.code != code:
            raise RuntimeError(f"{module_name} declares {rule.code}, the table says {code}")
        rules.append(rule)
    return tuple(rules)


def select_rules(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> list[Rule]:
    """Rules whose code starts with a ``select`` prefix (all when empty) and no ``ignore`` one."""
    chosen = []
    for rule in all_rules():
        if select and not rule.code.startswith(tuple(select)):
            continue
        if ignore and rule.code.startswith(tuple(ignore)):
            continue
        chosen.append(rule)
    return chosen
