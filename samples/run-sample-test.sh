#!/usr/bin/env bash
# End-to-end test of the vendor sample (samples/EOffice.Host) as a vendor builds it: packs the Archive packages into
# a temporary local feed, restores the sample from that feed (and nuget.org) into a temporary package folder (a stale
# global NuGet cache cannot hide a change), builds it, starts it on a loopback port and calls it with curl:
# health, an agency created and read back through the e-office's own authentication mapped to Archive's roles, a
# clerk refused what only an archivist may do, and an unauthenticated call refused.
# Exit status 0 when every check passed; the last line says "sample test: passed (N checks)" or "sample test: FAILED ...".
#
#   samples/run-sample-test.sh            # Release packages
#   KEEP=1 samples/run-sample-test.sh     # keep the temporary folder (feed, packages, build, data, host log)
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/archive-sample.XXXXXX)
host_pid=""
cleanup() {
  if [ -n "$host_pid" ] && kill -0 "$host_pid" 2>/dev/null; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

checks=0
fail() {
  echo "--- $1" >&2
  [ -f "$work/step.log" ] && tail -40 "$work/step.log" >&2
  [ -f "$work/host.log" ] && { echo "--- host log" >&2; tail -40 "$work/host.log" >&2; }
  echo "sample test: FAILED ($1)"
  exit 1
}

for cmd in dotnet curl; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "sample test: FAILED ($cmd not found)"; exit 1; }
done

# 1. Pack the packages the sample uses (and their Archive dependencies) into the temporary feed.
feed=$work/feed
for p in Abstractions Core Documents TextExtraction.Office Storage.FileSystem Search.Lucene Embedded Api; do
  dotnet pack "src/Archive.$p/Archive.$p.csproj" -c Release -o "$feed" -nologo -v q >"$work/step.log" 2>&1 \
    || fail "dotnet pack Archive.$p"
  if grep -q "NU5104" "$work/step.log"; then fail "Archive.$p: a stable package depends on a pre-release (NU5104)"; fi
done
version=$(dotnet msbuild src/Archive.Api/Archive.Api.csproj -getProperty:PackageVersion -p:Configuration=Release)
embedded=$(dotnet msbuild src/Archive.Embedded/Archive.Embedded.csproj -getProperty:PackageVersion -p:Configuration=Release)
echo "packed Archive.Api $version, Archive.Embedded $embedded into $feed" >&2

# 2. Restore (from the feed, into an empty package folder) and build the sample, outside the repository's build.
sed "s#value=\"local-feed\"#value=\"$feed\"#" samples/nuget.config >"$work/nuget.config"
export ARCHIVE_SAMPLE_ARTIFACTS=$work/artifacts
msbuild_props=(-p:ArchiveVersion="$version" -p:ArchiveEmbeddedVersion="$embedded")
dotnet restore samples/EOffice.Host/EOffice.Host.csproj --configfile "$work/nuget.config" --packages "$work/packages" \
  "${msbuild_props[@]}" -nologo -v q >"$work/step.log" 2>&1 || fail "dotnet restore of the sample from the local feed"
dotnet build samples/EOffice.Host/EOffice.Host.csproj -c Release --no-restore "${msbuild_props[@]}" -nologo -v q \
  >"$work/step.log" 2>&1 || fail "dotnet build of the sample"
dll=$(find "$work/artifacts/bin/EOffice.Host" -name EOffice.Host.dll | head -1)
[ -n "$dll" ] || fail "EOffice.Host.dll not found after the build"
rm -f "$work/step.log"

# 3. Start it on a free loopback port with two e-office users (tokens only in the environment).
admin_token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
clerk_token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
(
  cd "$work"
  export ASPNETCORE_ENVIRONMENT=Production
  export Archive__DataPath="$work/data"
  export EOffice__Users__0__Name=nguyen.van.a EOffice__Users__0__Token="$admin_token" EOffice__Users__0__Position=quan-tri
  export EOffice__Users__1__Name=tran.thi.b EOffice__Users__1__Token="$clerk_token" EOffice__Users__1__Position=van-thu EOffice__Users__1__Unit=so-noi-vu
  exec dotnet "$dll" --urls http://127.0.0.1:0
) >"$work/host.log" 2>&1 &
host_pid=$!

base=""
for _ in $(seq 1 120); do
  base=$(grep -o 'Now listening on: http://127.0.0.1:[0-9]*' "$work/host.log" 2>/dev/null | head -1 | sed 's/Now listening on: //') || true
  [ -n "$base" ] && break
  kill -0 "$host_pid" 2>/dev/null || fail "the sample host exited at start-up"
  sleep 0.5
done
[ -n "$base" ] || fail "the sample host did not start listening within 60 s"
echo "sample host on $base" >&2

# 4. The checks. expect STATUS NAME CURL-ARGS...: the response status must be STATUS.
expect() {
  local want=$1 name=$2
  shift 2
  local got
  got=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 30 "$@") || got="curl error $?"
  if [ "$got" != "$want" ]; then
    echo "--- response body" >&2; cat "$work/body" >&2 2>/dev/null; echo >&2
    fail "$name: expected HTTP $want, got $got"
  fi
  checks=$((checks + 1))
  echo "ok: $name ($got)" >&2
}

expect 200 "health" "$base/health"
expect 201 "administrator (e-office quan-tri) creates an agency" -X POST "$base/api/archive/agencies" \
  -H "Authorization: EOffice $admin_token" -H 'Content-Type: application/json' \
  --data '{"id":"000.00.00.H49","name":"Sở Nội vụ tỉnh Hà Tĩnh"}'
expect 200 "clerk (e-office van-thu) reads it back" "$base/api/archive/agencies/000.00.00.H49" -H "Authorization: EOffice $clerk_token"
grep -q 'Sở Nội vụ tỉnh Hà Tĩnh' "$work/body" || fail "the agency read back does not carry its name"
expect 403 "clerk may not register an agency (archivist or above)" -X POST "$base/api/archive/agencies" \
  -H "Authorization: EOffice $clerk_token" -H 'Content-Type: application/json' --data '{"id":"000.00.00.G09","name":"Bộ Nội vụ"}'
expect 401 "unauthenticated call refused" "$base/api/archive/agencies"
expect 401 "unknown e-office session refused" "$base/api/archive/agencies" -H "Authorization: EOffice not-a-session"

echo "sample test: passed ($checks checks)"
