"""Many songs at once: ``batch(SONGS_DIR, OUT_DIR)`` mixes every song folder as ``faderpilot mix``
would, as Ray tasks (a local Ray by default, a cluster by address) or in a local process pool."""

from .jobs import BatchError, SongJob, discover
from .run import BatchResult, batch

__all__ = ["BatchError", "BatchResult", "SongJob", "batch", "discover"]
