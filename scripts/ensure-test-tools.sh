#!/usr/bin/env bash
# Run by `npm test` (pretest): the tests use a real Prometheus, promtool, a real Alertmanager and
# amtool (the examples/alertmanager config), redis-server, a PostgreSQL server (initdb and
# postgres, started by the tests in a temp dir: test/support/postgres.ts), Chromium (the status
# page is tested in a real headless browser), xmllint (badge SVGs are parsed as XML), and for
# deploy/ kubectl (its built-in kustomize renders deploy/kubernetes) and systemd-analyze (verifies
# deploy/systemd). On a fresh Debian/Ubuntu machine as root, install them; elsewhere say what is
# missing.
# kubectl is the `kubectl` package, which this project's machine image has installed. Debian's
# own archive (bookworm) has no `kubectl` package, only kubernetes-client 1.20, whose kustomize is
# too old for deploy/kubernetes: where kubectl is missing and no apt source has it, this fails
# with apt's message; install a recent kubectl by hand there (checked with 1.32, kustomize 5.5).
# `ensure-test-tools.sh bench` (npm run bench) also wants the peer, blackbox_exporter.
set -euo pipefail
missing=()
packages=()
for tool in prometheus promtool; do command -v "$tool" >/dev/null 2>&1 || { missing+=("$tool"); packages+=(prometheus); }; done
for tool in prometheus-alertmanager amtool; do command -v "$tool" >/dev/null 2>&1 || { missing+=("$tool"); packages+=(prometheus-alertmanager); }; done
command -v redis-server >/dev/null 2>&1 || { missing+=(redis-server); packages+=(redis-server); }
# Debian keeps initdb and postgres in /usr/lib/postgresql/<version>/bin, off PATH.
{ command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; } || { missing+=(initdb); packages+=(postgresql); }
command -v chromium >/dev/null 2>&1 || { missing+=(chromium); packages+=(chromium); }
command -v xmllint >/dev/null 2>&1 || { missing+=(xmllint); packages+=(libxml2-utils); }
command -v kubectl >/dev/null 2>&1 || { missing+=(kubectl); packages+=(kubectl); }
command -v systemd-analyze >/dev/null 2>&1 || { missing+=(systemd-analyze); packages+=(systemd); }
if [ "${1:-}" = bench ]; then
  command -v prometheus-blackbox-exporter >/dev/null 2>&1 || { missing+=(prometheus-blackbox-exporter); packages+=(prometheus-blackbox-exporter); }
fi
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages ${packages[*]} (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  exit 0
fi
what=${1:+the benchmarks}; echo "${what:-the tests} need ${missing[*]}: install them (Debian/Ubuntu: apt-get install ${packages[*]})" >&2
exit 1
