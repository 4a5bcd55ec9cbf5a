#!/bin/sh
# sip-identity.sh: the headers referd carries between legs, by the
# header policy of both legs' profiles (referdSgpHeaderPolicy: carrier,
# noIdentity, none), and the identity it asserts to a transfer target.
#   i1: A, a carrier-profile gateway, sends P-Asserted-Identity, Privacy,
#       Diversion and History-Info: B (carrier) gets all four in its
#       INVITE, and the Reason of A's BYE in its BYE;
#   i2: the same from U, a gateway whose profile is noIdentity (outside
#       the trust domain): B gets Diversion, History-Info and Reason, but
#       no P-Asserted-Identity and no Privacy;
#   i3: A to N, whose profile's policy is none: none of them;
#   i4: N's profile set to carrier over SNMP: N gets them all;
#   i5: A's CANCEL with a Reason: B's CANCEL carries it;
#   t1-t3: the INVITE to the transfer target C carries
#       P-Asserted-Identity with the From Header setting's user: the
#       Referred-By user (referredBy), A's user (originalCaller, B
#       transfers), `unavailable` with Privacy: id (originalCaller, A
#       transfers).
# Peers: A $H_NET.2, B $H_NET.3, C $H_NET.4, U $H_NET.5, N $H_NET.6.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 123 sip-identity
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
U=$H_NET.5
N=$H_NET.6
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 carrier
profile 2 outside headerPolicy noIdentity
profile 3 closed headerPolicy none
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0 profile 1
gateway 2 b-side $B port 5060 profile 1
gateway 3 c-side $C port 5060 profile 1
gateway 4 u-side $U port 0 profile 2
gateway 5 n-side $N port 5060 profile 3
route 1 555 2
route 2 556 5
EOF2
h_referd_subagent "$conf"
TARGET="sip:carol@$C:5060"
PAI='^P-Asserted-Identity: <sip:\+15551230000@carrier\.example>'
DIV='^Diversion: <sip:4000@carrier\.example>;reason=unconditional'
HI='^History-Info: <sip:4000@carrier\.example>;index=1'
REASON='^Reason: Q\.850;cause=16;text="Normal call clearing"'

# call NAME FROM CALLEE-ADDR NUMBER: FROM calls NUMBER with the identity
# headers and hangs up with a Reason after 1 s; the callee (SIPp's uas)
# traces what it got in $H_TMP/NAME-b.msg.
call() {
	local n=$1 from=$2 to=$3 num=$4 bpid
	h_sipp "$n-b" "$to" 5060 -sn uas -m 1 \
	    -trace_msg -message_file "$H_TMP/$n-b.msg"
	bpid=$H_PID
	h_wait_for 5 listening "$to" 5060
	h_sipp "$n-a" "$from" 5060 -sf "$SC/uac-identity.xml" -s "$num" \
	    -d 1000 -m 1 "$H_ADDR:5060"
	sipp_ok "$n: the call is answered, the BYE gets 200" "$n-a" "$H_PID"
	sipp_ok "$n: the callee's call completes" "$n-b" "$bpid" 10
}
# got NAME METHOD REGEX: the callee's METHOD request has a line REGEX
# (case aside: how referd spells header names is not this test's).
got() {
	awk -v m="^$2 " '/^(UDP|TCP) message (received|sent)/ { inm = 0 }
	    $0 ~ m { inm = 1 } inm' "$H_TMP/$1-b.msg" | tr -d '\r' |
	    grep -qiE "$3"
}

call i1 "$A" "$B" 5551000
h_ok "i1: B's INVITE has A's P-Asserted-Identity" got i1 INVITE "$PAI"
h_ok "i1: ... and Privacy: id" got i1 INVITE '^Privacy: id$'
h_ok "i1: ... and Diversion" got i1 INVITE "$DIV"
h_ok "i1: ... and History-Info" got i1 INVITE "$HI"
h_ok "i1: B's BYE has the Reason of A's BYE" got i1 BYE "$REASON"

call i2 "$U" "$B" 5551000
h_not "i2: from a noIdentity gateway: no P-Asserted-Identity" got i2 INVITE '^P-Asserted-Identity:'
h_not "i2: ... no Privacy" got i2 INVITE '^Privacy:'
h_ok "i2: ... but Diversion" got i2 INVITE "$DIV"
h_ok "i2: ... and History-Info" got i2 INVITE "$HI"
h_ok "i2: ... and the BYE's Reason" got i2 BYE "$REASON"

call i3 "$A" "$N" 5561000
h_not "i3: to a profile with policy none: no P-Asserted-Identity" got i3 INVITE '^P-Asserted-Identity:'
h_not "i3: ... no Diversion" got i3 INVITE '^Diversion:'
h_not "i3: ... no History-Info" got i3 INVITE '^History-Info:'
h_not "i3: ... no Reason in the BYE" got i3 BYE '^Reason:'

h_set_ok "referdSgpHeaderPolicy.3 = carrier(1)" "$SGP.8.3" i 1
call i4 "$A" "$N" 5561000
h_ok "i4: now P-Asserted-Identity passes" got i4 INVITE "$PAI"
h_ok "i4: ... and Diversion" got i4 INVITE "$DIV"
h_ok "i4: ... and the BYE's Reason" got i4 BYE "$REASON"
h_set_err "referdSgpHeaderPolicy 4 is refused" wrongValue "$SGP.8.3" "$SGP.8.3" i 4

# i5: A cancels while B rings.
h_sipp i5-b "$B" 5060 -sf "$SC/uas-ring-until-cancel.xml" -m 1 \
	-trace_msg -message_file "$H_TMP/i5-b.msg"
bpid=$H_PID
h_wait_for 5 listening "$B" 5060
h_sipp i5-a "$A" 5060 -sf "$SC/uac-cancel.xml" -s 5551000 -m 1 "$H_ADDR:5060"
sipp_ok "i5: A's CANCEL: 200, then 487" i5-a "$H_PID"
sipp_ok "i5: B's call is cancelled" i5-b "$bpid" 10
h_ok "i5: B's CANCEL has the Reason of A's CANCEL" got i5 CANCEL \
	'^Reason: SIP;cause=600;text="Busy Everywhere"'

# transfer NAME A-ARGS B-ARGS [C-ARGS]: A calls B, who (or A) REFERs to
# C; C is SIPp's uas unless C-ARGS say otherwise.
transfer() {
	local n=$1 aargs=$2 bsc=$3 csc=${4:--sn uas} apid bpid cpid
	# shellcheck disable=SC2086
	h_sipp "$n-c" "$C" 5060 $csc -m 1 \
	    -trace_msg -message_file "$H_TMP/$n-b.msg"
	cpid=$H_PID
	# shellcheck disable=SC2086
	h_sipp "$n-b" "$B" 5060 $bsc -m 1
	bpid=$H_PID
	h_wait_for 5 listening "$C" 5060 && h_wait_for 5 listening "$B" 5060
	# shellcheck disable=SC2086
	h_sipp "$n-a" "$A" 5060 $aargs -s 5551000 -m 1 "$H_ADDR:5060"
	apid=$H_PID
	sipp_ok "$n: the transfer completes, A hangs up" "$n-a" "$apid" 30
	h_wait_exit "$bpid" 20 || h_stop "$bpid"
	h_wait_exit "$cpid" 20 || h_stop "$cpid"
}
transfer t1 "-sn uac -d 3000" "-sf $SC/uas-refer.xml -set target $TARGET"
h_ok "t1 (referredBy): C's INVITE asserts the Referred-By user" got t1 INVITE \
	"^P-Asserted-Identity: <sip:transferor@$H_ADDR:5060>"
h_not "t1: ... without Privacy" got t1 INVITE '^Privacy:'
h_set_ok "referdReferFromHeader.1 = originalCaller" "$REFER.2.1" i 2
transfer t2 "-sn uac -d 3000" "-sf $SC/uas-refer.xml -set target $TARGET"
h_ok "t2 (originalCaller, B transfers): C's INVITE asserts A's user" got t2 INVITE \
	"^P-Asserted-Identity: <sip:sipp@$H_ADDR:5060>"
transfer t3 "-sf $SC/uac-refer.xml -set target $TARGET" "-sn uas" \
	"-sf $SC/uas-answer-bye.xml -d 2000"
h_ok "t3 (originalCaller, A transfers): C's INVITE asserts unavailable" got t3 INVITE \
	"^P-Asserted-Identity: <sip:unavailable@$H_ADDR:5060>"
h_ok "t3: ... with Privacy: id" got t3 INVITE '^Privacy: id$'
h_ok "no call is left" h_wait_for 10 calls_idle
h_done
