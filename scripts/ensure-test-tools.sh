#!/usr/bin/env bash
# Run by `npm test` (pretest): the tests use a real Prometheus and promtool. On a fresh
# Debian/Ubuntu machine as root, install them; elsewhere say what is missing.
set -euo pipefail
missing=()
for tool in prometheus promtool; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian package prometheus (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  exit 0
fi
echo "the tests need ${missing[*]}: install Prometheus (Debian/Ubuntu: apt-get install prometheus)" >&2
exit 1
