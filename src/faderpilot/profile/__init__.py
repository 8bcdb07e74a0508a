"""Learning a user's taste from their own past songs, and disclosing every source behind it.

``learn(PAST_DIR)`` estimates, per past song, how the user departed from faderpilot's defaults
(``profile.estimate``, using the rough-mix matcher), and summarises the departures with their
spread and shrinkage (``profile.learn``). ``profile_moves`` applies a profile to a decided session
(``profile.apply``). Everything is computed on this machine from the files the user gave; the
profile lists each of them with its SHA-256.
"""

from .apply import master_target, profile_moves
from .learn import aggregate, build_profile, learn, load_profile, profile_provenance, save_profile

__all__ = [
    "aggregate",
    "build_profile",
    "learn",
    "load_profile",
    "master_target",
    "profile_moves",
    "profile_provenance",
    "save_profile",
]
