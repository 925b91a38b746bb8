#!/usr/bin/env bash
# Installs what building and testing this project needs on Debian bookworm (as root, or with
# sudo). Idempotent: packages already installed are left alone, and apt is not touched at all
# when nothing is missing.
#
#   .ci/install-deps.sh            what the library, samples and tests need
#   .ci/install-deps.sh --bench    also what bench/ needs (Google Benchmark, linux-perf)
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    libasio-dev node-llhttp libfmt-dev catch2
    clang libclang-rt-14-dev
    libssl-dev openssl zlib1g-dev
    curl python3 python3-websockets nodejs node-ws
    chromium fonts-noto-color-emoji
)
if [[ "${1:-}" == "--bench" ]]; then
    packages+=( libbenchmark-dev linux-perf )
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=( "$p" )
    fi
done

if (( ${#missing[@]} == 0 )); then
    echo "install-deps: everything is installed"
    exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=( sudo )
fi

echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
