"""Fitting a session to audio: the producer's rough mix (gains, pans, polarity, EQ, offset)."""

from .rough import RoughError, RoughFit, TrackMatch, fit_rough, null_depth_db
from .session import RoughMatch, match_session, provenance_entry

__all__ = [
    "RoughError",
    "RoughFit",
    "RoughMatch",
    "TrackMatch",
    "fit_rough",
    "match_session",
    "null_depth_db",
    "provenance_entry",
]
