#!/bin/sh
# Build the one-folder Linux app into build/dist/dialer-gui/ (see packaging/README.md).
# Usage: packaging/build-linux.sh [python]   (default: python3; it needs pyinstaller and the app's deps)
set -eu
cd "$(dirname "$0")/.."
PYTHON="${1:-python3}"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean \
    --distpath build/dist --workpath build/work \
    packaging/dialer-gui.spec
# Desktop integration files travel with the build; `dialer-gui register` writes the real
# entry with the right Exec line for wherever the folder ends up.
cp packaging/linux/dialer-gui.desktop packaging/linux/org.dialer_gui.DialerGui.metainfo.xml \
    resources/icons/dialer-gui.svg build/dist/dialer-gui/
end=$(date +%s)
echo "Built build/dist/dialer-gui in $((end - start)) s, $(du -sh build/dist/dialer-gui | cut -f1)."
