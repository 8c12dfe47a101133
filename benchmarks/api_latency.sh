#!/usr/bin/env bash
# Measures GET /v1/jobs/{id} latency with wrk on 127.0.0.1 while a job trains (the API must
# answer in milliseconds whatever training does). Writes the summary to
# benchmarks/api_latency.md. Usage: bash benchmarks/api_latency.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-16}
bash scripts/setup.sh
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
swift build -c release --product sscl >/dev/null
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
.build/release/sscl serve --port "$port" --db "$work/db.sqlite" --runs-dir "$work/runs" --data-dir "$work/data" \
  --log-level warning 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
# A job that keeps both cores busy for longer than the measurement.
job=$(curl -fs "http://127.0.0.1:$port/v1/jobs" -H 'Content-Type: application/json' \
  -d '{"name": "latency-bench", "dataset": {"name": "fashion-mnist-mini"}, "epochs": 2000, "batch_size": 100, "threads": 2,
       "eval": {"every_epochs": 50, "knn_k": 50}}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])')
for _ in $(seq 200); do
  status=$(curl -fs "http://127.0.0.1:$port/v1/jobs/$job" | python3 -c 'import sys, json; print(json.load(sys.stdin)["status"])')
  [[ $status == running ]] && break; sleep 0.1
done
sleep 2
out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/v1/jobs/$job")
echo "$out"
still=$(curl -fs "http://127.0.0.1:$port/v1/jobs/$job" | python3 -c 'import sys, json; d = json.load(sys.stdin); print(d["status"], d["progress"]["step"] if d["progress"] else 0)')
p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
{
  echo "# API latency while a job trains"
  echo
  echo "\`bash benchmarks/api_latency.sh $duration $connections\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m):"
  echo "wrk -t2 -c$connections -d${duration}s against \`GET /v1/jobs/{id}\` while a fashion-mnist-mini job trains on 2 threads."
  echo
  echo "| p50 | p99 | requests/s | job during the run |"
  echo "|---|---|---|---|"
  echo "| $p50 | $p99 | $rps | $still |"
} > benchmarks/api_latency.md
cat benchmarks/api_latency.md
python3 -c "import sys; sys.path.insert(0, 'benchmarks'); import report; report.assemble()"
