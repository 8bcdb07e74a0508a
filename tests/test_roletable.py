"""The role table (issue 14): one row per role, and the copy in docs/decisions.md matches the code."""

from __future__ import annotations

from pathlib import Path

from faderpilot.prep import regions
from faderpilot.session.roles import FALLBACK, ROLE_DEFAULTS, ROLES, defaults, role_table_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "decisions.md"


def test_one_row_per_role_in_console_order():
    assert tuple(ROLE_DEFAULTS) == ROLES


def test_unknown_role_gets_the_fallback():
    assert defaults("no-such-role") is FALLBACK
    assert defaults("kick") is ROLE_DEFAULTS["kick"]


def test_docs_table_lists_every_role_and_matches_the_code():
    text = DOCS.read_text()
    rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")]
    for role in ROLE_DEFAULTS:
        assert role in rows, f"docs/decisions.md's role table has no row for {role}"
    assert role_table_markdown() in text, (
        "docs/decisions.md's role table differs from the code: paste "
        "faderpilot.session.roles.role_table_markdown() into its 'The role table' section"
    )


def test_strip_silence_reads_the_table():
    assert regions.settings_for("snare") is regions.CLOSE_MIC
    assert regions.settings_for("bass") is regions.SUSTAINED
    assert regions.settings_for("drum_kit") is regions.PLAIN
    assert "drum_kit" not in regions.KIT_ROLES and "hihat" in regions.KIT_ROLES
