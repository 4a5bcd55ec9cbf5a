#!/bin/sh
# sip-dialog-peer.sh: who may act on a dialog (issue 15, 2; SPEC 5): an
# in-dialog request, a CANCEL or an ACK is taken only from the dialog's
# peer (its transport address, the configured gateway at that address,
# or a gateway on its route set).  While A and B are in a call through
# referd, X (no gateway) and C (a gateway, not in the call) send BYE,
# REFER, re-INVITE, INFO, CANCEL and ACK carrying the call's Call-IDs and
# tags: each gets 403 (the ACK is dropped), referdSgpDialogRequestsRefused
# counts them, and nothing changes: B gets no BYE, no INVITE, no REFER's
# call; A and B stay in the call until A hangs up, and then the BYE goes
# through as usual.  (Before: X's BYE got 200 and referd sent BYE to B;
# the REFER got 202, the re-INVITE reached B.)
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 81 sip-dialog-peer
SC=${REFERD_SRCDIR:-.}/tests/scenarios
SIPSEND=${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
X=$H_NET.9
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
gateway 3 c-side $C port 0
route 1 555 2
EOF2
h_referd_subagent "$conf"

h_sipp b "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1 \
	-trace_logs -log_file "$H_TMP/b.log" -trace_msg -message_file "$H_TMP/b.msg"
bpid=$H_PID
h_sipp a "$A" 5060 -sf "$SC/uac-call-tags.xml" -s 5551000 -m 1 -d 9000 \
	-trace_logs -log_file "$H_TMP/a.log" "$H_ADDR:5060"
apid=$H_PID
h_ok "the call A-B is up" h_wait_for 10 grep -q '^A callid=' "$H_TMP/a.log"
acid=$(sed -n 's/^A callid=\([^ ]*\) .*/\1/p' "$H_TMP/a.log")
atag=$(sed -n 's/.* fromtag=\([^ ]*\) .*/\1/p' "$H_TMP/a.log")
rtag=$(sed -n 's/.* totag=\([^ ]*\) .*/\1/p' "$H_TMP/a.log")
bcid=$(sed -n 's/^B callid=\([^ ]*\) .*/\1/p' "$H_TMP/b.log")
rbtag=$(sed -n 's/.* fromtag=\([^ ]*\) .*/\1/p' "$H_TMP/b.log")
btag=${bpid}B1
h_ok "both dialogs' identifiers were read ($acid $atag $rtag; $bcid $rbtag $btag)" \
	test -n "$acid" -a -n "$atag" -a -n "$rtag" -a -n "$bcid" -a -n "$rbtag"

# forge FROM METHOD N WHICH [HEADERS]: METHOD with CSeq N from FROM, in A's
# dialog (WHICH a) as A would send it, or in B's (b) as B would; the
# first status line that comes back is in RESP.
forge() {
	local from=$1 m=$2 n=$3 cid=$4 ft=$5 tt=$6 extra=${7:-} body=
	[ "$m" = INVITE ] && body="v=0
o=x 1 1 IN IP4 $from
s=-
c=IN IP4 $from
t=0 0
m=audio 7000 RTP/AVP 0"
	{
		printf '%s sip:referd@%s:5060 SIP/2.0\n' "$m" "$H_ADDR"
		printf 'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-forge%s\n' "$from" "$n"
		printf 'From: <sip:x@%s>;tag=%s\nTo: <sip:y@%s>%s\n' \
		    "$from" "$ft" "$H_ADDR" "${tt:+;tag=$tt}"
		printf 'Call-ID: %s\nCSeq: %s %s\n' "$cid" "$n" \
		    "$([ "$m" = CANCEL ] && echo CANCEL || echo "$m")"
		printf 'Contact: <sip:x@%s>\nMax-Forwards: 70\n' "$from"
		[ -n "$extra" ] && printf '%s\n' "$extra"
		if [ -n "$body" ]; then
			printf 'Content-Type: application/sdp\nContent-Length: %s\n\n' \
			    "$(printf '%s\n' "$body" | sed 's/$/\r/' | wc -c)"
			printf '%s\n' "$body"
		else
			printf 'Content-Length: 0\n\n'
		fi
	} | sed 's/$/\r/' >"$H_TMP/forged"
	RESP=$("$SIPSEND" "$from" "$H_ADDR" 5060 500 <"$H_TMP/forged" |
	    tr -d '\r' | sed -n '1s/^SIP\/2\.0 \([0-9]*\) .*/\1/p')
}
# The ones that end the call come last (before the fix each worked).
forge "$X" REFER 20 "$acid" "$atag" "$rtag" "Refer-To: <sip:5551000@$B>"
h_is "X's REFER in A's dialog: 403" "$RESP" 403
forge "$X" INVITE 21 "$acid" "$atag" "$rtag"
h_is "X's re-INVITE in A's dialog: 403" "$RESP" 403
forge "$X" INFO 22 "$acid" "$atag" "$rtag"
h_is "X's INFO in A's dialog: 403" "$RESP" 403
forge "$X" CANCEL 1 "$acid" "$atag" ""
h_is "X's CANCEL of A's INVITE: 403" "$RESP" 403
forge "$X" ACK 1 "$acid" "$atag" "$rtag"
h_is "X's ACK in A's dialog: no answer" "$RESP" ""
forge "$C" REFER 23 "$bcid" "$btag" "$rbtag" "Refer-To: <sip:5551000@$B>"
h_is "C (a gateway in no dialog of the call) sends REFER in B's dialog: 403" \
	"$RESP" 403
forge "$X" BYE 24 "$bcid" "$btag" "$rbtag"
h_is "X's BYE in B's dialog: 403" "$RESP" 403
forge "$C" BYE 25 "$acid" "$atag" "$rtag"
h_is "C's BYE in A's dialog: 403" "$RESP" 403
forge "$X" BYE 26 "$acid" "$atag" "$rtag"
h_is "X's BYE in A's dialog: 403" "$RESP" 403
h_is "referdSgpDialogRequestsRefused counts the nine" "$(sget "$STATS.11.1")" 9
h_grep "referd logs who was refused" "$H_TMP/referd.log" \
	"BYE from $X:[0-9]+ refused: not the peer of dialog $acid"
# The peer itself (A's gateway, another port) is heard: INFO gets 405.
forge "$A" INFO 27 "$acid" "$atag" "$rtag"
h_is "A's own INFO (from another port of its gateway) is taken: 405" "$RESP" 405
h_is "... and not counted" "$(sget "$STATS.11.1")" 9
h_is "the call is still up" "$(sget "$RO.1.3.0")" 1

h_wait_exit "$apid" 30
h_is "A stayed in the call and its own BYE got 200" "$H_RC" 0
h_wait_exit "$bpid" 30
h_is "B got the ACK and then A's BYE, nothing else (no BYE, INVITE or REFER's call before)" \
	"$H_RC" 0
h_is "B received one INVITE and one BYE" \
	"$(grep -c '^INVITE ' "$H_TMP/b.msg") $(grep -c '^BYE ' "$H_TMP/b.msg")" "1 1"
h_ok "no call is left" h_wait_for 10 calls_idle
h_done
