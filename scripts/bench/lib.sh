# Shared by the benchmark scripts: free ports, cleanup by PID, medians.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERFTOP="${SERFTOP:-$ROOT/.build/release/serftop}"
[ -x "$SERFTOP" ] || SERFTOP="$ROOT/.build/debug/serftop"
WORK="$(mktemp -d /tmp/serftop-bench.XXXXXX)"
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A port free for TCP and UDP on 127.0.0.1, below the ephemeral range.
free_port() {
  python3 - <<'PY'
import random, socket
while True:
    p = random.randint(20000, 32000)
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", p)); s.close()
        print(p); break
    except OSError:
        pass
PY
}

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# CPU seconds (user+system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

start_agent() { # name gossip-port rpc-port [more serf args...]
  local name=$1 g=$2 r=$3; shift 3
  serf agent -node="$name" -bind="127.0.0.1:$g" -rpc-addr="127.0.0.1:$r" -log-level=warn "$@" \
    >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}

wait_rpc() { # rpc-port
  for _ in $(seq 1 200); do serf members -rpc-addr="127.0.0.1:$1" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "agent on rpc $1 did not start" >&2; return 1
}
