#!/usr/bin/env bash
# Make PostgreSQL and Redis answer on 127.0.0.1 for development and tests.
#
# Idempotent: a service that already answers is left alone. A missing one is
# installed from Debian's packages and started without systemd (development
# machines and containers here have none). Exits non-zero when a service
# cannot be brought up, so `make test` fails instead of skipping tests.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
WAIT_SECONDS=${WAIT_SECONDS:-30}

pg_answers() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
	else
		tcp_open "$PG_HOST" "$PG_PORT"
	fi
}

redis_answers() {
	if command -v redis-cli >/dev/null 2>&1; then
		[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
	else
		tcp_open "$REDIS_HOST" "$REDIS_PORT"
	fi
}

# wait_for polls a check once a second, at most WAIT_SECONDS times.
wait_for() {
	local name=$1 check=$2 i
	for ((i = 0; i < WAIT_SECONDS; i++)); do
		if "$check"; then
			return 0
		fi
		sleep 1
	done
	echo "$name did not answer within ${WAIT_SECONDS}s" >&2
	return 1
}

# pg_version is the newest cluster version Debian's packages set up.
pg_version() {
	ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1
}

start_postgres() {
	if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(pg_version)" ]; then
		echo "postgres: installing Debian's postgresql package" >&2
		apt_install postgresql
	fi
	# The package's own scripts may have started it already.
	if pg_answers; then
		return 0
	fi
	local v
	v=$(pg_version)
	if [ -z "$v" ]; then
		echo "postgres: no cluster version under /etc/postgresql after installing" >&2
		return 1
	fi
	# The package creates the main cluster; recreate it only if someone
	# removed it.
	if [ ! -d "/etc/postgresql/$v/main" ]; then
		as_root pg_createcluster "$v" main
	fi
	# A cluster that is still starting does not answer yet; starting it a
	# second time would fail, so only start one that is down.
	if ! as_root pg_ctlcluster --skip-systemctl-redirect "$v" main status >/dev/null 2>&1; then
		as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start
	fi
}

# uses_local_postgres_user reports whether DATABASE_URL is unset or names
# the postgres user on this machine, as make's default does. A URL with its
# own user and password is the operator's business, not this script's.
uses_local_postgres_user() {
	case ${DATABASE_URL:-} in
	"" | postgres://postgres@127.0.0.1[:/]* | postgres://postgres@localhost[:/]* | \
		postgresql://postgres@127.0.0.1[:/]* | postgresql://postgres@localhost[:/]*)
		return 0
		;;
	esac
	return 1
}

# allow_local_trust lets the local postgres user in over 127.0.0.1 without a
# password, for development only, and only when that connection fails now
# and the cluster is a Debian one this script can configure (Debian's own
# pg_hba.conf asks for a password over TCP).
allow_local_trust() {
	if ! uses_local_postgres_user || ! command -v psql >/dev/null 2>&1; then
		return 0
	fi
	if psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
		return 0
	fi
	local v hba
	v=$(pg_version)
	hba=/etc/postgresql/$v/main/pg_hba.conf
	if [ -z "$v" ] || ! as_root test -f "$hba"; then
		echo "postgres: cannot connect as postgres over $PG_HOST and found no Debian pg_hba.conf to allow it; set DATABASE_URL with a user and password" >&2
		return 1
	fi
	echo "postgres: allowing passwordless connections from 127.0.0.1 and ::1 in $hba (development only)" >&2
	# pg_hba.conf is read top to bottom and the first match wins, so the
	# trust lines go first.
	as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
	as_root pg_ctlcluster --skip-systemctl-redirect "$v" main reload
	local i
	for ((i = 0; i < WAIT_SECONDS; i++)); do
		if psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		sleep 1
	done
	echo "postgres: still cannot connect as postgres over $PG_HOST after allowing it in $hba" >&2
	return 1
}

start_redis() {
	if ! command -v redis-server >/dev/null 2>&1; then
		echo "redis: installing Debian's redis-server package" >&2
		apt_install redis-server
		if redis_answers; then
			return 0
		fi
	fi
	# Sessions and dedupe keys only: nothing worth writing to disk in
	# development.
	redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
}

if pg_answers; then
	pg_state="already running"
else
	start_postgres
	wait_for postgres pg_answers
	pg_state="started"
fi
allow_local_trust

if redis_answers; then
	redis_state="already running"
else
	start_redis
	wait_for redis redis_answers
	redis_state="started"
fi

echo "postgres: $pg_state on $PG_HOST:$PG_PORT"
echo "redis: $redis_state on $REDIS_HOST:$REDIS_PORT"
