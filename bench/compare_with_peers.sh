#!/usr/bin/env bash
# Builds sample/websocket_echo_server in Release and measures it side by side with its peers
# using ../shared/bench (compare.sh for throughput, latency and handshakes; memory.sh for memory
# per idle connection; handshake_cpu.sh for the CPU each server spends per handshake). Tables go
# to stdout and to bench/results/<date>-{compare,memory,handshake-cpu}.md.
#
#   bench/compare_with_peers.sh             default compare.sh run (5 x 1 s) and memory.sh
#   bench/compare_with_peers.sh --quick     one repetition (a smoke test)
#   bench/compare_with_peers.sh --no-memory skip memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared_bench=${RESTINIO_SHARED_BENCH:-$root/../shared/bench}

compare_args=()
run_memory=1
for arg in "$@"; do
    case $arg in
        --quick) compare_args+=( --quick ) ;;
        --no-memory) run_memory=0 ;;
        *) echo "usage: $0 [--quick] [--no-memory]" >&2; exit 2 ;;
    esac
done

bash .ci/install-deps.sh --bench
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release \
      -DRESTINIO_BUILD_TESTS=OFF -DRESTINIO_BUILD_SAMPLES=ON >/dev/null
cmake --build build-release -j"$(nproc)" --target websocket_echo_server
server="$root/build-release/sample/websocket_echo_server --port {port} --threads 1"

"$shared_bench/build.sh"
stamp=$(date +%Y-%m-%d)
mkdir -p bench/results

"$shared_bench/compare.sh" "${compare_args[@]}" --ours "$server" | tee "bench/results/$stamp-compare.md"
bench/handshake_cpu.sh | tee "bench/results/$stamp-handshake-cpu.md"
if (( run_memory )); then
    "$shared_bench/memory.sh" --ours "$server" | tee "bench/results/$stamp-memory.md"
fi
