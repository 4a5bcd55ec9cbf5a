#!/bin/sh
# sip-malformed.sh: malformed and unusual SIP in the spirit of RFC 4475
# (messages written for referd, sent byte for byte by tests/tools/sipsend
# from a trusted gateway's address): each gets the response RFC 3261
# requires, with its Call-ID and a To tag, or is dropped when no response
# can be formed; referd stays up, holds no call and no extra descriptor
# afterwards, and (in the sanitizer build) reports nothing.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 47 sip-malformed
SIPSEND=${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}
A=$H_NET.2
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $H_NET.3 port 5060
route 1 default 2
EOF2
h_referd_subagent "$conf"
fds() { ls "/proc/$H_REFERD_PID/fd" | wc -l | tr -d ' '; }
fds_before=$(fds)

# send: the message in $H_TMP/m, lines ended with CRLF, from A; the
# first response in RESP (empty when none came within 0.6 s).
send() {
	RESP=$(sed 's/$/\r/' "$H_TMP/m" | "$SIPSEND" "$A" "$H_ADDR" 5060 600 |
		tr -d '\r' | sed '/^--$/,$d')
}
# expect DESC CODE CALL-ID: the response is CODE, for that Call-ID, with
# a To tag (a final response's).
expect() {
	printf '%s\n' "$RESP" >"$H_TMP/resp"
	h_is "$1: $2" "$(head -n 1 "$H_TMP/resp" | cut -d' ' -f2)" "$2"
	h_ok "$1: ... for its Call-ID, with a To tag" sh -c \
	    "grep -q '^Call-ID: $3\$' '$H_TMP/resp' && grep -q '^To: .*;tag=' '$H_TMP/resp'"
}
# none DESC: no response came.
none() { h_is "$1: dropped, no response" "$RESP" ""; }
V="Via: SIP/2.0/UDP $A:5060;branch=z9hG4bK"
F="From: <sip:a@$A>;tag=1"
T="To: <sip:b@$H_ADDR>"

printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-1\n$F\n$T\nCall-ID: m1@x\nCSeq: 1 OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "a well-formed OPTIONS (the control)" 200 m1@x
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-2\n$F\n$T\nCSeq: 1 OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
h_is "no Call-ID: 400" "$(printf '%s\n' "$RESP" | head -n 1)" "SIP/2.0 400 Bad Request"
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-3\n$F\n$T\nCall-ID: m3@x\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "no CSeq" 400 m3@x
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-4\n$T\nCall-ID: m4@x\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "no From" 400 m4@x
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$F\n$T\nCall-ID: m5@x\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n" >"$H_TMP/m"; send
none "no Via (nowhere to answer)"
printf "OPTIONS sip:$H_ADDR SIP/7.0\n$V-6\n$F\n$T\nCall-ID: m6@x\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "SIP version 7.0" 505 m6@x
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-7\n$F\n$T\nCall-ID: m7@x\nCSeq: 1 OPTIONS\nContent-Length: 9999\n\nabc" >"$H_TMP/m"; send
expect "Content-Length larger than the datagram's body" 400 m7@x
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-8\n$F\n$T\nCall-ID: m8@x\nCSeq: 1 OPTIONS\nContent-Length: -3\n\n" >"$H_TMP/m"; send
expect "a negative Content-Length" 400 m8@x
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-9\n$F\n$T\nCall-ID: m9@x\nCSeq: 1 INVITE\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "a CSeq method that is not the request's" 400 m9@x
# Scalars out of range (RFC 3261 8.1.1.5, 20.22; RFC 4475 3.1.2.4): 400.
for mf in 255 256 99999999999; do
	printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-mf$mf\n$F\n$T\nCall-ID: mf$mf@x\nCSeq: 1 OPTIONS\nMax-Forwards: $mf\nContent-Length: 0\n\n" >"$H_TMP/m"; send
	expect "Max-Forwards $mf" "$([ $mf = 255 ] && echo 200 || echo 400)" mf$mf@x
done
for cs in 2147483647 2147483648 36893488147419103232; do
	printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-cs$cs\n$F\n$T\nCall-ID: cs$cs@x\nCSeq: $cs OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
	expect "CSeq $cs" "$([ $cs = 2147483647 ] && echo 200 || echo 400)" cs$cs@x
done
printf "INVITE tel:+15551234 SIP/2.0\n$V-10\n$F\nTo: <tel:+15551234>\nCall-ID: m10@x\nCSeq: 1 INVITE\nContact: <sip:a@$A>\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "a tel: Request-URI" 416 m10@x
printf "INVITE sip:555@$H_ADDR SIP/2.0\n$V-11\n$F\nTo: <sip:555@$H_ADDR>\nCall-ID: m11@x\nCSeq: 1 INVITE\nContact: <sip:a@$A>\nMax-Forwards: 0\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "Max-Forwards 0" 483 m11@x
printf "FOOBAR sip:$H_ADDR SIP/2.0\n$V-12\n$F\n$T\nCall-ID: m12@x\nCSeq: 1 FOOBAR\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "an unknown method" 405 m12@x
h_like "... with Allow" "$RESP" "Allow: [A-Z, ]*INVITE"
printf "OPTIONS sip:$H_ADDR SIP/2.0\nv: SIP/2.0/UDP $A:5060 ;branch=z9hG4bK-13\nf: <sip:a@$A>\n  ;tag=1\nt:<sip:b@$H_ADDR>\ni: m13@x\nCSeq:   1    OPTIONS\nMax-Forwards: 70\nl: 0\n\n" >"$H_TMP/m"; send
expect "compact headers, folded lines, odd whitespace (valid)" 200 m13@x
big=$(head -c 30000 /dev/zero | tr '\0' 'a')
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-14\n$F\n$T\nCall-ID: m14@x\nCSeq: 1 OPTIONS\nX-Big: $big\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "a 30 kB header (valid)" 200 m14@x
printf "OPTIONS   sip:$H_ADDR    SIP/2.0\n$V-15\n$F\n$T\nCall-ID: m15@x\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "extra spaces in the request line (RFC 4475 3.1.2.9: 400)" 400 m15@x
head -c 2000 /dev/urandom | "$SIPSEND" "$A" "$H_ADDR" 5060 300 >"$H_TMP/garbage.out"
h_is "2000 random bytes: dropped, no response" "$(wc -c <"$H_TMP/garbage.out" | tr -d ' ')" 0
printf '\n\n' >"$H_TMP/m"; send
none "a CRLF keepalive (RFC 5626)"
printf "SIP/2.0 200 OK\n$V-16\n$F\n$T\nCall-ID: m16@x\nCSeq: 1 INVITE\nContent-Length: 0\n\n" >"$H_TMP/m"; send
none "a response to nothing"
printf "ACK sip:$H_ADDR SIP/2.0\n$V-17\n$F\n$T\nCall-ID: m17@x\nCSeq: 1 INVITE\nContent-Length: 0\n\n" >"$H_TMP/m"; send
none "an ACK with a CSeq of INVITE (malformed; never answered)"
printf "BYE sip:$H_ADDR SIP/2.0\n$V-18\n$F\nTo: <sip:b@$H_ADDR>;tag=nope\nCall-ID: m18@x\nCSeq: 2 BYE\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "a BYE for no dialog" 481 m18@x
printf "INVITE sip:555@$H_ADDR SIP/2.0\n$V-19\n$F\nTo: <sip:555@$H_ADDR>\nCall-ID: m19@x\nCSeq: 1 INVITE\nContact: <sip:a@$A>\nMax-Forwards: 70\nContent-Type: application/sdp\nContent-Length: 9\n\ngarbage!!" >"$H_TMP/m"; send
expect "an INVITE whose SDP is garbage (no usable offer)" 488 m19@x
# An offer with a line that is not SDP ("<type>=<value>", RFC 8866 5):
# refused as a whole, never relayed (the line would reach B as it is).
body="v=0\no=a 1 1 IN IP4 $A\ns=-\nc=IN IP4 $A\nt=0 0\nm=audio 6000 RTP/AVP 0\nX-Injected: 1\na=rtpmap:0 PCMU/8000\n"
blen=$(printf "$body" | sed 's/$/\r/' | wc -c)
printf "INVITE sip:555@$H_ADDR SIP/2.0\n$V-21\n$F\nTo: <sip:555@$H_ADDR>\nCall-ID: m21@x\nCSeq: 1 INVITE\nContact: <sip:a@$A>\nMax-Forwards: 70\nContent-Type: application/sdp\nContent-Length: $blen\n\n$body" >"$H_TMP/m"; send
expect "an INVITE whose SDP has a line that is not SDP" 488 m21@x
h_ok "... with a Warning naming the line's shape" \
    grep -q '^Warning: 399 referd "a line of the SDP is not <type>=<value>"$' "$H_TMP/resp"
printf "INVITE sip:555@$H_ADDR SIP/2.0\n$V-20\n$F\nTo: <sip:555@$H_ADDR>\nCall-ID: m20@x\nCSeq: 1 INVITE\nContact: <sip:a@$A>\nMax-Forwards: 70\nContent-Length: 0\n\nINVITE sip:555@$H_ADDR SIP/2.0\n" >"$H_TMP/m"; send
# An INVITE without a body is a delayed offer, taken like any call: 100
# Trying; CANCELled at once (200, and 487 for the INVITE).
h_is "bytes after the body are ignored (RFC 3261 18.3); the offerless INVITE is taken: 100" \
    "$(printf '%s\n' "$RESP" | head -n 1 | cut -d' ' -f2)" 100
printf "CANCEL sip:555@$H_ADDR SIP/2.0\n$V-20\n$F\nTo: <sip:555@$H_ADDR>\nCall-ID: m20@x\nCSeq: 1 CANCEL\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"; send
expect "... and CANCELled" 200 m20@x

h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_ok "no call is left" h_wait_for 40 sh -c \
	"[ \"\$(snmpget -v2c -c public -Oqv -t 1 -r 0 $H_AGENT $RO.1.3.0)\" = 0 ]"
h_ok "no descriptor is left ($(fds) now, $fds_before before)" \
	h_wait_for 40 sh -c "[ \$(ls /proc/$H_REFERD_PID/fd | wc -l) -le $fds_before ]"
h_done
