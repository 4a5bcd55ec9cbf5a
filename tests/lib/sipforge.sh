# sipforge.sh: requests in a call's dialogs from elsewhere, for the tests
# of who may act on a dialog and what a value may carry (sourced after
# harness.sh): a call A-B whose dialogs' identifiers the test knows
# (call_up), and one SIP request written by the test and sent byte for
# byte with tests/tools/sipsend (sip_request), for requests SIPp would not
# send: from an address that is not in the dialog, with headers chosen to
# be wrong.
#
# sip_request FROM METHOD CSEQ CALL-ID FROM-TAG TO-TAG [HEADER...]
#   METHOD to referd ($H_ADDR:5060) from FROM (any port), in the dialog
#   CALL-ID / FROM-TAG / TO-TAG (TO-TAG empty: none); each HEADER is a
#   header line as written (@x00@ in it: a NUL byte); an INVITE or an
#   UPDATE carries an SDP offer of FROM's.  The Request-URI is referd's Contact, or
#   $RURI when set.
#   The message is in $H_TMP/request; what came back (each message
#   followed by a line "--") in $H_TMP/request.out; the first status
#   code in RESP (empty when nothing came within half a second).
sip_request() {
	local from=$1 m=$2 n=$3 cid=$4 ft=$5 tt=$6 body= h
	shift 6
	{ [ "$m" = INVITE ] || [ "$m" = UPDATE ]; } && body="v=0
o=x 1 1 IN IP4 $from
s=-
c=IN IP4 $from
t=0 0
m=audio 7000 RTP/AVP 0"
	{
		printf '%s %s SIP/2.0\n' "$m" "${RURI:-sip:referd@$H_ADDR:5060}"
		printf 'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-forge%s-%s\n' \
		    "$from" "$n" "$$"
		printf 'From: <sip:x@%s>;tag=%s\nTo: <sip:y@%s>%s\n' \
		    "$from" "$ft" "$H_ADDR" "${tt:+;tag=$tt}"
		printf 'Call-ID: %s\nCSeq: %s %s\n' "$cid" "$n" "$m"
		printf 'Contact: <sip:x@%s>\nMax-Forwards: 70\n' "$from"
		for h in "$@"; do
			printf '%s\n' "$h"
		done
		if [ -n "$body" ]; then
			printf 'Content-Type: application/sdp\nContent-Length: %s\n\n' \
			    "$(printf '%s\n' "$body" | sed 's/$/\r/' | wc -c)"
			printf '%s\n' "$body"
		else
			printf 'Content-Length: 0\n\n'
		fi
	} | sed -e 's/$/\r/' -e 's/@x00@/\x00/g' >"$H_TMP/request"
	"${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}" "$from" "$H_ADDR" \
	    5060 500 <"$H_TMP/request" >"$H_TMP/request.out"
	RESP=$(tr -d '\r' <"$H_TMP/request.out" |
	    sed -n '1s/^SIP\/2\.0 \([0-9]*\) .*/\1/p')
}

# call_up HOLD-MS [A-ARGS...]: A ($A) calls 5551000, which routes to B ($B), through
# referd: B answers (uas-answer.xml: it fails on anything but the ACK and
# a BYE), A logs its dialog (uac-call-tags.xml) and hangs up after
# HOLD-MS.  Sets apid and bpid, and both dialogs' identifiers: acid atag
# rtag (A's: Call-ID, A's tag, referd's) and bcid btag rbtag (B's).
# A-ARGS go to A's SIPp (a trace, say).
call_up() {
	local hold=$1
	shift
	h_sipp b "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	    -set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1 \
	    -trace_logs -log_file "$H_TMP/b.log" \
	    -trace_msg -message_file "$H_TMP/b.msg"
	bpid=$H_PID
	h_sipp a "$A" 5060 -sf "$SC/uac-call-tags.xml" -s 5551000 -m 1 \
	    -d "$hold" -trace_logs -log_file "$H_TMP/a.log" "$@" "$H_ADDR:5060"
	apid=$H_PID
	h_ok "the call A-B is up" h_wait_for 10 sh -c \
	    "grep -q '^A callid=' '$H_TMP/a.log' && grep -q '^B callid=' '$H_TMP/b.log'"
	acid=$(sed -n 's/^A callid=\([^ ]*\) .*/\1/p' "$H_TMP/a.log")
	atag=$(sed -n 's/.* fromtag=\([^ ]*\) .*/\1/p' "$H_TMP/a.log")
	rtag=$(sed -n 's/.* totag=\([^ ]*\) .*/\1/p' "$H_TMP/a.log")
	bcid=$(sed -n 's/^B callid=\([^ ]*\) .*/\1/p' "$H_TMP/b.log")
	rbtag=$(sed -n 's/.* fromtag=\([^ ]*\) .*/\1/p' "$H_TMP/b.log")
	btag=${bpid}B1
	h_ok "both dialogs' identifiers were read ($acid $atag $rtag; $bcid $btag $rbtag)" \
	    test -n "$acid" -a -n "$atag" -a -n "$rtag" -a -n "$bcid" -a -n "$rbtag"
}
