#!/bin/sh
# cdr-flows.sh: call detail records of more call flows (referd-cdr(5)),
# each field compared with what the SIPp peers saw on the wire:
#   1. P-Asserted-Identity in the INVITE, A's BYE with a Reason header:
#      pai_user/pai_host, end_reason as received (quoted in CSV);
#   2. B busy: caller_status 486, ended by the called party, failure 486,
#      no answer, billable 0;
#   3. A cancels while B rings: 487, cancel, ringing at A's 180;
#   4. the caller transfers (A REFERs to C), then B hangs up: the
#      transfer is the caller's, C answered, ended by the called party.
# Peers: A $H_NET.2, B $H_NET.3, C $H_NET.4.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/cdr.sh"
h_init 18 cdr-flows
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
CDR=$H_TMP/cdr
TOL=0.3
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
cdrDirectory $CDR
cdrSyncInterval 0
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 0
gateway 3 c-side $C port 0
route 1 555 2
EOF2
h_referd_start "$conf"

rec() {
	cdr_field "$CDR" caller_call_id "$1" "$2"
}

# 1. P-Asserted-Identity, and a BYE with a Reason.
h_sipp t1-b "$B" 5060 -sn uas -m 1
bpid=$H_PID
h_sipp t1-a "$A" 5060 -sf "$SC/uac-pai-bye.xml" -s 5551000 \
	-set pai "sip:+15551234@carrier.example" -d 500 -m 1 \
	-trace_msg -message_file "$H_TMP/t1-a.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 20
h_is "t1: the call succeeds" "$H_RC" 0
h_wait_exit "$bpid" 10
cid=$(msg_hdr "$H_TMP/t1-a.msg" '^INVITE ' Call-ID)
h_ok "t1: its record is written" h_wait_for 5 cdr_has "$CDR" "$cid"
h_is "t1: pai_user and pai_host from A's P-Asserted-Identity" \
	"$(rec "$cid" pai_user)@$(rec "$cid" pai_host)" "+15551234@carrier.example"
h_is "t1: end_reason is the BYE's Reason, as on the wire" \
	"$(rec "$cid" end_reason)" "$(msg_hdr "$H_TMP/t1-a.msg" '^BYE ' Reason)"
h_grep "t1: ... quoted in the CSV line (it holds a comma and quotes)" \
	"$CDR/$(ls "$CDR" | tail -n 1)" ',"Q\.850;cause=16;text=""Normal call clearing, by A""",'
h_is "t1: ended by the caller's BYE" \
	"$(rec "$cid" ended_by) $(rec "$cid" end_cause)" "caller bye"

# 2. B busy.
h_sipp t2-b "$B" 5060 -sf "$SC/uas-busy.xml" -m 1
bpid=$H_PID
h_sipp t2-a "$A" 5060 -sf "$SC/uac-reject.xml" -s 5551000 -set expect_code 486 \
	-m 1 -trace_msg -message_file "$H_TMP/t2-a.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 20
h_is "t2: A gets 486" "$H_RC" 0
h_wait_exit "$bpid" 10
cid=$(msg_hdr "$H_TMP/t2-a.msg" '^INVITE ' Call-ID)
h_ok "t2: its record is written" h_wait_for 5 cdr_has "$CDR" "$cid"
h_is "t2: caller_status 486, ended by the called party, failure 486" \
	"$(rec "$cid" caller_status) $(rec "$cid" ended_by) $(rec "$cid" end_cause) $(rec "$cid" end_code)" \
	"486 called failure 486"
h_is "t2: never answered: no answer_time, billable 0" \
	"[$(rec "$cid" answer_time)] $(rec "$cid" billable_duration)" "[] 0.000"
h_near "t2: end_time is B's 486 reaching A" "$(iso_s "$(rec "$cid" end_time)")" \
	"$(msg_time "$H_TMP/t2-a.msg" '^SIP/2.0 486')" $TOL

# 3. A cancels while B rings.
h_sipp t3-b "$B" 5060 -sf "$SC/uas-ring-until-cancel.xml" -m 1
bpid=$H_PID
h_sipp t3-a "$A" 5060 -sf "$SC/uac-cancel.xml" -s 5551000 -m 1 \
	-trace_msg -message_file "$H_TMP/t3-a.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 20
h_is "t3: A's CANCEL: 200, then 487" "$H_RC" 0
h_wait_exit "$bpid" 10
cid=$(msg_hdr "$H_TMP/t3-a.msg" '^INVITE ' Call-ID)
h_ok "t3: its record is written" h_wait_for 5 cdr_has "$CDR" "$cid"
h_is "t3: caller_status 487, ended by the caller, cancel, 487" \
	"$(rec "$cid" caller_status) $(rec "$cid" ended_by) $(rec "$cid" end_cause) $(rec "$cid" end_code)" \
	"487 caller cancel 487"
h_near "t3: ringing_time is the 180 A got" \
	"$(iso_s "$(rec "$cid" ringing_time)")" \
	"$(msg_time "$H_TMP/t3-a.msg" '^SIP/2.0 180')" $TOL
h_near "t3: end_time is A's CANCEL" "$(iso_s "$(rec "$cid" end_time)")" \
	"$(msg_time "$H_TMP/t3-a.msg" '^CANCEL ')" $TOL

# 4. The caller transfers to C; B, now talking to C, hangs up.
h_sipp t4-c "$C" 5060 -sn uas -m 1 -trace_msg -message_file "$H_TMP/t4-c.msg"
cpid=$H_PID
h_sipp t4-b "$B" 5060 -sf "$SC/uas-answer-bye.xml" -d 3000 -m 1 \
	-trace_msg -message_file "$H_TMP/t4-b.msg"
bpid=$H_PID
h_sipp t4-a "$A" 5060 -sf "$SC/uac-refer.xml" -s 5551000 \
	-set target "sip:carol@$C:5060" -m 1 \
	-trace_msg -message_file "$H_TMP/t4-a.msg" "$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$apid" 20
h_is "t4: A transferred and hung up" "$H_RC" 0
h_wait_exit "$bpid" 20
h_is "t4: B hung up, talking to C" "$H_RC" 0
h_wait_exit "$cpid" 20
cid=$(msg_hdr "$H_TMP/t4-a.msg" '^INVITE ' Call-ID)
h_ok "t4: its record is written" h_wait_for 5 cdr_has "$CDR" "$cid"
h_is "t4: a blind transfer by the caller to C, 200, C's leg, C the party" \
	"$(rec "$cid" transfers) $(rec "$cid" transfer_by) $(rec "$cid" transfer_kind) $(rec "$cid" transfer_target) $(rec "$cid" transfer_code) $(rec "$cid" transfer_party)" \
	"1 caller blind sip:carol@$C:5060 200 carol@$C"
h_is "t4: transfer_call_id is C's" "$(rec "$cid" transfer_call_id)" \
	"$(msg_hdr "$H_TMP/t4-c.msg" '^INVITE ' Call-ID)"
h_near "t4: transfer_time is A's REFER" "$(iso_s "$(rec "$cid" transfer_time)")" \
	"$(msg_time "$H_TMP/t4-a.msg" '^REFER ')" $TOL
h_is "t4: ended by the called party's BYE" \
	"$(rec "$cid" ended_by) $(rec "$cid" end_cause)" "called bye"
h_near "t4: end_time is B's BYE" "$(iso_s "$(rec "$cid" end_time)")" \
	"$(msg_time "$H_TMP/t4-b.msg" '^BYE ')" $TOL
h_is "one record per call: 4" "$(cdr_count "$CDR")" 4
h_done
