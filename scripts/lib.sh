# shellcheck shell=bash
# Helpers shared by the scripts in this folder; sourced, not run.

# as_root runs a command as root: directly when we are root, through sudo
# when it exists, and otherwise fails with a message that says why.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "need root for: $* (run as root or install sudo)" >&2
		return 1
	fi
}

# apt_install installs Debian packages without questions. The package
# lists are refreshed once per run, only when something must be installed.
apt_install() {
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "apt-get not found: install $* by hand (this script expects Debian or Ubuntu)" >&2
		return 1
	fi
	if [ -z "${APT_UPDATED:-}" ]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		APT_UPDATED=1
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# tcp_open reports whether something accepts connections on host:port,
# using bash's /dev/tcp so that it works before any client is installed.
tcp_open() {
	timeout 2 bash -c ": </dev/tcp/$1/$2" >/dev/null 2>&1
}
