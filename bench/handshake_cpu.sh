#!/usr/bin/env bash
# Where the time of compare.sh's handshakes workload goes: for each server, the handshakes per
# second and the CPU time (user and kernel, from /proc/PID/stat) the server and the load
# generator spent per handshake. When the generator's core is saturated, handshakes/s says
# how fast the generator is, and the server's CPU per handshake is what tells servers apart.
#
#   bench/handshake_cpu.sh [--reps N] [--duration S] [--servers raw,uws,beast,restinio,websocketpp]
#                          [--tls]
#
# --tls: full TLS handshakes (no resumption) before each upgrade, each server with its TLS
# settings (compare.sh's tls-handshakes workload), the raw row a raw TLS echo.
#
# Same set-up as compare.sh: the server pinned to CPU 0, the generator to CPU 1, 32 concurrent
# connect / upgrade / close-handshake loops. Needs ../shared/bench built (its build.sh) and
# build-release/sample/websocket_echo_server (bench/compare_with_peers.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/echo_servers.sh

reps=3 duration=3 servers="raw,uws,beast,restinio,websocketpp" tls=0
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=${2:?}; shift ;;
        --duration) duration=${2:?}; shift ;;
        --servers) servers=${2:?}; shift ;;
        --tls) tls=1 ;;
        *) echo "usage: $0 [--reps N] [--duration S] [--servers LIST] [--tls]" >&2; exit 2 ;;
    esac
    shift
done

IFS=, read -r -a order <<< "ours,$servers"
port=23600
hz=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14, $15 }' "/proc/$1/stat"; }  # utime stime

# measure NAME: one run; prints "handshakes server_user server_sys loadgen_user loadgen_sys" (ticks)
measure() {
    local name=$1 extra=() command=$1 server loadgen
    [ "$name" = raw ] && extra=(--raw)
    if (( tls )); then
        extra+=(--tls --tls-ca "$B/tls/ca.pem")
        command=${tls_echo_servers[$name]}
    fi
    port=$((port + 1))
    start_echo_server "$command" "$port" || true
    server=$started_pid
    taskset -c 1 "$B/loadgen" --port "$port" "${extra[@]}" --mode handshakes --connections 32 \
        --duration "$duration" --warmup 0 > "$B/handshake_cpu.out" 2>&1 &
    loadgen=$!
    local pid=$server
    read -r su0 ss0 <<< "$(cpu_ticks "$pid")"
    local last_server="$su0 $ss0" last_loadgen="0 0"
    while kill -0 "$loadgen" 2> /dev/null; do
        last_server=$(cpu_ticks "$pid")
        last_loadgen=$(cpu_ticks "$loadgen" 2> /dev/null || echo "$last_loadgen")
        sleep 0.05
    done
    wait "$loadgen" || { echo "handshake_cpu.sh: $name: $(tail -n 1 "$B/handshake_cpu.out")" >&2; }
    kill -TERM -- "-$server" 2> /dev/null || true
    wait "$server" 2> /dev/null || true
    read -r su1 ss1 <<< "$last_server"
    local count
    count=$(sed -n 's/.*"handshakes":\([0-9]*\).*/\1/p' "$B/handshake_cpu.out")
    echo "${count:-0} $((su1 - su0)) $((ss1 - ss0)) $last_loadgen"
}

declare -A results
for _ in $(seq "$reps"); do
    for name in "${order[@]}"; do
        results[$name]+="$(measure "$name");"
    done
done

echo "# Handshakes$( (( tls )) && echo ' over TLS'): throughput and CPU per handshake"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $reps runs of ${duration} s per server (interleaved), 32 concurrent loops;"
echo "server on CPU 0, generator on CPU 1. Medians over the runs. CPU in µs per completed handshake."
echo
echo "| server | handshakes/s | generator CPU busy | server CPU busy | server user µs | server kernel µs | server total µs |"
echo "|---|---|---|---|---|---|---|"
for name in "${order[@]}"; do
    tr ';' '\n' <<< "${results[$name]}" | awk -v d="$duration" -v hz="$hz" -v name="$name" '
        NF == 5 && $1 > 0 {
            n++; rate[n] = $1 / d; gen[n] = ($4 + $5) / hz / d; busy[n] = ($2 + $3) / hz / d
            user[n] = $2 / hz * 1e6 / $1; sys[n] = $3 / hz * 1e6 / $1; total[n] = ($2 + $3) / hz * 1e6 / $1
        }
        function median(a,   i, j, t) {
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        END {
            if (n == 0) { printf "| %s | failed | | | | | |\n", name; exit }
            printf "| %s | %d | %.0f %% | %.0f %% | %.1f | %.1f | %.1f |\n", (name == "ours" ? "**ours**" : name),
                median(rate), 100 * median(gen), 100 * median(busy), median(user), median(sys), median(total)
        }'
done
