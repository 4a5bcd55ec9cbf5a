#!/bin/sh
# sip-dialog-target.sh: where referd sends its requests in a dialog
# (issue 19, 4; RFC 3261 12.2.1.1, 8.1.2): with no route set, to the
# remote target (the peer's Contact), not to the address the peer's
# INVITE or 200 came from; with a route set, to its first Route (loose
# routing), the Request-URI still the remote target.  Seen on the loopback
# wire (rtpsniff), for both legs:
#  1. B answers from .3 with Contact .4, no Record-Route: referd's ACK and
#     BYE go to .4, nothing to .3 after the INVITE.
#  2. the same with Record-Route .6: ACK and BYE go to .6 (Route: .6,
#     Request-URI .4), nothing to .3 or .4.
#  3. A calls from .2 with Contact .5: when B hangs up, referd's BYE to A
#     goes to .5, nothing to .2 after the call's responses.
# (Before: everything went to the gateway's or source's address.)
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 86 sip-dialog-target
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
BC=$H_NET.4
AC=$H_NET.5
RR=$H_NET.6
h_need "$RTPSNIFF"
"$RTPSNIFF" -t 0 127.0.0.1 >"$H_TMP/rtpsniff-check.out" 2>&1 ||
	h_skip "rtpsniff cannot capture on lo: $(cat "$H_TMP/rtpsniff-check.out")"
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 555 2
EOF2
h_referd_subagent "$conf"
h_wire_start "$A" "$B" "$BC" "$AC" "$RR"

# sent TO FIRST: how many requests referd sent to TO whose first line
# matches FIRST, so far.
sent() {
	wire_count "$H_ADDR" "$1" "$2"
}

# elsewhere_call CASE NAME ADDR RR: a call from A to B whose 200 names
# B's Contact .4 and carries the header RR; peer CASE-NAME on ADDR takes
# the in-dialog requests (its log $H_TMP/CASE-NAME.log, pid LPID), B is
# CASE-b (pid BPID); A's exit status in H_RC.
elsewhere_call() {
	h_sipp "$1-$2" "$3" 5060 -sf "$SC/uas-dialog-elsewhere.xml" -m 1 \
	    -trace_logs -log_file "$H_TMP/$1-$2.log"
	LPID=$H_PID
	h_sipp "$1-b" "$B" 5060 -sf "$SC/uas-contact-elsewhere.xml" -m 1 \
	    -set contact "$BC:5060" -set rr "$4"
	BPID=$H_PID
	h_sipp "$1-a" "$A" 5060 -sn uac -d 1000 -s 5551000 -m 1 "$H_ADDR:5060"
	h_wait_exit "$H_PID" 20
}

# 1. B's Contact elsewhere, no route set.
elsewhere_call c1 bc "$BC" "X-No-Route: 1"
h_is "1: A's call completes (A hangs up)" "$H_RC" 0
h_wait_exit "$LPID" 20
h_is "1: B's Contact (.4) gets referd's BYE and answers it" "$H_RC" 0
h_wait_exit "$BPID" 5
h_is "1: the ACK of B's 200 went to B's Contact .4" "$(sent "$BC" '^ACK ')" 1
h_is "1: referd's BYE went to B's Contact .4" "$(sent "$BC" '^BYE ')" 1
h_is "1: neither went to B's source address .3" \
    "$(sent "$B" '^(ACK|BYE) ')" 0
h_grep "1: the BYE's Request-URI is B's Contact, no Route" \
    "$H_TMP/c1-bc.log" "BYE sip:b@$BC:5060 route=\$"

# 2. The same with a Record-Route: the route set wins.
elsewhere_call c2 rr "$RR" "Record-Route: <sip:$RR:5060;lr>"
h_is "2: A's call completes" "$H_RC" 0
h_wait_exit "$LPID" 20
h_is "2: the Record-Route's address (.6) gets referd's BYE and answers it" \
    "$H_RC" 0
h_wait_exit "$BPID" 5
h_is "2: the ACK and the BYE went to the route .6" \
    "$(sent "$RR" '^(ACK|BYE) ')" 2
h_is "2: nothing more to B's Contact .4 (still the 1 ACK, 1 BYE of 1.)" \
    "$(sent "$BC" '^(ACK|BYE) ')" 2
h_is "2: nothing to B's source address .3" "$(sent "$B" '^(ACK|BYE) ')" 0
h_grep "2: the BYE's Request-URI is B's Contact, its Route the route set" \
    "$H_TMP/c2-rr.log" "BYE sip:b@$BC:5060 route= *<sip:$RR:5060;lr>"

# 3. A's Contact elsewhere: the caller's leg.
h_sipp c3-ac "$AC" 5060 -sf "$SC/uas-dialog-elsewhere.xml" -m 1 \
    -trace_logs -log_file "$H_TMP/c3-ac.log"
ACPID=$H_PID
h_sipp c3-b "$B" 5060 -sf "$SC/uas-answer-bye.xml" -d 1000 -m 1
BPID=$H_PID
h_sipp c3-a "$A" 5060 -sf "$SC/uac-contact-elsewhere.xml" -m 1 \
    -set contact "$AC:5060" -s 5551000 "$H_ADDR:5060"
h_wait_exit "$H_PID" 20
h_is "3: A's call is answered and ACKed" "$H_RC" 0
h_wait_exit "$BPID" 20
h_is "3: B hangs up and gets 200" "$H_RC" 0
h_wait_exit "$ACPID" 20
h_is "3: A's Contact (.5) gets referd's BYE and answers it" "$H_RC" 0
h_is "3: referd's BYE went to A's Contact .5" "$(sent "$AC" '^BYE ')" 1
h_is "3: no request went to A's source address .2" \
    "$(sent "$A" '^[A-Z]+ sip')" 0
h_grep "3: the BYE's Request-URI is A's Contact" "$H_TMP/c3-ac.log" \
    "BYE sip:1000@$AC:5060 route=\$"
h_done
