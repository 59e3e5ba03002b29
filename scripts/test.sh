#!/usr/bin/env bash
# Runs every test of the repository. Installs and starts the servers the tests need (a throwaway Ceph RADOS
# Gateway with S3 Object Lock on loopback), runs the whole solution's tests, stops the servers, runs the vendor sample
# end to end (samples/run-sample-test.sh, counted as one test) and prints the test runner's summary followed by one
# line "tests: N passed, N failed, N skipped".
#
#   scripts/test.sh                 # everything
#   scripts/test.sh --no-servers    # skip starting servers (server-backed tests skip visibly; they fail under CI=true)
#   scripts/test.sh --no-sample     # skip the vendor sample (counted as one skipped test)
#
# Extra arguments after -- go to `dotnet test` (e.g. -- --filter-class '*Lucene*' is runner-specific).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

start_servers=1
run_sample=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-servers) start_servers=0 ;;
    --no-sample) run_sample=0 ;;
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

# OCR and reading room tests: Tesseract with its Vietnamese model, pdftoppm, the system's Chromium and node
# (Debian: tesseract-ocr tesseract-ocr-vie poppler-utils chromium nodejs npm), then playwright-core (pinned by
# tests/browser/package-lock.json; it downloads no browser). Without them those tests skip locally, fail under CI=true.
rr_missing=()
command -v tesseract >/dev/null 2>&1 || rr_missing+=(tesseract-ocr)
[ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata 2>/dev/null)" ] || rr_missing+=(tesseract-ocr-vie)
command -v pdftoppm >/dev/null 2>&1 || rr_missing+=(poppler-utils)
[ -x /usr/bin/chromium ] || rr_missing+=(chromium)
command -v node >/dev/null 2>&1 || rr_missing+=(nodejs npm)
if [ ${#rr_missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${rr_missing[*]} (OCR and reading room tests)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${rr_missing[@]}" >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${rr_missing[@]}" >&2; } \
    || echo "WARNING: could not install ${rr_missing[*]}; the OCR / reading room tests will say what is missing" >&2
fi
if command -v npm >/dev/null 2>&1; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/browser --no-audit --no-fund >&2 \
    || echo "WARNING: npm ci failed for tests/browser; the reading room browser test will say so" >&2
fi

# The schema validator the transfer SIP test runs: xmllint (Debian: libxml2-utils) checks METS.xml against the official
# METS and E-ARK schemas (SipSchemaValidationTests). Without it that test skips locally and fails under CI=true.
if ! command -v xmllint >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "installing libxml2-utils (xmllint, the SIP schema test)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libxml2-utils >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libxml2-utils >&2; } \
    || echo "WARNING: could not install libxml2-utils; the SIP schema test will say what is missing" >&2
fi

# The independent BagIt validator the handover tests run (tests/tools/bagit-validate: bagit-tools from the npm
# registry, pinned by its package-lock.json). Without it that test skips locally and fails under CI=true.
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/tools/bagit-validate --no-audit --no-fund >&2 \
    || echo "WARNING: npm ci failed for tests/tools/bagit-validate; the independent BagIt validation test will say so" >&2
else
  echo "WARNING: npm not found; the independent BagIt validation test will say so" >&2
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

# The vendor sample, built from the packed packages and called over HTTP: one more test.
if [ "$run_sample" = 1 ]; then
  if samples/run-sample-test.sh; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    status=1
  fi
else
  echo "vendor sample skipped (--no-sample)"
  skipped=$((skipped + 1))
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
