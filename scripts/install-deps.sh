#!/bin/sh
# Installs the Debian packages scanlens needs to build and test, if any are missing.
# Run as root (it is, on a fresh Debian 12 machine and in CI); otherwise it says what to install.
set -eu
build="gcc make pkg-config libpcap-dev libisal-dev zlib1g-dev libzstd-dev liblzma-dev libbz2-dev libsqlite3-dev clang libclang-rt-14-dev"
# Tests: packet tools check the captures; chromium renders the HTML report.
test="tcpdump tshark iproute2 zstd gzip xz-utils bzip2 python3 tzdata chromium fonts-dejavu-core sqlite3 zmap masscan"
missing=""
for p in $build $test; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "scanlens needs these Debian packages:$missing" >&2
    echo "install them with: sudo apt-get install$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
