#!/bin/sh
# sip-record-route.sh: dialogs through record-routing proxies (RFC 3261
# 12.1.1, 12.1.2, 16.12): A's INVITE carries Record-Route p1, p2; referd's
# 200 to A copies them and its in-dialog requests to A carry Route p1, p2
# (the Request-URI stays A's Contact: loose routing).  B's 200 carries
# Record-Route q1, q2; referd's requests to B carry Route q2, q1.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 49 sip-record-route
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
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

# msg FILE START CSEQ: the first message in a SIPp trace whose first line
# starts with START and whose CSeq is CSEQ.
msg() {
	awk -v start="$2" -v cseq="$3" '
	/^(UDP|TCP) message (sent|received)/ { if (keep) exit; inmsg = 1; buf = ""; n = 0; next }
	inmsg && n == 0 && /^$/ { next }
	inmsg {
		sub(/\r$/, "")
		if (n == 0 && index($0, start) != 1) { inmsg = 0; next }
		buf = buf $0 "\n"; n++
		if ($0 ~ "^CSeq: *" cseq "$") keep = 1
		if ($0 ~ /^-+ / ) inmsg = 0
	}
	END { if (keep) printf "%s", buf }' "$1"
}
# order TEXT: the proxies named in TEXT's Route (or Record-Route) lines,
# in order.
order() {
	printf '%s\n' "$1" | grep -E "^$2:" | grep -oE 'sip:[pq][12]@' | tr -d '\n'
}

h_sipp b "$B" 5060 -sf "$SC/uas-rr.xml" -m 1 -trace_msg -message_file "$H_TMP/b.msg"
bpid=$H_PID
h_sipp a "$A" 5060 -sf "$SC/uac-rr.xml" -s 5551000 -m 1 -trace_msg \
	-message_file "$H_TMP/a.msg" "$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$bpid" 20
h_is "B answered and hung up" "$H_RC" 0
h_wait_exit "$apid" 20
h_is "A got the BYE in its dialog" "$H_RC" 0
ok200=$(msg "$H_TMP/a.msg" "SIP/2.0 200" "1 INVITE")
h_is "referd's 200 to A copies A's Record-Route, in order" \
	"$(order "$ok200" Record-Route)" "sip:p1@sip:p2@"
bye=$(msg "$H_TMP/a.msg" "BYE " "[0-9]+ BYE")
h_is "referd's BYE to A carries Route p1, p2 (A's route set)" \
	"$(order "$bye" Route)" "sip:p1@sip:p2@"
h_like "... and its Request-URI is A's Contact" "$bye" "^BYE sip:1000@$A:5060 SIP/2.0"
ack=$(msg "$H_TMP/b.msg" "ACK " "1 ACK")
h_is "referd's ACK to B carries Route q2, q1 (B's Record-Route reversed)" \
	"$(order "$ack" Route)" "sip:q2@sip:q1@"
h_like "... and its Request-URI is B's Contact" "$ack" "^ACK sip:$B:5060 SIP/2.0"
h_done
