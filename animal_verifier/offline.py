"""Keep Hugging Face libraries from reaching for a hub that isn't there.

Without these, transformers tries the network first and waits for time-outs before it falls back to
local files. Called by whatever is about to load a pipeline or an encoder, never at import: importing
the library must not change the host process's environment.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def use_offline_hub() -> None:
    """Set the variables a caller has not set already."""
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
