#!/bin/sh
# sip-signaling.sh: a signaling endpoint made over SNMP is bound at once,
# and closed when its row is destroyed (REFERD-MIB referdSignalingTable,
# referdSigOperStatus: "up: the endpoint is bound and listening").
# Row 2 on $H_NET.1 port 5070 is created with createAndGo: within 1 s
# its OperStatus is up(1) and an OPTIONS to it gets 200; destroyed, it
# no longer answers and its OperStatus is gone.  Endpoint 1 (port 5060,
# from the file) answers throughout.
#
# Peers: a gateway (gateway 1) on $H_NET.2 sends the OPTIONS
# (tests/scenarios/uac-options.xml: 200 with Allow listing INVITE, ACK,
# CANCEL, BYE and OPTIONS, or the call fails).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 25 sip-signaling
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
inviteTimeout 4
rtpPortRange $RTP_LO $RTP_HI
profile 1 p
signaling 1 $H_ADDR port 5060 transport udp profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2

# options NAME PORT [ARGS...]: the gateway sends one OPTIONS to referd's
# address on PORT; the messages go to $H_TMP/NAME.msg.  The pid is in
# H_PID.
options() {
	local name="$1" port="$2"
	shift 2
	h_sipp "$name" "$A" 5060 -sf "$SC/uac-options.xml" -m 1 \
	    -trace_msg -message_file "$H_TMP/$name.msg" "$@" "$H_ADDR:$port"
}

# unanswered NAME: SIPp peer NAME (pid H_PID) failed its OPTIONS on the
# receive timeout, having received nothing at all.
unanswered() {
	h_wait_exit "$H_PID" 20 || h_stop "$H_PID"
	[ "$H_RC" = 1 ] && ! grep -q 'message received' "$H_TMP/$1.msg"
}

# not_listening ADDR PORT: no UDP socket is bound to ADDR:PORT.
not_listening() {
	! listening "$1" "$2"
}

# oper_up: referdSigOperStatus.2 is up(1).
oper_up() {
	[ "$(sget "$SIG.8.2")" = 1 ]
}

h_referd_subagent "$conf"
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"

h_is "endpoint 1 (from the file) is up" "$(sget "$SIG.8.1")" 1
options ping-5060 5060
sipp_ok "... and answers OPTIONS on port 5060" ping-5060 "$H_PID"

# Before row 2 exists nothing answers on 5070 (2 s receive timeout).
options before 5070 -recv_timeout 2000
h_ok "nothing answers OPTIONS on port 5070 before row 2 exists" \
	unanswered before

h_set_ok "signaling row 2 created: $H_ADDR port 5070, profile 1" \
	"$SIG.7.2" i 4 "$SIG.2.2" s "$H_ADDR" "$SIG.3.2" u 5070 "$SIG.5.2" u 1
h_ok "referdSigOperStatus.2 is up(1) within 1 s" h_wait_for 1 oper_up
options created 5070
sipp_ok "OPTIONS to port 5070 gets 200 with Allow" created "$H_PID"

h_set_ok "signaling row 2 destroyed" "$SIG.7.2" i 6
h_like "referdSigOperStatus.2 is gone" "$(sget "$SIG.8.2")" \
	'No Such Instance'
h_ok "referd closes its socket on $H_ADDR:5070 (within 2 s)" \
	h_wait_for 2 not_listening "$H_ADDR" 5070
options destroyed 5070 -recv_timeout 2000
h_ok "OPTIONS to port 5070 gets no answer" unanswered destroyed
options ping-again 5060
sipp_ok "endpoint 1 still answers on port 5060" ping-again "$H_PID"
h_is "... and is still up" "$(sget "$SIG.8.1")" 1

h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
