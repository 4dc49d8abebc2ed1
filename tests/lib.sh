# Shared helpers for the integration tests.  Source it from a test:
#   . "$TESTLIB"
# A test is a POSIX sh script run by `make check` with EKAHOOK_BIN,
# EKAHOOKCTL, FIXTURES, TOP_SRCDIR and TOP_BUILDDIR set (Makefile.am).
# Exit 0 = pass, 77 = skip, anything else = fail.
#
# Everything a test starts is recorded in $T/pids and stopped on exit;
# everything it writes lives under $T (a fresh temp directory).

set -eu

: "${EKAHOOK_BIN:?run through make check}"
: "${FIXTURES:?run through make check}"
SAMPLE="$FIXTURES/appointment.created.json"

T=$(mktemp -d "${TMPDIR:-/tmp}/ekahook-test.XXXXXX")
chmod 0755 "$T"
: >"$T/pids"

cleanup() {
	rc=$?
	set +e
	while read -r pid; do
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	done <"$T/pids"
	# Let them go, then make sure.
	i=0
	while [ $i -lt 50 ]; do
		alive=0
		while read -r pid; do
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
		done <"$T/pids"
		[ $alive -eq 0 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	while read -r pid; do
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	done <"$T/pids"
	# FastCGI children of a killed server, started from our binary.
	pkill -KILL -f "^$T/" 2>/dev/null
	for m in $(cat "$T/mounts" 2>/dev/null); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		echo "--- test failed (exit $rc); files under $T:" >&2
		for f in "$T"/*.log "$T"/*/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f (last 40 lines)" >&2
			tail -n 40 "$f" >&2
		done
	fi
	[ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

ok() {
	echo "ok - $*"
}

# A TCP port nobody listens on at the moment, on 127.0.0.1.
free_port() {
	perl -MIO::Socket::INET -e \
	    'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1, ReuseAddr => 1) or die "no port: $!"; print $s->sockport, "\n";'
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	deadline=$1
	shift
	end=$(($(date +%s) + deadline))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.05
	done
	return 0
}

# install_schemas DIR: the shipped event schemas in DIR/schemas, where
# an ekahook in DIR finds them (as in the shared-hosting bundle).
install_schemas() {
	mkdir -p "$1/schemas"
	cp "$TOP_SRCDIR"/schemas/*.json "$1/schemas/"
}

# Copies the built ekahook into a directory of the test (so the
# "config beside the executable" rule and pkill by path work).
# install_ekahook DIR -> $DIR/ekahook
install_ekahook() {
	mkdir -p "$1"
	cp "$EKAHOOK_BIN" "$1/ekahook"
	chmod 0755 "$1/ekahook"
	install_schemas "$1"
	# $EKAHOOK_WRAPPER (tests/fuzz/valgrind.sh): a command, absolute
	# paths only, run in front of the binary, which moves to ekahook.real
	# in the same directory (so its "directory of the executable" stays).
	if [ -n "${EKAHOOK_WRAPPER:-}" ]; then
		mv "$1/ekahook" "$1/ekahook.real"
		printf '#!/bin/sh\nexec %s "$0.real" "$@"\n' "$EKAHOOK_WRAPPER" \
		    >"$1/ekahook"
		chmod 0755 "$1/ekahook"
	fi
}

# start_lighttpd MODE CONF [MAXPROCS] [EXTRA_ENV_LINES]
#   MODE: fastcgi (mod_fastcgi spawning ekahook) or cgi (mod_cgi).
#   CONF: the ekahook.conf to use (passed as EKAHOOK_CONFIG); empty:
#         EKAHOOK_CONFIG is not set at all.
#   EXTRA_ENV_LINES: more entries, each as ', "NAME" => "value"'.
#   $LIGHTTPD_EXTRA_CONF, if set: lines appended to lighttpd.conf.
# Serves ekahook at /eka/webhook on 127.0.0.1:$PORT; sets PORT, URL,
# and LIGHTTPD_ERRLOG (where ekahook's stderr lands).
start_lighttpd() {
	mode=$1
	conf=$2
	procs=${3:-1}
	extra_env=${4:-}
	if [ -n "$conf" ]; then
		env_list="\"EKAHOOK_CONFIG\" => \"$conf\"$extra_env"
	else
		env_list=${extra_env#, }
	fi
	d="$T/lighttpd"
	mkdir -p "$d/www/eka" "$d/bin"
	install_ekahook "$d/bin"
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT/eka/webhook"
	LIGHTTPD_ERRLOG="$d/error.log"
	: >"$LIGHTTPD_ERRLOG"
	chmod 0666 "$LIGHTTPD_ERRLOG"
	{
		echo "server.document-root = \"$d/www\""
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $PORT"
		echo "server.errorlog = \"$LIGHTTPD_ERRLOG\""
		echo "server.pid-file = \"$d/lighttpd.pid\""
		echo "server.max-request-size = 1048576"
		if [ "$mode" = fastcgi ]; then
			echo 'server.modules += ( "mod_fastcgi" )'
			echo 'fastcgi.server = ( "/eka/webhook" => ( ('
			echo "  \"socket\" => \"$d/ekahook.sock\","
			echo "  \"bin-path\" => \"$d/bin/ekahook\","
			echo "  \"max-procs\" => $procs,"
			echo '  "check-local" => "disable",'
			echo "  \"bin-environment\" => ( $env_list )"
			echo ') ) )'
		else
			cp "$d/bin/ekahook" "$d/www/eka/webhook"
			install_schemas "$d/www/eka"
			[ -z "${EKAHOOK_WRAPPER:-}" ] ||
				cp "$d/bin/ekahook.real" "$d/www/eka/webhook.real"
			echo 'server.modules += ( "mod_cgi", "mod_setenv" )'
			echo '$HTTP["url"] =~ "^/eka/webhook" {'
			echo '  cgi.assign = ( "" => "" )'
			echo "  setenv.set-environment = ( $env_list )"
			echo '}'
		fi
		printf '%s\n' "${LIGHTTPD_EXTRA_CONF:-}"
	} >"$d/lighttpd.conf"
	# In the foreground lighttpd leaves its stderr, which its FastCGI
	# and CGI children inherit, where it was: send it to the error log.
	lighttpd -D -f "$d/lighttpd.conf" >>"$d/stdout.log" \
	    2>>"$LIGHTTPD_ERRLOG" &
	echo $! >>"$T/pids"
	LIGHTTPD_PID=$!
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/" ||
		fail "lighttpd did not start: $(cat "$LIGHTTPD_ERRLOG" "$d/stdout.log")"
}

stop_lighttpd() {
	kill -TERM "$LIGHTTPD_PID" 2>/dev/null || true
	wait_for 10 sh -c "! kill -0 $LIGHTTPD_PID" || kill -KILL "$LIGHTTPD_PID" 2>/dev/null || true
	# Its FastCGI and CGI children end on their own time (slowly under
	# ASan); a restart copies the binary over theirs (ETXTBSY).
	wait_for 10 sh -c "! pgrep -f '$T/lighttpd/(bin|www)/'" ||
		pkill -KILL -f "$T/lighttpd/(bin|www)/" 2>/dev/null || true
}

# request METHOD URL [curl args...]: the answer's status in $STATUS,
# headers in $T/resp.hdr, body in $T/resp.body (also $BODY).
request() {
	m=$1
	u=$2
	shift 2
	STATUS=$(curl -s -X "$m" -o "$T/resp.body" -D "$T/resp.hdr" \
	    -w '%{http_code}' --max-time 30 "$@" "$u") || STATUS=000
	BODY=$(cat "$T/resp.body")
}

# post FILE [curl args...]: POSTs the file as application/json to $URL.
post() {
	f=$1
	shift
	request POST "$URL" -H 'Content-Type: application/json' \
	    --data-binary "@$f" "$@"
}

# expect_status CODE: the last answer's status.
expect_status() {
	[ "$STATUS" = "$1" ] || fail "expected status $1, got $STATUS: $BODY"
}

# header NAME: the value of a header of the last answer (first one).
header() {
	tr -d '\r' <"$T/resp.hdr" | awk -v n="$1" 'BEGIN { n = tolower(n) }
	    { i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) {
	      v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print v; exit } }'
}

# json FILTER [FILE]: jq -c on the last answer (or FILE).
json() {
	jq -c "$1" "${2:-$T/resp.body}"
}

# minify FILE: the JSON text with insignificant whitespace removed and
# every other byte kept (what ekahook(8) "Logs" logs as "event").
minify() {
	perl -0777 -ne '
	    my $out = "";
	    while (/\G(?:("(?:[^"\\]|\\.)*")|([ \t\r\n]+)|([^" \t\r\n]+))/gcs) {
	        $out .= $1 if defined $1; $out .= $3 if defined $3;
	    }
	    print $out;' "$1"
}

# lines FILE: the number of lines in FILE (0 if it does not exist).
lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# run_as_nobody: a user that is not root, for servers that refuse root.
TEST_USER=${TEST_USER:-nobody}

# write_conf FILE: replaces FILE with stdin in one rename (a new inode,
# so a running ekahook reloads it on its next request).
write_conf() {
	cat >"$1.new"
	mv -f "$1.new" "$1"
}

# last_line FILE: the last line of FILE, without its newline.
last_line() {
	tail -n 1 "$1"
}

# expect_error STATUS CODE: the last answer is the JSON error answer of
# ekahook(8) "Requests": its status, Content-Type, and members in order.
expect_error() {
	expect_status "$1"
	grep -qi '^content-type: application/json' "$T/resp.hdr" ||
		fail "$1 $2: Content-Type is '$(header Content-Type)'"
	[ "$(json '[keys_unsorted, .ok, .error, (.request_id | length > 0),
	    (.message | type), (.details | type)]')" = \
	    "[[\"ok\",\"request_id\",\"error\",\"message\",\"details\"],false,\"$2\",true,\"string\",\"array\"]" ] ||
		fail "expected a $1 $2 answer, got: $BODY"
}

# expect_accepted true|false: the last answer is exactly
# {"ok":true,"request_id":"…","duplicate":…}; sets $REQUEST_ID.
expect_accepted() {
	expect_status 200
	REQUEST_ID=$(jq -r .request_id "$T/resp.body")
	[ "$BODY" = "{\"ok\":true,\"request_id\":\"$REQUEST_ID\",\"duplicate\":$1}" ] &&
	    [ -n "$REQUEST_ID" ] ||
		fail "expected an accepted answer with duplicate $1, got: $BODY"
}

# expect_reject_line FILE STATUS CODE BODYFILE [body|sha|none]: the last
# line of the reject file FILE is the one of ekahook(8) "Logs" for the
# last answer: same request_id and details, STATUS and CODE, body_bytes
# the size of BODYFILE, and (body, the default) body_sha256 and the body
# itself (body, or body_base64 when not UTF-8) giving back its exact
# bytes; (sha) body_sha256 but no body (401); (none) neither (413).
expect_reject_line() {
	tail -n 1 "$1" >"$T/reject.line"
	rl_common='"received_at","request_id","remote_addr","status","error","details","body_bytes"'
	case ${5:-body} in
	none) rl_keys="[$rl_common]" ;;
	sha) rl_keys="[$rl_common,\"body_sha256\"]" ;;
	body) rl_keys="[$rl_common,\"body_sha256\",\"<body>\"]" ;;
	esac
	rl_got=$(jq -c --slurpfile a "$T/resp.body" '[(keys_unsorted |
	    map(select(. != "body_truncated")) |
	    map(if . == "body" or . == "body_base64" then "<body>" else . end)),
	    .request_id == $a[0].request_id, .status, .error,
	    .details == $a[0].details]' "$T/reject.line") || rl_got=unparsable
	[ "$rl_got" = "[$rl_keys,true,$2,\"$3\",true]" ] ||
		fail "reject line for $2 $3 (got $rl_got): $(cat "$T/reject.line")"
	# The body's size, hash, and bytes (as text, or base64 when it is
	# not UTF-8).
	perl -MJSON::PP -MDigest::SHA=sha256_hex -MMIME::Base64 -e '
	    my ($line, $file, $keep) = @ARGV;
	    local $/;
	    open(my $lf, "<:raw", $line) or die "$line: $!";
	    open(my $bf, "<:raw", $file) or die "$file: $!";
	    my $r = JSON::PP->new->utf8->decode(<$lf>);
	    my $b = <$bf>;
	    $b = "" unless defined $b;
	    # Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates.
	    my $utf8 = $b =~ /\A(?:[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|
	        \xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|
	        \xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|
	        [\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})*\z/x;
	    die "body_bytes $r->{body_bytes}, want ", length($b), "\n"
	        unless $r->{body_bytes} == length($b);
	    # A body cut at reject_body_max: the kept bytes start the body.
	    my $cut = $r->{body_truncated} ? 1 : 0;
	    exit 0 if $keep eq "none";
	    die "body_sha256 is not the body'"'"'s\n"
	        unless $r->{body_sha256} eq sha256_hex($b);
	    exit 0 if $keep eq "sha";
	    if ($utf8) {
	        die "a UTF-8 body is not kept as body\n"
	            unless exists $r->{body};
	        utf8::encode(my $text = $r->{body});
	        die "body does not give back the bytes\n"
	            unless $text eq ($cut ? substr($b, 0, length($text)) : $b);
	        die "a cut body is not shorter\n"
	            if $cut && length($text) >= length($b);
	    } else {
	        die "a non-UTF-8 body is not kept as body_base64\n"
	            unless exists $r->{body_base64};
	        my $d = decode_base64($r->{body_base64});
	        die "body_base64 does not give back the bytes\n"
	            unless $d eq ($cut ? substr($b, 0, length($d)) : $b);
	    }' "$T/reject.line" "$4" "${5:-body}" 2>"$T/reject.err" ||
		fail "reject line for $2 $3: $(cat "$T/reject.err"): $(cat "$T/reject.line")"
}
