#!/bin/sh
# conffile.sh: the configuration file pre-provisions rows, the engine
# thread applies them (engine_apply), SIGHUP re-reads the file, and a
# broken file is refused with the line or the rule named, changing
# nothing.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 3 conffile
log=$H_TMP/referd.log
conf=$H_TMP/referd.conf

cat >"$conf" <<EOF2
maxCalls 100
instanceName conffile-3
profile 1 pbx
profile 2 ivr
refer 1 support enabled delayedAnswer enabled delayedAnswerTimer 2
signaling 1 $H_ADDR port 5060
signaling 2 $H_ADDR port 5060 transport tcp profile 2
gateway 1 a-side $H_NET.2 port 0 profile 1
gateway 2 b-side $H_NET.3
route 1 1 2
route 2 default 1
EOF2
h_referd_start "$conf" -x "$H_TMP/no-master.sock"
h_grep "the file's rows are read" "$log" \
	'read: 2 profiles, 1 refer support, 2 signaling, 2 gateways, 2 routes'
h_grep "the engine thread applies the snapshot" "$log" \
	'engine: configuration 1 applied: 2 profiles, 1 refer support, 2 signaling, 2 gateways, 2 routes active; maxCalls 100'
h_grep "the engine's lines start with the instanceName of the file" "$log" \
	'^\[conffile-3\] engine: configuration 1 applied'

# SIGHUP with a changed file: a second snapshot reaches the engine.
cat >>"$conf" <<EOF2
profile 3 third
maxCalls 200
EOF2
kill -HUP "$H_REFERD_PID"
h_ok "SIGHUP: the changed file is applied as configuration 2" \
	h_wait_for 5 grep -q 'configuration 2 applied: 3 profiles, 1 refer support, 2 signaling, 2 gateways, 2 routes active; maxCalls 200' "$log"

# SIGHUP with a broken file: the error is logged, nothing changes.
cp "$conf" "$H_TMP/good.conf"
printf 'route 3 99 77\n' >>"$conf"
kill -HUP "$H_REFERD_PID"
h_ok "SIGHUP with a route to a missing gateway logs the rule" \
	h_wait_for 5 grep -q 'rule gateway-must-exist broken: referdRouteTable row 3: gateway 77 does not exist' "$log"
h_grep "... and says the running configuration is unchanged" "$log" \
	'running configuration is unchanged'
cp "$H_TMP/good.conf" "$conf"
printf 'refer 2 support sometimes\n' >>"$conf"
kill -HUP "$H_REFERD_PID"
h_ok "SIGHUP with a bad value names the file and line" \
	h_wait_for 5 grep -q "referd.conf: line 14: Error: refer: \"sometimes\" is not a valid value for support" "$log"
sleep 0.3
h_not "no snapshot is applied for a broken file" grep -q 'configuration 3 applied' "$log"
h_ok "referd is still running" h_alive "$H_REFERD_PID"
cp "$H_TMP/good.conf" "$conf"
kill -HUP "$H_REFERD_PID"
h_ok "the repaired file is applied as configuration 3" \
	h_wait_for 5 grep -q 'configuration 3 applied: 3 profiles' "$log"
kill -TERM "$H_REFERD_PID"
h_wait_exit "$H_REFERD_PID" 10
h_is "referd exits 0 on SIGTERM" "$H_RC" 0

# Broken files at start: referd refuses to start, says why, exits 1.
start_fails() { # DESC FILE-TEXT REGEX
	printf '%b' "$2" >"$H_TMP/bad.conf"
	out=$("$REFERD" -f -Le -c "$H_TMP/bad.conf" 2>&1); rc=$?
	h_is "start refused: $1 (exit 1)" "$rc" 1
	h_like "start refused: $1 (reason given)" "$out" "$3"
}
start_fails "Refer Support row without its profile" 'refer 4\n' \
	'rule refer-needs-sgp broken: referdReferTable row 4'
start_fails "Delayed Answer without Refer Support" \
	'profile 1 a\nrefer 1 delayedAnswer enabled\n' \
	'rule delayed-answer-needs-refer-support broken'
start_fails "a gateway naming a missing profile" \
	'gateway 1 gw 127.0.0.9 profile 4\n' 'rule profile-must-exist broken'
start_fails "two profiles with one name" 'profile 1 a\nprofile 2 a\n' \
	'rule name-unique broken'
start_fails "a duplicate signaling endpoint" \
	'signaling 1 127.0.0.1\nsignaling 2 127.0.0.1 port 5060\n' \
	'rule signaling-unique broken'
start_fails "a host name for an address" 'signaling 1 sip.example.net\n' \
	'rule address-literal broken'
start_fails "an index out of range" 'signaling 65 127.0.0.1\n' \
	'line 1: Error: signaling: index "65" is not a number from 1 to 64'
start_fails "a timer of 11 minutes" \
	'profile 1 a\nrefer 1 support enabled delayedAnswer enabled delayedAnswerTimer 11\n' \
	'line 2: Error: refer: "11" is not a valid value for delayedAnswerTimer'
start_fails "a prefix with letters" \
	'gateway 1 gw 127.0.0.9\nroute 1 abc 1\n' 'rule prefix-chars broken'
for bad in a.b 'a~b' a_b; do
	start_fails "instanceName $bad" "profile 1 p\ninstanceName $bad\n" \
	    "line 2: Error: instanceName: \"$bad\" may hold only letters A-Z a-z, digits and '-'"
done
start_fails "an instanceName of 33 characters" \
	'instanceName 123456789012345678901234567890123\n' \
	'line 1: Error: instanceName: instanceName "123456789012345678901234567890123" is longer than 32 characters'
h_done
