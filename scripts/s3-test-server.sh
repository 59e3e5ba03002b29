#!/usr/bin/env bash
# A throwaway S3 server with S3 Object Lock for integration tests: a single-node Ceph cluster (one monitor,
# one memstore OSD: data lives in RAM) and a RADOS Gateway, every file under one folder, every port on
# 127.0.0.1 below 32768.
#
#   scripts/s3-test-server.sh start DIR   # installs the Debian packages if missing, starts the cluster,
#                                         # creates an S3 user and prints the path of DIR/env (only line on stdout)
#   scripts/s3-test-server.sh stop DIR    # stops the daemons by recorded PID and removes DIR
#   scripts/s3-test-server.sh status DIR  # exit 0 when the gateway answers
#
# DIR/env holds ARCHIVE_S3_ENDPOINT (host:port), ARCHIVE_S3_ACCESS_KEY, ARCHIVE_S3_SECRET_KEY and
# ARCHIVE_S3_SECURE=false; load it with `set -a; . DIR/env; set +a`. Logs go to stderr and DIR/logs.
#
# Environment: ARCHIVE_S3_START_TIMEOUT (seconds per step, default 60), ARCHIVE_S3_MEMSTORE_BYTES (RAM the OSD
# may use for data, default 8 GiB: it is only used as objects are written), ARCHIVE_S3_STOP_GRACE (seconds between
# SIGTERM and SIGKILL, default 3).
set -euo pipefail

STEP_TIMEOUT=${ARCHIVE_S3_START_TIMEOUT:-60}
MEMSTORE_BYTES=${ARCHIVE_S3_MEMSTORE_BYTES:-8589934592}
MARKER=.archive-s3-test-server
PACKAGES=(ceph-mon ceph-osd radosgw uuid-runtime)

log() { printf '[s3-test-server] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

usage() {
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------------------

# True while PID runs (a zombie or a reused PID that is not our daemon counts as gone).
alive() {
  local pid=$1 name=$2 stat state argv0=""
  # Builtins only: this runs in polling loops.
  IFS= read -r stat 2>/dev/null <"/proc/$pid/stat" || return 1
  state=${stat##*) }
  state=${state%% *}
  [ "$state" != Z ] && [ "$state" != X ] || return 1
  IFS= read -r -d '' argv0 2>/dev/null <"/proc/$pid/cmdline" || true
  [ "${argv0##*/}" = "$name" ]
}

# Stops the daemons by their recorded PIDs: SIGTERM to all at once, SIGKILL to whatever still runs after a short
# grace period (radosgw needs ~6 s to exit cleanly; the cluster is throwaway and its data lives in RAM, so there is
# nothing to flush).
stop_all() {
  local dir=$1 grace=${ARCHIVE_S3_STOP_GRACE:-3} name pid i
  local -a pids=() names=()
  for name in radosgw ceph-osd ceph-mon; do
    [ -f "$dir/run/$name.daemon-pid" ] || continue
    pid=$(cat "$dir/run/$name.daemon-pid")
    if alive "$pid" "$name"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$name")
    fi
  done
  for ((i = 0; i < grace * 10; i++)); do
    local running=0 k
    for k in "${!pids[@]}"; do
      alive "${pids[$k]}" "${names[$k]}" && running=1
    done
    [ "$running" = 0 ] && break
    sleep 0.1
  done
  local k
  for k in "${!pids[@]}"; do
    if alive "${pids[$k]}" "${names[$k]}"; then
      log "${names[$k]} (pid ${pids[$k]}) still running after ${grace}s; sending SIGKILL"
      kill -KILL "${pids[$k]}" 2>/dev/null || true
    fi
  done
  for k in "${!pids[@]}"; do
    for ((i = 0; i < 50; i++)); do
      alive "${pids[$k]}" "${names[$k]}" || break
      sleep 0.1
    done
    alive "${pids[$k]}" "${names[$k]}" && log "WARNING: ${names[$k]} (pid ${pids[$k]}) survived SIGKILL"
  done
  rm -f "$dir"/run/*.daemon-pid
  return 0
}

# Starts a daemon in the foreground mode of Ceph (-f), detached from our stdout, and records its PID.
start_daemon() {
  local dir=$1 name=$2
  shift 2
  "$@" </dev/null >>"$dir/logs/$name.out" 2>&1 &
  echo $! >"$dir/run/$name.daemon-pid"
}

wait_for() {
  local what=$1 dir=$2 daemon=$3
  shift 3
  local deadline=$((SECONDS + STEP_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$daemon" ] && ! alive "$(cat "$dir/run/$daemon.daemon-pid")" "$daemon"; then
      fail_start "$dir" "$daemon exited while waiting for $what"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail_start "$dir" "timed out after ${STEP_TIMEOUT}s waiting for $what"
    fi
    sleep 0.1
  done
}

fail_start() {
  local dir=$1 msg=$2 f
  log "ERROR: $msg"
  for f in "$dir"/logs/*; do
    [ -f "$f" ] || continue
    log "---- last lines of $f"
    tail -n 15 "$f" >&2 || true
  done
  stop_all "$dir"
  log "the daemons were stopped; logs are kept in $dir/logs (run '$0 stop $dir' to remove the folder)"
  exit 1
}

# ---------------------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------------------

have_binaries() {
  command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null && command -v radosgw >/dev/null &&
    command -v radosgw-admin >/dev/null && command -v ceph >/dev/null && command -v ceph-authtool >/dev/null &&
    command -v monmaptool >/dev/null && command -v uuidgen >/dev/null
}

install_packages() {
  have_binaries && return 0
  [ "$(id -u)" = 0 ] || die "the Ceph packages (${PACKAGES[*]}) are missing and installing them needs root"
  command -v apt-get >/dev/null || die "the Ceph packages (${PACKAGES[*]}) are missing and apt-get is not available"
  export DEBIAN_FRONTEND=noninteractive
  local candidate
  candidate=$(apt-cache policy ceph-mon 2>/dev/null | awk '/Candidate:/{print $2}')
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    log "apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
  fi
  log "installing ${PACKAGES[*]}"
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2 ||
    die "apt-get install ${PACKAGES[*]} failed"
  have_binaries || die "the Ceph binaries are still missing after apt-get install"
}

# ---------------------------------------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------------------------------------

# Listening or bound TCP ports (decimal), from /proc (no dependency on ss/netstat).
used_ports() {
  local hex
  for hex in $(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$2 ~ /:[0-9A-Fa-f]+$/ {n=split($2,a,":"); print a[n]}'); do
    echo $((16#$hex))
  done
}

# Chooses a block of 24 consecutive free ports in [20000, 32000): mon = base, OSD = base+1..base+20,
# gateway = base+22.
choose_base_port() {
  local used base try p ok
  used=" $(used_ports | sort -un | tr '\n' ' ') "
  for try in $(seq 1 200); do
    base=$((20000 + (RANDOM % 480) * 25))
    ok=1
    for p in $(seq "$base" $((base + 23))); do
      case "$used" in *" $p "*) ok=0; break ;; esac
    done
    if [ "$ok" = 1 ]; then
      echo "$base"
      return 0
    fi
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------------
# start / stop / status
# ---------------------------------------------------------------------------------------------------------

http_answers() {
  local port=$1
  # Any HTTP status line means the gateway is serving (anonymous GET / answers with an empty bucket list).
  # A subshell, so that a refused connection cannot end this script.
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    line=""
    IFS= read -r -t 5 line <&3 || true
    case "$line" in HTTP/1.*) exit 0 ;; *) exit 1 ;; esac
  ) 2>/dev/null
}

osd_up() { ceph osd dump 2>/dev/null | grep -q '^osd\.0 up'; }

status() {
  local dir=$1
  [ -f "$dir/env" ] || return 1
  local port
  port=$(sed -n 's/^ARCHIVE_S3_ENDPOINT=127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/env")
  [ -n "$port" ] || return 1
  for d in ceph-mon ceph-osd radosgw; do
    [ -f "$dir/run/$d.daemon-pid" ] && alive "$(cat "$dir/run/$d.daemon-pid")" "$d" || return 1
  done
  http_answers "$port"
}

random_string() {
  local alphabet=$1 length=$2 out=""
  while [ "${#out}" -lt "$length" ]; do
    out+=$(head -c 256 /dev/urandom | LC_ALL=C tr -dc "$alphabet" || true)
  done
  printf '%s' "${out:0:$length}"
}

start() {
  local dir=$1
  if status "$dir"; then
    log "already running ($dir)"
    echo "$dir/env"
    return 0
  fi
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    [ -f "$dir/$MARKER" ] || die "$dir exists, is not empty and was not made by this script; choose another folder"
    log "$dir holds a stopped or broken server; restarting it from scratch"
    stop_all "$dir"
    find "$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  fi

  install_packages

  local started=$SECONDS
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  touch "$dir/$MARKER"
  mkdir -p "$dir/logs" "$dir/run" "$dir/mon" "$dir/osd/ceph-0" "$dir/tmp"

  local base mon_port rgw_port fsid osd_uuid
  base=$(choose_base_port) || die "no free block of ports found in 20000-32000"
  mon_port=$base
  rgw_port=$((base + 22))
  fsid=$(uuidgen)
  osd_uuid=$(uuidgen)

  export CEPH_CONF="$dir/ceph.conf"
  cat >"$CEPH_CONF" <<EOF
[global]
fsid = $fsid
mon initial members = a
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind msgr2 = true
ms bind ipv6 = false
ms bind port min = $((base + 1))
ms bind port max = $((base + 20))
# No cephx: a loopback test cluster. Without 'crc secure' radosgw retries forever (get_initial_auth_request -13).
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
# One node, one OSD.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0
# Fast consensus: user creation drops from ~9 s to 0.2 s.
paxos propose interval = 0.01
paxos min wait = 0.01
# Everything under this folder.
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/logs/\$name.log
keyring = $dir/keyring
mon data = $dir/mon/ceph-\$id
osd data = $dir/osd/ceph-\$id
log to stderr = false
err to stderr = true
log to file = true
crash dir = $dir/tmp

[osd]
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd crush update on start = true

[client.rgw.a]
# tcp_nodelay: without it small responses wait for delayed ACKs (~40 ms per small GET on loopback).
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $dir/tmp
rgw enable usage log = false
# Deleted and overwritten objects are garbage-collected within seconds instead of hours: the store is RAM
# (memstore device bytes), and benchmark runs that write and delete gigabytes would otherwise fill it, after which
# Ceph blocks every write (an OSD that is full does not refuse, it waits).
rgw gc obj min wait = 5
rgw gc processor period = 5
EOF

  log "starting in $dir (mon 127.0.0.1:$mon_port, gateway 127.0.0.1:$rgw_port)"

  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >>"$dir/logs/setup.log" 2>&1 ||
    fail_start "$dir" "ceph-authtool failed"
  ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
    --cap mds 'allow *' --cap mgr 'allow *' >>"$dir/logs/setup.log" 2>&1 || fail_start "$dir" "ceph-authtool failed"
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/tmp/monmap" >>"$dir/logs/setup.log" 2>&1 ||
    fail_start "$dir" "monmaptool failed"
  ceph-mon --mkfs -i a --monmap "$dir/tmp/monmap" --keyring "$dir/keyring" >>"$dir/logs/setup.log" 2>&1 ||
    fail_start "$dir" "ceph-mon --mkfs failed"

  start_daemon "$dir" ceph-mon ceph-mon -f -i a
  wait_for "the monitor" "$dir" ceph-mon timeout 10 ceph --connect-timeout 5 mon stat

  local osd_id
  osd_id=$(timeout 30 ceph --connect-timeout 10 osd new "$osd_uuid" 2>>"$dir/logs/setup.log") ||
    fail_start "$dir" "ceph osd new failed"
  [ "$osd_id" = 0 ] || fail_start "$dir" "unexpected OSD id '$osd_id'"
  timeout 60 ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$dir/logs/setup.log" 2>&1 ||
    fail_start "$dir" "ceph-osd --mkfs failed"
  start_daemon "$dir" ceph-osd ceph-osd -f -i 0
  wait_for "osd.0 up" "$dir" ceph-osd osd_up

  local access_key secret_key
  access_key=$(random_string 'A-Z0-9' 20)
  secret_key=$(random_string 'A-Za-z0-9' 40)
  timeout "$STEP_TIMEOUT" radosgw-admin user create --uid archive-test --display-name "Archive tests" \
    --access-key "$access_key" --secret-key "$secret_key" >>"$dir/logs/setup.log" 2>&1 ||
    fail_start "$dir" "radosgw-admin user create failed (or timed out after ${STEP_TIMEOUT}s)"

  start_daemon "$dir" radosgw radosgw -f -n client.rgw.a
  wait_for "the gateway to answer HTTP on 127.0.0.1:$rgw_port" "$dir" radosgw http_answers "$rgw_port"

  umask 077
  cat >"$dir/env.tmp" <<EOF
ARCHIVE_S3_ENDPOINT=127.0.0.1:$rgw_port
ARCHIVE_S3_ACCESS_KEY=$access_key
ARCHIVE_S3_SECRET_KEY=$secret_key
ARCHIVE_S3_SECURE=false
EOF
  mv "$dir/env.tmp" "$dir/env"
  log "ready in $((SECONDS - started)) s: http://127.0.0.1:$rgw_port (env: $dir/env)"
  echo "$dir/env"
}

stop() {
  local dir=$1
  if [ ! -e "$dir" ]; then
    return 0
  fi
  if [ ! -f "$dir/$MARKER" ]; then
    if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then
      rmdir "$dir"
      return 0
    fi
    die "$dir was not made by this script; not touching it"
  fi
  export CEPH_CONF="$dir/ceph.conf"
  stop_all "$dir"
  rm -rf "$dir"
  log "stopped and removed $dir"
}

[ $# -eq 2 ] || usage
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  status) status "$2" ;;
  *) usage ;;
esac
