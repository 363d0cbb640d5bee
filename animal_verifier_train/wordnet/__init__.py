"""WordNet 3.0 on this machine: where the database is, and what installs it (said once, here)."""

from __future__ import annotations

from pathlib import Path

#: Debian's WordNet 3.0 database folder (data.noun, index.sense, ...).
WORDNET_DIR = Path("/usr/share/wordnet")
#: What puts it there.
INSTALL_HINT = "apt-get install wordnet-base wordnet-sense-index"
