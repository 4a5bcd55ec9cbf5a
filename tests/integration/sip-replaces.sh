#!/bin/sh
# sip-replaces.sh: referd as transfer target (RFC 3891): an INVITE with
# Replaces naming one of referd's confirmed dialogs takes its place (200
# to the newcomer, BYE on the replaced dialog, the other party untouched
# and now talking to the newcomer); and the refusals: no such dialog
# (481), early-only against a confirmed dialog (486), two Replaces headers
# (400), Refer Support disabled on the receiving profile (403).
# C is a gateway in no dialog of the call, that no REFER crossing referd
# named: a PBX's phone completing an attended transfer whose REFER went
# to it directly.  Its gateway has referdGwReplaces enabled, which lets it
# replace referd's dialogs (without it: 403, sip-replaces-auth.sh).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 31 sip-replaces
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
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 0 replaces enabled
route 1 555 2
EOF2
h_referd_subagent "$conf"

# A calls B through referd; B answers and waits for a BYE, as does A.
h_sipp b "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1 \
	-trace_msg -message_file "$H_TMP/b.msg"
bpid=$H_PID
h_sipp a "$A" 5060 -sf "$SC/uac-call-wait-bye.xml" -s 5551000 -m 1 \
	-trace_msg -message_file "$H_TMP/a.msg" "$H_ADDR:5060"
apid=$H_PID
h_ok "the call A-B is up" h_wait_for 5 sh -c \
	"[ \"\$(snmpget -v2c -c public -Oqv -t 1 -r 0 $H_AGENT $RO.1.3.0)\" = 1 ]"
sleep 0.5
# referd's dialog with B: its Call-ID, referd's tag (the INVITE's From
# tag) and B's tag (the To tag of B's 200).
cid=$(sed -n 's/^Call-ID: *//p' "$H_TMP/b.msg" | head -n 1 | tr -d '\r')
rtag=$(sed -n 's/^From:.*;tag=\([^;]*\).*/\1/p' "$H_TMP/b.msg" | head -n 1 | tr -d '\r')
btag=$(sed -n 's/^To:.*;tag=\([^;]*\).*/\1/p' "$H_TMP/b.msg" | head -n 1 | tr -d '\r')
h_ok "B's dialog identifiers were read ($cid $rtag $btag)" \
	test -n "$cid" -a -n "$rtag" -a -n "$btag"

# reject NAME CODE HEADERS DESC: C's INVITE with Replaces gets CODE.
reject() {
	sed -e "s|@REPLACES_HEADERS@|$3|" "$SC/uac-replaces-reject.xml.in" \
	    >"$H_TMP/$1.xml"
	h_sipp "$1" "$C" 5060 -sf "$H_TMP/$1.xml" -set expect_code "$2" \
	    -s 5551000 -m 1 "$H_ADDR:5060"
	h_wait_exit "$H_PID" 20
	h_is "$4: $2" "$H_RC" 0
}
reject r481 481 "      Replaces: $cid;to-tag=nosuchtag;from-tag=$btag" \
	"Replaces naming no dialog of referd's"
reject r486 486 "      Replaces: $cid;to-tag=$rtag;from-tag=$btag;early-only" \
	"early-only against a confirmed dialog"
reject r400 400 "      Replaces: $cid;to-tag=$rtag;from-tag=$btag\\
      Replaces: $cid;to-tag=$rtag;from-tag=$btag" "two Replaces headers"
h_ok "after the refusals A and B are still in their call" h_alive "$bpid"

# C replaces B.
h_sipp c "$C" 5060 -sf "$SC/uac-replaces.xml" -s 5551000 -m 1 \
	-set replaces "$cid;to-tag=$rtag;from-tag=$btag" -set peer_ip "$H_ADDR" \
	-trace_logs -log_file "$H_TMP/c.log" "$H_ADDR:5060"
cpid=$H_PID
h_wait_exit "$bpid" 20
h_is "the replaced dialog gets referd's BYE (B completes)" "$H_RC" 0
h_wait_exit "$cpid" 20
h_is "C gets 200, ACKs, talks and hangs up" "$H_RC" 0
h_grep "C's 200 carries referd's SDP address" "$H_TMP/c.log" \
	"C: 200 with c=IN IP4 $H_ADDR .*wrong: (0|false)"
h_wait_exit "$apid" 20
h_is "A stayed in the call (now with C) and gets C's hang-up" "$H_RC" 0
h_is "A never got an INVITE: its dialog and SDP did not change" \
	"$(grep -c '^INVITE' "$H_TMP/a.msg")" 1
h_is "referdSgpReplacesReceived counts the four INVITEs" "$(sget "$STATS.6.1")" 4
h_is "referdSgpReplacesCompleted counts the one that replaced" "$(sget "$STATS.7.1")" 1
sleep 0.6
h_is "no call is left" "$(sget "$RO.1.3.0")" 0

# Refer Support disabled on the receiving profile: 403.
h_set_ok "Refer Support disabled" "$REFER.1.1" i 1
reject r403 403 "      Replaces: $cid;to-tag=$rtag;from-tag=$btag" \
	"Replaces on a profile without Refer Support"
h_done
