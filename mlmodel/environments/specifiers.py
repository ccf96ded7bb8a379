"""Versions, version specifiers and environment markers, the subset of PEP 440 and PEP 508
that requirement files use, judged against the running interpreter.

mlmodel's runtime does not depend on ``packaging``; this module is what drift checks need
and no more: ordering of release numbers with pre-, post- and dev-releases (epochs and local
labels read, local labels ignored in comparisons as pip ignores them for a public
specifier), the operators ``==`` (with ``.*``), ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``~=``
and ``===``, and markers (``and``, ``or``, parentheses, the PEP 508 variables, version
comparisons for the version variables, string comparisons for the others). The tests check
it against ``packaging``.

An installed pre-release satisfies a specifier that its release number satisfies: the
question here is whether what is installed meets the requirement, not which release pip
would choose.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from dataclasses import dataclass
from typing import Literal

from mlmodel.core.errors import InvalidParameterError

__all__ = [
    "Clause",
    "MarkerError",
    "Version",
    "evaluate_marker",
    "marker_environment",
    "parse_clauses",
    "parse_version",
]

_VERSION = re.compile(
    r"""^\s*v?
    (?:(?P<epoch>\d+)!)?
    (?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>\d+)?)?
    (?:-(?P<post_n1>\d+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>\d+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>\d+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_ORDER = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_CLAUSE = re.compile(r"^\s*(===|==|!=|~=|<=|>=|<|>)\s*(\S+?)\s*$")

Operator = Literal["===", "==", "!=", "~=", "<=", ">=", "<", ">"]


@dataclass(frozen=True, slots=True)
class Version:
    """A PEP 440 version; ordering compares ``key``."""

    text: str
    epoch: int
    release: tuple[int, ...]
    pre: tuple[int, int] | None  #: (a=0 / b=1 / rc=2, number)
    post: int | None
    dev: int | None

    @property
    def key(self) -> tuple[object, ...]:
        """The sort key of PEP 440 ordering (dev < pre < final < post; local ignored)."""
        release = list(self.release)
        while len(release) > 1 and release[-1] == 0:
            release.pop()
        if self.pre is None and self.post is None and self.dev is not None:
            pre: tuple[float, int] = (-1, 0)  # 1.0.dev1 sorts before 1.0a1
        elif self.pre is None:
            pre = (float("inf"), 0)
        else:
            pre = self.pre
        post = -1 if self.post is None else self.post
        dev = float("inf") if self.dev is None else self.dev
        return (self.epoch, tuple(release), pre, post, dev)

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    def padded(self, width: int) -> tuple[int, ...]:
        """The release numbers, zero-padded to ``width`` components."""
        return self.release + (0,) * (width - len(self.release))


def parse_version(text: str) -> Version | None:
    """``text`` as a :class:`Version`, or None when it is not a PEP 440 version."""
    match = _VERSION.match(text)
    if match is None:
        return None
    pre = None
    if match["pre_l"]:
        pre = (_PRE_ORDER[match["pre_l"].lower()], int(match["pre_n"] or 0))
    post = None
    if match["post_n1"] is not None:
        post = int(match["post_n1"])
    elif match["post_l"]:
        post = int(match["post_n2"] or 0)
    dev = int(match["dev_n"] or 0) if match["dev_l"] else None
    release = tuple(int(part) for part in match["release"].split("."))
    return Version(text.strip(), int(match["epoch"] or 0), release, pre, post, dev)


@dataclass(frozen=True, slots=True)
class Clause:
    """One comparison of a specifier: ``>=1.3``, ``==1.5.*``."""

    operator: Operator
    version: str  #: as written, ``.*`` included

    def __str__(self) -> str:
        return f"{self.operator}{self.version}"

    @property
    def wildcard(self) -> bool:
        return self.version.endswith(".*")

    def target(self) -> Version | None:
        """The clause's version (without ``.*``), or None when it does not parse."""
        return parse_version(self.version.removesuffix(".*"))

    def allows(self, installed: Version) -> bool | None:
        """Whether ``installed`` meets the clause; None when the clause cannot be read."""
        if self.operator == "===":
            return installed.text.lower() == self.version.lower()
        target = self.target()
        if target is None or (self.wildcard and self.operator not in ("==", "!=")):
            return None
        if self.operator in ("==", "!="):
            if self.wildcard:
                width = len(target.release)
                same = (installed.epoch, installed.padded(width)[:width]) == (
                    target.epoch,
                    target.release,
                )
            else:
                same = installed.key == target.key
            return same if self.operator == "==" else not same
        if self.operator == "~=":
            if len(target.release) < 2:
                return None  # ~=1 is not a valid specifier
            prefix = target.release[:-1]
            return (
                installed.key >= target.key
                and installed.epoch == target.epoch
                and installed.padded(len(prefix))[: len(prefix)] == prefix
            )
        ours, theirs = installed.key, target.key
        if self.operator == ">=":
            return ours >= theirs
        if self.operator == "<=":
            return ours <= theirs
        if self.operator == ">":
            # >1.0 does not admit 1.0.post1 unless the clause names a post-release
            if target.post is None and installed.post is not None:
                return _base(installed) > _base(target)
            return ours > theirs
        # <1.0 does not admit 1.0rc1 unless the clause names a pre-release
        if not target.is_prerelease and installed.is_prerelease:
            return _base(installed) < _base(target)
        return ours < theirs


def _base(version: Version) -> tuple[object, ...]:
    release = list(version.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return (version.epoch, tuple(release))


def parse_clauses(spec: str) -> list[Clause] | None:
    """The comparisons of a specifier (``>=1.3,<2``; blank: none), or None when one of them
    is not a comparison (a URL, a typo)."""
    clauses: list[Clause] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        match = _CLAUSE.match(part)
        if match is None:
            return None
        operator: Operator = match.group(1)  # type: ignore[assignment]
        clauses.append(Clause(operator, match.group(2)))
    return clauses


def marker_environment() -> dict[str, str]:
    """The PEP 508 marker variables of the running interpreter."""
    info = sys.implementation.version
    implementation_version = f"{info.major}.{info.minor}.{info.micro}"
    if info.releaselevel != "final":
        implementation_version += info.releaselevel[0] + str(info.serial)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": implementation_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
        "extra": "",  # a model's requirements are installed without extras of their own
    }


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>'[^']*'|"[^"]*")
    |(?P<op>===|==|!=|~=|<=|>=|<|>|not\s+in\b|in\b)
    |(?P<paren>[()])
    |(?P<bool>and\b|or\b)
    |(?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


class MarkerError(InvalidParameterError, ValueError):
    """A marker that is not PEP 508."""


def _tokens(marker: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(marker):
        if marker[position:].strip() == "":
            break
        match = _TOKEN.match(marker, position)
        if match is None or match.end() == position:
            raise MarkerError(f"cannot read the marker at {marker[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, " ".join(match.group(kind).split())))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over ``or`` > ``and`` > comparison / parenthesised expression."""

    def __init__(self, tokens: list[tuple[str, str]], environment: dict[str, str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.environment = environment

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise MarkerError("the marker ends too early")
        self.position += 1
        return token

    def expression(self) -> bool:
        result = self.conjunction()
        while self.peek() == ("bool", "or"):
            self.take()
            right = self.conjunction()
            result = result or right
        return result

    def conjunction(self) -> bool:
        result = self.atom()
        while self.peek() == ("bool", "and"):
            self.take()
            right = self.atom()
            result = result and right
        return result

    def atom(self) -> bool:
        if self.peek() == ("paren", "("):
            self.take()
            result = self.expression()
            if self.take() != ("paren", ")"):
                raise MarkerError("unbalanced parentheses")
            return result
        left = self.value()
        kind, operator = self.take()
        if kind != "op":
            raise MarkerError(f"expected a comparison, got {operator!r}")
        right = self.value()
        return self.compare(left, operator, right)

    def value(self) -> str:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1]
        if kind == "name":
            if text not in self.environment:
                raise MarkerError(f"unknown marker variable {text!r}")
            return self.environment[text]
        raise MarkerError(f"expected a value, got {text!r}")

    @staticmethod
    def compare(left: str, operator: str, right: str) -> bool:
        """As PEP 508 (and ``packaging``) compare: as versions when both sides read as
        one, else ``==``/``!=``/``in`` on the strings; anything else is an error."""
        if operator == "in":
            return left in right
        if operator == "not in":
            return left not in right
        ours = parse_version(left)
        if ours is not None:
            verdict = Clause(operator, right).allows(ours)  # type: ignore[arg-type]
            if verdict is not None:
                return verdict
        if operator == "==":
            return left == right
        if operator == "!=":
            return left != right
        raise MarkerError(f"cannot compare {left!r} {operator} {right!r}")


def evaluate_marker(marker: str, environment: dict[str, str] | None = None) -> bool:
    """Whether the PEP 508 ``marker`` (the text after ``;``) holds for ``environment``
    (default: :func:`marker_environment`). Raises :class:`MarkerError` for a marker that
    is not PEP 508."""
    parser = _Parser(_tokens(marker), environment or marker_environment())
    result = parser.expression()
    if parser.peek() is not None:
        raise MarkerError(f"unexpected {parser.peek()[1]!r} in the marker")  # type: ignore[index]
    return result
