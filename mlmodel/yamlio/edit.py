"""Minimal text edits of a YAML document: only the lines of what changed are touched.

The document's text is the source of truth. Each operation patches the text in
the file's own style (indentation, quoting, line endings) using the spans of a
parse, and the caller re-parses to check the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmodel.core.errors import EditError
from mlmodel.yamlio.render import render_block, render_flow, render_scalar
from mlmodel.yamlio.spans import KeyPath, Span
from mlmodel.yamlio.tree import ParsedYaml


@dataclass(frozen=True, slots=True)
class Layout:
    """The file's own style, read off its parse."""

    newline: str
    step: int
    indent_sequences: bool
    sorted_keys: bool


def detect_layout(parsed: ParsedYaml, newline: str) -> Layout:
    step = 0
    indent_sequences = False
    seen_sequence = False
    keys_sorted = True
    for path, span in parsed.spans.items():
        parent = parsed.spans.get(path[:-1]) if path else None
        if span.kind == "mapping" and span.children and not span.flow:
            names = [c for c in span.children if isinstance(c, str)]
            keys_sorted = keys_sorted and names == sorted(names)
        if parent is None or parent.flow or span.flow or span.key_column is None:
            continue
        if span.kind == "mapping" and span.children and not step:
            first = parsed.spans.get((*path, span.children[0]))
            if first is not None and first.key_column is not None:
                step = first.key_column - span.key_column
        if span.kind == "sequence" and not seen_sequence:
            seen_sequence = True
            indent_sequences = span.column > span.key_column
    return Layout(
        newline=newline,
        step=step if step > 0 else 2,
        indent_sequences=indent_sequences,
        sorted_keys=keys_sorted,
    )


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Index just past the line break of the line holding ``index`` (or the end of text)."""
    found = text.find("\n", index)
    return len(text) if found == -1 else found + 1


def content_end(parsed: ParsedYaml, path: KeyPath) -> int:
    """End of the last character that belongs to the value at ``path``."""
    span = parsed.spans[path]
    if span.kind == "scalar" or span.flow or not span.children:
        return span.end
    return content_end(parsed, (*path, span.children[-1]))


def _in_flow(parsed: ParsedYaml, path: KeyPath) -> bool:
    return any(
        (s := parsed.spans.get(path[:i])) is not None and s.flow for i in range(len(path) + 1)
    )


class TextEditor:
    def __init__(self, text: str, parsed: ParsedYaml, layout: Layout) -> None:
        self.text = text
        self.parsed = parsed
        self.layout = layout

    # -- helpers ------------------------------------------------------------------------

    def _nl(self, lines: list[str]) -> str:
        return self.layout.newline.join(lines)

    def _indent_of(self, span: Span) -> int:
        return (span.key_column or span.column) - 1

    def _value_text(self, value: Any, indent: int, style: str | None) -> str:
        """``: value`` for scalars, ``:`` + block lines for collections (after a key)."""
        if isinstance(value, dict | list) and value:
            lines = render_block(
                value,
                step=self.layout.step,
                sort_keys=self.layout.sorted_keys,
                indent_sequences=self.layout.indent_sequences,
            )
            pad = " " * (indent + self.layout.step)
            if isinstance(value, list) and not self.layout.indent_sequences:
                pad = " " * indent
            return ":" + self.layout.newline + self._nl([pad + line for line in lines])
        if isinstance(value, dict | list):
            return ": " + render_flow(value)
        return ": " + render_scalar(value, style)

    def _replace(self, start: int, end: int, new: str) -> str:
        return self.text[:start] + new + self.text[end:]

    # -- operations -------------------------------------------------------------------

    def set(self, path: KeyPath, value: Any) -> str:
        if path in self.parsed.spans and path:
            return self._replace_value(path, value)
        parent = self.parsed.spans.get(path[:-1])
        if parent is None or parent.kind != "mapping":
            raise EditError(f"cannot add {path[-1]!r}: its parent is not a mapping")
        return self._add_key(path, value, parent)

    def _replace_value(self, path: KeyPath, value: Any) -> str:
        span = self.parsed.spans[path]
        flow = _in_flow(self.parsed, path[:-1]) or span.flow
        if span.kind == "scalar" and not isinstance(value, dict | list):
            return self._replace(
                span.start, span.end, render_scalar(value, span.style, in_flow=flow)
            )
        if flow or isinstance(path[-1], int):
            text = render_flow(value) if isinstance(value, dict | list) else render_scalar(value)
            return self._replace(span.start, content_end(self.parsed, path), text)
        assert span.key_end is not None and span.key_line is not None
        indent = self._indent_of(span)
        new = self._value_text(value, indent, span.style if span.kind == "scalar" else None)
        end = content_end(self.parsed, path)
        block = span.kind != "scalar" and span.line > span.key_line
        if block and isinstance(value, dict | list) and value:
            # keep the key's line (and its comment); the old block's lines, with their
            # comments, give way to the new block's
            first = _line_start(self.text, span.start)
            last = _line_end(self.text, max(end - 1, span.start))
            if self.text[last - 1 : last] == "\n":
                last -= len(self.layout.newline)
            return self._replace(first, last, new.split(self.layout.newline, 1)[1])
        return self._replace(span.key_end, end, new)

    def _key_text(self, key: str, parent: Span, path: KeyPath) -> str:
        styles = {
            s.key_style
            for c in parent.children
            if (s := self.parsed.spans.get((*path[:-1], c))) is not None
        }
        style = '"' if styles == {'"'} else None
        return render_scalar(key, style, in_flow=parent.flow)

    def _add_key(self, path: KeyPath, value: Any, parent: Span) -> str:
        key = path[-1]
        assert isinstance(key, str)
        siblings = [c for c in parent.children if isinstance(c, str)]
        if parent.flow:
            return self._add_flow_key(path, value, parent, siblings)
        position = len(siblings)
        if self.layout.sorted_keys:
            position = sum(1 for s in siblings if s < key)
        key_text = self._key_text(key, parent, path)
        if position > 0:
            before = (*path[:-1], siblings[position - 1])
            indent = self._indent_of(self.parsed.spans[before])
            at = _line_end(self.text, max(content_end(self.parsed, before) - 1, 0))
        else:
            first = self.parsed.spans[(*path[:-1], siblings[0])]
            indent = self._indent_of(first)
            assert first.key_start is not None
            at = _line_start(self.text, first.key_start)
            if self.text[at : first.key_start].strip(" "):
                # the first key shares its line with a "- " sequence indicator
                entry = key_text + self._value_text(value, indent, None)
                insert = entry + self.layout.newline + " " * indent
                return self._replace(first.key_start, first.key_start, insert)
        line = " " * indent + key_text + self._value_text(value, indent, None)
        if at == len(self.text) and self.text and not self.text.endswith("\n"):
            return self.text + self.layout.newline + line
        return self._replace(at, at, line + self.layout.newline)

    def _add_flow_key(self, path: KeyPath, value: Any, parent: Span, siblings: list[str]) -> str:
        parent_path = path[:-1]
        key_text = self._key_text(str(path[-1]), parent, path)
        rendered = (
            render_flow(value)
            if isinstance(value, dict | list)
            else render_scalar(value, '"' if key_text.startswith('"') else None, in_flow=True)
        )
        entry = f"{key_text}: {rendered}"
        if not siblings:
            if (
                parent_path
                and parent.key_end is not None
                and not _in_flow(self.parsed, parent_path[:-1])
            ):
                indent = self._indent_of(parent)
                new = self._value_text({path[-1]: value}, indent, None)
                return self._replace(parent.key_end, parent.end, new)
            return self._replace(parent.start, parent.end, "{" + entry + "}")
        last_path = (*parent_path, siblings[-1])
        last = self.parsed.spans[last_path]
        end = content_end(self.parsed, last_path)
        between = self.text[end : parent.end - 1]
        if "\n" in between:
            assert last.key_column is not None
            sep = "," + self.layout.newline + " " * (last.key_column - 1)
        else:
            sep = ", "
        return self._replace(end, end, sep + entry)

    def rename(self, path: KeyPath, new_key: str) -> str:
        """Rewrite the key at ``path`` as ``new_key`` where it stands: the entry keeps its
        place, its value and its comments."""
        span = self.parsed.spans.get(path) if path else None
        if span is None or span.key_start is None or span.key_end is None:
            raise EditError(f"no such key: {path!r}")
        parent = self.parsed.spans[path[:-1]]
        style = span.key_style if span.key_style in ("'", '"') else None
        text = render_scalar(new_key, style, in_flow=parent.flow)
        return self._replace(span.key_start, span.key_end, text)

    def delete(self, path: KeyPath) -> str:
        if path not in self.parsed.spans or not path:
            raise EditError(f"no such key: {path!r}")
        parent_path = path[:-1]
        parent = self.parsed.spans[parent_path]
        span = self.parsed.spans[path]
        end = content_end(self.parsed, path)
        start = span.key_start if span.key_start is not None else span.start
        if parent.flow:
            return self._delete_flow(parent, start, end)
        if len(parent.children) == 1:
            empty = "{}" if parent.kind == "mapping" else "[]"
            if not parent_path:
                return self._replace(0, len(self.text), empty + self.layout.newline)
            if parent.key_end is not None:
                return self._replace(parent.key_end, end, ": " + empty)
            return self._replace(parent.start, end, empty)
        line_start = _line_start(self.text, start)
        prefix = self.text[line_start:start]
        if prefix.strip(" -"):
            raise EditError(f"cannot delete {path!r}: it shares its line with another entry")
        if parent.kind == "mapping" and prefix.strip(" "):
            # first key of a mapping that is a sequence item: keep the "- " for the next key
            following = self.parsed.spans[(*parent_path, parent.children[1])]
            assert following.key_start is not None
            return self._replace(start, following.key_start, "")
        line_end = _line_end(self.text, max(end - 1, start))
        if line_end == len(self.text) and not self.text.endswith("\n"):
            # last line of a file without a final newline: drop the break before it instead
            line_start = max(line_start - len(self.layout.newline), 0)
        return self._replace(line_start, line_end, "")

    def _delete_flow(self, parent: Span, start: int, end: int) -> str:
        after = self.text[end : parent.end]
        stripped = after.lstrip()
        if stripped.startswith(","):
            comma_end = end + (len(after) - len(stripped)) + 1
            return self.text[:start] + self.text[comma_end:].lstrip()
        before = self.text[parent.start : start]
        comma = before.rfind(",")
        if comma != -1:
            return self.text[: parent.start + comma] + self.text[end:]
        return self.text[:start] + self.text[end:]
