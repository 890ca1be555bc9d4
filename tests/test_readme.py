"""The README's configuration table lists every setting."""

import re

from referrals.config import PROJECT_ROOT, Settings


def test_the_readme_lists_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `REFERRALS_(\w+)` \|", readme, flags=re.MULTILINE))
    assert listed == {name.upper() for name in Settings.model_fields}
