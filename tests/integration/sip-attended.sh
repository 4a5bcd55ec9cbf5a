#!/bin/sh
# sip-attended.sh: attended transfer through referd (RFC 5589 section 7;
# SPEC section 5, "A Refer-To whose Replaces names a dialog referd itself
# holds ... joins the two calls inside referd").
#
# B holds two calls, both through referd: A called B (call 1), and B
# called C (call 2).  B REFERs call 1 with Refer-To <sip:c@referd?Replaces=
# its dialog of call 2 with referd>.  referd joins A and C itself: it sends
# C no INVITE (and nobody any Replaces), answers B 202, NOTIFY 100 and 200,
# hangs up both of B's legs (the REFER's after its final NOTIFY is
# answered), counts a completed transfer, and A's later BYE reaches C as a
# BYE in C's own dialog.  A REFER whose Replaces names a dialog with
# another party is refused 403 and changes nothing.
#
# Peers: A $H_NET.2 (gateway 1), B $H_NET.3 (gateway 2, any port: B's
# calls come from port 5060 and 5061), C $H_NET.4 (gateway 3).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 51 sip-attended
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 0
gateway 3 c-side $C port 5060
route 1 5551 2
route 2 5552 3
EOF2
h_referd_subagent "$conf"

# hdr FILE START-REGEX HEADER: HEADER's value in the first message of the
# SIPp message trace FILE whose first line matches START-REGEX.
hdr() {
	awk -v s="$2" -v h="$3" 'BEGIN { IGNORECASE = 1 }
	    $0 ~ s { m = 1 } m && tolower($0) ~ "^" tolower(h) ":" {
	    sub(/^[^:]*: */, ""); sub(/\r$/, ""); print; exit }' "$1"
}

# 1. Call 2 first: B (port 5061) calls C; both hold it.
h_sipp c "$C" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$((RTP_LO + 99))" \
	-m 1 -trace_msg -message_file "$H_TMP/c.msg"
cpid=$H_PID
h_sipp b2 "$B" 5061 -sf "$SC/uac-call-wait-bye.xml" -s 5552000 -m 1 \
	-trace_msg -message_file "$H_TMP/b2.msg" "$H_ADDR:5060"
b2pid=$H_PID
h_ok "call 2: B (port 5061) is connected to C" \
	h_wait_for 10 grep -q '^ACK ' "$H_TMP/b2.msg"
cid=$(hdr "$H_TMP/b2.msg" '^INVITE ' Call-ID)
ftag=$(hdr "$H_TMP/b2.msg" '^INVITE ' From | sed 's/.*;tag=\([^;]*\).*/\1/')
ttag=$(hdr "$H_TMP/b2.msg" '^SIP/2.0 200' To | sed 's/.*;tag=\([^;]*\).*/\1/')
h_ok "call 2's dialog is known (Call-ID $cid, tags $ftag / $ttag)" \
	test -n "$cid" -a -n "$ftag" -a -n "$ttag"
# Replaces = call-id;to-tag=<referd's>;from-tag=<B's>, escaped in the URI.
rep=$(printf '%s;to-tag=%s;from-tag=%s' "$cid" "$ttag" "$ftag" |
	sed 's/%/%25/g; s/@/%40/g; s/;/%3B/g; s/=/%3D/g')
TARGET="sip:carol@$H_ADDR:5060?Replaces=$rep"

# 2. Call 1: A calls B (port 5060), B REFERs it to its call 2 with C.
h_sipp b1 "$B" 5060 -sf "$SC/uas-refer-released.xml" -set target "$TARGET" \
	-m 1 -trace_msg -message_file "$H_TMP/b1.msg" \
	-trace_logs -log_file "$H_TMP/b1.log"
b1pid=$H_PID
h_sipp a "$A" 5060 -sn uac -s 5551000 -d 4000 -m 1 \
	-trace_msg -message_file "$H_TMP/a.msg" "$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$b1pid" 20
h_is "B: 202, NOTIFY 100, NOTIFY 200, then referd's BYE on call 1" "$H_RC" 0
h_grep "the final NOTIFY is 200 OK, terminated" "$H_TMP/b1.log" \
	'final SIP/2.0 200 OK terminated'
h_ok "referd's BYE on call 1 follows B's 200 to the final NOTIFY" sh -c \
	"awk '/^NOTIFY /{n++} /^BYE / && n >= 2 {ok = 1} END {exit !ok}' '$H_TMP/b1.msg'"
h_wait_exit "$b2pid" 10
h_is "B: call 2 is ended by referd's BYE in B's own dialog" "$H_RC" 0
h_wait_exit "$apid" 20
h_is "A: its call goes on after the transfer and ends with its BYE" "$H_RC" 0
h_wait_exit "$cpid" 10
h_is "C: gets A's BYE in its own dialog (joined to A)" "$H_RC" 0
h_is "C got one INVITE only: no INVITE with Replaces was sent" \
	"$(grep -c '^INVITE ' "$H_TMP/c.msg")" 1
h_not "no Replaces header reached C" grep -qi '^Replaces:' "$H_TMP/c.msg"
h_is "referdSgpTransfersCompleted counts it" "$(sget "$STATS.4.1")" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# 3. A Replaces naming a dialog with another party than the transferor.
h_sipp c3 "$C" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$((RTP_LO + 99))" \
	-m 1 -trace_msg -message_file "$H_TMP/c3.msg"
c3pid=$H_PID
h_sipp a3 "$A" 5060 -sf "$SC/uac-call-wait-bye.xml" -s 5552000 -m 1 \
	-trace_msg -message_file "$H_TMP/a3.msg" "$H_ADDR:5060"
a3pid=$H_PID
h_ok "A calls C" h_wait_for 10 grep -q '^ACK ' "$H_TMP/a3.msg"
cid=$(hdr "$H_TMP/a3.msg" '^INVITE ' Call-ID)
ftag=$(hdr "$H_TMP/a3.msg" '^INVITE ' From | sed 's/.*;tag=\([^;]*\).*/\1/')
ttag=$(hdr "$H_TMP/a3.msg" '^SIP/2.0 200' To | sed 's/.*;tag=\([^;]*\).*/\1/')
rep=$(printf '%s;to-tag=%s;from-tag=%s' "$cid" "$ttag" "$ftag" |
	sed 's/%/%25/g; s/@/%40/g; s/;/%3B/g; s/=/%3D/g')
h_sipp b4 "$B" 5060 -sf "$SC/uas-refer-refused.xml" \
	-set target "sip:x@$H_ADDR:5060?Replaces=$rep" -m 1 \
	-trace_msg -message_file "$H_TMP/b4.msg"
b4pid=$H_PID
h_sipp a4 "$A" 5061 -sf "$SC/uac-call-wait-bye.xml" -s 5551000 -m 1 \
	"$H_ADDR:5060"
a4pid=$H_PID
h_wait_exit "$b4pid" 20
h_is "B: a Replaces naming A's call with C is refused 403" "$H_RC" 0
h_wait_exit "$a4pid" 20
h_is "... and B's own call goes on and ends with B's BYE" "$H_RC" 0
h_ok "A's call with C was not touched: it is still up" h_alive "$a3pid"
h_stop "$a3pid"
h_stop "$c3pid"
h_done
