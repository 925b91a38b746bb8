#!/usr/bin/env bash
# Compares two echo servers on one compare.sh workload in interleaved pairs: each repetition runs
# the load generator against A and B back to back (alternating which goes first), and the ratio
# B/A of that pair is kept. On a noisy machine the spread of those per-pair ratios says more
# than two separate runs can: the median and quartiles are printed, with each server's figures.
#
#   bench/pairwise.sh WORKLOAD REPS SERVER_A SERVER_B
#
# WORKLOAD is small, medium, large, latency or handshakes (compare.sh's loadgen arguments).
# A server is one of bench/echo_servers.sh's names (ours, raw, uws, beast, restinio,
# websocketpp) or a command with {port} in it. Servers are pinned to CPU 0, the generator to
# CPU 1, as in compare.sh. Needs ../shared/bench built.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/echo_servers.sh

if [ $# -ne 4 ]; then
    echo "usage: $0 small|medium|large|latency|handshakes REPS SERVER_A SERVER_B" >&2
    exit 2
fi
workload=$1 reps=$2 server_a=$3 server_b=$4

declare -A loadgen_args=(
    [small]="--mode throughput --size 32 --pipeline 16 --connections 64"
    [medium]="--mode throughput --size 4096 --pipeline 16 --connections 64 --binary"
    [large]="--mode throughput --size 1048576 --pipeline 2 --connections 4 --binary"
    [latency]="--mode latency --size 32 --connections 1"
    [handshakes]="--mode handshakes --connections 32"
)
[ -n "${loadgen_args[$workload]:-}" ] || { echo "$0: unknown workload $workload" >&2; exit 2; }

port=$((23900 + RANDOM % 50 * 2))
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done' EXIT

measure() {  # measure SERVER PORT: the workload's figure (msg/s, MB/s, p50 µs or handshakes/s)
    local extra=() out
    [ "$1" = raw ] && extra=( --raw )
    # shellcheck disable=SC2086
    out=$(taskset -c 1 "$B/loadgen" --port "$2" "${extra[@]}" ${loadgen_args[$workload]} \
            --duration 1 --warmup 0.3 2>/dev/null | grep '^{')
    case $workload in
        latency) sed -n 's/.*"p50_us":\([0-9.]*\).*/\1/p' <<< "$out" ;;
        handshakes) grep -o '"handshakes_per_s":[0-9.]*' <<< "$out" | cut -d: -f2 ;;
        large) sed -n 's/.*"mb_per_s":\([0-9.]*\).*/\1/p' <<< "$out" ;;
        *) sed -n 's/.*"msgs_per_s":\([0-9.]*\).*/\1/p' <<< "$out" ;;
    esac
}

start_echo_server "$server_a" "$port"; pids+=( "$started_pid" )
start_echo_server "$server_b" "$((port + 1))"; pids+=( "$started_pid" )

ratios=() figures_a=() figures_b=()
for rep in $(seq "$reps"); do
    if (( rep % 2 )); then
        a=$(measure "$server_a" "$port"); b=$(measure "$server_b" "$((port + 1))")
    else
        b=$(measure "$server_b" "$((port + 1))"); a=$(measure "$server_a" "$port")
    fi
    [ -n "$a" ] && [ -n "$b" ] || { echo "$0: a run failed (A: '$a', B: '$b')" >&2; exit 1; }
    figures_a+=( "$a" ) figures_b+=( "$b" )
    ratios+=( "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b / a }')" )
done

quartiles() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { printf "q1 %s, median %s, q3 %s", v[int(NR / 4) + 1], v[int(NR / 2) + 1], v[int(3 * NR / 4) + 1] }'
}
echo "$workload, $reps pairs: B/A $(quartiles "${ratios[@]}")"
echo "  A ($server_a): $(quartiles "${figures_a[@]}")"
echo "  B ($server_b): $(quartiles "${figures_b[@]}")"
