"""What the project declares about itself: test settings, licence, packaging metadata."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_has_a_timeout(pytestconfig: pytest.Config) -> None:
    """pytest-timeout is installed and configured: one hung test (an IMAP server that never
    answers) fails alone instead of eating CI's time budget."""
    assert float(pytestconfig.getini("timeout")) > 0


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv not on PATH")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv, "build", "--quiet", "--out-dir", str(out), str(ROOT)], check=True, timeout=240
    )
    return out


def test_the_licence_ships_in_sdist_and_wheel(built: Path) -> None:
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")
    (sdist,) = built.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("/LICENSE") for n in tar.getnames())
    (wheel,) = built.glob("*.whl")
    with zipfile.ZipFile(wheel) as whl:
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in whl.namelist())
        (meta,) = [n for n in whl.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = whl.read(meta).decode()
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Programming Language :: Python :: 3.11" in metadata
