#!/usr/bin/env bash
# Makes sure a Docker Engine answers on /var/run/docker.sock, installing Debian's docker.io and
# starting dockerd when needed (as root). Sourced by the start and test commands; sets
# STEVEDORE_STARTED_DOCKERD=1 when it started the engine, so the caller can stop it again.
set -euo pipefail

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "stevedore: missing Debian packages: ${missing[*]} (run as root, or install them with apt-get)" >&2
    return 1
  fi
  echo "stevedore: installing ${missing[*]} from Debian's packages…" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

STEVEDORE_STARTED_DOCKERD=${STEVEDORE_STARTED_DOCKERD:-0}
if ! engine_answers; then
  apt_install docker.io containerd runc iptables
  if ! engine_answers; then
    if [ "$(id -u)" != 0 ]; then
      echo "stevedore: no Docker Engine answers on /var/run/docker.sock; start it (sudo systemctl start docker)" >&2
      exit 1
    fi
    echo "stevedore: starting dockerd…" >&2
    setsid nohup dockerd >/var/log/stevedore-dockerd.log 2>&1 < /dev/null &
    for _ in $(seq 1 60); do engine_answers && break; sleep 0.5; done
    engine_answers || { echo "stevedore: dockerd did not start; see /var/log/stevedore-dockerd.log" >&2; exit 1; }
    STEVEDORE_STARTED_DOCKERD=1
  fi
fi
export STEVEDORE_STARTED_DOCKERD
