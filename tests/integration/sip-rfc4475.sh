#!/bin/sh
# sip-rfc4475.sh: the 49 torture messages of RFC 4475, written for this
# test from the RFC's descriptions (tests/rfc4475/NAME.sip, see its
# README), sent byte for byte from a trusted gateway (A) over UDP, and
# over TCP where the RFC's point is the transport: each gets the
# responses the RFC describes, in order, or none.  B answers every call
# referd places with 486.  Then referd is still up, holds no call, and
# (in the sanitizer build) reports nothing.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 80 sip-rfc4475
SC=${REFERD_SRCDIR:-.}/tests/scenarios
MSGS=${REFERD_SRCDIR:-.}/tests/rfc4475
SIPSEND=${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 transport udp profile 1
signaling 2 $H_ADDR port 5060 transport tcp profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2
h_referd_subagent "$conf"
h_need perl
h_sipp b "$B" 5060 -sf "$SC/uas-busy.xml" -m 100 -timeout 300s \
	-trace_msg -message_file "$H_TMP/b.msg"

# wire NAME [tcp]: the message as it goes on the wire, in $H_TMP/NAME.wire:
# lines end with CRLF, {{N*text}} is text N times, @xHH@ the byte HH, and
# @CL@ the length of the body (all after the first empty line).  Over TCP
# its Call-ID and branch get a prefix: a transaction of the UDP run may
# still be waiting for retransmissions.
wire() {
	perl -e '
	    local $/; my $s = <STDIN>;
	    $s =~ s/\{\{(\d+)\*([^}]*)\}\}/$2 x $1/ge;
	    if ($ARGV[0]) { $s =~ s/^Call-ID: /Call-ID: tcp-/m;
		$s =~ s/branch=z9hG4bK/branch=z9hG4bKtcp-/g; }
	    $s =~ s/\n/\r\n/g;
	    my $i = index($s, "\r\n\r\n");
	    my ($h, $b) = $i < 0 ? ($s, "") : (substr($s, 0, $i + 4),
		substr($s, $i + 4));
	    for ($h, $b) { s/\@x([0-9A-F]{2})\@/chr(hex($1))/ge; }
	    my $cl = length($b); $h =~ s/\@CL\@/$cl/g;
	    binmode STDOUT; print $h, $b;' "${2:-}" <"$MSGS/$1.sip" \
	    >"$H_TMP/$1${2:+.tcp}.wire"
}
# send NAME [tcp]: send it; what came back in $H_TMP/NAME[.tcp].out, the
# status codes (each once: A does not ACK, a final response over UDP
# comes again) in GOT.
send() {
	local f=$H_TMP/$1${2:+.tcp}
	wire "$1" "${2:-}"
	"$SIPSEND" ${2:+-t} "$A" "$H_ADDR" 5060 700 <"$f.wire" >"$f.out"
	GOT=$(tr -d '\r' <"$f.out" | sed -n 's/^SIP\/2\.0 \([0-9]*\) .*/\1/p' |
	    awk '!seen[$0]++' | tr '\n' ' ' | sed 's/ $//')
}
# expect NAME TRANSPORT CODES WHY: the codes that come back, or "-".
expect() {
	send "$1" "$([ "$2" = tcp ] && echo tcp)"
	h_is "$1 over $2 ($4)" "${GOT:--}" "$3"
}

# 3.1.1: valid messages.  referd is a B2BUA: a new INVITE becomes a call
# to B (100, then B's 486); REGISTER and MESSAGE outside a dialog are
# not for it (405); OPTIONS from a gateway gets 200.
expect wsinv udp 481 "valid; its To tag names a dialog referd does not have"
expect intmeth udp 405 "valid; an unknown method (its To has a NUL as a quoted-pair)"
expect esc01 udp "100 486" "valid; escapes in the Request-URI user"
expect escnull udp 405 "valid; escaped NULs in URIs"
expect esc02 udp 405 "valid; % in a method is not an escape"
expect lwsdisp udp 200 "valid; no LWS between display name and <"
expect longreq udp "100 486" "valid; long values, 34 Vias, no branch on the top one"
expect dblreq udp 405 "valid; the octets after the REGISTER are ignored"
expect semiuri udp 200 "valid; ; in the Request-URI user"
expect transports udp 200 "valid; Vias of every transport"
expect mpart01 udp 403 "valid; a multipart MESSAGE (outside a dialog: referd carries MESSAGE only in a call)"
expect unreason udp - "a response to nothing"
expect noreason udp - "a response to nothing"
# 3.1.2: invalid messages.
expect badinv01 udp 400 "empty Via and Contact parameters"
expect clerr udp 400 "Content-Length larger than the datagram"
expect ncl udp 400 "negative Content-Length"
expect scalar02 udp 400 "CSeq of 2^65, Max-Forwards 300"
expect scalarlg udp - "a response with overlarge values"
expect quotbal udp 400 "unterminated quoted string"
expect ltgtruri udp 400 "<> around the Request-URI"
expect lwsruri udp 400 "LWS in the Request-URI"
expect lwsstart udp 400 "two SP between Request-Line elements"
expect trws udp 400 "SP at the end of the Request-Line"
expect escruri udp 400 "headers in the Request-URI"
expect baddate udp "100 486" "an invalid Date is ignored (liberal)"
expect regbadct udp 405 "a Contact URI with headers outside <> (liberal)"
expect badaspec udp 400 "spaces inside <>"
expect baddn udp 400 "a display name that is not tokens"
expect badvers udp 505 "SIP/7.0"
expect mismatch01 udp 400 "CSeq method is not the request's"
expect mismatch02 udp 400 "unknown method, CSeq method another"
expect bigcode udp - "a response with a code of 4294967301"
# 3.2: transaction layer.
expect badbranch udp 200 "a branch of the magic cookie alone (RFC 2543 matching)"
# 3.3: application layer.
expect insuf udp 400 "no Call-ID, From, To"
expect unkscm udp 416 "an unknown Request-URI scheme"
expect novelsc udp 416 "a known but atypical scheme"
expect unksm2 udp 405 "valid; unknown schemes in To, From, Contact"
expect bext01 udp 420 "Require of unknown extensions"
h_grep "bext01: Unsupported names both required extensions" \
	"$H_TMP/bext01.out" '^Unsupported: nothingWeKnow, norAnythingElseHere'
expect invut udp 415 "a body of an unknown type"
h_grep "invut: 415 says what referd accepts" "$H_TMP/invut.out" \
	'^Accept: application/sdp'
expect regaut01 udp 405 "valid; an unknown authorization scheme"
expect multi01 udp 400 "several Call-ID, From, To, CSeq, Max-Forwards"
expect mcl01 udp 400 "two Content-Lengths"
expect bcast udp - "a response with a broadcast received="
expect zeromf udp 200 "Max-Forwards 0: OPTIONS for referd itself"
expect cparam01 udp 405 "valid; a Contact header parameter"
expect cparam02 udp 405 "valid; a Contact URI parameter"
expect regescrt udp 405 "valid; an escaped header in a Contact URI"
expect sdp01 udp 406 "Accept leaves SDP out"
# 3.4: backward compatibility.
expect inv2543 udp "100 486" "RFC 2543 syntax: no branch, no From tag, no Content-Length"

# Over TCP, where the transport is the point.
expect dblreq tcp "405 100 486" "on a stream the INVITE after the REGISTER is a message"
expect clerr tcp - "on a stream referd waits for the rest of the body"
expect transports tcp 200 "Vias of every transport"
expect wsinv tcp 481 "its top Via is TCP"
expect longreq tcp "100 486" "a long message"
expect mcl01 tcp 400 "two Content-Lengths on a stream"
expect intmeth tcp 405 "a NUL as a quoted-pair"

# What the answers say.
for f in badinv01 quotbal ltgtruri lwsstart trws escruri baddn multi01; do
	h_ok "$f: the 400 has the request's Call-ID and a To tag" sh -c \
	    "tr -d '\\r' <'$H_TMP/$f.out' | grep -q '^Call-ID: $f\\.' &&
	     tr -d '\\r' <'$H_TMP/$f.out' | grep -q '^To: .*;tag='"
done
h_ok "intmeth: the 405 has its Call-ID as it was written" grep -qF \
	"Call-ID: intmeth.w%QX-!.*_+'~@odd\`~)(><:\\/\"][?}{" "$H_TMP/intmeth.out"
h_is "intmeth: no NUL reached the 405" \
	"$(tr -cd '\000' <"$H_TMP/intmeth.out" | wc -c | tr -d ' ')" 0
h_grep "esc01: B got the Request-URI user escaped" "$H_TMP/b.msg" \
	"^INVITE sip:sips%3Acarol%40example.org@$B:5060 SIP/2.0"
h_is "B got the six INVITEs (esc01, longreq twice, baddate, inv2543, dblreq's)" \
	"$(grep -c '^INVITE ' "$H_TMP/b.msg")" 6

h_ok "referd is still running" h_running "$H_REFERD_PID"
h_ok "no call is left" h_wait_for 10 calls_idle
h_done
