"""Writes docs/lifecycles.md from the lifecycle tables of pactes/rules (`make docs`): one Mermaid diagram each."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pactes.rules.lifecycles import lifecycles_markdown  # noqa: E402

if __name__ == "__main__":
    target = ROOT / "docs" / "lifecycles.md"
    target.write_text(lifecycles_markdown(), encoding="utf-8")
    print(f"{target.relative_to(ROOT)} écrit.")
