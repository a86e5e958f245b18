"""What the suite runs against: the database backend (`CUSTOMERHUB_TEST_DATABASE`), the
repository's root, and the key that signs the test app's download links."""

import os
from pathlib import Path

BACKEND = os.environ.get("CUSTOMERHUB_TEST_DATABASE", "sqlite")
ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET_KEY = "test-secret-key-for-download-links"
