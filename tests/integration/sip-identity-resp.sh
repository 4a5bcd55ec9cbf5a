#!/bin/sh
# sip-identity-resp.sh: identity (RFC 3325 P-Asserted-Identity, RFC 3323
# Privacy) in the responses referd relays and in the session changes it
# relays, by the same header policy as the INVITE (referdSgpHeaderPolicy
# of both legs' profiles).  A sends a re-INVITE and an UPDATE with its
# identity; B asserts its own in its 180, its 200s to the INVITE, the
# re-INVITE and the UPDATE.
#   r1: A and B carrier: A's 180 and 200 carry B's identity and Privacy,
#       the 200s to A's re-INVITE and UPDATE B's identity in them; B's
#       re-INVITE and UPDATE carry A's;
#   r2: B (V) on a noIdentity profile (outside the trust domain): A gets
#       none of V's identity, V none of A's;
#   r3: A (U) on a noIdentity profile, B carrier: U is given none of B's
#       identity, and B none of U's;
#   r4: Delayed Answer: B (profile with REFER and Delayed Answer) answers,
#       A hears 183, B transfers A to C; A's 200, sent when C answers,
#       carries C's P-Asserted-Identity;
#   r5: Delayed Answer and nobody transfers (started first, it runs while
#       the others do: the timer's real minute): B's 200 asserts its
#       identity; A's 183s, the one at once and the one 30 s later, and
#       its 200 at the timer carry it.
# Peers: A $H_NET.2 (port 5062 in r5), B $H_NET.3, C $H_NET.4,
# U $H_NET.5, V $H_NET.6, D $H_NET.7 and E $H_NET.8 (B's addresses on the
# Delayed Answer profile).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 52 sip-identity-resp
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
U=$H_NET.5
V=$H_NET.6
D=$H_NET.7
E=$H_NET.8
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 carrier
profile 2 outside headerPolicy noIdentity
profile 3 ivr
refer 3 support enabled delayedAnswer enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0 profile 1
gateway 2 b-side $B port 5060 profile 1
gateway 3 c-side $C port 5060 profile 1
gateway 4 u-side $U port 0 profile 2
gateway 5 v-side $V port 5060 profile 2
gateway 6 d-side $D port 5060 profile 3
gateway 7 e-side $E port 5060 profile 3
route 1 555 2
route 2 556 5
route 3 557 6
route 4 558 7
EOF2
h_referd_subagent "$conf"

# r5 first: its Delayed Answer Timer (a minute) runs meanwhile.
h_sipp r5-b "$E" 5060 -sf "$SC/uas-identity-answer.xml" -m 1 -timeout 100s
r5bpid=$H_PID
h_wait_for 5 listening "$E" 5060
h_sipp r5-a "$A" 5062 -sf "$SC/uac-delayed.xml" -s 5581000 -m 1 \
	-timeout 100s -trace_msg -message_file "$H_TMP/r5-a.msg" "$H_ADDR:5060"
r5apid=$H_PID

# call NAME FROM CALLEE-ADDR NUMBER: FROM (uac-identity-change.xml)
# calls NUMBER at the callee (uas-identity.xml); both trace what they
# send and get in $H_TMP/NAME-a.msg and NAME-b.msg.
call() {
	local n=$1 from=$2 to=$3 num=$4 bpid
	h_sipp "$n-b" "$to" 5060 -sf "$SC/uas-identity.xml" -m 1 \
	    -trace_msg -message_file "$H_TMP/$n-b.msg"
	bpid=$H_PID
	h_wait_for 5 listening "$to" 5060
	h_sipp "$n-a" "$from" 5060 -sf "$SC/uac-identity-change.xml" \
	    -s "$num" -m 1 -trace_msg -message_file "$H_TMP/$n-a.msg" \
	    "$H_ADDR:5060"
	sipp_ok "$n: answered; re-INVITE, UPDATE and BYE get 200" "$n-a" "$H_PID"
	sipp_ok "$n: the callee's call completes" "$n-b" "$bpid" 10
}
# hdr PEER DIR START CSEQ HEADER: the HEADER lines (one a line, name
# cased as the RFC writes it) of the messages of PEER's trace that went
# DIR (sent, recv) whose start line begins with START ("SIP/2.0 180",
# "UPDATE") and whose CSeq matches CSEQ ("2 INVITE", "[0-9]+ UPDATE").
hdr() {
	awk -v d="$2" -v w="$3" -v c="$4" -v h="$5" '
	    function out() { if (dir == d && index(st, w) == 1 && cs ~ ("^" c "$"))
	        printf "%s", got; got = "" }
	    /^-----+ [0-9-]+ [0-9:.]+$/ { out(); dir = st = cs = got = ""
	        body = 0; next }
	    { sub(/\r$/, "") }
	    dir == "" && /message received/ { dir = "recv"; next }
	    dir == "" && /message sent/ { dir = "sent"; next }
	    dir == "" || body { next }
	    st == "" { if (NF) st = $0; next }
	    $0 == "" { body = 1; next }
	    tolower($0) ~ /^cseq:/ { cs = $0; sub(/^[^:]*: */, "", cs) }
	    tolower($0) ~ "^" tolower(h) ":" { v = $0; sub(/^[^:]*: */, "", v)
	        got = got h ": " v "\n" }
	    END { out() }' "$H_TMP/$1.msg"
}
# has PEER DIR START CSEQ LINE: that message has exactly LINE.
has() {
	hdr "$1" "$2" "$3" "$4" "${5%%:*}" | grep -qxF "$5"
}
# none PEER DIR START CSEQ HEADER: such a message came, without HEADER.
none() {
	[ -n "$(hdr "$1" "$2" "$3" "$4" Call-ID)" ] &&
	    [ -z "$(hdr "$1" "$2" "$3" "$4" "$5")" ]
}
BPAI='P-Asserted-Identity: <sip:+15559870000@callee.example>'
BPAI1='P-Asserted-Identity: <sip:+15559870001@callee.example>'
BPAI2='P-Asserted-Identity: <sip:+15559870002@callee.example>'
APAI1='P-Asserted-Identity: <sip:+15551230001@carrier.example>'
APAI2='P-Asserted-Identity: <sip:+15551230002@carrier.example>'

call r1 "$A" "$B" 5551000
h_ok "r1: A's 180 carries B's P-Asserted-Identity" has r1-a recv "SIP/2.0 180" "1 INVITE" "$BPAI"
h_ok "r1: ... and its Privacy: id" has r1-a recv "SIP/2.0 180" "1 INVITE" "Privacy: id"
h_ok "r1: A's 200 to the INVITE carries B's P-Asserted-Identity" has r1-a recv "SIP/2.0 200" "1 INVITE" "$BPAI"
h_ok "r1: ... and its Privacy: id" has r1-a recv "SIP/2.0 200" "1 INVITE" "Privacy: id"
h_ok "r1: B's re-INVITE carries A's P-Asserted-Identity" has r1-b recv "INVITE" "2 INVITE" "$APAI1"
h_ok "r1: ... and its Privacy: id" has r1-b recv "INVITE" "2 INVITE" "Privacy: id"
h_ok "r1: A's 200 to its re-INVITE carries B's identity of that 200" has r1-a recv "SIP/2.0 200" "2 INVITE" "$BPAI1"
h_ok "r1: B's UPDATE carries A's P-Asserted-Identity" has r1-b recv "UPDATE" "[0-9]+ UPDATE" "$APAI2"
h_ok "r1: A's 200 to its UPDATE carries B's identity of that 200" has r1-a recv "SIP/2.0 200" "3 UPDATE" "$BPAI2"
h_is "r1: the identity is asserted once in A's 200" \
	"$(hdr r1-a recv "SIP/2.0 200" "1 INVITE" P-Asserted-Identity | wc -l | tr -d ' ')" 1

call r2 "$A" "$V" 5561000
h_ok "r2: to a noIdentity callee: A's 180 without P-Asserted-Identity" none r2-a recv "SIP/2.0 180" "1 INVITE" P-Asserted-Identity
h_ok "r2: ... nor Privacy" none r2-a recv "SIP/2.0 180" "1 INVITE" Privacy
h_ok "r2: A's 200 to the INVITE without P-Asserted-Identity" none r2-a recv "SIP/2.0 200" "1 INVITE" P-Asserted-Identity
h_ok "r2: ... nor Privacy" none r2-a recv "SIP/2.0 200" "1 INVITE" Privacy
h_ok "r2: A's 200 to its re-INVITE without it" none r2-a recv "SIP/2.0 200" "2 INVITE" P-Asserted-Identity
h_ok "r2: A's 200 to its UPDATE without it" none r2-a recv "SIP/2.0 200" "3 UPDATE" P-Asserted-Identity
h_ok "r2: V's re-INVITE without A's identity" none r2-b recv "INVITE" "2 INVITE" P-Asserted-Identity
h_ok "r2: V's UPDATE without A's identity" none r2-b recv "UPDATE" "[0-9]+ UPDATE" P-Asserted-Identity

call r3 "$U" "$B" 5551000
h_ok "r3: a noIdentity caller: U's 180 without B's identity" none r3-a recv "SIP/2.0 180" "1 INVITE" P-Asserted-Identity
h_ok "r3: U's 200 to the INVITE without it" none r3-a recv "SIP/2.0 200" "1 INVITE" P-Asserted-Identity
h_ok "r3: ... nor Privacy" none r3-a recv "SIP/2.0 200" "1 INVITE" Privacy
h_ok "r3: U's 200s to its re-INVITE and UPDATE without it" \
	sh -c '[ -z "$1$2" ]' - \
	"$(hdr r3-a recv "SIP/2.0 200" "2 INVITE" P-Asserted-Identity)" \
	"$(hdr r3-a recv "SIP/2.0 200" "3 UPDATE" P-Asserted-Identity)"
h_ok "r3: B's INVITE, re-INVITE and UPDATE without U's identity" \
	sh -c '[ -z "$1$2$3" ]' - \
	"$(hdr r3-b recv "INVITE" "1 INVITE" P-Asserted-Identity)" \
	"$(hdr r3-b recv "INVITE" "2 INVITE" P-Asserted-Identity)" \
	"$(hdr r3-b recv "UPDATE" "[0-9]+ UPDATE" P-Asserted-Identity)"
# r4: Delayed Answer, then a transfer: A is answered when C answers.
h_sipp r4-c "$C" 5060 -sf "$SC/uas-identity-answer.xml" -m 1
cpid=$H_PID
h_sipp r4-b "$D" 5060 -sf "$SC/uas-refer.xml" -set target "sip:carol@$C:5060" -m 1
bpid=$H_PID
h_wait_for 5 listening "$C" 5060 && h_wait_for 5 listening "$D" 5060
h_sipp r4-a "$A" 5060 -sf "$SC/uac-delayed.xml" -s 5571000 -m 1 \
	-trace_msg -message_file "$H_TMP/r4-a.msg" "$H_ADDR:5060"
sipp_ok "r4: A hears 183, is answered when C answers, hangs up" r4-a "$H_PID" 30
sipp_ok "r4: B transferred A and hung up" r4-b "$bpid" 20
sipp_ok "r4: C answered and got A's BYE" r4-c "$cpid" 20
h_ok "r4: A's 200 carries C's P-Asserted-Identity" has r4-a recv "SIP/2.0 200" "1 INVITE" \
	"P-Asserted-Identity: <sip:+15559870009@target.example>"
sipp_ok "r5: A hears 183s and is answered at the Delayed Answer Timer" \
	r5-a "$r5apid" 90
sipp_ok "r5: B answered and got A's BYE" r5-b "$r5bpid" 20
# sip_nth's N-th 183 and the 200, each with B's identity.
h_is "r5: A's first and second 183 carry B's P-Asserted-Identity" \
	"$(sip_nth_hdr r5-a recv "SIP/2.0 183" 1 P-Asserted-Identity) $(sip_nth_hdr r5-a recv "SIP/2.0 183" 2 P-Asserted-Identity)" \
	"<sip:+15559870009@target.example> <sip:+15559870009@target.example>"
h_ok "r5: A's 200 at the timer carries it too" has r5-a recv "SIP/2.0 200" "1 INVITE" \
	"P-Asserted-Identity: <sip:+15559870009@target.example>"
h_ok "no call is left" h_wait_for 10 calls_idle
h_done
