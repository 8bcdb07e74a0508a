"""Master decisions: headroom on the master fader (no limiter on the mix)."""

from __future__ import annotations

from .base import Move

#: The mix must peak below -1 dBFS; we aim a little lower so 24-bit rounding and inter-sample
#: overs stay clear of it.
PEAK_TARGET_DB = -2.0


def headroom(peak_db: float) -> Move:
    """Master fader that puts the mix's sample peak at PEAK_TARGET_DB (never a limiter), from the
    peak it has at a unity master fader."""
    gain = round(PEAK_TARGET_DB - peak_db, 2)
    if gain < 0:
        why = (
            f"Master {gain:+.2f} dB: the summed mix peaks at {peak_db:+.1f} dBFS; pulled down "
            f"to peak at {PEAK_TARGET_DB:g} dBFS with no limiter, so the balance is untouched."
        )
    else:
        why = (
            f"Master {gain:+.2f} dB: the summed mix peaks at {peak_db:+.1f} dBFS; brought up "
            f"to peak at {PEAK_TARGET_DB:g} dBFS, leaving headroom for mastering."
        )
    return Move("master", "fader_db", gain, why, "master.headroom")
