"""docs/performance.md as the benchmarks keep it: one `## ` section per benchmark, each replaced whole."""

import re
from pathlib import Path

INTRO = (
    "# Performance\n\nMeasured figures of the library, one section per area. Each section names the "
    "script that produced it, so the figures can be measured again.\n"
)


def write_section(path, heading, section):
    """Replace the section starting at `heading` (up to the next `## `) with `section`, or append it."""
    path = Path(path)
    text = path.read_text() if path.exists() else INTRO
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text.rstrip("\n") + "\n")
