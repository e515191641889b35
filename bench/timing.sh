#!/usr/bin/env bash
# Does a signup's reply time tell an address's state? Against the packaged jar (production defaults, the per-IP
# limit off because every request comes from this one client), 200 addresses in each state (new, pending,
# confirmed, unsubscribed) are signed up interleaved on one keep-alive connection; prints the median and p90 reply
# time per state and the largest median against the smallest (goal: within 10 %). A fifth group of new addresses
# ("new again") is the control: the gap between two samples of the same state is the measurement's own noise.
# With RUNS > 1, each run on its own new database, it prints every run's line and then the medians of all runs'
# signups pooled per state (what an attacker who repeats the test without limit would compare).
#
# Needs: the packaged jar (./mvnw package -DskipTests), PostgreSQL 15 of this machine, python3 and python3-aiosmtpd
# (Debian), curl.
#   bash bench/timing.sh [per-state=200] [runs=1]
set -euo pipefail
cd "$(dirname "$0")/.."
PER_STATE=${1:-200}
RUNS=${2:-1}
if [ "$RUNS" -gt 1 ]; then
  SAMPLES=$(mktemp)
  for run in $(seq "$RUNS"); do
    out=$(TIMING_SAMPLES="$SAMPLES" bash bench/timing.sh "$PER_STATE" 1 2>&1) || true
    echo "run $run: $(echo "$out" | grep '^largest' || echo "FAILED: $(echo "$out" | tail -4 | tr '\n' ' ')")"
  done
  python3 - "$SAMPLES" <<'PY'
import collections, statistics, sys
samples = collections.defaultdict(list)
for line in open(sys.argv[1]):
    state, _, ms = line.rpartition(" ")
    samples[state].append(float(ms))
medians = {s: statistics.median(v) for s, v in samples.items()}
for state, median in medians.items():
    print(f"pooled {state:13s} median {median:6.2f} ms ({len(samples[state])} signups)")
states = {s: m for s, m in medians.items() if s != "new again"}
print(f"pooled largest median / smallest: {max(states.values()) / min(states.values()) * 100:.1f} %; "
      f"new against new again: {max(medians['new'], medians['new again']) / min(medians['new'], medians['new again']) * 100:.1f} %")
PY
  rm -f "$SAMPLES"
  exit 0
fi
PORT=18093 MGMT_PORT=18094 SMTP=18028 DB=newsletter_timing
WORK=$(mktemp -d)
source bench/service.sh
start_service "$PORT" "$MGMT_PORT" "$SMTP" "$DB" "$WORK" NEWSLETTER_RATE_LIMIT_ENABLED=false

python3 - "$PORT" "$PER_STATE" "$DB" "${TIMING_SAMPLES:-}" <<'PY'
import http.client, json, random, statistics, subprocess, sys, time
port, n, db, samples = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
conn = http.client.HTTPConnection("127.0.0.1", port)
def signup(email):
    body = json.dumps({"email": email})
    start = time.perf_counter()
    conn.request("POST", "/api/subscriptions", body, {"Content-Type": "application/json"})
    reply = conn.getresponse(); reply.read()
    assert reply.status == 202, reply.status
    return (time.perf_counter() - start) * 1000
def psql(sql):
    subprocess.run(["su", "postgres", "-c", f"psql -q -d {db} -c \"{sql}\""], check=True)
states = ["pending", "confirmed", "unsubscribed"]
addresses = {s: [f"{s}{i}@timing.example" for i in range(n)] for s in states}
for s in states:
    for a in addresses[s]:
        signup(a)
psql("update subscriber set status = 'CONFIRMED', confirmed_at = now() where email like 'confirmed%'")
psql("update subscriber set status = 'UNSUBSCRIBED', unsubscribed_at = now() where email like 'unsubscribed%'")
for _ in range(50):  # warm-up
    signup(f"warm{random.random()}@timing.example")
work = [("new", f"new{i}@timing.example") for i in range(n)] + [("new again", f"again{i}@timing.example") for i in range(n)]
work += [(s, a) for s in states for a in addresses[s]]
random.shuffle(work)
times = {s: [] for s in ["new", "new again"] + states}
for state, address in work:
    times[state].append(signup(address))
medians = {}
for state, values in times.items():
    values.sort()
    medians[state] = statistics.median(values)
    print(f"{state:13s} median {medians[state]:6.2f} ms  p90 {values[int(len(values) * 0.9)]:6.2f} ms  ({len(values)} signups)")
if samples:
    with open(samples, "a") as out:
        out.writelines(f"{state} {ms:.3f}\n" for state, values in times.items() for ms in values)
control = max(medians["new"], medians["new again"]) / min(medians["new"], medians["new again"]) * 100
del medians["new again"]
ratio = max(medians.values()) / min(medians.values())
# How far apart four medians of 200 fall when the state cannot matter: the same signups dealt out at random.
pool = [ms for state in medians for ms in times[state]]
spreads = []
for _ in range(2000):
    random.shuffle(pool)
    shuffled = [statistics.median(pool[i * n:(i + 1) * n]) for i in range(len(medians))]
    spreads.append(max(shuffled) / min(shuffled))
print(f"largest median / smallest: {ratio * 100:.0f} % (goal <= 110 %); control, new against new again: {control:.0f} %; "
      f"dealt at random: >= this in {sum(x >= ratio for x in spreads) / 20:.0f} %, > 110 % in {sum(x > 1.1 for x in spreads) / 20:.0f} % of 2000")
PY
