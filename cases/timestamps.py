"""Seconds of a video as HH:MM:SS and as a YouTube link at that second (pure Python: the parser uses it)."""

# The largest second stored: quotes' seconds are 32-bit integer columns (PostgreSQL's `integer`; SQLite
# would take more, so the importer and the quote's own validation hold both databases to it).
MAX_SECOND = 2**31 - 1


def format_timestamp(seconds: int) -> str:
    """'HH:MM:SS', hours zero-padded to two digits (and allowed past 99)."""
    seconds = int(seconds)
    if seconds < 0:
        raise ValueError(f"negative timestamp: {seconds}")
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def youtube_url(video_id: str, seconds: int = 0) -> str:
    return f"https://www.youtube.com/watch?v={video_id}&t={int(seconds)}s"
