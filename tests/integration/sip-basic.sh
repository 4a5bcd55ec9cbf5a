#!/bin/sh
# sip-basic.sh: a basic call through referd, checked on the wire on both
# legs (SPEC section 5, "Basic call" and "Media anchoring"): B gets an
# INVITE that referd built (new Call-ID and From tag, referd's Via and
# Contact, Max-Forwards decremented, SDP on referd's address and relay
# range), A gets B's 180 and a 200 carrying referd's SDP; each leg has
# its own 2xx/ACK; BYE from either side; OPTIONS; an INVITE of more
# than 1,500 bytes over UDP.
#
# Peers: A (caller, gateway 1) on $H_NET.2:5060, B (callee, gateway 2)
# on $H_NET.3:5060, referd on $H_NET.1:5060.  Most checks are in the
# SIPp scenarios (tests/scenarios/*.xml, ereg/strcmp/test actions with
# check_it): a check that fails makes that SIPp's call fail, so SIPp
# exits non-zero and its error log says which check.  What must differ
# between the legs is logged by the scenarios and compared here.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 20 sip-basic
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

# differ X Y: both set, and not equal.
differ() {
	[ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]
}

# logged NAME KEY: the value of KEY=... in the first line of NAME.log.
logged() {
	sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" "$H_TMP/$1.log" 2>/dev/null | head -n 1
}

# callee NAME SCENARIO ARGS...: B for one call, listening before the
# caller starts.
callee() {
	local name="$1" sf="$2"
	shift 2
	peer "$name" "$B" -sf "$SC/$sf" -m 1 "$@"
	h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
}

# What uas-answer.xml checks in the INVITE referd sends B: referd's
# address in Via, Contact and c=, Max-Forwards 69 (A sends 70), the
# m= port in referd's relay range.
# (unquoted where used: one word per option and value)
B_CHECKS="-set peer_ip $H_ADDR -set max_fwd 69 -set rtp_lo $RTP_LO -set rtp_hi $RTP_HI"

h_referd_subagent "$conf"
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"

# --- OPTIONS ------------------------------------------------------------------
peer options "$A" -sf "$SC/uac-options.xml" -m 1 "$H_ADDR:5060"
sipp_ok "OPTIONS from a gateway: 200 with Allow: INVITE, ACK, CANCEL, BYE, OPTIONS" \
	options "$H_PID"

# --- a basic call, A hangs up ---------------------------------------------------
# shellcheck disable=SC2086
callee b1 uas-answer.xml $B_CHECKS
b=$H_PID
peer a1 "$A" -sf "$SC/uac-call.xml" -s 5551000 -set peer_ip "$H_ADDR" \
	-set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1 -d 500 "$H_ADDR:5060"
sipp_ok "A: 180 relayed; 200 with referd's Contact, c=$H_ADDR, m= port in $RTP_LO-$RTP_HI; BYE answered" \
	a1 "$H_PID"
sipp_ok "B: INVITE with referd's Via and Contact, Max-Forwards 69, c=$H_ADDR, m= port in range; ACK within 1 s; BYE from referd" \
	b1 "$b" 10
h_ok "B's Call-ID is a new one, not A's" \
	differ "$(logged b1 callid)" "$(logged a1 callid)"
h_ok "B's From tag is referd's, not A's" \
	differ "$(logged b1 fromtag)" "$(logged a1 fromtag)"
h_ok "referd's media port on A's leg is not its port on B's leg" \
	differ "$(logged a1 port)" "$(logged b1 port)"
h_like "B's Request-URI carries the dialled number, to B's address" \
	"$(logged b1 ruri)" "^sip:5551000@$B(:5060)?([;>]|\$)"
h_is "B receives exactly one ACK" "$(grep -c '^ACK ' "$H_TMP/b1.msg")" 1
h_is "B receives exactly one BYE" "$(grep -c '^BYE ' "$H_TMP/b1.msg")" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- each leg has its own 2xx/ACK -------------------------------------------------
# A sends its ACK 2.5 s after the 200; B fails its call if no ACK comes
# within 1 s of its own 200: referd must ACK B by itself.
# shellcheck disable=SC2086
callee b2 uas-answer.xml $B_CHECKS
b=$H_PID
peer a2 "$A" -sf "$SC/uac-late-ack.xml" -s 5551000 -m 1 "$H_ADDR:5060"
sipp_ok "A: the call completes although A ACKs 2.5 s late" a2 "$H_PID"
sipp_ok "B: referd ACKs B's 200 within 1 s, without waiting for A's ACK" b2 "$b" 10
h_is "A's ACK stays on A's leg: B receives one ACK, referd's" \
	"$(grep -c '^ACK ' "$H_TMP/b2.msg")" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- B hangs up -------------------------------------------------------------------
callee b3 uas-answer-bye.xml -d 500
b=$H_PID
peer a3 "$A" -sf "$SC/uac-call-wait-bye.xml" -s 5551000 -m 1 "$H_ADDR:5060"
sipp_ok "A: B's BYE reaches A inside A's dialog, and A's 200 ends it" a3 "$H_PID"
sipp_ok "B: referd answers B's BYE with 200" b3 "$b" 10
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- an INVITE of more than 1,500 bytes over UDP ----------------------------------
# shellcheck disable=SC2086
callee b4 uas-answer.xml $B_CHECKS
b=$H_PID
peer a4 "$A" -sf "$SC/uac-large-invite.xml" -s 5551000 -m 1 "$H_ADDR:5060"
sipp_ok "A: a large INVITE over UDP completes a call" a4 "$H_PID"
sipp_ok "B: the call reaches B, and B's checks hold" b4 "$b" 10
size=$(sed -n 's/^UDP message sent (\([0-9]*\) bytes).*/\1/p' "$H_TMP/a4.msg" |
	head -n 1)
h_ok "... and A's INVITE was more than 1,500 bytes ($size)" \
	test "${size:-0}" -gt 1500
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
