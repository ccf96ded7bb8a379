"""The rich console every human-readable format prints through."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


def make_console(stream: TextIO, *, color: bool, soft_wrap: bool = True) -> Console:
    """A console on ``stream``: ANSI styles (colour, bold, dim) only when ``color``.

    Without colour no escape sequence at all is written, whatever the environment says
    (``NO_COLOR`` alone would leave bold and dim); the CLI decides ``color`` once from
    ``--color`` and the environment.
    """
    from rich.console import Console

    return Console(
        file=stream,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        soft_wrap=soft_wrap,
        emoji=False,
    )
