"""Regenerate the bundled demo seed, or write a large synthetic registry.

`.venv/bin/python seed_data/generate.py` writes `seed_data/demo_registry.json` from
`referrals.registry.synthetic.demo_registry()`, byte-identical on every run (a test fails
when the committed file is stale). `--care-teams N --output FILE` writes a generated
registry of N care teams instead, in the same format (for load timing).
"""

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing the package

from referrals.registry.synthetic import demo_registry, generated_registry  # noqa: E402

OUTPUT = HERE / "demo_registry.json"


def render(registry: dict) -> str:
    return json.dumps(registry, indent=1, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--care-teams", type=int, help="generate this many teams instead")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    registry = generated_registry(args.care_teams) if args.care_teams else demo_registry()
    args.output.write_text(render(registry), encoding="utf-8")
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in registry.items())
    print(f"wrote {args.output}: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
