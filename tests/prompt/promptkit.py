"""Shared helper of the prompt tests: what a note moves, as (target, action, direction)."""

from __future__ import annotations

from faderpilot.prompt.parse import parse


def moves(text: str) -> list[tuple[str, str, str]]:
    """Each intent the parser reads in ``text``, as (target, action, direction)."""
    return [(i.target, i.action, i.direction) for i in parse(text).intents]
