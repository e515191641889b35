#!/usr/bin/env bash
# List-bombing run against the packaged jar: thousands of signups for ONE victim address from many client IPs
# (played with X-Forwarded-For from a trusted local proxy), interleaved with ordinary visitors. Prints how many mails
# reached the victim and how many visitors got their confirmation.
#
# Needs: the packaged jar (./mvnw package -DskipTests), PostgreSQL 15 of this machine, python3, curl.
#   bash bench/bombing.sh [attempts=3000]
set -euo pipefail
cd "$(dirname "$0")/.."
ATTEMPTS=${1:-3000}
PORT=18090 MGMT_PORT=18089 SMTP=18025 DB=newsletter_bombing
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; su postgres -c "dropdb --if-exists $DB" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

pg_ctlcluster --skip-systemctl-redirect 15 main start 2>/dev/null || true
su postgres -c "psql -qc \"do \\\$\\\$ begin create role newsletter login password 'newsletter'; exception when duplicate_object then null; end \\\$\\\$\""
su postgres -c "dropdb --if-exists $DB; createdb -O newsletter $DB"
python3 bench/smtp_catcher.py "$SMTP" "$WORK/mails" &

QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT_PORT QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$DB \
QUARKUS_DATASOURCE_USERNAME=newsletter QUARKUS_DATASOURCE_PASSWORD=newsletter \
QUARKUS_MAILER_HOST=127.0.0.1 QUARKUS_MAILER_PORT=$SMTP QUARKUS_MAILER_FROM='News <news@bench.example>' \
QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING=true QUARKUS_HTTP_PROXY_TRUSTED_PROXIES=127.0.0.1 \
  java -jar target/quarkus-app/quarkus-run.jar > "$WORK/service.log" 2>&1 &
until curl -sf "localhost:$MGMT_PORT/q/health/ready" > /dev/null; do sleep 0.5; done

victim=victim@bombed.example
signup() { curl -s -o /dev/null -H "X-Forwarded-For: $1" -H 'Content-Type: application/json' \
                -d "{\"email\":\"$2\"}" "localhost:$PORT/api/subscriptions"; }
visitors=0
for ((batch = 0; batch < ATTEMPTS / 50; batch++)); do
  (
    for ((j = 1; j <= 50; j++)); do
      i=$((batch * 50 + j))
      signup "10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))" "$victim" &
    done
    # one ordinary visitor per batch, from an address of its own
    signup "192.0.2.$((batch % 250 + 1))" "visitor$batch@ok.example" &
    wait
  )
  visitors=$((visitors + 1))
done
sleep 4
victim_mails=$(grep -l "^To: $victim" "$WORK"/mails/* 2>/dev/null | wc -l)
visitor_mails=$(grep -l "^To: visitor" "$WORK"/mails/* 2>/dev/null | wc -l)
echo "bombing: $ATTEMPTS signups for one address from $ATTEMPTS IPs -> victim received $victim_mails mail(s)" \
     "(limits: one per resend-cooldown, per-address-per-day cap)"
echo "visitors: $visitors signed up meanwhile -> $visitor_mails confirmation mail(s) delivered"
