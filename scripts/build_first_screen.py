"""Write `src/kyodo_rules/wizard/first_screen.json` from the shipped files.

Run after editing `wizard/questions.yaml`, the wording catalog or a profile;
`tests/test_wizard_launch.py` fails until the file is written again. (An
installed copy whose files no longer match it reads the files instead.)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kyodo_rules.wizard import launch  # noqa: E402

if __name__ == "__main__":
    launch.FILE.write_text(launch.build().to_json(launch.digest()), "utf-8")
    sys.stdout.write(f"wrote {launch.FILE.relative_to(ROOT)}\n")
