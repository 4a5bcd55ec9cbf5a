#!/bin/sh
# sip-session-delayed-answer.sh: Delayed Answer with a transfer keeps the
# caller in one SDP session (SPEC section 5, "Delayed Answer", and "The
# SDP origin of a leg is fixed ... its version goes up only when the
# body changes"; RFC 3264 8): B sends 183 with early media, then answers
# referd, which holds A in 183 with B's media; B transfers the call to C,
# and A gets its 200 when C answers, with C's media.  Every 183 and the
# 200 that A gets carry one o= username and session id; the 183s (the
# same media) one version, the 200 (C's different answer) that version
# plus one.
#
# Peers: A on $H_NET.2, B on $H_NET.3 (profile 1: Refer Support and
# Delayed Answer), C on $H_NET.4 (gateway 3); scenarios
# tests/scenarios/uac-session-early.xml (A), uas-session-refer.xml (B),
# uas-session-answer.xml (C).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 73 sip-session-delayed-answer \
	"refer 1 support enabled delayedAnswer enabled delayedAnswerTimer 1"

# C is offered A's whole offer (A has negotiated nothing yet) and answers
# PCMU and PCMA; B answered PCMU only.
sess_peer c "$C" uas-session-answer.xml -m 1 -set offer "RTP/AVP 0 8 101" \
	-set fmts "0 8"
cpid=$H_PID
sess_peer b "$B" uas-session-refer.xml -m 1 -set fmts 0 -set early 1 \
	-set target "sip:carol@$C:5060"
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 && h_wait_for 5 listening "$C" 5060 ||
	h_bail "SIPp B or C did not start"
sess_peer a "$A" uac-session-early.xml -s 5551000 -m 1 \
	-set answer "RTP/AVP 0 8" "$H_ADDR:5060"
apid=$H_PID
sipp_ok "A: 183s, then the 200 with C's media, as checked" a "$apid"
sipp_ok "B: early media, its answer, REFER, NOTIFYs, its BYE" b "$bpid" 10
sipp_ok "C: the INVITE as checked, A's BYE" c "$cpid" 10

# The origins of what A got: "183 o=...", "200 o=..." (CSeq INVITE only).
sip_body a recv o= >"$H_TMP/origins"
sed 's/^/# /' "$H_TMP/origins"
h_ok "A got at least two 183s with SDP (B's early media, Delayed Answer)" \
	test "$(grep -c '^183 ' "$H_TMP/origins")" -ge 2
h_is "A got a 200 with SDP (one origin line, resent or not)" \
	"$(grep '^200 ' "$H_TMP/origins" | sort -u | wc -l | tr -d ' ')" 1
h_is "every 183 and the 200: referd's username and one session id" \
	"$(awk '{ print $2, $3 }' "$H_TMP/origins" | sort -u | wc -l | tr -d ' ')" 1
h_like "... referd's" "$(head -n 1 "$H_TMP/origins")" '^183 o=referd '
h_is "every 183 has one version (the same media)" \
	"$(awk '$1 == 183 { print $4 }' "$H_TMP/origins" | sort -u | wc -l | tr -d ' ')" 1
h_is "the 200 (C's media) has the 183s' version plus one" \
	"$(awk '$1 == 183 { v = $4 } $1 == 200 { print ($4 == v + 1) ? "plus one" : "183: " v ", 200: " $4; exit }' \
	"$H_TMP/origins")" "plus one"
h_is "the 200 carries C's answer (PCMU and PCMA) on A's port" \
	"$(logsdp a "A 200")" "$H_ADDR $(logval a "A 183" port) RTP/AVP 0 8"
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
