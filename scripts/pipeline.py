"""The original project's entry point: `python scripts/pipeline.py --text "I see a cat." --image cow.jpg`.

Same as `animal-verifier verify`; kept so the original project's users find their command.
"""

import sys

from animal_verifier.cli import app

if __name__ == "__main__":
    sys.exit(app(["verify", *sys.argv[1:]]))
