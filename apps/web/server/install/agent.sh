#!/bin/sh
# Stevedore agent installer, served by the control plane at /install/agent.sh (the values in
# @…@ are filled in there). On a Docker host with Node.js >= 20 and curl or wget:
#
#   curl -fsSL @STEVEDORE_URL@/install/agent.sh | sudo sh -s -- --join TOKEN [--ca-pin sha256:HEX]
#
# (Add host gives the exact line; with a pin it checks the CA before it fetches this script) installs
# the agent (one bundled file) in /opt/stevedore-agent, enrolls the host, and runs it as the
# stevedore-agent systemd service. Running it again upgrades the agent and keeps its credential;
# `--uninstall` removes it. STEVEDORE_INSTALL_ROOT=DIR installs under DIR instead of / (for tests
# and image builds): nothing is started then, and no root is needed.
set -eu

STEVEDORE_URL='@STEVEDORE_URL@'
BUNDLE_SHA256='@BUNDLE_SHA256@'
AGENT_VERSION='@AGENT_VERSION@'

usage() {
  cat <<EOF
Usage: agent.sh [--join TOKEN] [options]

  --join TOKEN           one-time join token from "Add host" (not needed to upgrade an enrolled host)
  --url URL              control plane URL (default: $STEVEDORE_URL)
  --hostname NAME        name to report for this host (default: its hostname)
  --docker-socket PATH   engine socket (default: /var/run/docker.sock)
  --bind-mounts RULE     this host's own limit on bind mounts, for every run (admins' too), whatever
                         the control plane allows: none, any (default: the control plane's run policy
                         decides) or PREFIX[,PREFIX...] (only under those absolute paths). Given on
                         an upgrade, it replaces the one in the env file.
  --ca-pin sha256:HEX    trust only the control plane's CA with this public-key digest (from "Add host"),
                         for the downloads here and for the agent from then on
  --ca-file FILE         that CA's certificate, already fetched (else it is fetched from the control
                         plane and accepted only if it matches --ca-pin)
  --bundle-sha256 HEX    the agent's expected SHA-256, from "Add host" (default: the one in this script)
  --insecure-http        allow a plain http:// URL to another machine (the credential and every
                         command cross the network readable and alterable); kept in the env file
  --no-start             install and enroll, but do not enable or start the service
  --uninstall            stop and remove the agent, its configuration and its credential
EOF
}

say() { printf 'stevedore-agent: %s\n' "$*"; }
die() { printf 'stevedore-agent: error: %s\n' "$*" >&2; exit 1; }

url=$STEVEDORE_URL
join=""
host_name=""
socket=""
bind_mounts=""
ca_pin=""
ca_file=""
bundle_sha256=""
insecure_http=0
start=1
uninstall=0
while [ $# -gt 0 ]; do
  case $1 in
    --join) [ $# -ge 2 ] || die "--join needs a token"; join=$2; shift 2 ;;
    --join=*) join=${1#*=}; shift ;;
    --url) [ $# -ge 2 ] || die "--url needs a URL"; url=$2; shift 2 ;;
    --url=*) url=${1#*=}; shift ;;
    --hostname) [ $# -ge 2 ] || die "--hostname needs a name"; host_name=$2; shift 2 ;;
    --hostname=*) host_name=${1#*=}; shift ;;
    --docker-socket) [ $# -ge 2 ] || die "--docker-socket needs a path"; socket=$2; shift 2 ;;
    --docker-socket=*) socket=${1#*=}; shift ;;
    --bind-mounts) [ $# -ge 2 ] || die "--bind-mounts needs none, any or PREFIX[,PREFIX...]"; bind_mounts=$2; shift 2 ;;
    --bind-mounts=*) bind_mounts=${1#*=}; shift ;;
    --ca-pin) [ $# -ge 2 ] || die "--ca-pin needs sha256:HEX"; ca_pin=$2; shift 2 ;;
    --ca-pin=*) ca_pin=${1#*=}; shift ;;
    --ca-file) [ $# -ge 2 ] || die "--ca-file needs a file"; ca_file=$2; shift 2 ;;
    --ca-file=*) ca_file=${1#*=}; shift ;;
    --bundle-sha256) [ $# -ge 2 ] || die "--bundle-sha256 needs 64 hex digits"; bundle_sha256=$2; shift 2 ;;
    --bundle-sha256=*) bundle_sha256=${1#*=}; shift ;;
    --insecure-http) insecure_http=1; shift ;;
    --no-start) start=0; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

root=${STEVEDORE_INSTALL_ROOT:-}
root=${root%/}
prefix=$root/opt/stevedore-agent
bundle=$prefix/stevedore-agent.mjs
env_file=$root/etc/stevedore-agent.env
unit_file=$root/etc/systemd/system/stevedore-agent.service
state_dir=$root/var/lib/stevedore-agent
credentials=$state_dir/credentials.json
# Where the agent keeps the pinned CA (beside its credentials); downloads here trust it too.
ca_cert=$state_dir/ca.pem

if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then
  die "run as root: curl -fsSL $STEVEDORE_URL/install/agent.sh | sudo sh -s -- --join TOKEN"
fi

# systemd is in charge only when it is PID 1 (not in most containers), and never under an install root.
if [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemd=1
else
  systemd=0
fi

if [ "$uninstall" = 1 ]; then
  if [ "$systemd" = 1 ]; then
    systemctl disable --now stevedore-agent >/dev/null 2>&1 || true
  fi
  rm -f "$unit_file" "$env_file"
  rm -rf "$prefix" "$state_dir"
  if [ "$systemd" = 1 ]; then systemctl daemon-reload; fi
  say "removed the agent, its configuration and its credential."
  say "revoke the host in Stevedore (Hosts, Revoke) so its credential is refused for good."
  exit 0
fi

# The agent checks the rule in full when it starts; here only its shape, before anything is installed.
case $bind_mounts in
  "" | none | any | /*) ;;
  *) die "--bind-mounts must be none, any or absolute path prefixes separated by commas (e.g. /srv/data,/opt/app), not '$bind_mounts'" ;;
esac
case $bind_mounts in
  *[!A-Za-z0-9/,._@+-]*) die "--bind-mounts: a prefix may hold letters, digits and / , . _ @ + - only, not '$bind_mounts'" ;;
esac

case $url in
  http://* | https://*) ;;
  *) die "--url must be the control plane's http(s):// URL, not '$url'" ;;
esac

# The host of an http(s):// URL: what follows the scheme, up to the path, without user or port.
url_host() {
  h=${1#*://}
  h=${h%%[/?#\\]*}
  h=${h##*@}
  case $h in
    \[*) h=${h%%]*}]; ;;
    *) h=${h%%:*} ;;
  esac
  printf '%s\n' "$h"
}

# 127.0.0.0/8 (four decimal parts), ::1, localhost: as the agent decides (packages/protocol/src/transport.ts).
is_loopback() {
  case $1 in
    localhost | "[::1]") return 0 ;;
    127.*) ;;
    *) return 1 ;;
  esac
  case $1 in *[!0-9.]* | *..* | *.) return 1 ;; esac
  old_ifs=$IFS; IFS=.
  # shellcheck disable=SC2086
  set -- $1
  IFS=$old_ifs
  [ $# -eq 4 ] || return 1
  for part in "$@"; do [ ${#part} -le 3 ] && [ "$part" -le 255 ] || return 1; done
}

# Plain http carries the host's credential and every command (root here) in clear text.
case $url in
  http://*)
    if ! is_loopback "$(url_host "$url")" && [ "$insecure_http" = 0 ]; then
      die "$url is plain http to an address other than this machine: anyone on the way could read this host's credential and command it as root. Give the control plane TLS (PUBLIC_URL=https://... behind a TLS proxy, or TLS_CERT_FILE and TLS_KEY_FILE on the control plane itself) and use its https:// URL, or pass --insecure-http to accept the risk"
    fi
    [ -z "$ca_pin" ] || die "--ca-pin pins the control plane's TLS certificate: $url must be https://"
    ;;
esac
is_sha256_hex() { case $1 in *[!0-9a-f]*) return 1 ;; esac; [ ${#1} -eq 64 ]; }
case $ca_pin in
  "") ;;
  sha256:*) is_sha256_hex "${ca_pin#sha256:}" || die "--ca-pin must be sha256: and 64 lowercase hex digits (the pin shown in Add host), not '$ca_pin'" ;;
  *) die "--ca-pin must be sha256: and 64 lowercase hex digits (the pin shown in Add host), not '$ca_pin'" ;;
esac
[ -z "$ca_file" ] || [ -n "$ca_pin" ] || die "--ca-file needs the --ca-pin it is checked against"
[ -z "$bundle_sha256" ] || is_sha256_hex "$bundle_sha256" || die "--bundle-sha256 must be 64 lowercase hex digits, not '$bundle_sha256'"

node=$(command -v node 2>/dev/null) || die "Node.js >= 20 is needed and 'node' is not on the PATH: install it (your distribution's nodejs package, or https://nodejs.org) and run this again"
"$node" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || die "Node.js >= 20 is needed; $node is $("$node" --version)"

engine_socket=${socket:-/var/run/docker.sock}
[ -S "$engine_socket" ] || die "no Docker Engine socket at $engine_socket: install and start Docker first, or pass --docker-socket PATH"

# download URL FILE [CA]: with CA, the server must present a chain that ends at it; "unverified"
# only for the CA certificate itself, which is then checked against the pin.
download() {
  if command -v curl >/dev/null 2>&1; then
    case ${3:-} in
      "") curl -fsSL --retry 3 -o "$2" "$1" ;;
      unverified) curl -fsSL --retry 3 -k -o "$2" "$1" ;;
      *) curl -fsSL --retry 3 --cacert "$3" -o "$2" "$1" ;;
    esac
  elif command -v wget >/dev/null 2>&1; then
    case ${3:-} in
      "") wget -q -O "$2" "$1" ;;
      unverified) wget -q --no-check-certificate -O "$2" "$1" ;;
      *) wget -q --ca-certificate="$3" -O "$2" "$1" ;;
    esac
  else
    die "curl or wget is needed to download the agent"
  fi
}

# sha256:HEX of a PEM certificate's SubjectPublicKeyInfo, as --ca-pin gives it.
spki_pin() {
  "$node" -e 'const c = require("crypto"); try { const x = new c.X509Certificate(require("fs").readFileSync(process.argv[1])); console.log("sha256:" + c.createHash("sha256").update(x.publicKey.export({ type: "spki", format: "der" })).digest("hex")); } catch (e) { console.log("(not a certificate: " + e.message + ")"); }' "$1"
}

# 0. The pinned CA, before anything else is fetched: given (--ca-file, as the Add host line does) or
#    fetched without verification, and kept only if its public key hashes to the pin.
download_ca=""
if [ -n "$ca_pin" ]; then
  mkdir -p "$state_dir"
  chmod 700 "$state_dir"
  if [ -n "$ca_file" ]; then
    [ -r "$ca_file" ] || die "--ca-file $ca_file cannot be read"
    cp "$ca_file" "$ca_cert.new"
  else
    download "$url/install/ca.pem" "$ca_cert.new" unverified || die "could not download $url/install/ca.pem to check --ca-pin"
  fi
  presented=$(spki_pin "$ca_cert.new")
  if [ "$presented" != "$ca_pin" ]; then
    rm -f "$ca_cert.new"
    die "the CA pin does not match: expected $ca_pin, the server presented $presented. Someone may be intercepting this connection, or the control plane's CA changed: compare with the pin in Stevedore's \"Add host\""
  fi
  chmod 600 "$ca_cert.new"
  mv -f "$ca_cert.new" "$ca_cert"
  download_ca=$ca_cert
  say "the control plane's CA matches $ca_pin; it alone is trusted from now on"
elif [ -f "$ca_cert" ]; then
  # An upgrade of a pinned host: the CA kept at enrollment still decides.
  download_ca=$ca_cert
fi

# 1. The agent, checked against the digest the control plane put in this script, then moved into
#    place in one step (a running agent keeps its open file; the restart below picks up the new one).
umask 022
mkdir -p "$prefix"
download "$url/install/stevedore-agent.mjs" "$bundle.new" "$download_ca" || die "could not download $url/install/stevedore-agent.mjs"
# The digest from the command line (Add host puts it there) wins over the one this script carries.
expected=${bundle_sha256:-$BUNDLE_SHA256}
actual=$("$node" -e 'const h = require("crypto").createHash("sha256"); h.update(require("fs").readFileSync(process.argv[1])); console.log(h.digest("hex"))' "$bundle.new")
if [ "$actual" != "$expected" ]; then
  rm -f "$bundle.new"
  die "the downloaded agent's SHA-256 is $actual, not $expected: the download was altered or the control plane was upgraded meanwhile; run this again"
fi
chmod 755 "$bundle.new"
mv -f "$bundle.new" "$bundle"
say "agent $AGENT_VERSION installed in $bundle"

# 2. Enrollment, once: the join token becomes this host's own credential (0600, in $state_dir).
#    The token goes through the environment, not the command line other users can read.
umask 077
if [ -f "$credentials" ]; then
  say "already enrolled (keeping $credentials)${join:+; the join token is not needed and was not used}"
else
  [ -n "$join" ] || die "this host is not enrolled yet: pass --join TOKEN from Stevedore's \"Add host\""
  insecure_flag=""
  if [ "$insecure_http" = 1 ]; then insecure_flag=--insecure-http; fi
  STEVEDORE_JOIN_TOKEN=$join "$node" "$bundle" --enroll --url "$url" --credentials "$credentials" \
    ${host_name:+--hostname "$host_name"} ${socket:+--docker-socket "$socket"} ${bind_mounts:+--bind-mounts "$bind_mounts"} \
    ${ca_pin:+--ca-pin "$ca_pin"} $insecure_flag --log-level warn \
    || die "enrollment failed (see above); get a new token from \"Add host\" if this one was used or expired"
  say "enrolled with $url"
fi

# set_env NAME VALUE: replaces NAME's line in the kept env file.
set_env() {
  grep -v "^$1=" "$env_file" >"$env_file.new" || true
  echo "$1=$2" >>"$env_file.new"
  chmod 600 "$env_file.new"
  mv -f "$env_file.new" "$env_file"
}

# 3. The service's configuration: written on the first install, kept (with any edits) on upgrades.
mkdir -p "$(dirname "$env_file")"
if [ -f "$env_file" ]; then
  say "keeping $env_file"
  if [ -n "$bind_mounts" ]; then
    set_env STEVEDORE_BIND_MOUNTS "$bind_mounts"
    say "bind mounts on this host: $bind_mounts (STEVEDORE_BIND_MOUNTS in $env_file)"
  fi
  if [ -n "$ca_pin" ]; then set_env STEVEDORE_CA_PIN "$ca_pin"; fi
  if [ "$insecure_http" = 1 ]; then set_env STEVEDORE_INSECURE_HTTP true; fi
else
  {
    echo "# Stevedore agent (written by $url/install/agent.sh). The credential in $credentials holds the URL."
    echo "STEVEDORE_URL=$url"
    echo "STEVEDORE_CREDENTIALS_FILE=$credentials"
    if [ -n "$host_name" ]; then echo "STEVEDORE_HOSTNAME=$host_name"; fi
    if [ -n "$socket" ]; then echo "STEVEDORE_DOCKER_SOCKET=$socket"; fi
    echo "# This host's own limit on bind mounts (none, any, or PREFIX[,PREFIX...]); the stricter of it"
    echo "# and the control plane's run policy applies, to admins too."
    if [ -n "$bind_mounts" ]; then echo "STEVEDORE_BIND_MOUNTS=$bind_mounts"; else echo "# STEVEDORE_BIND_MOUNTS=any"; fi
    echo "# The control plane's CA, pinned (its certificate is $ca_cert): the only CA trusted."
    if [ -n "$ca_pin" ]; then echo "STEVEDORE_CA_PIN=$ca_pin"; else echo "# STEVEDORE_CA_PIN=sha256:..."; fi
    if [ "$insecure_http" = 1 ]; then
      echo "# Plain http to another machine, accepted at install (--insecure-http): the credential and"
      echo "# every command cross the network readable and alterable."
      echo "STEVEDORE_INSECURE_HTTP=true"
    fi
    echo "# LOG_LEVEL=info"
  } >"$env_file"
  chmod 600 "$env_file"
fi

# 4. The hardened unit (infra/systemd/stevedore-agent.service), running this node on the bundle.
umask 022
mkdir -p "$(dirname "$unit_file")"
sed -e "s#^ExecStart=.*#ExecStart=$node $bundle#" \
  -e "s#^EnvironmentFile=.*#EnvironmentFile=$env_file#" >"$unit_file" <<'STEVEDORE_UNIT'
@UNIT@
STEVEDORE_UNIT

run_by_hand="set -a; . $env_file; set +a; exec $node $bundle"
if [ "$systemd" = 0 ]; then
  say "no systemd here (or an install root): the unit is in $unit_file but nothing was started."
  say "run the agent under your supervisor with: sh -c '$run_by_hand'"
elif [ "$start" = 0 ]; then
  systemctl daemon-reload
  say "not started (--no-start): systemctl enable --now stevedore-agent"
else
  systemctl daemon-reload
  systemctl enable stevedore-agent >/dev/null 2>&1
  # restart, not start: an upgrade replaces a running agent.
  systemctl restart stevedore-agent
  sleep 2
  systemctl is-active --quiet stevedore-agent || die "the service did not stay up: journalctl -u stevedore-agent -n 50"
  say "running; the host appears in Stevedore in a few seconds. Logs: journalctl -u stevedore-agent -f"
fi
