#!/bin/sh
# Writes the seed corpora of the fuzz harnesses into tests/fuzz/corpus/
# (committed; run this again only to change the seeds):
#   sh tests/fuzz/make-corpus.sh
# The input layouts are described at the top of each fuzz_*.c.
# Needs openssl for the signed seeds (HMAC-SHA256, as sig.c computes it).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/tests/fuzz/corpus"
fix="$top/tests/fixtures"
KEY0=fuzz-key-0-8f1c2d3e4a5b6c7d
KEY1=fuzz-key-1-0a9b8c7d6e5f4a3b
NOW=1763929242			# FUZZ_NOW in fuzz_sig.c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out/request" "$out/sig" "$out/conf"
mkdir -p "$out/request" "$out/sig" "$out/conf"

# hmac KEY T FILE: the v1 digest of FILE's bytes at time T.
hmac() {
	{ printf '%s.' "$2"; cat "$3"; } |
	    openssl dgst -sha256 -hmac "$1" | sed 's/^.*= //'
}

# repeat N TEXT
repeat() {
	i=0
	while [ "$i" -lt "$1" ]; do printf '%s' "$2"; i=$((i + 1)); done
}

# --- bodies -----------------------------------------------------------
b="$tmp/body"
mkdir -p "$b"
cp "$fix/appointment.created.json" "$b/strict"
cp "$fix/sample.relaxed.json" "$b/relaxed"
head -c 200 "$fix/appointment.created.json" >"$b/truncated"
printf '{"event":"a","event":"b","data":{}}' >"$b/dupkey-top"
sed 's/"source": "web"/"source": "web", "visit_id": "V-2"/' \
    "$fix/appointment.created.json" >"$b/dupkey-nested"
{ printf '{"event":"x.y","data":'; repeat 62 '['; printf '1'; repeat 62 ']'; printf '}'; } >"$b/depth-64"
{ printf '{"event":"x.y","data":'; repeat 63 '['; printf '1'; repeat 63 ']'; printf '}'; } >"$b/depth-65"
repeat 3000 '[' >"$b/depth-unclosed"
{ printf '{"a":'; repeat 1100 '['; repeat 1100 ']'; printf '}'; } >"$b/depth-1100"
printf '[]' >"$b/not-object-array"
printf '"appointment.created"' >"$b/not-object-string"
printf 'null' >"$b/not-object-null"
printf '{}' >"$b/empty-object"
: >"$b/empty"
printf '{"event":"x.y","data":{"a":"\377"}}' >"$b/utf8-invalid"
printf '{"event":"x.y","data":{"a":"\300\257"}}' >"$b/utf8-overlong"
printf '{"event":"x.y","data":{"a":"\355\240\200"}}' >"$b/utf8-surrogate"
printf '{"event":"x.y","data":{"a":"\342\202' >"$b/utf8-truncated"
printf '\357\273\277{"event":"x.y","data":{}}' >"$b/bom"
printf '{"event":"x.y","data":{"a":"x\\u0000y"}}' >"$b/nul-value"
printf '{"event":"x.y","data":{"a\\u0000b":1,"a\\u0000c":2}}' >"$b/nul-key"
printf '{"event":"x.y","data":{"a":"\\ud800"}}' >"$b/lone-high"
printf '{"event":"x.y","data":{"a":"\\udc00"}}' >"$b/lone-low"
printf '{"event":"x.y","data":{"a":"\\ud83d\\ude00 \360\237\230\200"}}' >"$b/surrogate-pair"
# Hostile strings for partner_meta: shell syntax, newlines, names that
# look like variables, escapes, and a key of 300 bytes.
meta='"$(touch /tmp/pwned)": "`id`", "a\\nb": "x\\ny", "EKA_STATUS=1": "\\"; rm -rf /", "PATH": "/evil", "LD_PRELOAD": "/tmp/x.so", "\\u00e9\\u00e8": "\303\251\\t\\r\\b\\f\\/", "'
sed 's|"source": "web"|@META@|' "$fix/appointment.created.json" >"$tmp/hm"
{
	sed -n '1,/@META@/p' "$tmp/hm" | sed 's|@META@.*||'
	printf "$meta"
	repeat 300 k
	printf '": "long"'
	sed -n '/@META@/,$p' "$tmp/hm" | sed 's|.*@META@||'
} | sed '/^$/d' >"$b/hostile-meta"
{ printf '{"event":"appointment.created","data":{"partner_meta":{"'; repeat 120 'é'; printf '":1}, "'; repeat 120 'é'; printf '":7}}'; } >"$b/long-utf8-keys"
sed 's/"event_time": 1763929242123/"event_time": 12345678901234567890123456789012345678901234567890123456789012345678901234567890/' \
    "$fix/appointment.created.json" >"$b/number-long"
sed 's/"event_time": 1763929242123/"event_time": 9223372036854775808/' \
    "$fix/appointment.created.json" >"$b/number-int64-over"
sed 's/"event_time": 1763929242123/"event_time": -9223372036854775808/' \
    "$fix/appointment.created.json" >"$b/number-int64-min"
sed 's/"event_time": 1763929242123/"event_time": 1e999, "x": -0, "y": 1.0E+2/' \
    "$fix/appointment.created.json" >"$b/number-float"
sed 's/"2026-11-23T20:20:42.123Z"/"2026-02-30t23:59:60.5z"/' \
    "$fix/appointment.created.json" >"$b/time-odd"
sed 's/"status": "BK"/"status": "ZZ", "extra": null/; s/"action": "created"/"action": true/' \
    "$fix/appointment.created.json" >"$b/enum-odd"
sed 's/\["first-visit", "priority"\]/["a", 1, null, {"b": []}]/; s/\["sa-001", "sa-002"\]/[]/' \
    "$fix/appointment.created.json" >"$b/arrays-odd"
printf '{"event":"patient.updated","data":{"id":"p-1","tags":["a","b"],"n":null}}' >"$b/other-event"
printf ' \t\r\n{ "event" : "x.y" ,\n\t"data" : { } }\r\n ' >"$b/whitespace"
{ printf '{"event":"x.y","data":{"big":"'; repeat 1100 'abcdefgh'; printf '"}}'; } >"$b/huge"
i=0
while [ $i -lt 256 ]; do printf "\\$(printf %03o $i)"; i=$((i + 1)); done >"$b/binary"

# --- request: FLAGS ABSENT METHOD CTYPE CLEN ADDR SIG NAME <BODY -------
# FLAGS/ABSENT are octal escapes; see fuzz_request.c for the bits.
req() {
	{
		printf "$1$2"
		printf '%s\n' "$3" "$4" "$5" "$6" "$7"
		cat
	} >"$out/request/$8"
}
J=application/json
# Valid events, each configuration (conf 2 needs an allowed address).
req '\100' '\0' POST "$J" '' 127.0.0.1 '' c0-strict <"$b/strict"
req '\105' '\0' POST "$J" '' 203.0.113.9 '' c1-strict-signed <"$b/strict"
req '\305' '\0' POST "$J" '' 203.0.113.9 '' c1-strict-signed-key1 <"$b/strict"
req '\102' '\0' POST "$J" '' 10.1.2.3 '' c2-relaxed <"$b/relaxed"
req '\107' '\0' POST "$J" '' 203.0.113.9 '' c3-relaxed-signed <"$b/relaxed"
req '\102' '\0' POST "$J" '' ::ffff:192.0.2.7 '' c2-strict-mapped <"$b/strict"
# Every ugly body through the strict and the relaxed configuration.
for f in "$b"/*; do
	n=$(basename "$f")
	req '\100' '\0' POST "$J" '' 127.0.0.1 '' "c0-$n" <"$f"
	req '\107' '\0' POST "$J; charset=utf-8" '' ::1 '' "c3-$n" <"$f"
done
# Methods, media types, lengths, addresses.
for m in GET HEAD DELETE OPTIONS '' post; do
	req '\100' '\0' "$m" "$J" '' 127.0.0.1 '' "method-${m:-empty}" <"$b/strict"
done
req '\100' '\1' x "$J" '' 127.0.0.1 '' method-absent <"$b/strict"
for c in text/plain 'Application/JSON' 'application/jsonx' ' application/json ;q=1' ''; do
	n=$(printf '%s' "$c" | tr -c 'a-zA-Z0-9' _)
	req '\100' '\0' POST "$c" '' 127.0.0.1 '' "ctype-$n" <"$b/strict"
done
req '\100' '\2' POST x '' 127.0.0.1 '' ctype-absent <"$b/strict"
for l in abc -1 99999999999999999999 0 +5 ' 5' 10 100000 ''; do
	n=$(printf '%s' "$l" | tr -c 'a-zA-Z0-9' _)
	req '\000' '\0' POST "$J" "$l" 127.0.0.1 '' "clen-$n" <"$b/strict"
done
req '\000' '\4' POST "$J" x 127.0.0.1 '' clen-absent <"$b/strict"
for a in ::1 ::ffff:10.0.0.1 192.0.2.77 10.255.255.255 11.0.0.0 bogus '' 2001:db8::dead 2001:db9::1; do
	n=$(printf '%s' "$a" | tr -c 'a-zA-Z0-9' _)
	req '\102' '\0' POST "$J" '' "$a" '' "addr-$n" <"$b/strict"
done
req '\102' '\10' POST "$J" '' x '' addr-absent <"$b/strict"
# Body delivery: one byte, seven bytes, a read error; short and long.
req '\120' '\0' POST "$J" '' 127.0.0.1 '' read-1byte <"$b/strict"
req '\140' '\0' POST "$J" '' 127.0.0.1 '' read-7bytes <"$b/strict"
req '\160' '\0' POST "$J" '' 127.0.0.1 '' read-error <"$b/strict"
req '\060' '\0' POST "$J" 5000 127.0.0.1 '' read-error-short <"$b/strict"
req '\101' '\0' POST "$J" '' 127.0.0.1 '' c1-unsigned <"$b/strict"
req '\110' '\0' POST "$J" '' 127.0.0.1 'garbage' c0-sig-ignored <"$b/strict"
# Signatures as sent, against configuration 1.
v=$(hmac $KEY0 $NOW "$b/strict")
for s in "t=1,v1=zz" "v1=$v" "t=$NOW" "t=$NOW,t=$NOW,v1=$v" "t=-5,v1=$v" \
    "t=99999999999999999999,v1=$v" "t=$NOW,v1=$v,v1=$v,v1=$v,v1=$v,v1=$v,v1=$v,v1=$v,v1=$v,v1=$v" \
    " t=$NOW , v1=$(printf %s "$v" | tr a-f A-F) " "t=$NOW,v0=abc,v1=$v" ",,," "=" "t=$NOW,v1=$v,"; do
	n=$(printf '%s' "$s" | cksum | cut -d' ' -f1)
	req '\101' '\0' POST "$J" '' 127.0.0.1 "$s" "sig-$n" <"$b/strict"
done
req '\101' '\0' POST "$J" '' 127.0.0.1 "t=$NOW,v1=$(repeat 1000 a)" sig-long <"$b/strict"
req '\101' '\20' POST "$J" '' 127.0.0.1 x sig-absent <"$b/strict"
req '\111' '\0' POST "$J" '' 127.0.0.1 "v1=$(repeat 64 0)" sig-valid-then-more <"$b/strict"
req '\115' '\0' POST "$J" '' 127.0.0.1 1000 sig-expired <"$b/strict"
req '\115' '\0' POST "$J" '' 127.0.0.1 99999999999 sig-future <"$b/strict"
req '\117' '\0' POST "$J" '' 127.0.0.1 1000 sig-no-expiry <"$b/strict"
req '\105' '\0' POST "$J" 100000 127.0.0.1 '' sig-too-large <"$b/huge"

# --- sig: FLAGS HEADER '\n' BODY --------------------------------------
sig() {
	{ printf "$1"; printf '%s\n' "$2"; cat; } >"$out/sig/$3"
}
printf '{"a":1}' >"$tmp/small"
v0=$(hmac $KEY0 $NOW "$tmp/small")
v1=$(hmac $KEY1 $NOW "$tmp/small")
sig '\2' "t=$NOW,v1=$v0" valid <"$tmp/small"
sig '\6' "t=$NOW,v1=$v1" valid-key1 <"$tmp/small"
sig '\2' "t=$NOW,v1=$v1" key1-not-configured <"$tmp/small"
sig '\6' "t=$NOW,v1=$(repeat 64 f),v1=$v1" second-matches <"$tmp/small"
sig '\2' "t=$NOW,v1=$(printf %s "$v0" | tr a-f A-F)" upper-hex <"$tmp/small"
sig '\2' "  t=$NOW ,	v1=$v0  " blanks <"$tmp/small"
sig '\2' "t=$NOW,v0=00,x=y,v1=$v0" other-schemes <"$tmp/small"
sig '\2' "t=$((NOW - 1000)),v1=$(hmac $KEY0 $((NOW - 1000)) "$tmp/small")" expired <"$tmp/small"
sig '\0' "t=$((NOW - 1000)),v1=$(hmac $KEY0 $((NOW - 1000)) "$tmp/small")" no-tolerance <"$tmp/small"
sig '\2' "t=$NOW,v1=$v0" wrong-body <"$fix/appointment.created.json"
sig '\2' "t=$NOW,v1=$(hmac $KEY0 $NOW "$fix/appointment.created.json")" fixture <"$fix/appointment.created.json"
for s in '' 't=' 'v1=' "t=$NOW" "v1=$v0" "t=$NOW,t=$NOW,v1=$v0" "t=+1,v1=$v0" \
    "t=1234567890123456789,v1=$v0" "t=$NOW,v1=${v0}0" "t=$NOW,v1=$(repeat 64 g)" \
    ',' ',,t=1,,v1=' '=' 't' "t=$NOW,v1=$v0,v1=$v0,v1=$v0,v1=$v0,v1=$v0,v1=$v0,v1=$v0,v1=$v0,v1=$v0"; do
	n=$(printf '%s' "$s" | cksum | cut -d' ' -f1)
	sig '\2' "$s" "bad-$n" <"$tmp/small"
done
sig '\2' "t=$NOW,v1=$v0,x=$(repeat 1100 y)" too-long <"$tmp/small"
printf '\2t=1\0,v1=%s\n{}' "$v0" >"$out/sig/nul-in-header"

# --- conf: FILE ['\n%%\n' ENV-LINES] ----------------------------------
conf() {
	cat >"$out/conf/$1"
}
conf full <<EOF
# every key
log_file = events.ndjson
log_max_bytes = 10485760
log_keep = 10
log_fsync = always
reject_file = /var/log/ekahook/rejected.ndjson
max_body_bytes = 65536
allow_from = 203.0.113.0/24, 2001:db8::/32 ,::ffff:10.0.0.0/104
signing_key = $KEY0
signing_key = $KEY1
signature_tolerance = 180
validation = strict
hook = hooks/on-event
hook_events = appointment.created, appointment.modified
hook_timeout = 30
hook_retries = 3
hook_max_running = 4
hook_log = hooks.ndjson
dedupe_window = 86400
state_dir = state
EOF
printf 'log_file = a # comment\r\n\t# indented comment\n\nvalidation=relaxed\t\nreject_file =\nhook =\n' | conf crlf-comments
printf 'nonsense = 1\n' | conf unknown-key
printf 'log_file\n' | conf no-equals
printf 'log_keep = 1\nlog_keep = 2\n' | conf twice
printf 'signing_key = \n' | conf key-empty
printf 'signing_key = s3cr3t-value-1\nlog_keep = x\n' | conf key-then-error
printf 'signing_key = s3cr3t-value-2 # rotated\nsigning_key = another-secret\n' | conf key-comment
for v in -1 1e3 99999999999999999999999 +5 ' ' 0x10 1001 18446744073709551616; do
	n=$(printf '%s' "$v" | tr -c 'a-zA-Z0-9' _)
	printf 'log_keep = %s\n' "$v" | conf "uint-$n"
done
printf 'max_body_bytes = 0\n' | conf body-zero
printf 'max_body_bytes = 67108865\n' | conf body-over
printf 'validation = loose\nlog_fsync = sometimes\n' | conf bad-enums
for a in '10.0.0.0/33' '::/129' '::ffff:1.2.3.4/95' ',,' ' , ' '1.2.3.4/' '1.2.3.4/-1' \
    '1.2.3.4/08' 'fe80::1%eth0' '1.2.3' '[::1]' '0.0.0.0/0, ::/0'; do
	n=$(printf '%s' "$a" | cksum | cut -d' ' -f1)
	printf 'allow_from = %s\n' "$a" | conf "addr-$n"
done
printf '10.0.0.0/8, ::1 ,2001:db8::/48' | conf addr-bare-list
{ printf 'log_file = '; repeat 5000 x; printf '\n'; } | conf long-line
printf 'log_file = a\0b\nlog_keep = 3\n' | conf nul-byte
printf 'hook_events = *, a\nhook = /bin/true\n' | conf events-star
printf 'hook_events = a, ,b,\t\nhook = h\n' | conf events-list
printf 'log_file = /\nstate_dir = ..\nhook_log = ../../x\n' | conf paths
printf 'log_file = x\n\n%%%%\nEKAHOOK_SIGNING_KEY=env-secret-123\nEKAHOOK_MAX_BODY_BYTES=12\n' | conf env-ok
printf '\n%%%%\nEKAHOOK_MAX_BODY_BYTES=x\nEKAHOOK_SIGNING_KEY=\n' | conf env-bad
printf '\n%%%%\nEKAHOOK_ALLOW_FROM=::1/200\n' | conf env-addr
printf 'log_file = = =\n = x\n' | conf equals
echo "corpora written to $out"
