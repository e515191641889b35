#!/usr/bin/env bash
# List-bombing run against the packaged jar: thousands of signups for ONE victim address from many client IPs
# (played with X-Forwarded-For from a trusted local proxy), interleaved with ordinary visitors. Prints how many mails
# reached the victim and how many visitors got their confirmation.
#
# Needs: the packaged jar (./mvnw package -DskipTests), PostgreSQL 15 of this machine, python3 and python3-aiosmtpd
# (Debian), curl.
#   bash bench/bombing.sh [attempts=3000]
set -euo pipefail
cd "$(dirname "$0")/.."
ATTEMPTS=${1:-3000}
PORT=18090 MGMT_PORT=18089 SMTP=18025 DB=newsletter_bombing
WORK=$(mktemp -d)
source bench/service.sh
start_service "$PORT" "$MGMT_PORT" "$SMTP" "$DB" "$WORK" \
  QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING=true QUARKUS_HTTP_PROXY_TRUSTED_PROXIES=127.0.0.1

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
