"""The built wheel carries the catalog and data files, so apps can run from any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT


def test_the_wheel_ships_the_data_and_the_type_marker(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("novelty-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("activities.csv", "tags.csv", "synonyms.csv", "conversation_starters.txt"):
        assert f"novelty/_data/{data}" in names
    assert "novelty/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "novelty = novelty.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
