#!/bin/sh
# sip-topology.sh: topology hiding per profile (referdSgpTopologyHiding,
# default enabled).  Nothing of one leg's network or dialog shows on
# another:
#   h1 (enabled): B's INVITE has From and To on referd's address, not
#       A's; no message B receives holds A's address, A's Call-ID or a tag
#       of A's dialog; no message A receives holds B's address, B's
#       Call-ID or a tag of B's dialog.  B transfers A to C with a
#       Referred-By that carries the tag of B's dialog: C's INVITE has the
#       Referred-By without it, and no tag or Call-ID of B's dialog or A's.
#   h2 (disabled over SNMP): the behaviour before: B's From is A's, the
#       Referred-By reaches C with its tag.
# (C answers 486: the transfer fails and A stays with B, so B, whose
# scenario takes only the ACK and the BYE, needs no NOTIFY: Refer-Sub:
# false.)
# Peers: A $H_NET.2, B $H_NET.3, C $H_NET.4; the REFER is written by the
# test (tests/lib/sipforge.sh).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/sipforge.sh"
h_init 124 sip-topology
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 0
gateway 3 c-side $C port 5060
route 1 555 2
route 2 444 3
EOF2
h_referd_subagent "$conf"

# received FILE: the messages a SIPp trace (-trace_msg) shows received.
received() {
	awk '/^(UDP|TCP) message received/ { inm = 1; next }
	    /^(UDP|TCP) message sent/ { inm = 0 } inm' "$1" | tr -d '\r'
}
# holds FILE TEXT: a message received in FILE holds TEXT.
holds() { received "$1" | grep -qF "$2"; }

# round N CSEQ: a call A-B traced on both sides, B's REFER (CSeq CSEQ:
# its branch is made of it) to C (who answers 486) with a Referred-By
# holding B's tag; C traced.
round() {
	local n=$1 cseq=$2
	rm -f "$H_TMP/a.log" "$H_TMP/b.log" "$H_TMP/b.msg"
	h_sipp "$n-c" "$C" 5060 -sf "$SC/uas-busy.xml" -m 1 \
	    -trace_msg -message_file "$H_TMP/$n-c.msg"
	cpid=$H_PID
	call_up 4000 -trace_msg -message_file "$H_TMP/$n-a.msg"
	sip_request "$B" REFER "$cseq" "$bcid" "$btag" "$rbtag" \
	    "Refer-To: <sip:4440001@$C:5060>" "Refer-Sub: false" \
	    "Referred-By: <sip:transferor@$B>;tag=$btag"
	h_is "$n: B's REFER: 202" "$RESP" 202
	h_wait_exit "$cpid" 20
	h_is "$n: C got the INVITE and refused it" "$H_RC" 0
	h_wait_exit "$apid" 20
	h_is "$n: A stayed with B and hung up" "$H_RC" 0
	h_wait_exit "$bpid" 20
	cp "$H_TMP/b.msg" "$H_TMP/$n-b.msg"
	h_ok "$n: no call is left" h_wait_for 10 calls_idle
}

round h1 10
# has FILE REGEX: a message received in FILE has a line REGEX (the
# header name's case aside: how referd spells it is not this test's).
has() { received "$1" | grep -qiE "$2"; }
h_ok "h1: B's From is on referd's address" \
	has "$H_TMP/h1-b.msg" "^From: .*<sip:[^@>]*@$H_ADDR:5060>;tag="
h_ok "h1: B's To is on referd's address" \
	has "$H_TMP/h1-b.msg" "^To: <sip:5551000@$H_ADDR:5060>"
h_not "h1: no message B gets holds A's address ($A)" holds "$H_TMP/h1-b.msg" "$A"
h_not "h1: ... or A's Call-ID" holds "$H_TMP/h1-b.msg" "$acid"
h_not "h1: ... or A's tag" holds "$H_TMP/h1-b.msg" "$atag"
h_not "h1: ... or referd's tag towards A" holds "$H_TMP/h1-b.msg" "$rtag"
h_not "h1: no message A gets holds B's address ($B)" holds "$H_TMP/h1-a.msg" "$B"
h_not "h1: ... or B's Call-ID" holds "$H_TMP/h1-a.msg" "$bcid"
h_not "h1: ... or B's tag" holds "$H_TMP/h1-a.msg" "$btag"
h_not "h1: ... or referd's tag towards B" holds "$H_TMP/h1-a.msg" "$rbtag"
h_ok "h1: C's INVITE has the Referred-By without its tag" \
	has "$H_TMP/h1-c.msg" "^Referred-By: <sip:transferor@$B>\$"
h_not "h1: no message C gets holds B's tag" holds "$H_TMP/h1-c.msg" "$btag"
h_not "h1: ... or referd's tag towards B" holds "$H_TMP/h1-c.msg" "$rbtag"
h_not "h1: ... or B's Call-ID" holds "$H_TMP/h1-c.msg" "$bcid"
h_not "h1: ... or A's Call-ID" holds "$H_TMP/h1-c.msg" "$acid"
h_not "h1: ... or A's tag" holds "$H_TMP/h1-c.msg" "$atag"

h_set_ok "referdSgpTopologyHiding.1 = disabled(1)" "$SGP.9.1" i 1
round h2 11
h_ok "h2: B's From is A's, as it was" \
	has "$H_TMP/h2-b.msg" "^From: .*<sip:[^@>]*@$A:5060>;tag="
h_ok "h2: C's Referred-By keeps the tag" \
	has "$H_TMP/h2-c.msg" "^Referred-By: <sip:transferor@$B>;tag=$btag"
h_done
