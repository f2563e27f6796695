#!/usr/bin/env bash
# Create the application database named in DATABASE_URL when it does not
# exist yet. Migrations are applied by the bot itself (smkbot migrate/serve).
set -euo pipefail

. "$(dirname "$0")/lib.sh"

url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/smkbot?sslmode=disable}

# The database name and a URL of the same server's maintenance database
# "postgres", from either form of connection string.
case $url in
postgres://* | postgresql://*)
	query=
	base=$url
	if [[ $base == *\?* ]]; then
		query="?${base#*\?}"
		base=${base%%\?*}
	fi
	rest=${base#*://}
	if [[ $rest == */* ]]; then
		name=${rest#*/}
		server=${base%/"$name"}
	else
		name=
		server=$base
	fi
	admin="$server/postgres$query"
	;;
*)
	name=$(sed -n 's/.*\bdbname=\([^ ]*\).*/\1/p' <<<"$url")
	if [[ $url == *dbname=* ]]; then
		admin=$(sed 's/\bdbname=[^ ]*/dbname=postgres/' <<<"$url")
	else
		admin="$url dbname=postgres"
	fi
	;;
esac
name=${name:-smkbot}

if ! command -v psql >/dev/null 2>&1; then
	echo "db: installing Debian's postgresql-client package for psql" >&2
	apt_install postgresql-client
fi

# The name goes through psql variables, which quote it, never into SQL text.
exists=$(psql -w -X -Atq -v ON_ERROR_STOP=1 -v db="$name" -d "$admin" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")
if [ "$exists" = 1 ]; then
	echo "db: $name exists"
else
	psql -w -X -q -v ON_ERROR_STOP=1 -v db="$name" -d "$admin" <<<'CREATE DATABASE :"db"'
	echo "db: $name created"
fi
