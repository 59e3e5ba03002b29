#!/usr/bin/env bash
# Runs every test of the repository. Installs and starts the servers the tests need (a throwaway Ceph RADOS
# Gateway with S3 Object Lock on loopback), runs the whole solution's tests, stops the servers and prints the
# test runner's summary followed by one line "tests: N passed, N failed, N skipped".
#
#   scripts/test.sh                 # everything
#   scripts/test.sh --no-servers    # skip starting servers (server-backed tests skip visibly; they fail under CI=true)
#
# Extra arguments after -- go to `dotnet test` (e.g. -- --filter-class '*Lucene*' is runner-specific).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

start_servers=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-servers) start_servers=0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet SDK 10 is required (https://dot.net); it is preinstalled on the project's machines." >&2
  exit 1
fi

# The PDF tests draw Vietnamese text with DejaVu Sans (Debian: fonts-dejavu-core, preinstalled on our machines).
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing fonts-dejavu-core (Vietnamese glyphs for the PDF tests)" >&2
  apt-get install -y --no-install-recommends fonts-dejavu-core >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends fonts-dejavu-core >&2; } \
    || echo "WARNING: could not install fonts-dejavu-core; the PDF tests will say what is missing" >&2
fi

cleanup() {
  if [ -x scripts/s3-test-server.sh ] && [ -n "${ARCHIVE_S3_SERVER_DIR:-}" ]; then
    scripts/s3-test-server.sh stop "$ARCHIVE_S3_SERVER_DIR" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [ "$start_servers" = 1 ] && [ -x scripts/s3-test-server.sh ]; then
  ARCHIVE_S3_SERVER_DIR=$(mktemp -d /tmp/archive-s3.XXXXXX)
  export ARCHIVE_S3_SERVER_DIR
  if env_file=$(scripts/s3-test-server.sh start "$ARCHIVE_S3_SERVER_DIR"); then
    # shellcheck disable=SC1090
    set -a; . "$env_file"; set +a
    echo "S3 test server: ${ARCHIVE_S3_ENDPOINT:-?}"
  else
    echo "WARNING: the S3 test server could not be started; S3 tests will skip (and fail under CI=true)." >&2
  fi
fi

log=$(mktemp /tmp/archive-test.XXXXXX.log)
set +e
dotnet test --solution Archive.sln -c Release "${extra[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The runner prints one summary block per run: total / failed / succeeded / skipped.
summary=$(awk '/Test run summary/{f=1} f && /^[[:space:]]*(failed|succeeded|skipped):/{gsub(/[^0-9]/,"",$2); v[$1]=$2} END{printf "%d %d %d", v["succeeded:"], v["failed:"], v["skipped:"]}' "$log")
read -r passed failed skipped <<<"$summary"
rm -f "$log"
if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then
  echo "no test was executed" >&2
  [ "$status" = 0 ] && status=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
