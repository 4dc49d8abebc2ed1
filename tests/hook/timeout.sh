#!/bin/sh
# hook_timeout (ekahook.conf(5)): SIGTERM to the hook's process group, SIGKILL
# 5 s later for what ignores it; the hook_log line says so.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

cat >"$HK/hook" <<'HOOK'
#!/bin/sh
echo "started $EKA_PARTNER_META_MODE"
cut -d' ' -f5 /proc/$$/stat >"$(dirname "$0")/pgid.$EKA_PARTNER_META_MODE"
case $EKA_PARTNER_META_MODE in
# Says it got SIGTERM and waits on for its child, which ignores it.
stubborn) trap 'echo got TERM' TERM; (trap '' TERM; exec sleep 30) & wait
	wait ;;
*) sleep 30 & wait ;;
esac
HOOK
chmod 0755 "$HK/hook"
# 2 s: time for the hook to start even on a busy machine.
write_hook_conf "hook_timeout = 2"
start_lighttpd fastcgi "$CONF"

# alive_in_group PGID: members of the group that are not zombies.
alive_in_group() {
	ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/' | wc -l
}

event_with mode polite
post "$T/event.json"
expect_status 200
wait_hook_lines 1 15
# Ended by the SIGTERM (not the SIGKILL after it), cut short in its sleep.
jq -e '.timed_out == true and .exit == null and .signal == 15 and
    .output == "started polite\n"' "$HOOKLOG" >/dev/null ||
	fail "polite: $(cat "$HOOKLOG")"
[ "$(alive_in_group "$(cat "$HK/pgid.polite")")" -eq 0 ] ||
	fail "polite: the hook's group lives on"
ok "a hook over hook_timeout gets SIGTERM, with its group"

event_with mode stubborn
post "$T/event.json"
expect_status 200
wait_hook_lines 2 20
# SIGTERM first, lived through (its output says so), then SIGKILL.
tail -n 1 "$HOOKLOG" | jq -e '.timed_out == true and .exit == null and
    .signal == 9 and .output == "started stubborn\ngot TERM\n"' \
    >/dev/null || fail "stubborn: $(tail -n 1 "$HOOKLOG")"
[ "$(alive_in_group "$(cat "$HK/pgid.stubborn")")" -eq 0 ] ||
	fail "stubborn: the hook's group lives on"
ok "a hook living through SIGTERM gets SIGKILL after it, with its group"
wait_quiet 15
