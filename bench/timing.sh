#!/usr/bin/env bash
# Does a signup's reply time tell an address's state? Against the packaged jar (production defaults, the per-IP
# limit off because every request comes from this one client), 200 addresses in each state (new, pending,
# confirmed, unsubscribed) are signed up interleaved on one keep-alive connection; prints the median and p90 reply
# time per state and the largest median against the smallest (goal: within 10 %).
#
# Needs: the packaged jar (./mvnw package -DskipTests), PostgreSQL 15 of this machine, python3, curl.
#   bash bench/timing.sh [per-state=200]
set -euo pipefail
cd "$(dirname "$0")/.."
PER_STATE=${1:-200}
PORT=18093 MGMT_PORT=18094 SMTP=18028 DB=newsletter_timing
WORK=$(mktemp -d)
source bench/service.sh
start_service "$PORT" "$MGMT_PORT" "$SMTP" "$DB" "$WORK" NEWSLETTER_RATE_LIMIT_ENABLED=false

python3 - "$PORT" "$PER_STATE" "$DB" <<'PY'
import http.client, json, random, statistics, subprocess, sys, time
port, n, db = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
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
work = [("new", f"new{i}@timing.example") for i in range(n)] + [(s, a) for s in states for a in addresses[s]]
random.shuffle(work)
times = {s: [] for s in ["new"] + states}
for state, address in work:
    times[state].append(signup(address))
medians = {}
for state, values in times.items():
    values.sort()
    medians[state] = statistics.median(values)
    print(f"{state:13s} median {medians[state]:6.2f} ms  p90 {values[int(len(values) * 0.9)]:6.2f} ms  ({len(values)} signups)")
print(f"largest median / smallest: {max(medians.values()) / min(medians.values()) * 100:.0f} % (goal <= 110 %)")
PY
