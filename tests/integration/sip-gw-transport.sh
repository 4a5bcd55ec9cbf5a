#!/bin/sh
# sip-gw-transport.sh: the gateway's configured transport decides how
# referd reaches it, whatever transport the caller used (issue 15, 1),
# and a call whose INVITE cannot be sent at all ends cleanly.
#   t1: A's INVITE comes over TCP; B's gateway is UDP: the INVITE reaches
#       B over UDP, from referd's UDP endpoint (Via SIP/2.0/UDP), and B's
#       486 comes back to A on its TCP connection.  (It went out on the
#       TCP endpoint's socket: A got 503 and B nothing.)
#   t2: the gateway is TCP and refuses the connection: A gets 503 at once;
#       referd outlives the call's Timer C (inviteTimeout 2 s) and holds no
#       call.  (Timer C was armed again after the call was released and
#       fired on the freed call: heap use-after-free in on_timer_c, seen
#       by AddressSanitizer in the sanitizer build.)
#   t3: the same twice more, then a call through B still works.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 85 sip-gw-transport
SC=${REFERD_SRCDIR:-.}/tests/scenarios
SIPSEND=${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}
A=$H_NET.2
B=$H_NET.3
DEAD=$H_NET.9
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
inviteTimeout 2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 transport tcp profile 1
signaling 2 $H_ADDR port 5060 transport udp profile 1
gateway 1 a-side $A port 0 transport tcp
gateway 2 b-side $B port 5060 transport udp
gateway 3 dead-tcp $DEAD port 5060 transport tcp
route 1 555 2
route 2 777 3
EOF2
h_referd_subagent "$conf"

# invite N USER: an INVITE from A for USER, with an offer, in $H_TMP/inv.N
invite() {
	cat >"$H_TMP/sdp" <<-EOF2
	v=0
	o=a 1 1 IN IP4 $A
	s=-
	c=IN IP4 $A
	t=0 0
	m=audio 6000 RTP/AVP 0
	a=rtpmap:0 PCMU/8000
	EOF2
	sed 's/$/\r/' "$H_TMP/sdp" >"$H_TMP/sdp.crlf"
	{
		printf 'INVITE sip:%s@%s SIP/2.0\r\n' "$2" "$H_ADDR"
		printf 'Via: SIP/2.0/%s %s:5060;branch=z9hG4bK-gwt%s\r\n' \
		    "$3" "$A" "$1"
		printf 'From: <sip:a@%s>;tag=a%s\r\n' "$A" "$1"
		printf 'To: <sip:%s@%s>\r\n' "$2" "$H_ADDR"
		printf 'Call-ID: gwt%s@%s\r\nCSeq: 1 INVITE\r\n' "$1" "$A"
		printf 'Contact: <sip:a@%s:5060;transport=%s>\r\n' "$A" "$4"
		printf 'Max-Forwards: 70\r\nContent-Type: application/sdp\r\n'
		printf 'Content-Length: %s\r\n\r\n' "$(wc -c <"$H_TMP/sdp.crlf")"
		cat "$H_TMP/sdp.crlf"
	} >"$H_TMP/inv.$1"
}
# codes FILE: the status codes of the responses in FILE, in order, each
# once (A does not ACK: a final response over UDP comes again).
codes() {
	tr -d '\r' <"$1" | sed -n 's/^SIP\/2\.0 \([0-9]*\) .*/\1/p' |
	    awk '!seen[$0]++' | tr '\n' ' ' | sed 's/ $//'
}

# t1: over TCP in, over UDP out.
h_sipp b "$B" 5060 -sf "$SC/uas-busy.xml" -m 1 \
	-trace_msg -message_file "$H_TMP/b.msg"
bpid=$H_PID
invite 1 5551000 TCP tcp
"$SIPSEND" -t "$A" "$H_ADDR" 5060 1500 <"$H_TMP/inv.1" >"$H_TMP/t1.out"
h_is "t1: A (over TCP) gets 100, then B's 486" "$(codes "$H_TMP/t1.out")" \
	"100 486"
h_wait_exit "$bpid" 10
h_is "t1: B got the INVITE, answered 486 and got referd's ACK" "$H_RC" 0
h_grep "t1: B received it over UDP" "$H_TMP/b.msg" \
	'^UDP message received .*'
h_grep "t1: ... with referd's UDP Via" "$H_TMP/b.msg" \
	"^Via: SIP/2.0/UDP $H_ADDR:5060;"
h_not "t1: nothing reached B over TCP" grep -q '^TCP message' "$H_TMP/b.msg"

# t2: a TCP gateway that refuses the connection.
invite 2 7770000 UDP udp
"$SIPSEND" "$A" "$H_ADDR" 5060 800 <"$H_TMP/inv.2" >"$H_TMP/t2.out"
h_is "t2: A gets 100, then 503 (the INVITE could not be sent)" \
	"$(codes "$H_TMP/t2.out")" "100 503"
sleep 3.5        # inviteTimeout 2 s, and the 64*T1 guard would be 32 s
h_ok "t2: referd is still running after the call's Timer C" \
	h_running "$H_REFERD_PID"
h_is "t2: no call is left" "$(sget "$RO.1.3.0")" 0

# t3: twice more, then a call through B.
for n in 3 4; do
	invite $n 7770000 UDP udp
	"$SIPSEND" "$A" "$H_ADDR" 5060 800 <"$H_TMP/inv.$n" >"$H_TMP/t$n.out"
	h_is "t3: refused call $n: 100, 503" "$(codes "$H_TMP/t$n.out")" "100 503"
done
sleep 3.5
h_sipp b2 "$B" 5060 -sf "$SC/uas-busy.xml" -m 1
bpid=$H_PID
invite 5 5551000 UDP udp
"$SIPSEND" "$A" "$H_ADDR" 5060 1500 <"$H_TMP/inv.5" >"$H_TMP/t5.out"
h_is "t3: then a call to B: 100, 486" "$(codes "$H_TMP/t5.out")" "100 486"
h_wait_exit "$bpid" 10
h_is "t3: ... and B got its ACK" "$H_RC" 0
h_ok "referd is still running" h_running "$H_REFERD_PID"
h_is "no call is left" "$(sget "$RO.1.3.0")" 0
h_done
