#!/bin/sh
# harness.sh: the shared test helpers themselves: a private snmpd master
# on loopback, snmptrapd receiving a trap, SIPp peers on their own
# addresses completing calls, every process stopped by pid on every
# exit path, a failed assertion and a signal included, and the check at
# the end of every test that referd still runs and exits 0 on SIGTERM.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 4 harness
ROOT=.1.3.6.1.4.1.8072.9999.9999.5060

# --- snmpd master --------------------------------------------------------
h_snmptrapd_start
h_snmpd_start
out=$(snmpget -v2c -c public -On "$H_ADDR:$H_SNMP_PORT" .1.3.6.1.2.1.1.3.0 2>&1)
h_like "the private snmpd answers on $H_ADDR:$H_SNMP_PORT" "$out" \
	'^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks'
h_ok "its AgentX socket is in the test's temp dir" test -S "$H_AGENTX"
out=$(snmpget -v2c -c wrong -t 0.5 -r 0 "$H_ADDR:$H_SNMP_PORT" .1.3.6.1.2.1.1.3.0 2>&1)
h_like "an unknown community gets no answer" "$out" 'Timeout'
h_not "nothing listens on the standard SNMP port of this address" \
	snmpget -v2c -c public -t 0.3 -r 0 "$H_ADDR:161" .1.3.6.1.2.1.1.3.0

# --- snmptrapd -------------------------------------------------------------
h_ok "a v2c trap is sent to the private snmptrapd" \
	snmptrap -v2c -c public "$H_ADDR:$H_TRAP_PORT" '' "$ROOT.0.4" \
	"$ROOT.1.9.6" o "$ROOT.1.2.1.4.7" "$ROOT.1.9.7" i 1
h_ok "snmptrapd logs the trap's OID" \
	h_wait_for 5 grep -q "$ROOT.0.4" "$H_TRAPLOG"
h_grep "snmptrapd logs the trap's varbinds" "$H_TRAPLOG" \
	"$ROOT.1.9.6 = OID: $ROOT.1.2.1.4.7"
h_not "a trap with a wrong community is not logged" sh -c "
	snmptrap -v2c -c wrong $H_ADDR:$H_TRAP_PORT '' $ROOT.0.3 &&
	sleep 0.5 && grep -q '$ROOT.0.3' '$H_TRAPLOG'"

# --- SIPp peers --------------------------------------------------------------
h_sipp uas "$H_NET.3" 5060 -sn uas
uas=$H_PID
h_sipp uac "$H_NET.2" 5060 -sn uac -m 3 -r 10 -d 100 "$H_NET.3:5060"
uac=$H_PID
h_wait_exit "$uac" 30
h_is "SIPp A ($H_NET.2) completes 3 calls with SIPp B ($H_NET.3)" "$H_RC" 0
h_grep "A's statistics count 3 successful calls" "$H_TMP/uac.screen" \
	'Successful call +\| +[0-9]+ +\| +3 '
h_ok "B is still running until the test stops it" h_alive "$uas"

# --- cleanup on a failed assertion and on a signal -----------------------
# A child test starts two processes and then fails (bail out) or is
# killed; afterwards neither process may exist.  Its temp dir, kept
# because it failed, is inside ours.
child=$H_TMP/child.sh
cat >"$child" <<EOF2
. "$REFERD_SRCDIR/tests/lib/harness.sh"
h_init 5 harness-child
h_spawn sleeper1 sleep 300
echo \$H_PID >"$H_TMP/child.pids"
h_spawn sleeper2 sh -c 'trap "" TERM; exec sleep 300'
echo \$H_PID >>"$H_TMP/child.pids"
[ "\$1" = bail ] && h_bail "deliberate failure"
while :; do sleep 0.1; done
EOF2
TMPDIR=$H_TMP sh "$child" bail >"$H_TMP/child-bail.out" 2>&1
h_grep "the child test bails out" "$H_TMP/child-bail.out" '^Bail out! deliberate failure'
gone=1
for p in $(cat "$H_TMP/child.pids"); do h_alive "$p" && gone=0; done
h_is "after a failed assertion every process it started is gone (one ignored SIGTERM)" "$gone" 1

TMPDIR=$H_TMP sh "$child" wait >"$H_TMP/child-term.out" 2>&1 &
cpid=$!
H_PIDS="$cpid $H_PIDS"
h_wait_for 5 sh -c "[ \$(wc -l <'$H_TMP/child.pids') = 2 ] && [ \$(cat '$H_TMP/child.pids' | head -1) != '' ]"
sleep 0.5
kill -TERM $cpid
h_wait_exit $cpid 10
h_is "a test ends within 10 s of SIGTERM, with status 130" "$H_RC" 130
gone=1
for p in $(cat "$H_TMP/child.pids"); do h_alive "$p" && gone=0; done
h_is "after SIGTERM to a test every process it started is gone" "$gone" 1

# --- the end-of-test check of referd --------------------------------------
# A referd stand-in that h_referd_start can run: it writes its pid to the
# pid file (-p) and to $FAKE_PIDS, logs (-Lf) the line the harness waits
# for, then does what $FAKE says: ok (exits 0 on SIGTERM), leaks (prints
# a report and exits 23 on SIGTERM, as LeakSanitizer does), dies (exits 3
# on its own), deaf (ignores SIGTERM).  It ends when its parent does.
fake=$H_TMP/fake-referd
cat >"$fake" <<'EOF2'
#!/bin/sh
log=/dev/null pidfile=/dev/null
while [ $# -gt 0 ]; do
	case $1 in
	-Lf) log=$2; shift ;;
	-p) pidfile=$2; shift ;;
	esac
	shift
done
echo $$ >"$pidfile"
echo $$ >>"$FAKE_PIDS"
echo "engine: configuration 1 applied" >>"$log"
case $FAKE in
ok) trap 'echo "referd stopped" >>"$log"; exit 0' TERM ;;
leaks) trap 'echo "fake referd: 64 bytes leaked at exit" >&2; exit 23' TERM ;;
dies) sleep 0.3; echo "fake referd: crashed" >&2; exit 3 ;;
deaf) trap '' TERM ;;
esac
parent=$PPID
while kill -0 "$parent" 2>/dev/null; do sleep 0.1; done
EOF2
# A wrapper that runs it without exec: the pid the harness would signal
# and wait for is not the stand-in's.
cat >"$H_TMP/wrapper" <<EOF2
#!/bin/sh
"$fake" "\$@"
EOF2
chmod +x "$fake" "$H_TMP/wrapper"

# The child test: starts "referd" (with a restart, or a check of its
# own on the way, for some cases), makes one assertion of its own and
# ends with h_done.  Its temp dir is inside ours.
child=$H_TMP/child-referd.sh
cat >"$child" <<EOF2
. "$REFERD_SRCDIR/tests/lib/harness.sh"
h_init 5 harness-referd
H_REFERD_TERM_WAIT=1
REFERD=$fake
[ "\$1" = wrapper ] && REFERD=$H_TMP/wrapper
printf 'profile 1 p\n' >"\$H_TMP/referd.conf"
h_referd_start "\$H_TMP/referd.conf"
case \$1 in
restart)
	kill -KILL "\$H_REFERD_PID"
	h_wait_exit "\$H_REFERD_PID" 5
	h_referd_start "\$H_TMP/referd.conf" ;;
checked)
	h_referd_check "\$H_REFERD_PID" ;;
esac
sleep 0.6
h_ok "the child's own assertion" true
h_done
EOF2
FAKE_PIDS=$H_TMP/fake.pids
export FAKE_PIDS

# run_child FAKE CASE: run the child test; its output in $H_TMP/CASE.tap,
# its status in crc, the stand-ins' pids in fpids.
run_child() {
	: >"$FAKE_PIDS"
	crc=0
	FAKE=$1 TMPDIR=$H_TMP sh "$child" "$2" >"$H_TMP/$2.tap" 2>&1 || crc=$?
	fpids=$(cat "$FAKE_PIDS")
}

# gone_all: none of the stand-ins of the last child runs any more.
gone_all() {
	local p
	for p in $fpids; do h_running "$p" && return 1; done
	return 0
}

run_child ok ok
h_is "referd alive at the end, exits 0 on SIGTERM: the child test passes" "$crc" 0
h_grep "... reported: still running" "$H_TMP/ok.tap" \
	"^ok [0-9]+ - referd \\(pid $fpids\\) is still running\$"
h_grep "... reported: exits with status 0 on SIGTERM" "$H_TMP/ok.tap" \
	"^ok [0-9]+ - referd \\(pid $fpids\\) exits with status 0 within 1 s of SIGTERM\$"
h_grep "... and counted in the plan" "$H_TMP/ok.tap" '^1\.\.4$'

run_child leaks leaks
h_is "referd exits 23 on SIGTERM (a leak report): the child test fails" "$crc" 1
h_grep "... still running is ok" "$H_TMP/leaks.tap" \
	'^ok [0-9]+ - referd \(pid [0-9]+\) is still running$'
h_grep "... the exit on SIGTERM is not ok" "$H_TMP/leaks.tap" \
	'^not ok [0-9]+ - referd \(pid [0-9]+\) exits with status 0 within 1 s of SIGTERM$'
h_grep "... with the status" "$H_TMP/leaks.tap" '^#   exit status 23$'
h_grep "... and the end of its stderr" "$H_TMP/leaks.tap" \
	'^#     fake referd: 64 bytes leaked at exit$'

run_child dies dies
h_is "referd dead before the end: the child test fails" "$crc" 1
h_grep "... still running is not ok" "$H_TMP/dies.tap" \
	'^not ok [0-9]+ - referd \(pid [0-9]+\) is still running$'
h_grep "... nor the exit on SIGTERM" "$H_TMP/dies.tap" \
	'^not ok [0-9]+ - referd \(pid [0-9]+\) exits with status 0'
h_grep "... with how and when it ended" "$H_TMP/dies.tap" \
	'^#   it ended before the test stopped it; exit status 3$'
h_grep "... and the end of its stderr" "$H_TMP/dies.tap" '^#     fake referd: crashed$'

run_child deaf deaf
h_is "referd ignoring SIGTERM: the child test fails" "$crc" 1
h_grep "... the exit on SIGTERM is not ok, killed after the wait" "$H_TMP/deaf.tap" \
	'^#   still running 1 s after SIGTERM: SIGKILL; exit status 137 \(signal KILL\)$'
h_ok "... and it is gone" gone_all

run_child ok restart
set -- $fpids
h_is "referd killed with -9 and restarted: the child test passes" "$crc" 0
h_is "... only one referd is checked at the end" \
	"$(grep -c 'is still running$' "$H_TMP/restart.tap")" 1
h_grep "... the restarted one" "$H_TMP/restart.tap" \
	"^ok [0-9]+ - referd-2 \\(pid ${2:-none}\\) exits with status 0 within 1 s of SIGTERM\$"

run_child leaks checked
h_is "referd checked by the test itself is not checked again at the end" \
	"$(grep -c 'is still running$' "$H_TMP/checked.tap")" 1
h_grep "... (its own check reported the failure)" "$H_TMP/checked.tap" \
	'^not ok 2 - referd \(pid [0-9]+\) exits with status 0'

run_child ok wrapper
h_grep "referd behind a wrapper that does not exec: the test bails out" \
	"$H_TMP/wrapper.tap" "^Bail out! pid [0-9]+ is not referd's own: its pid file says '$fpids'"
h_ok "... and leaves nothing running" h_wait_for 3 gone_all

h_done
