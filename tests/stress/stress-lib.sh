# Helpers shared by tests/stress/*.sh; source after tests/lib.sh:
#   . "$TESTLIB"; . "$TOP_SRCDIR/tests/stress/stress-lib.sh"
# The stress tests put many FastCGI processes behind a real lighttpd,
# drive them with tests/loadgen and hold the logs to ekahook(8) "Logs".

LOADGEN="$TOP_BUILDDIR/tests/loadgen"
[ -x "$LOADGEN" ] || fail "no $LOADGEN (make check builds it)"
command -v lighttpd >/dev/null || skip "lighttpd is not installed"

# stress_conf FILE DIR MAX_BYTES KEEP FSYNC [MORE_LINES]: an ekahook.conf
# writing its logs and state under DIR.
stress_conf() {
	mkdir -p "$2"
	cat >"$1.tmp" <<EOF
log_file = $2/events.ndjson
reject_file = $2/rejected.ndjson
log_max_bytes = $3
log_keep = $4
log_fsync = $5
state_dir = $T/state
${6:-}
EOF
	# A rename gives a new inode: every process sees the change at once.
	mv "$1.tmp" "$1"
}

# stress_bodies DIR: request bodies for loadgen, made from the seed event.
# Every one is unique per request (@SEQ@), most vary in size (@PAD@).
# Accepted: ok1.json ok2.json ok3.json; 422: bad-event.json;
# 400: bad-json.json.  STRESS_BODIES lists them in the order to send.
stress_bodies() {
	mkdir -p "$1"
	jq '.data.partner_meta.seq = "@SEQ@" | .data.partner_meta.pad = "@PAD@"' \
	    "$SAMPLE" >"$1/ok1.json"
	jq -c '.data.status = "CN" | .data.action = "modified" |
	    .data.partner_meta = {"n": "@SEQ@"} | .transaction_id = "t-@SEQ@"' \
	    "$SAMPLE" >"$1/ok2.json"
	jq -c '.data.partner_meta.seq = "@SEQ@" |
	    .data.custom_attributes.label += ["@PAD@", "é@SEQ@"]' \
	    "$SAMPLE" >"$1/ok3.json"
	jq '.data.status = 7 | .data.partner_meta.seq = "@SEQ@" |
	    .data.partner_meta.pad = "@PAD@"' "$SAMPLE" >"$1/bad-event.json"
	printf '{"event":"appointment.created","seq":"@SEQ@","pad":"@PAD@",' \
	    >"$1/bad-json.json"
	STRESS_BODIES="$1/ok1.json $1/bad-event.json $1/ok2.json $1/bad-json.json $1/ok3.json"
}

# stress_run OUT N C SECONDS [loadgen options]: N requests, C at once;
# fails if the deadline cut the run short.
stress_run() {
	out=$1
	n=$2
	c=$3
	secs=$4
	shift 4
	# shellcheck disable=SC2086
	"$LOADGEN" -u "$URL" -n "$n" -c "$c" -t "$secs" -o "$out" "$@" \
	    $STRESS_BODIES || fail "loadgen did not finish $n requests in $secs s"
}

# stress_status_count OUT STATUS: attempts in OUT answered STATUS.
stress_status_count() {
	awk -v s="$2" '$3 == s { n++ } END { print n + 0 }' "$1"
}

# stress_only_statuses OUT LIST: fails when an attempt got a status not
# in LIST (blank-separated).
stress_only_statuses() {
	bad=$(awk -v ok=" $2 " 'index(ok, " " $3 " ") == 0' "$1" | head -5)
	[ -z "$bad" ] || fail "unexpected answers (seq attempt status id):
$bad
$(tail -5 "$LIGHTTPD_ERRLOG")"
}

# stress_files DIR NAME: the log NAME and every file made from it
# (rotated .N, renamed away, logrotate's; NAME-<date>.backup is where
# logrotate `create` puts a file it finds already there), one a line.
stress_files() {
	for f in "$1/$2" "$1/$2".* "$1/$2"-*.backup "$1/$2"-*.backup.*; do
		[ -f "$f" ] && echo "$f"
	done | sort
	return 0
}

# stress_verify DIR MAX_BYTES: every line of every log file is a
# complete JSON object (ekahookctl verify-log) and, with MAX_BYTES > 0,
# no file is larger than MAX_BYTES.
stress_verify() {
	files=$(stress_files "$1" events.ndjson; stress_files "$1" rejected.ndjson)
	[ -n "$files" ] || fail "no log files in $1"
	# shellcheck disable=SC2086
	"$EKAHOOKCTL" verify-log $files >"$T/verify.out" 2>&1 ||
		fail "verify-log: $(grep -v ' 0 bad$' "$T/verify.out" | head -10)"
	if [ "$2" -gt 0 ]; then
		# shellcheck disable=SC2086
		big=$(stat -c '%s %n' $files | awk -v m="$2" '$1 > m' | head -3)
		[ -z "$big" ] || fail "file over log_max_bytes $2: $big"
	fi
	return 0
}

# stress_ids DIR NAME OUTFILE: the request_ids of all lines of the log
# NAME (all its files), sorted; fails when one appears twice.
stress_ids() {
	files=$(stress_files "$1" "$2")
	: >"$3"
	if [ -n "$files" ]; then
		# shellcheck disable=SC2086
		cat $files | jq -r .request_id >"$3.raw" ||
			fail "$2*: a line jq cannot read"
		sort "$3.raw" >"$3"
	fi
	dup=$(uniq -d "$3" | head -3)
	[ -z "$dup" ] || fail "request_id logged twice in $2*: $dup"
	return 0
}

# stress_check DIR OUT exact|subset: the logs against loadgen's record.
#   exact:  the request_ids in events.ndjson* are those of the 200s and
#           those in rejected.ndjson* those of the 4xx, no more, no less
#           (and so the line counts equal the answer counts);
#   subset: every 200 and every 4xx is logged (a worker killed after
#           writing a line but before answering leaves a line no answer
#           names: the sender's retry is a new event).
# Either way no request_id is logged twice; with exact, every line says
# "duplicate":false too (each body was unique and sent once).
stress_check() {
	stress_ids "$1" events.ndjson "$T/logged.ids"
	stress_ids "$1" rejected.ndjson "$T/rejected.ids"
	awk '$3 == 200 { print $4 }' "$2" | sort >"$T/ok.ids"
	awk '$3 >= 400 && $3 < 500 { print $4 }' "$2" | sort >"$T/4xx.ids"
	! grep -qx -- - "$T/ok.ids" "$T/4xx.ids" ||
		fail "an answer without a request_id"
	[ -s "$T/ok.ids" ] || fail "no request was accepted"
	missing=$(comm -23 "$T/ok.ids" "$T/logged.ids" | head -3)
	[ -z "$missing" ] || fail "answered 200 but not logged: $missing"
	missing=$(comm -23 "$T/4xx.ids" "$T/rejected.ids" | head -3)
	[ -z "$missing" ] || fail "rejected but not in reject_file: $missing"
	if [ "$3" = exact ]; then
		extra=$(comm -13 "$T/ok.ids" "$T/logged.ids" | head -3)
		[ -z "$extra" ] || fail "logged without a 200: $extra"
		extra=$(comm -13 "$T/4xx.ids" "$T/rejected.ids" | head -3)
		[ -z "$extra" ] || fail "in reject_file without a 4xx: $extra"
		files=$(stress_files "$1" events.ndjson)
		# shellcheck disable=SC2086
		! grep -q '"duplicate":true' $files ||
			fail "a unique body was logged as a duplicate"
	fi
	return 0
}

# stress_rotated_ok DIR NAME KEEP: the rotated files are exactly
# NAME.1 .. NAME.k for some k <= KEEP, no gap, none past KEEP; echoes k.
stress_rotated_ok() {
	k=0
	while [ -f "$1/$2.$((k + 1))" ]; do
		k=$((k + 1))
	done
	n=$(find "$1" -maxdepth 1 -name "$2.[0-9]*" | wc -l)
	[ "$n" -eq "$k" ] || fail "$2: $n rotated files but .1 .. .$k in a row"
	[ "$k" -le "$3" ] || fail "$2: $k rotated files, log_keep is $3"
	echo "$k"
}

# stress_seqs DIR OUTFILE: "<seq> <duplicate>" for every line of
# events.ndjson* (seq: the request's number, from partner_meta.seq or
# .n), sorted by seq.
stress_seqs() {
	files=$(stress_files "$1" events.ndjson)
	# shellcheck disable=SC2086
	cat $files | jq -r '[(.event.data.partner_meta | .seq // .n),
	    .duplicate] | @tsv' | sort -n >"$2" ||
		fail "events.ndjson*: a line jq cannot read"
}
