#!/bin/sh
# sip-session-update.sh: RFC 4028 session refreshes by UPDATE, and the
# Reason of the BYEs referd sends when a refresh fails.
#
# Two calls run side by side, so that the one wait (about 70 s) is shared:
#   1. A1 (timers, refresher=uac, Session-Expires 90, Allow lists UPDATE)
#      calls B1, who has no session timers and whose Allow lists UPDATE:
#      referd refreshes B1 at 45 s with an UPDATE carrying
#      Session-Expires and no body; B1 answers 200 and the call goes on.
#      A1 refreshes by UPDATE at 50 s (relayed to B1) and hangs up at
#      68 s: the UPDATE counted as its refresh, else referd would have
#      ended the session at 60 s (90 minus a third) with a BYE to A1.
#   2. A2 (no timers, Allow without UPDATE; profile Session-Expires 120)
#      calls B2 (no timers, Allow without UPDATE): referd refreshes B2 at
#      45 s with a re-INVITE (SDP and Session-Expires), which B2 answers;
#      it refreshes A2 at 60 s with a re-INVITE, which A2 answers 481:
#      referd sends A2 a BYE (RFC 4028 10) and B2 one, both with
#      Reason: SIP;cause=481;text="Session refresh failed".
#
# Peers: A1 $H_NET.2, B1 $H_NET.3, A2 $H_NET.4, B2 $H_NET.5; scenarios
# uac-timer-update.xml, uas-timer-update.xml, uac-timer-refuse.xml,
# uas-timer-reinvite.xml.  Times are SIPp's own clocks ([clock_tick], ms).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 53 sip-session-update
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A1=$H_NET.2
B1=$H_NET.3
A2=$H_NET.4
B2=$H_NET.5
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
dialogKeepalive 0
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 a-side sessionExpires 90
profile 2 b-side sessionExpires 90
profile 3 a-refuse sessionExpires 120
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 caller-a1 $A1 port 0 profile 1
gateway 2 callee-b1 $B1 port 5060 profile 2
gateway 3 caller-a2 $A2 port 0 profile 3
gateway 4 callee-b2 $B2 port 5060 profile 2
route 1 555 2
route 2 556 4
EOF2
h_referd_subagent "$conf"

peer b1 "$B1" -sf "$SC/uas-timer-update.xml" -m 1 -timeout 100s
b1pid=$H_PID
peer b2 "$B2" -sf "$SC/uas-timer-reinvite.xml" -m 1 -timeout 100s
b2pid=$H_PID
h_wait_for 5 listening "$B1" 5060 && h_wait_for 5 listening "$B2" 5060 ||
	h_bail "SIPp B1 or B2 did not start"
peer a1 "$A1" -sf "$SC/uac-timer-update.xml" -s 5551000 -set wait 50000 \
	-set hold 18000 -m 1 -timeout 100s "$H_ADDR:5060"
a1pid=$H_PID
peer a2 "$A2" -sf "$SC/uac-timer-refuse.xml" -s 5561000 -m 1 -timeout 100s \
	"$H_ADDR:5060"
a2pid=$H_PID

h_ok "1: A1's 200 came" h_wait_for 5 grep -q "A answered" "$H_TMP/a1.log"
h_is "1: ... with Session-Expires 90;refresher=uac" \
	"$(logword a1 "A answered" se)" "90;refresher=uac"
h_ok "2: A2's 200 came" h_wait_for 5 grep -q "A answered" "$H_TMP/a2.log"

# --- the wait: every peer ends by about 70 s ---------------------------
sipp_ok "1: A1: its UPDATE answered, its BYE answered (no BYE from referd)" \
	a1 "$a1pid" 90
sipp_ok "1: B1: two UPDATEs with Session-Expires (no re-INVITE), the BYE" \
	b1 "$b1pid" 10
sipp_ok "2: A2: referd's refresh re-INVITE (answered 481), then its BYE" \
	a2 "$a2pid" 10
sipp_ok "2: B2: referd's refresh re-INVITE with SDP, then the BYE" \
	b2 "$b2pid" 10

t0=$(tick b1 "B answered")
h_ok "1: referd refreshed B1 by UPDATE at half of 90 s ($(($(tick b1 "B update") - t0)) ms)" \
	within "$(($(tick b1 "B update") - t0))" 44000 47000
h_is "1: referd's UPDATE: Session-Expires 90;refresher=uac" \
	"$(logword b1 "B update" se)" "90;refresher=uac"
h_is "1: ... and no body (Content-Length 0)" "$(logword b1 "B update" len)" 0
h_is "1: A1's UPDATE relayed to B1 without a body" \
	"$(logword b1 "B update" len 2)" 0
h_is "1: A1's UPDATE got 200 with Session-Expires 90;refresher=uac" \
	"$(logword a1 "A updated" se)" "90;refresher=uac"
t0=$(tick a1 "A answered")
h_ok "1: A1 hung up itself at 68 s, past the 60 s an uncounted UPDATE would have left it ($(($(tick a1 "A hangs up") - t0)) ms)" \
	within "$(($(tick a1 "A hangs up") - t0))" 67000 70000
h_is "1: B1's BYE (A1's) carries no Reason of referd's" "$(bye_reason b1)" ""
t0=$(tick b2 "B answered")
h_ok "2: referd refreshed B2 (no UPDATE in its Allow) by re-INVITE at 45 s ($(($(tick b2 "B refresh") - t0)) ms)" \
	within "$(($(tick b2 "B refresh") - t0))" 44000 47000
h_is "2: ... with Session-Expires 90;refresher=uac" \
	"$(logword b2 "B refresh" se)" "90;refresher=uac"
t0=$(tick a2 "A answered")
h_ok "2: referd refreshed A2 by re-INVITE at half of 120 s ($(($(tick a2 "A refresh") - t0)) ms)" \
	within "$(($(tick a2 "A refresh") - t0))" 59000 62000
h_is "2: A2's BYE after its 481: Reason SIP;cause=481" \
	"$(bye_reason a2)" 'SIP;cause=481;text="Session refresh failed"'
h_is "2: B2's BYE: the same Reason" \
	"$(bye_reason b2)" 'SIP;cause=481;text="Session refresh failed"'
h_is "referdSgpSessionExpired: 0 on every profile (nothing expired)" \
	"$(sget "$STATS.14.1") $(sget "$STATS.14.2") $(sget "$STATS.14.3")" "0 0 0"
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
