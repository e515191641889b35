# Sourced by bench/bombing.sh and bench/timing.sh: a fresh database on this machine's PostgreSQL 15, the local SMTP
# catcher, and the packaged jar configured only by environment variables, as an operator runs it.
#   start_service PORT MGMT_PORT SMTP DB WORK [VAR=value ...]   (the extra variables go to the service)
# Stops all of it (and drops the database) when the calling script exits.
start_service() {
  local port=$1 management=$2 smtp=$3 db=$4 work=$5
  shift 5
  trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; su postgres -c "dropdb --if-exists '"$db"'" >/dev/null 2>&1 || true; rm -rf "'"$work"'"' EXIT
  pg_ctlcluster --skip-systemctl-redirect 15 main start 2>/dev/null || true
  su postgres -c "psql -qc \"do \\\$\\\$ begin create role newsletter login password 'newsletter'; exception when duplicate_object then null; end \\\$\\\$\""
  su postgres -c "dropdb --if-exists $db; createdb -O newsletter $db"
  /usr/bin/python3 bench/smtp_catcher.py "$smtp" "$work/mails" &  # Debian's python3, which has python3-aiosmtpd
  env QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$management" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$db" \
    QUARKUS_DATASOURCE_USERNAME=newsletter QUARKUS_DATASOURCE_PASSWORD=newsletter \
    QUARKUS_MAILER_HOST=127.0.0.1 QUARKUS_MAILER_PORT="$smtp" QUARKUS_MAILER_FROM='News <news@bench.example>' "$@" \
    java -XX:TieredStopAtLevel=1 -jar target/quarkus-app/quarkus-run.jar > "$work/service.log" 2>&1 &
  until curl -sf "localhost:$management/q/health/ready" > /dev/null; do sleep 0.5; done
}
