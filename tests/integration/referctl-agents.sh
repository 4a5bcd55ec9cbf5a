#!/bin/sh
# referctl-agents.sh: referctl --agents FILE with two referd -M: show
# compares the digests (exit 0 when equal, 5 with the differing field of
# each agent), a change goes to both, a change refused on one goes to
# neither, a SET refused by the second agent is set back on the first
# (add, set and delete; checked with snmpget), setting back that fails
# is exit 7 (one agent listed twice), a bad line of the file is
# named, and an agent that is down is reported without a hang.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 78 referctl-agents
REFERCTL=${REFERCTL:-$REFERD_BUILDDIR/cli/referctl}
A1=$H_NET.1
A2=$H_NET.11
policy="profile 1 carrier
refer 1 support enabled delayedAnswer enabled delayedAnswerTimer 2
gateway 1 caller-a $H_NET.2 port 0
gateway 2 callee-b $H_NET.3 port 5060
route 1 default 2"
h_referd_instance r1 "$A1" "$policy
instanceName front-r1
signaling 1 $A1 port 5060
rtpPortRange 27800 27849"
P1=$H_PID
h_referd_instance r2 "$A2" "$policy
instanceName front-r2
signaling 1 $A2 port 5062
rtpPortRange 27850 27899"
P2=$H_PID

AG=$H_TMP/agents
cat >"$AG" <<EOF2
# two instances behind one front
r1 -v2c -c private -t 2 -r 0 udp:$A1:$H_SNMP_PORT

r2 -v2c -c private -t 2 -r 0 udp:$A2:$H_SNMP_PORT   # the second
EOF2
# The second agent through its read-only community: its SETs fail.
RO2=$H_TMP/agents-ro
cat >"$RO2" <<EOF2
r1 -v2c -c private -t 2 -r 0 udp:$A1:$H_SNMP_PORT
r2 -v2c -c public -t 2 -r 0 udp:$A2:$H_SNMP_PORT
EOF2

# agents FILE ARGS...: referctl --agents; ROUT, RERR, RRC.
agents() {
	local file=$1
	shift
	RRC=0
	ROUT=$("$REFERCTL" --agents "$file" "$@" 2>"$H_TMP/rerr") || RRC=$?
	RERR=$(cat "$H_TMP/rerr")
}
g() {
	snmpget -v2c -c public -Oqv -t 3 -r 0 "$1:$H_SNMP_PORT" "$2" 2>&1 | tr -d '"'
}
dset() {
	local at=$1
	shift
	snmpset -v2c -c private -t 3 -r 0 "$at:$H_SNMP_PORT" "$@" >/dev/null 2>&1
}

agents "$AG" show
h_is "show: the same policy on both (exit 0)" "$RRC" 0
h_like "... each agent's digest and instance name" "$ROUT" "^r1  digest [0-9a-f]{64}  instance front-r1
r2  digest [0-9a-f]{64}  instance front-r2"
h_like "... and that they are equal" "$ROUT" "digests are equal \\(2 agents\\)"

printf 'r1 -v2c -c private udp:%s:%s\n\nr3\n' "$A1" "$H_SNMP_PORT" >"$H_TMP/bad"
agents "$H_TMP/bad" show
h_is "a line with a label alone: usage error (exit 1)" "$RRC" 1
h_like "... naming the file and line" "$RERR" "bad:3: expected a label"
printf 'r1 -v2c -c private -Z udp:%s:%s\n' "$A1" "$H_SNMP_PORT" >"$H_TMP/bad"
agents "$H_TMP/bad" show
h_is "an option net-snmp does not know: exit 1" "$RRC" 1
h_like "... naming the line" "$RERR" "bad:1: r1: not net-snmp options"
agents "$AG" calls
h_is "with --agents, calls is a usage error" "$RRC" 1

dset "$A2" "$GW.4.2" u 5062
agents "$AG" show
h_is "r2's gateway 2 port changed: show exits 5" "$RRC" 5
h_like "... and names the field with each agent's value" "$ROUT" \
	"^  gateway 2 port: r1 5060, r2 5062\$"
h_is "... only that one" "$(printf '%s\n' "$ROUT" | grep -c '^  ')" 1

agents "$AG" gateway set 2 port=5064
h_is "gateway set with --agents: exit 0" "$RRC" 0
h_like "... reported per agent" "$ROUT" "^r1: gateway 2 changed
r2: gateway 2 changed\$"
h_is "... r1 has it" "$(g "$A1" "$GW.4.2")" 5064
h_is "... r2 has it" "$(g "$A2" "$GW.4.2")" 5064
agents "$AG" show
h_is "... and the digests agree again" "$RRC" 0

# r2 without Delayed Answer: its timer may not be written (a rule).
dset "$A2" "$REFER.3.1" i 1
agents "$AG" profile set 1 timer=5
h_is "a change refused by a rule on r2: exit 3" "$RRC" 3
h_like "... naming the agent and the rule" "$RERR" \
	"agent r2: refused \\(rule delayed-answer-timer-needs-delayed-answer"
h_like "... nothing sent" "$RERR" "nothing was sent to any agent"
h_is "... r1's timer unchanged" "$(g "$A1" "$REFER.4.1")" 2
# Back as it was (disabling Delayed Answer put the timer back to 1).
dset "$A2" "$REFER.3.1" i 2 "$REFER.4.1" u 2

agents "$RO2" gateway add 5 name=eve address=$H_NET.5
h_is "add refused by r2's SET (read-only community): exit 6" "$RRC" 6
h_like "... r1 added, then set back" "$ROUT" "^r1: gateway 5 added
r1: gateway 5 set back\$"
h_like "... r2's refusal named" "$RERR" "agent r2: refused \\(rule noAccess\\)"
h_like "... and the outcome" "$RERR" \
	"the change failed on agent r2; every agent is as it was"
h_like "... r1 has no gateway 5 (snmpget)" "$(g "$A1" "$GW.8.5")" \
	"No Such Instance"

agents "$RO2" gateway set 2 port=5066
h_is "set refused by r2: exit 6" "$RRC" 6
h_is "... r1's port is back to 5064" "$(g "$A1" "$GW.4.2")" 5064

agents "$AG" gateway add 4 name=dan address=$H_NET.6 port=5070 transport=tcp
h_is "gateway 4 added to both" "$RRC" 0
agents "$RO2" gateway delete 4
h_is "delete refused by r2: exit 6" "$RRC" 6
h_like "... r1 deleted it, then made it again" "$ROUT" "^r1: gateway 4 deleted
r1: gateway 4 set back\$"
h_is "... r1's gateway 4 is back: name" "$(g "$A1" "$GW.2.4")" dan
h_is "... address" "$(g "$A1" "$GW.3.4")" "$H_NET.6"
h_is "... port" "$(g "$A1" "$GW.4.4")" 5070
h_is "... transport tcp" "$(g "$A1" "$GW.5.4")" 2
h_is "... active" "$(g "$A1" "$GW.8.4")" 1
agents "$AG" show
h_is "... and the agents agree" "$RRC" 0

# Setting back that fails, for real: r1 listed twice.  The delete goes to
# r1 (done) and again to r1 (destroying a missing row succeeds), r2
# refuses; setting back re-creates gateway 4 through the second line,
# and then the first line's createAndGo finds the row there: refused.
cat >"$H_TMP/agents-twice" <<EOF2
r1 -v2c -c private -t 2 -r 0 udp:$A1:$H_SNMP_PORT
r1-again -v2c -c private -t 2 -r 0 udp:$A1:$H_SNMP_PORT
r2 -v2c -c public -t 2 -r 0 udp:$A2:$H_SNMP_PORT
EOF2
agents "$H_TMP/agents-twice" gateway delete 4
h_is "setting back fails: exit 7" "$RRC" 7
h_like "... said loudly, naming the agent and the row" "$RERR" \
	"UNDO FAILED on agent r1: its gateway 4 may be left deleted"
h_like "... the other agent was set back" "$ROUT" "^r1-again: gateway 4 set back\$"

h_referd_check "$P2"
start=$(date +%s)
agents "$AG" show
h_is "r2 stopped: show exits 2" "$RRC" 2
h_like "... r2 reported" "$ROUT" "^r2  no answer\$"
h_like "... r1 still shown" "$ROUT" "^r1  digest [0-9a-f]{64}"
h_like "... and said" "$RERR" "1 of 2 agents did not answer"
h_ok "... within net-snmp's timeout (2 s, no retry), not a hang" \
	test $(($(date +%s) - start)) -le 5
agents "$AG" gateway set 2 port=5068
h_is "a change with r2 down: exit 2" "$RRC" 2
h_like "... nothing sent" "$RERR" "nothing was sent to any agent"
h_is "... r1 unchanged" "$(g "$A1" "$GW.4.2")" 5064
h_done
