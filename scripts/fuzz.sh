#!/usr/bin/env bash
# Run every Fuzz target of the module for FUZZTIME each (go test -fuzz takes
# one target at a time, so they are listed per package first). Arguments
# narrow it to some packages: scripts/fuzz.sh ./flows/...
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-30s}
found=0
for pkg in $(go list "${@:-./...}"); do
	targets=$(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	for target in $targets; do
		found=1
		echo "fuzz: $pkg $target for $fuzztime"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
	done
done
if [ "$found" = 0 ]; then
	echo "fuzz: no Fuzz targets found" >&2
fi
