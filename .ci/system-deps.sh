#!/usr/bin/env bash
# Installs the Debian packages the course needs when they are missing:
#   dataset-fashion-mnist  the offline copy of Fashion-MNIST (/usr/share/datasets/fashion-mnist)
#   bubblewrap             the grading sandbox (bwrap)
#   postgresql             the optional PostgreSQL gradebook (tests start a real server)
#   chromium               the browser the report and feedback pages are tested in (tests/test_browser.py)
set -euo pipefail
need=()
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Missing Debian packages: ${need[*]}. Ask an administrator to run: apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
