"""What the project declares about itself: test settings, licence, packaging metadata."""

from __future__ import annotations

import pytest


def test_every_test_has_a_timeout(pytestconfig: pytest.Config) -> None:
    """pytest-timeout is installed and configured: one hung test (an IMAP server that never
    answers) fails alone instead of eating CI's time budget."""
    assert float(pytestconfig.getini("timeout")) > 0
