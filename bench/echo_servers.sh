# Sourced by bench/handshake_cpu.sh and bench/pairwise.sh: where ../shared/bench's build is, the
# echo servers they can run (by name, each command with {port} in it), and how to start one the
# way compare.sh does. Expects to be sourced from the repository's root.
root=$(pwd)
B=${BENCH_BUILD:-${RESTINIO_SHARED_BENCH:-$root/../shared/bench}/build}

declare -A echo_servers=(
    [ours]="$root/build-release/sample/websocket_echo_server --port {port} --threads 1"
    [raw]="$B/raw_echo {port}"
    [uws]="node $B/../servers/uws_echo.js {port}"
    [beast]="$B/beast_echo {port}"
    [restinio]="$B/restinio_echo {port}"
    [websocketpp]="$B/websocketpp_echo {port}"
)
# The same servers serving wss:// with ../shared/bench's test certificate (its build.sh makes it).
tls_files="$B/tls/server.pem $B/tls/server.key"
declare -A tls_echo_servers=(
    [ours]="${echo_servers[ours]} --tls-cert $B/tls/server.pem --tls-key $B/tls/server.key"
    [raw]="$B/raw_tls_echo {port} $tls_files"
)
for name in uws beast restinio websocketpp; do
    tls_echo_servers[$name]="${echo_servers[$name]} --tls $tls_files"
done

# start_echo_server SERVER PORT: SERVER is a name above or a command with {port}; it runs in its
# own session (so that `kill -- -PID` stops it whole), pinned to CPU 0. Sets started_pid and
# returns once 127.0.0.1:PORT accepts connections (if it does not within 10 s: kills it, status 1).
start_echo_server() {
    local command=${echo_servers[$1]:-$1}
    setsid taskset -c 0 ${command//\{port\}/$2} > /dev/null 2>&1 &
    started_pid=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0; sleep 0.1; done
    echo "$0: $1 is not listening on port $2" >&2
    kill -KILL -- "-$started_pid" 2> /dev/null || true
    return 1
}
