"""What differs between the files a signature lists and the files of the directory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mlmodel.signing.errors import Reason


@dataclass(frozen=True)
class Differences:
    """Files ``changed`` (other content, or no longer a regular file), ``added`` (not in the
    signature), ``removed`` (signed, now missing), ``renamed`` ((old, new): a removed and
    an added file with the same digest). Each sorted."""

    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    notes: Mapping[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed or self.renamed)

    @property
    def reason(self) -> Reason:
        """The first kind of difference found, in the order changed, added, removed, renamed."""
        if self.changed:
            return "changed"
        if self.added:
            return "added"
        if self.removed:
            return "removed"
        return "renamed"

    @property
    def files(self) -> tuple[str, ...]:
        names = {*self.changed, *self.added, *self.removed}
        names.update(name for pair in self.renamed for name in pair)
        return tuple(sorted(names))

    def by_kind(self) -> dict[str, tuple[str, ...]]:
        kinds = {
            "changed": self.changed,
            "added": self.added,
            "removed": self.removed,
            "renamed": tuple(f"{old} -> {new}" for old, new in self.renamed),
        }
        return {kind: files for kind, files in kinds.items() if files}

    def describe(self, limit: int = 20) -> str:
        """``changed: a.pkl; added: b.txt; renamed: c -> d`` (at most ``limit`` names a kind)."""
        parts = []
        for kind, files in self.by_kind().items():
            shown = [f"{name}{self._note(name)}" for name in files[:limit]]
            more = f" and {len(files) - limit} more" if len(files) > limit else ""
            parts.append(f"{kind}: {', '.join(shown)}{more}")
        return "; ".join(parts)

    def _note(self, name: str) -> str:
        note = self.notes.get(name)
        return f" ({note})" if note else ""


def compare(
    signed: Mapping[str, str], actual: Mapping[str, str], irregular: Mapping[str, str]
) -> Differences:
    """Compare the signed digests with the directory's (``irregular``: entries that are not
    regular files, path -> what they are: a changed file when signed, else an added one)."""
    changed = sorted(
        [p for p, d in actual.items() if p in signed and signed[p] != d]
        + [p for p in irregular if p in signed]
    )
    added = sorted(
        [p for p in actual if p not in signed] + [p for p in irregular if p not in signed]
    )
    removed = sorted(p for p in signed if p not in actual and p not in irregular)
    renamed: list[tuple[str, str]] = []
    by_digest: dict[str, list[str]] = {}
    for path in added:
        if path in actual:
            by_digest.setdefault(actual[path], []).append(path)
    for old in list(removed):
        candidates = by_digest.get(signed[old])
        if candidates:
            new = candidates.pop(0)
            renamed.append((old, new))
            removed.remove(old)
            added.remove(new)
    notes = {p: f"now {what}" for p, what in irregular.items()}
    return Differences(tuple(changed), tuple(added), tuple(removed), tuple(renamed), notes)


__all__ = ["Differences", "compare"]
