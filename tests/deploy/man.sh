#!/bin/sh
# The manual pages: made with the configured paths, clean under mandoc's
# lint (or groff's warnings), and complete against the code: every
# configuration key with its default (src/conf.c), every status and error
# code (src/answer.c), every ekahookctl command (src/ctl.c, plus replay).
. "$TESTLIB"

M="$TOP_BUILDDIR/man"
for p in ekahook.8 ekahookctl.1 ekahook.conf.5 ekahook-events.7; do
	[ -s "$M/$p" ] || fail "$M/$p was not made"
	! grep -n '@[a-zA-Z_]*@' "$M/$p" || fail "$p: a placeholder is left"
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -T lint -W warning "$M/$p" >"$T/lint" 2>&1 ||
			fail "mandoc -T lint $p: $(cat "$T/lint")"
	else
		command -v groff >/dev/null 2>&1 ||
			fail "neither mandoc nor groff (tests/install-deps.sh installs mandoc)"
		groff -mandoc -ww -z -Tutf8 "$M/$p" >"$T/lint" 2>&1
		[ ! -s "$T/lint" ] || fail "groff $p: $(cat "$T/lint")"
	fi
done
ok "pages made and lint-clean"

# Every key, and its default: the first line of the key's row.
sed -n 's/^[[:space:]]*{ "\([a-z_]*\)",[[:space:]]*\(NULL\|"[^"]*"\),$/\1 \2/p' \
    "$TOP_SRCDIR/src/conf.c" >"$T/keys"
[ "$(lines "$T/keys")" -ge 18 ] || fail "cannot read the key table of src/conf.c"
while read -r key dflt; do
	line=$(grep "^\.It Cm $key " "$M/ekahook.conf.5") ||
		fail "ekahook.conf(5) lacks $key"
	case $dflt in
	NULL | '""') want='default: \(none\|empty\)' ;;
	*) want="default: \(Pa \|Li \)\?$(echo "$dflt" | tr -d '"' |
	    sed 's/[].*[^$\\]/\\&/g')\($\| \)" ;;
	esac
	echo "$line" | grep -q "$want" ||
		fail "ekahook.conf(5): $key does not give its default $dflt: $line"
done <"$T/keys"
ok "ekahook.conf(5): all $(lines "$T/keys") keys with their defaults"

# Every status with its error code.
sed -n 's/.*{ \([0-9][0-9][0-9]\), "\([a-z_]*\)",.*/\1 \2/p' \
    "$TOP_SRCDIR/src/answer.c" >"$T/codes"
[ "$(lines "$T/codes")" -ge 14 ] || fail "cannot read the table of src/answer.c"
while read -r status code; do
	grep -q "^\.It Sy $status Li .*\<$code\>" "$M/ekahook.8" ||
		fail "ekahook(8) lacks $status $code"
done <"$T/codes"
ok "ekahook(8): all $(lines "$T/codes") error codes with their status"

# Every ekahookctl command, in the synopsis and described.
{
	sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",[[:space:]]*[a-z_]* },.*/\1/p' \
	    "$TOP_SRCDIR/src/ctl.c"
	echo replay		# named in ekahookctl(1) whatever the table holds
} | sort -u >"$T/cmds"
[ "$(lines "$T/cmds")" -ge 5 ] || fail "cannot read the command table of src/ctl.c"
while read -r cmd; do
	[ "$(grep -c "^\.Cm $cmd\$" "$M/ekahookctl.1")" -ge 1 ] ||
		fail "ekahookctl(1): $cmd is not in the synopsis"
	grep -q "^\.It Cm $cmd\>" "$M/ekahookctl.1" ||
		fail "ekahookctl(1): $cmd is not described"
done <"$T/cmds"
ok "ekahookctl(1): $(tr '\n' ' ' <"$T/cmds")"

# Every shipped event, with its hook's variables.
for s in "$TOP_SRCDIR"/schemas/*.json; do
	ev=$(basename "$s" .json)
	grep -q "^\.It Li $ev\$" "$M/ekahook-events.7" ||
		fail "ekahook-events(7) lacks $ev (run schemas/manpage.py)"
done
grep -q 'EKA_APPOINTMENT_ID EKA_PARTNER_APPOINTMENT_ID' "$M/ekahook-events.7" ||
	fail "ekahook-events(7): appointment.created's variables are not listed"
ok "ekahook-events(7): all $(ls "$TOP_SRCDIR"/schemas/*.json | wc -l) shipped events"
