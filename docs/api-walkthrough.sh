#!/usr/bin/env bash
# The reorganisation story of docs/api.md ("The reorganisation story"), run end to end with curl against two real
# Archive.Server processes: the agencies' host and the Historical Archives' host. docs/api.md shows these commands.
#
#   dotnet build src/Archive.Server -v q && docs/api-walkthrough.sh
#
# Needs bash, curl (7.76 or later: --fail-with-body), jq, openssl and the .NET SDK. Runs in a fresh temporary folder
# (kept and printed when a step fails; KEEP=1 keeps it anyway) and stops the servers it started on exit. Ports:
# AGENCIES_PORT (default 5181) and ARCHIVES_PORT (5182). ARCHIVE_SERVER_DLL overrides the server built in the tree.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DLL=${ARCHIVE_SERVER_DLL:-$REPO/src/Archive.Server/bin/Debug/net10.0/Archive.Server.dll}
AGENCIES_PORT=${AGENCIES_PORT:-5181}
ARCHIVES_PORT=${ARCHIVES_PORT:-5182}
[ -f "$DLL" ] || { echo "No server at $DLL: run 'dotnet build src/Archive.Server -v q' first." >&2; exit 2; }
for tool in curl jq openssl dotnet; do
    command -v "$tool" >/dev/null || { echo "$tool is needed (jq: apt-get install -y jq)." >&2; exit 2; }
done
for port in "$AGENCIES_PORT" "$ARCHIVES_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "Port $port is in use (set AGENCIES_PORT / ARCHIVES_PORT)." >&2; exit 2; fi
done

W=$(mktemp -d "${TMPDIR:-/tmp}/archive-walkthrough.XXXXXX")
cd "$W"
# `archive-server` as installed with `dotnet tool install`; here the build of this tree.
mkdir bin
printf '#!/bin/sh\nexec dotnet "%s" "$@"\n' "$DLL" > bin/archive-server
chmod +x bin/archive-server
PATH=$W/bin:$PATH

AGENCIES_PID='' ARCHIVES_PID=''
finish() {
    local status=$?
    for pid in $AGENCIES_PID $ARCHIVES_PID; do   # the servers this script started
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        echo "FAILED (exit $status) at line ${FAILED_LINE:-?}; work folder kept: $W" >&2
        for log in agencies.log archives.log; do [ -f "$W/$log" ] && { echo "--- tail of $log" >&2; tail -n 40 "$W/$log" >&2; }; done
    elif [ "${KEEP:-0}" = 1 ]; then
        echo "Work folder kept: $W"
    else
        rm -rf "$W"
    fi
}
trap 'FAILED_LINE=$LINENO' ERR
trap finish EXIT
step() { printf '\n== %s\n' "$*"; }
# curl as in the doc, except that the problem document of a refused request is also copied to stderr (the jq after a
# failing curl would only print nulls)
curl() {
    local out rc=0 url='' arg
    out=$(command curl "$@") || rc=$?
    for arg in "$@"; do case $arg in http*) url=$arg ;; esac; done
    [ "$rc" -eq 0 ] || [ -z "$out" ] || printf 'curl %s failed (exit %s): %s\n' "$url" "$rc" "$out" >&2
    [ -z "$out" ] || printf '%s\n' "$out"
    return "$rc"
}
# `... | expect VALUE`: passes the output through and stops the script unless it is VALUE (checks the doc leaves out)
expect() { local got; got=$(cat); echo "$got"; [ "$got" = "$1" ] || { echo "expected: $1" >&2; return 1; }; }

# A one-page PDF with an ASCII text layer (any PDF will do; this keeps the script self-contained).
make_pdf() {
    local file=$1 text=$2 body="" offsets=() i
    local stream="BT /F1 14 Tf 40 780 Td ($text) Tj ET"
    local objects=(
        "<< /Type /Catalog /Pages 2 0 R >>"
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
        "<< /Length ${#stream} >>
stream
$stream
endstream")
    body="%PDF-1.4"$'\n'
    for i in "${!objects[@]}"; do
        offsets+=("${#body}")
        body+="$((i + 1)) 0 obj"$'\n'"${objects[$i]}"$'\n'"endobj"$'\n'
    done
    local xref=${#body}
    body+="xref"$'\n'"0 $(( ${#objects[@]} + 1 ))"$'\n'"0000000000 65535 f "$'\n'
    for i in "${offsets[@]}"; do body+=$(printf '%010d 00000 n ' "$i")$'\n'; done
    body+="trailer"$'\n'"<< /Size $(( ${#objects[@]} + 1 )) /Root 1 0 R >>"$'\n'"startxref"$'\n'"$xref"$'\n'"%%EOF"$'\n'
    printf '%s' "$body" > "$file"
}

###############################################################################################################
step "1. Seal certificate issued by a CA (openssl)"
export LC_ALL=C.UTF-8   # the Vietnamese names below are UTF-8
SEAL_PASSWORD=mat-khau-niem-phong
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days 1825 -utf8 -out ca.pem \
  -subj "/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=CA niêm phong thử nghiệm" \
  -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out seal.key
openssl req -new -key seal.key -utf8 -out seal.csr -subj "/C=VN/O=UBND xã Tân Lập/CN=Ủy ban nhân dân xã Tân Lập"
openssl x509 -req -in seal.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 730 -sha256 -out seal.pem \
  -extfile <(echo 'keyUsage=critical,digitalSignature,nonRepudiation')
openssl pkcs12 -export -inkey seal.key -in seal.pem -out seal.pfx -passout pass:"$SEAL_PASSWORD"
openssl x509 -in seal.pem -noout -subject -issuer -nameopt oneline,-esc_msb

###############################################################################################################
step "2. API keys (before the servers start), then the two servers"
AGENCIES_DATA=$W/agencies-data
ARCHIVES_DATA=$W/archives-data
ADMIN=$(archive-server apikey create --Archive:DataPath="$AGENCIES_DATA" --name quan-tri \
  --roles administrator --clearance secret | grep '^ak_')
TANLAP=$(archive-server apikey create --Archive:DataPath="$AGENCIES_DATA" --name van-thu-tan-lap \
  --roles archivist --agencies 000.00.71.H26 | grep '^ak_')
TANHOA=$(archive-server apikey create --Archive:DataPath="$AGENCIES_DATA" --name luu-tru-tan-hoa \
  --roles archivist --agencies 000.00.73.H26 --clearance secret | grep '^ak_')
LLLS_ADMIN=$(archive-server apikey create --Archive:DataPath="$ARCHIVES_DATA" --name quan-tri-llls \
  --roles administrator | grep '^ak_')
LLLS=$(archive-server apikey create --Archive:DataPath="$ARCHIVES_DATA" --name thu-thap-llls \
  --roles historical-archives --agencies 000.00.90.H26 --clearance secret | grep '^ak_')

# The agencies' host seals its packages and trusts seals issued by the CA; the password comes from the environment.
Archive__Exchange__Seal__CertificatePassword=$SEAL_PASSWORD \
archive-server --urls http://127.0.0.1:$AGENCIES_PORT --Archive:DataPath="$AGENCIES_DATA" \
  --Archive:Exchange:Seal:CertificatePath="$W/seal.pfx" \
  --Archive:Exchange:Seal:TrustedCertificates:0="$W/ca.pem" > agencies.log 2>&1 &
AGENCIES_PID=$!
# The Historical Archives' host accepts only packages sealed under that CA.
archive-server --urls http://127.0.0.1:$ARCHIVES_PORT --Archive:DataPath="$ARCHIVES_DATA" \
  --Archive:Exchange:Seal:TrustedCertificates:0="$W/ca.pem" > archives.log 2>&1 &
ARCHIVES_PID=$!

until curl -sf http://127.0.0.1:$AGENCIES_PORT/health > /dev/null; do sleep 1; done
until curl -sf http://127.0.0.1:$ARCHIVES_PORT/health > /dev/null; do sleep 1; done
curl -sS http://127.0.0.1:$AGENCIES_PORT/health | jq -c '{status, checks: (.checks | map_values(.status))}'
A=http://127.0.0.1:$AGENCIES_PORT/api   # the agencies' host
H=http://127.0.0.1:$ARCHIVES_PORT/api   # the Historical Archives' host

###############################################################################################################
step "3. Agencies, fonds, record files"
JSON='Content-Type: application/json'
agency() {   # agency ID NAME: registers an agency at the agencies' host
  curl -sS --fail-with-body $A/agencies -H "X-Api-Key: $ADMIN" -H "$JSON" -d "{\"id\":\"$1\",\"name\":\"$2\"}" | jq -c '{id, name}'
}
agency 000.00.71.H26 'Ủy ban nhân dân xã Tân Lập'    # merged ...
agency 000.00.72.H26 'Ủy ban nhân dân xã Tân Tiến'   # ... with this one
agency 000.00.73.H26 'Ủy ban nhân dân xã Tân Hòa'    # into the new commune
agency 000.00.90.H26 'Lưu trữ lịch sử tỉnh Bắc Ninh' # the Historical Archives, known to both hosts
curl -sS --fail-with-body $H/agencies -H "X-Api-Key: $LLLS_ADMIN" -H "$JSON" \
  -d '{"id":"000.00.90.H26","name":"Lưu trữ lịch sử tỉnh Bắc Ninh"}' | jq -c '{id, name}'
curl -sS --fail-with-body $A/fonds -H "X-Api-Key: $ADMIN" -H "$JSON" \
  -d '{"code":"P-TANLAP","name":"Phông UBND xã Tân Lập","agencyId":"000.00.71.H26","language":"vi"}' | jq -c '{code, status}'
curl -sS --fail-with-body $A/fonds -H "X-Api-Key: $ADMIN" -H "$JSON" \
  -d '{"code":"P-TANTIEN","name":"Phông UBND xã Tân Tiến","agencyId":"000.00.72.H26","language":"vi"}' | jq -c '{code, status}'

new_file() {   # new_file KEY NOTATION TITLE MAINTENANCE RIGHTS STATUS: a record file of P-TANLAP (2015); prints its code
  curl -sS --fail-with-body $A/record-files -H "X-Api-Key: $1" -H "$JSON" -d "$(jq -n \
    --arg n "$2" --arg t "$3" --arg m "$4" --arg r "$5" --arg s "$6" '{fondsCode: "P-TANLAP", fileCatalog: 2015,
      fileNotation: $n, title: $t, maintenance: $m, rights: $r, status: $s, language: "vi",
      startDate: "2015-01-05", endDate: "2015-12-20",
      unfinishedNote: (if $s == "Unfinished" then "Chờ kết quả hòa giải của Tòa án nhân dân huyện" else null end)}')" \
  | jq -r .fileCode
}
PUBLIC=$(new_file "$TANLAP" 01.QH 'Hồ sơ quy hoạch sử dụng đất xã Tân Lập' permanent Public Finished)
SECRET=$(new_file "$ADMIN" 02.MAT 'Hồ sơ phương án phòng thủ dân sự' permanent Secret Finished)   # Secret: a cleared key
WEEDED=$(new_file "$TANLAP" 03.VP 'Sổ theo dõi công văn đến' 5y Public Finished)
UNFINISHED=$(new_file "$TANLAP" 04.DC 'Hồ sơ giải quyết tranh chấp đất đai thôn Đông' permanent Public Unfinished)
echo "$PUBLIC $SECRET $WEEDED $UNFINISHED"

# A document with a PDF in each permanent, finished file (any PDF will do; make_pdf writes a one-page one)
make_pdf quy-hoach.pdf 'Quyet dinh phe duyet quy hoach su dung dat xa Tan Lap giai doan 2021-2030'
make_pdf phong-thu.pdf 'Phuong an phong thu dan su khu vuc bien gioi, kho vu khi du tru Thach Ban'
add_pdf() {   # add_pdf FILE_CODE PDF SUBJECT: document 1 of the file, with the PDF as its content
  curl -sS --fail-with-body $A/record-files/$1/documents -H "X-Api-Key: $ADMIN" -H "$JSON" -d "{
    \"typeName\":\"Quyết định\",\"codeNumber\":\"05\",\"codeNotation\":\"QĐ-UBND\",\"issuedDate\":\"2015-03-02\",
    \"organName\":\"UBND xã Tân Lập\",\"subject\":\"$3\",\"language\":\"vi\",\"pageAmount\":1}" | jq -c '{fileCode, docTotal}'
  curl -sS --fail-with-body -T $2 "$A/record-files/$1/documents/1/contents/$2?sha256=$(sha256sum $2 | cut -d' ' -f1)" \
    -H "X-Api-Key: $ADMIN" -H 'Content-Type: application/pdf' | jq -c '.documents[0].contents[] | {name, length, sha256}'
}
add_pdf $PUBLIC quy-hoach.pdf 'Quyết định phê duyệt quy hoạch sử dụng đất'
add_pdf $SECRET phong-thu.pdf 'Quyết định ban hành phương án phòng thủ dân sự'

# The fixed-term register is weeded out (tài liệu không có giá trị lưu trữ): it will not be handed over
curl -sS --fail-with-body $A/record-files/$WEEDED/non-archival -H "X-Api-Key: $TANLAP" -H "$JSON" \
  -d '{"kind":"ReferenceCopy","reason":"Bản sao để tham khảo, bản chính lưu tại Văn phòng"}' | jq -c '{fileCode}'

###############################################################################################################
step "4. The reorganisation: event, plan, apply"
curl -sS --fail-with-body $A/reorganisations -H "X-Api-Key: $ADMIN" -H "$JSON" -d '{
  "id":"NQ-1656-2025","kind":"Consolidation","decisionNumber":"1656/NQ-UBTVQH15","decisionDate":"2025-06-16",
  "decisionAuthority":"Ủy ban Thường vụ Quốc hội","effectiveDate":"2025-07-01",
  "affected":[{"agencyId":"000.00.71.H26","successorAgencyId":"000.00.73.H26"},
              {"agencyId":"000.00.72.H26","successorAgencyId":"000.00.73.H26"}]}' | jq -c '{id, kind, status}'
curl -sS --fail-with-body -X POST $A/reorganisations/NQ-1656-2025/plan -H "X-Api-Key: $ADMIN" \
  | jq -r '.tasks[] | select(.agencyId == "000.00.71.H26") | "\(.kind)  \(.title)"'
curl -sS --fail-with-body $A/reorganisations/NQ-1656-2025/apply -H "X-Api-Key: $ADMIN" -H "$JSON" -d '{"asOf":"2025-07-02"}' \
  | jq -c '{status: .event.status, transfers: .event.transfers}'
curl -sS --fail-with-body $A/fonds/P-TANLAP -H "X-Api-Key: $ADMIN" | jq -c '{code, status, custodianAgencyId}'

###############################################################################################################
step "5. Handover: start, poll, documents, package, seal"
# wait_for URL KEY STATE: polls a job until it reaches STATE; stops with the job when it settles otherwise
wait_for() {
  local job state
  while :; do
    job=$(curl -sS --fail-with-body "$1" -H "X-Api-Key: $2")
    state=$(jq -r .state <<< "$job")
    [ "$state" = "$3" ] && { jq -c '{id, state, filesDone, filesTotal, bytesDone, bytesTotal}' <<< "$job"; return 0; }
    case $state in
      queued|running|verifying|accepting) sleep 1 ;;
      *) echo "job is $state, not $3:" >&2; jq . <<< "$job" >&2; return 1 ;;
    esac
  done
}

HO=$(curl -sS --fail-with-body $A/handovers -H "X-Api-Key: $TANLAP" -H "$JSON" \
  -d '{"fondsCode":"P-TANLAP","eventId":"NQ-1656-2025"}' | jq -r .id)
wait_for $A/handovers/$HO "$TANLAP" completed
curl -sS --fail-with-body $A/handovers/$HO -H "X-Api-Key: $TANLAP" \
  | jq '{toAgencyId, fileCodes, packageName, packageLength, packageSha256, sealed, sealNote, documents}' | tee handover.json
jq -e --arg w "$WEEDED" '.sealed and (.fileCodes | index($w) | not)' handover.json > /dev/null

# The package holds a Secret file: the Tân Lập clerk (no clearance) may not download it (403); Tân Hòa's cleared archivist may
curl -sS -o /dev/null -w '%{http_code}\n' $A/handovers/$HO/package -H "X-Api-Key: $TANLAP" | expect 403
curl -sS --fail-with-body -o bien-ban-giao-nhan.docx $A/handovers/$HO/documents/bien-ban-giao-nhan.docx -H "X-Api-Key: $TANHOA"
curl -sS --fail-with-body -o muc-luc-ho-so.xlsx $A/handovers/$HO/documents/muc-luc-ho-so.xlsx -H "X-Api-Key: $TANHOA"
ls -l bien-ban-giao-nhan.docx muc-luc-ho-so.xlsx

# Download: a first part (as if the connection dropped), then resume with -C - (Range: bytes=N-); ETag = SHA-256
NAME=$(curl -sS --fail-with-body $A/handovers/$HO -H "X-Api-Key: $TANHOA" | jq -r .packageName)
curl -sS --fail-with-body -r 0-65535 -o "$NAME" $A/handovers/$HO/package -H "X-Api-Key: $TANHOA"
curl -sS --fail-with-body -C - -o "$NAME" -D headers.txt $A/handovers/$HO/package -H "X-Api-Key: $TANHOA"
grep -i '^HTTP/\|^content-range:\|^etag:' headers.txt
ETAG=$(awk -F'"' 'tolower($1) ~ /^etag/ {print $2}' headers.txt)
echo "$ETAG  $NAME" | sha256sum -c
curl -sS -o /dev/null -w '%{http_code}\n' $A/handovers/$HO/package -H "X-Api-Key: $TANHOA" -H "If-None-Match: \"$ETAG\"" | expect 304

# The seal: CMS SignedData (DER) whose content is the line "<sha256>  <package name>\n", signed by the seal certificate
curl -sS --fail-with-body -o "$NAME.p7s" $A/handovers/$HO/seal -H "X-Api-Key: $TANHOA"
openssl cms -verify -binary -inform DER -in "$NAME.p7s" -CAfile ca.pem -out sealed.txt -signer signer.pem
openssl x509 -in signer.pem -noout -subject -nameopt oneline,-esc_msb
cat sealed.txt
openssl dgst -sha256 "$NAME"
sha256sum -c sealed.txt

###############################################################################################################
step "6. Receipt at Tân Hòa: a damaged copy is rejected, the sound one is uploaded in two chunks and accepted"
# A copy with one letter changed inside the Public file's PDF
cp "$NAME" damaged.tar
AT=$(grep -abo 'Quyet dinh phe duyet' damaged.tar | head -1 | cut -d: -f1)
printf 'X' | dd of=damaged.tar bs=1 seek="$AT" conv=notrunc status=none
BAD=$(curl -sS --fail-with-body $A/handover-receipts -H "X-Api-Key: $TANHOA" -H "$JSON" \
  -d "{\"agencyId\":\"000.00.73.H26\",\"length\":$(stat -c %s damaged.tar)}" | jq -r .id)
curl -sS --fail-with-body -T damaged.tar $A/handover-receipts/$BAD/package -H "X-Api-Key: $TANHOA" | jq -c '{state}'
wait_for $A/handover-receipts/$BAD "$TANHOA" rejected
curl -sS --fail-with-body $A/handover-receipts/$BAD -H "X-Api-Key: $TANHOA" | jq -c '.problems[]'
curl -sS --fail-with-body $A/handover-receipts/$BAD/decline -H "X-Api-Key: $TANHOA" -H "$JSON" \
  -d '{"reason":"Gói tin hỏng khi sao chép; đề nghị bàn giao lại"}' | jq -c '{state, declineReason}'

# The sound copy: announce length and SHA-256, upload in two chunks (each starts at the job's bytesDone)
LEN=$(stat -c %s "$NAME"); HALF=$((LEN / 2))
REC=$(curl -sS --fail-with-body $A/handover-receipts -H "X-Api-Key: $TANHOA" -H "$JSON" \
  -d "{\"agencyId\":\"000.00.73.H26\",\"length\":$LEN,\"sha256\":\"$ETAG\"}" | jq -r .id)
head -c $HALF "$NAME" > part1
tail -c +$((HALF + 1)) "$NAME" > part2
curl -sS --fail-with-body -T part1 $A/handover-receipts/$REC/package -H "X-Api-Key: $TANHOA" \
  -H "Content-Range: bytes 0-$((HALF - 1))/$LEN" | jq -c '{state, bytesDone, bytesTotal}'
DONE=$(curl -sS --fail-with-body $A/handover-receipts/$REC -H "X-Api-Key: $TANHOA" | jq .bytesDone)   # resume from here
curl -sS --fail-with-body -T part2 $A/handover-receipts/$REC/package -H "X-Api-Key: $TANHOA" \
  -H "Content-Range: bytes $DONE-$((LEN - 1))/$LEN" | jq -c '{state, bytesDone, bytesTotal}'
wait_for $A/handover-receipts/$REC "$TANHOA" verified
curl -sS --fail-with-body $A/handover-receipts/$REC -H "X-Api-Key: $TANHOA" \
  | jq '{fromAgencyId, toAgencyId, fondsCode, filesTotal, problems, sealed, signer, sealNote}'
curl -sS --fail-with-body -X POST $A/handover-receipts/$REC/accept -H "X-Api-Key: $TANHOA" | jq -c '{state}'
wait_for $A/handover-receipts/$REC "$TANHOA" accepted
curl -sS --fail-with-body $A/custody/P-TANLAP -H "X-Api-Key: $TANHOA" | jq -c '{originalAgencyId, custodianAgencyId}'

###############################################################################################################
step "7. Transfer (nộp lưu) of the permanent files to the Historical Archives"
TR=$(curl -sS --fail-with-body $A/transfers -H "X-Api-Key: $TANHOA" -H "$JSON" -d "$(jq -n --arg p "$PUBLIC" --arg s "$SECRET" \
  '{submittingAgencyId: "000.00.73.H26", archivesAgencyId: "000.00.90.H26", fileCodes: [$p, $s],
    legalBasis: "Kế hoạch số 12/KH-UBND ngày 01/08/2025 về nộp lưu hồ sơ, tài liệu"}')" | jq -r .id)
wait_for $A/transfers/$TR "$TANHOA" completed
SIP=$(curl -sS --fail-with-body $A/transfers/$TR -H "X-Api-Key: $TANHOA" | jq -r .packageName)
curl -sS --fail-with-body -o "$SIP" -D headers.txt $A/transfers/$TR/package -H "X-Api-Key: $TANHOA"
SIP_SHA=$(awk -F'"' 'tolower($1) ~ /^etag/ {print $2}' headers.txt)
echo "$SIP_SHA  $SIP" | sha256sum -c

###############################################################################################################
step "8. Accession at the Historical Archives (the other server)"
ACC=$(curl -sS --fail-with-body $H/accessions -H "X-Api-Key: $LLLS" -H "$JSON" \
  -d "{\"agencyId\":\"000.00.90.H26\",\"length\":$(stat -c %s "$SIP"),\"sha256\":\"$SIP_SHA\"}" | jq -r .id)
curl -sS --fail-with-body -T "$SIP" $H/accessions/$ACC/package -H "X-Api-Key: $LLLS" | jq -c '{state}'
wait_for $H/accessions/$ACC "$LLLS" verified
curl -sS --fail-with-body $H/accessions/$ACC -H "X-Api-Key: $LLLS" | jq -c '{transferId, fromAgencyId, problems, signer}'
curl -sS --fail-with-body $H/accessions/$ACC/accept -H "X-Api-Key: $LLLS" -H "$JSON" \
  -d '{"reference":"15/BB-LTLS","representative":"Trần Thị Bình"}' | jq -c '{state}'
wait_for $H/accessions/$ACC "$LLLS" accepted
curl -sS --fail-with-body $H/accessions/$ACC -H "X-Api-Key: $LLLS" > accession.json
jq '{fileCodes, documents, transferRecord: (.transferRecord | {transferId, reference, accessionedAt, verified, recordFiles})}' accession.json
for doc in $(jq -r '.documents[]' accession.json); do
  curl -sS --fail-with-body -o "$doc" $H/accessions/$ACC/documents/$doc -H "X-Api-Key: $LLLS"
done
ls -l $(jq -r '.documents[]' accession.json)

###############################################################################################################
step "9. The completed transfer record goes back to the submitting agency"
jq .transferRecord accession.json > transfer-record.json
curl -sS --fail-with-body $A/transfers/$TR/confirmation -H "X-Api-Key: $TANHOA" -H "$JSON" -d @transfer-record.json \
  | jq -c '{state, confirmed}' | expect "{\"state\":\"completed\",\"confirmed\":[\"$PUBLIC\",\"$SECRET\"]}"
curl -sS --fail-with-body $A/record-files/$PUBLIC -H "X-Api-Key: $TANHOA" | jq -c '{fileCode, accessionedAt}'

###############################################################################################################
step "10. The Historical Archives' reading room: anonymous, typed without diacritics"
curl -sS --fail-with-body "$H/search?q=quy+hoach+su+dung+dat+tan+lap&highlight=true&consistent=true" \
  | jq '{total, hits: [.hits[] | {fileCode, kind, title, highlights: [.highlights[].fragment]}]}' | tee found.json
jq -e --arg f "$PUBLIC" '[.hits[].fileCode] | index($f)' found.json > /dev/null
# The Secret file's words: nothing for an anonymous reader; the Historical Archives' cleared staff find it
curl -sS --fail-with-body "$H/search?q=phuong+an+phong+thu&consistent=true" | jq -c '{total, files: [.hits[].fileCode] | unique}' \
  | expect '{"total":0,"files":[]}'
curl -sS --fail-with-body "$H/search?q=phuong+an+phong+thu&consistent=true" -H "X-Api-Key: $LLLS" | jq -c '{total, files: [.hits[].fileCode] | unique}' \
  | tee staff.json
jq -e --arg f "$SECRET" '.files | index($f)' staff.json > /dev/null

step "Done: the whole story ran."
