"""Keep Hugging Face libraries from reaching for a hub that isn't there.

Without these, transformers tries the network first and waits for time-outs before it falls back
to local files. Imported for its side effect before anything loads transformers.
"""

import os

for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
