"""docker-compose.yml runs the service as production: patients' data under a key of its own."""

import yaml

from referrals.config import PROJECT_ROOT, Environment


def test_compose_needs_a_phi_key_from_outside_the_container():
    # Without one, the app would make a key file in the image's folder (/app, which its user
    # may not write), and a key kept there is gone with the container, and the data with it.
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    environment = compose["services"]["app"]["environment"]
    assert environment["REFERRALS_ENV"] == Environment.production
    assert environment["REFERRALS_PHI_KEY"].startswith("${REFERRALS_PHI_KEY:?")


def test_the_image_build_leaves_out_keys_databases_and_the_local_environment():
    # The build context goes to the builder whole, even what no COPY takes: a development
    # key or database in the checkout would be sent with it.
    ignored = (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    secrets = {"**/*.phi-key", "**/*.phi-key.*", "**/*.key", "**/*.db", ".env"}
    assert secrets | {".venv", ".git"} <= set(ignored)
