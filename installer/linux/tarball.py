"""Pack dist/Shelter/ as dist/Shelter-<version>-linux-<arch>.tar.gz with a
.desktop file, the icon and an install note, after `pyinstaller`.

Staff unpack it anywhere (e.g. /opt/Shelter) and run ./install-desktop-entry.sh
to get a menu entry; the shelter's data stays in the user's data folder.
"""

from __future__ import annotations

import platform
import re
import shutil
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"

INSTALL = """#!/bin/sh
# Adds Shelter to this user's application menu (run from the unpacked folder).
set -e
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$HOME/.local/share/applications" "$HOME/.local/share/icons/hicolor/scalable/apps"
cp "$here/shelter.svg" "$HOME/.local/share/icons/hicolor/scalable/apps/shelter.svg"
sed "s|^Exec=.*|Exec=\\"$here/Shelter\\"|" "$here/shelter.desktop" > "$HOME/.local/share/applications/shelter.desktop"
echo "Shelter added to the application menu."
"""


def main() -> None:
    version = re.search(r'__version__ = "([^"]+)"', (ROOT / "shelter" / "__init__.py").read_text()).group(1)
    bundle = DIST / "Shelter"
    shutil.copy(ROOT / "installer" / "linux" / "shelter.desktop", bundle / "shelter.desktop")
    shutil.copy(ROOT / "resources" / "icons" / "shelter.svg", bundle / "shelter.svg")
    script = bundle / "install-desktop-entry.sh"
    script.write_text(INSTALL, encoding="utf-8")
    script.chmod(0o755)
    target = DIST / f"Shelter-{version}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        tar.add(bundle, arcname=f"Shelter-{version}")
    print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
