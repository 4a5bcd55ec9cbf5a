#!/bin/sh
# sip-session-timer.sh: RFC 4028 session timers per profile, each leg on
# its own (referdSgpSessionExpires, referdSgpMinSE, referdSgpSessionExpired).
#
# Two calls run side by side, so that the one long wait (the expiry of a
# 90 s session) is shared:
#   1. A (timer supported and required, Session-Expires 90;refresher=uac)
#      calls B, who has no session timers.  A's 200 says 90;refresher=uac
#      with Require: timer; B's INVITE carries B's profile's own interval
#      (100) and Min-SE (90).  A refreshes once at 20 s (relayed to B);
#      referd refreshes B itself 50 s later (half of 100) with the SDP it
#      last sent B, unchanged.  A then stops refreshing: 60 s after its
#      refresh (90 minus a third), not 60 s after the call began, both A
#      and B get referd's BYE (with Reason: SIP;cause=408); profile 1
#      counts one expired session.
#   2. A2 (no session timers) calls B2, who supports them, takes the
#      refresh on itself (refresher=uas) and never refreshes.  A2's 200
#      says 90;refresher=uas (A2's profile) without Require; referd
#      refreshes A2 at 45 s with its last SDP; B2's session expires at
#      100 - 32 = 68 s: BYE to both (Reason: SIP;cause=408), counted on
#      B2's profile 2.
# Then: an INVITE (and an UPDATE) with Session-Expires 60 gets 422 with
# Min-SE 90, and the MIB refuses a Session-Expires below 90 (rule
# session-timer-range);
# B3, whose Min-SE is 150, answers referd's INVITE (Session-Expires 100)
# with 422: referd sends it again with Session-Expires and Min-SE 150,
# and the call goes on (RFC 4028 7.3).
#
# Peers: A $H_NET.2 and A2 $H_NET.4 (callers), B $H_NET.3 and B2
# $H_NET.5 (callees); scenarios uac-timer-refresh.xml,
# uas-timer-refreshed.xml, uac-timer-none.xml, uas-timer-peer.xml,
# uac-timer-422.xml.  Times are SIPp's own clocks ([clock_tick], ms).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 122 sip-session-timer
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
A2=$H_NET.4
B2=$H_NET.5
B3=$H_NET.6
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
dialogKeepalive 0
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 a-side
profile 2 b-side sessionExpires 100 minSE 90
profile 3 a-notimer sessionExpires 90
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 caller-a $A port 0 profile 1
gateway 2 callee-b $B port 5060 profile 2
gateway 3 caller-a2 $A2 port 0 profile 3
gateway 4 callee-b2 $B2 port 5060 profile 2
gateway 5 callee-b3 $B3 port 5060 profile 2
route 1 555 2
route 2 556 4
route 3 557 5
EOF2
h_referd_subagent "$conf"

peer b "$B" -sf "$SC/uas-timer-refreshed.xml" -set se 100 -set min_se 90 \
	-m 1 -timeout 120s
bpid=$H_PID
peer b2 "$B2" -sf "$SC/uas-timer-peer.xml" -set se 100 -m 1 -timeout 120s
b2pid=$H_PID
h_wait_for 5 listening "$B" 5060 && h_wait_for 5 listening "$B2" 5060 ||
	h_bail "SIPp B or B2 did not start"
peer a "$A" -sf "$SC/uac-timer-refresh.xml" -s 5551000 -m 1 -timeout 120s \
	"$H_ADDR:5060"
apid=$H_PID
peer a2 "$A2" -sf "$SC/uac-timer-none.xml" -s 5561000 -m 1 -timeout 120s \
	"$H_ADDR:5060"
a2pid=$H_PID

# --- what the first messages say (known within a second) ---------------
h_ok "1: A's 200 came (Require: timer accepted, no 420)" \
	h_wait_for 5 grep -q "A answered" "$H_TMP/a.log"
h_is "1: A's 200: Session-Expires 90;refresher=uac (with Require: timer)" \
	"$(logword a "A answered" se)" "90;refresher=uac"
h_ok "1: B's INVITE had Session-Expires 100 (B's profile), Min-SE 90, Supported: timer" \
	grep -q "B invite" "$H_TMP/b.log"
h_ok "2: A2's 200 came" h_wait_for 5 grep -q "A answered" "$H_TMP/a2.log"
h_is "2: A2's 200: Session-Expires 90;refresher=uas, no Require" \
	"$(logword a2 "A answered" se)" "90;refresher=uas"

# --- the 422, while the calls run -------------------------------------
peer r "$A" -sf "$SC/uac-timer-422.xml" -s 5551000 -set se 60 -m 1 \
	-p 5062 "$H_ADDR:5060"
sipp_ok "an INVITE with Session-Expires 60 gets 422" r "$H_PID"
h_is "... with Min-SE: 90" "$(logword r "A 422" min-se)" 90
# UPDATE is a session refresh request too (RFC 4028 9): the same check,
# before the request is matched to a dialog (this one has none).
printf 'UPDATE sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5063;branch=z9hG4bK-u422\r\nFrom: <sip:a@%s>;tag=u422\r\nTo: <sip:b@%s>\r\nCall-ID: u422@x\r\nCSeq: 1 UPDATE\r\nMax-Forwards: 70\r\nSession-Expires: 60\r\nContent-Length: 0\r\n\r\n' \
	"$H_ADDR" "$A" "$A" "$H_ADDR" |
	"${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}" "$A" "$H_ADDR" 5060 600 |
	tr -d '\r' >"$H_TMP/u422"
h_is "an UPDATE with Session-Expires 60 gets 422" \
	"$(head -n 1 "$H_TMP/u422")" "SIP/2.0 422 Session Interval Too Small"
h_ok "... with Min-SE: 90" grep -q '^Min-SE: 90$' "$H_TMP/u422"
h_set_err "referdSgpSessionExpires 60 is refused (session-timer-range)" \
	inconsistentValue "$SGP.6.1" "$SGP.6.1" u 60
h_is "... and nothing changed" "$(sget "$SGP.6.1")" 1800
h_set_err "referdSgpMinSE above referdSgpSessionExpires is refused" \
	inconsistentValue "$SGP.7.2" "$SGP.7.2" u 120

# --- B3's 422 -----------------------------------------------------------
peer b3 "$B3" -sf "$SC/uas-timer-422.xml" -set min_se 150 -m 1
b3pid=$H_PID
h_wait_for 5 listening "$B3" 5060 || h_bail "SIPp B3 did not start"
peer a3 "$A" -sn uac -s 5571000 -d 1000 -m 1 -p 5064 "$H_ADDR:5060"
sipp_ok "B3's 422 does not reach A3: the call is answered" a3 "$H_PID"
sipp_ok "B3: the INVITE again with Session-Expires and Min-SE 150, same Call-ID and tag" \
	b3 "$b3pid" 10
h_is "... and a higher CSeq" "$(logword b3 "B retry" cseq)" 2

# --- the long wait: every peer ends by about 82 s ------------------------
sipp_ok "2: A2: referd's refresh with its 200's SDP, then the BYE" a2 "$a2pid" 100
sipp_ok "2: B2: no refresh from referd (B2 refreshes), the BYE" b2 "$b2pid" 30
sipp_ok "1: A: its refresh answered 90;refresher=uac, then the BYE" a "$apid" 40
sipp_ok "1: B: A's refresh relayed, referd's refresh with its last SDP, the BYE" \
	b "$bpid" 10

t0=$(tick a "A refreshed")
h_ok "1: A's refresh keeps the session: its BYE came 59-63 s after the refresh ($(($(tick a "A BYE") - t0)) ms)" \
	within "$(($(tick a "A BYE") - t0))" 59000 63000
t0=$(tick b "B reinvite")
h_ok "1: referd refreshed B 50 s (half of 100) after the last refresh ($(($(tick b "B refresh") - t0)) ms)" \
	within "$(($(tick b "B refresh") - t0))" 49000 52000
h_is "1: referd's refresh to B: Session-Expires 100;refresher=uac" \
	"$(logword b "B refresh" se)" "100;refresher=uac"
h_ok "1: B got its BYE 10 s after referd's refresh ($(($(tick b "B BYE") - $(tick b "B refresh"))) ms)" \
	within "$(($(tick b "B BYE") - $(tick b "B refresh")))" 8000 12000
t0=$(tick a2 "A answered")
h_ok "2: referd refreshed A2 at half of 90 s ($(($(tick a2 "A refresh") - t0)) ms)" \
	within "$(($(tick a2 "A refresh") - t0))" 44000 47000
h_is "2: referd's refresh to A2: Session-Expires 90;refresher=uac" \
	"$(logword a2 "A refresh" se)" "90;refresher=uac"
h_ok "2: B2's session expired at 100 - 32 s: A2's BYE ($(($(tick a2 "A BYE") - t0)) ms)" \
	within "$(($(tick a2 "A BYE") - t0))" 67000 70000
EXPIRED='SIP;cause=408;text="Session timer expired"'
h_is "1: A's BYE says why: Reason $EXPIRED" "$(bye_reason a)" "$EXPIRED"
h_is "1: ... and B's" "$(bye_reason b)" "$EXPIRED"
h_is "2: A2's BYE (B2's session expired) says it too" "$(bye_reason a2)" "$EXPIRED"
h_is "2: ... and B2's" "$(bye_reason b2)" "$EXPIRED"
h_is "referdSgpSessionExpired: 1 on A's profile" "$(sget "$STATS.14.1")" 1
h_is "... 1 on B2's profile" "$(sget "$STATS.14.2")" 1
h_is "... 0 on A2's profile" "$(sget "$STATS.14.3")" 0
h_grep "referd logs the expiry" "$H_TMP/referd.log" \
	'call [0-9]+: no session refresh from the caller within 90 s'
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
