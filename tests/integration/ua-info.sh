#!/bin/sh
# ua-info.sh: DTMF sent as SIP INFO reaches a real user agent through
# referd (issue 16 item 3): A (SIPp, tests/scenarios/uac-info-xfer.xml)
# calls baresip (B) through referd and sends two digits as INFO
# application/dtmf-relay; baresip takes each (its CALL_DTMF_START event
# names the digit) and its 200 comes back to A.  On the wire: each INFO
# goes from referd to B in B's dialog.
#
# Peers: referd $H_NET.1, A SIPp $H_NET.2 (user 100), B baresip $H_NET.3
# (user 200; PCMU).  See the real user agents section of
# tests/lib/harness.sh.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 119 ua-info
h_ua_need
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
h_ua_referd "100:$A" "200:$B"
h_baresip b "$B" 200 "PCMU/8000/1"

peer a "$A" -sf "$SC/uac-info-xfer.xml" -s 200 -m 1 "$H_ADDR:5060"
APID=$H_PID
h_ok "B answers A's call (baresip CALL_ESTABLISHED)" bs_wait b CALL_ESTABLISHED
h_ok "B takes both digits (baresip CALL_DTMF_START twice)" \
    bs_wait b CALL_DTMF_START 2 10
sipp_ok "A: both INFOs answered 200 (by baresip, through referd)" a "$APID"
h_is "the digits baresip reports: 1 then 2" \
    "$(grep -o '"type":"CALL_DTMF_START"[^}]*' "$H_TMP/b/events" |
    sed -n 's/.*"param":"\([^"]*\)".*/\1/p' | paste -sd ' ' -)" "1 2"
cidb=$(wire_callid "$H_ADDR" "$B")
h_ok "referd's INFOs went to B in B's dialog" test -n "$cidb"
h_ok "B gets the BYE (baresip CALL_CLOSED)" bs_wait b CALL_CLOSED
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
