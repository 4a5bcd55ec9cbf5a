#!/bin/sh
# cdr-files.sh: call detail record files (referd-cdr(5)).  Each flow's
# record is compared field by field with what the SIPp peers saw on the
# wire: Call-IDs, From/To/Request-URI users and hosts, the gateways and
# profiles, the times of set-up, first ringing, the answer the caller saw
# (within 0.3 s of the peer's trace), the transfers and the end.
#   1. a basic call, A hangs up;
#   2. a blind transfer while the caller waits in Delayed Answer: the
#      answer time is C's, not B's;
#   3. a failed transfer (C busy): 486, no new party, B hangs up;
#   4. an attended transfer through referd (B holds both calls): both
#      records;
# then the files: CSV with a header line in each, closed files renamed
# (referd-cdr-YYYYMMDDTHHMMSSZ[-N].csv), rotation by size (no file over
# cdrRotateSize) and by time (after cdrRotateInterval no ".part" is left),
# and a record per call.
#
# Peers: A $H_NET.2, B $H_NET.3 (Delayed Answer profile), C $H_NET.4,
# B2 $H_NET.5 (Refer Support, no Delayed Answer).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/cdr.sh"
h_init 14 cdr-files
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
B2=$H_NET.5
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
CDR=$H_TMP/cdr
TOL=0.3
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
cdrDirectory $CDR
cdrRotateSize 3000
cdrRotateInterval 4
cdrSyncInterval 200
profile 1 a-side
profile 2 da
refer 2 support enabled delayedAnswer enabled
profile 3 plain
refer 3 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-da $B port 0 profile 2
gateway 3 c-side $C port 0 profile 1
gateway 4 b-plain $B2 port 0 profile 3
route 1 5551 4
route 2 5553 2
route 3 5552 3
EOF2
h_referd_start "$conf"

# rec CALL-ID FIELD: FIELD of the record whose caller_call_id is CALL-ID.
rec() {
	cdr_field "$CDR" caller_call_id "$1" "$2"
}

# 1. A basic call: B rings (180) and answers; A hangs up after 1.5 s.
h_sipp t1-b "$B2" 5060 -sn uas -m 1 -trace_msg -message_file "$H_TMP/t1-b.msg"
bpid=$H_PID
h_sipp t1-a "$A" 5060 -sn uac -s 5551000 -d 1500 -m 1 \
	-trace_msg -message_file "$H_TMP/t1-a.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 20
h_is "t1: A's call succeeds" "$H_RC" 0
h_wait_exit "$bpid" 10
acid=$(msg_hdr "$H_TMP/t1-a.msg" '^INVITE ' Call-ID)
h_ok "t1: the call's record is written" h_wait_for 5 cdr_has "$CDR" "$acid"
h_is "t1: caller_call_id and called_call_id are the two legs' Call-IDs" \
	"$(rec "$acid" caller_call_id) $(rec "$acid" called_call_id)" \
	"$acid $(msg_hdr "$H_TMP/t1-b.msg" '^INVITE ' Call-ID)"
h_is "t1: From user and host as A sent them" \
	"$(rec "$acid" from_user)@$(rec "$acid" from_host)" "sipp@$A"
h_is "t1: To and Request-URI user and host as A sent them" \
	"$(rec "$acid" to_user)@$(rec "$acid" to_host) $(rec "$acid" ruri_user)@$(rec "$acid" ruri_host)" \
	"5551000@$H_ADDR 5551000@$H_ADDR"
h_is "t1: no P-Asserted-Identity" "$(rec "$acid" pai_user)" ""
h_is "t1: ingress gateway 1 (a-side, profile 1), egress 4 (b-plain, profile 3)" \
	"$(rec "$acid" ingress_gateway) $(rec "$acid" ingress_gateway_name) $(rec "$acid" ingress_profile) $(rec "$acid" egress_gateway) $(rec "$acid" egress_gateway_name) $(rec "$acid" egress_profile)" \
	"1 a-side 1 4 b-plain 3"
h_near "t1: setup_time is A's INVITE" "$(iso_s "$(rec "$acid" setup_time)")" \
	"$(msg_time "$H_TMP/t1-a.msg" '^INVITE ')" $TOL
h_near "t1: ringing_time is the 180 A got" \
	"$(iso_s "$(rec "$acid" ringing_time)")" \
	"$(msg_time "$H_TMP/t1-a.msg" '^SIP/2.0 180')" $TOL
h_near "t1: answer_time is the 200 A got" \
	"$(iso_s "$(rec "$acid" answer_time)")" \
	"$(msg_time "$H_TMP/t1-a.msg" '^SIP/2.0 200')" $TOL
h_near "t1: end_time is A's BYE" "$(iso_s "$(rec "$acid" end_time)")" \
	"$(msg_time "$H_TMP/t1-a.msg" '^BYE ')" $TOL
h_is "t1: caller_status 200, ended by the caller's BYE, no code, no Reason" \
	"$(rec "$acid" caller_status) $(rec "$acid" ended_by) $(rec "$acid" end_cause) [$(rec "$acid" end_code)] [$(rec "$acid" end_reason)]" \
	"200 caller bye [] []"
h_near "t1: billable_duration is the 1.5 s A talked" \
	"$(rec "$acid" billable_duration)" 1.5 $TOL
h_is "t1: no transfer" "$(rec "$acid" transfers) [$(rec "$acid" transfer_target)]" "0 []"

# 2. Blind transfer during Delayed Answer: B answers (A hears 183), B
#    REFERs to C, C answers: A's 200, and the billing, start there.
TARGET="sip:carol@$C:5060"
h_sipp t2-c "$C" 5060 -sn uas -m 1 -trace_msg -message_file "$H_TMP/t2-c.msg"
cpid=$H_PID
h_sipp t2-b "$B" 5060 -sf "$SC/uas-refer.xml" -set target "$TARGET" -m 1 \
	-trace_msg -message_file "$H_TMP/t2-b.msg"
bpid=$H_PID
h_sipp t2-a "$A" 5060 -sf "$SC/uac-delayed.xml" -s 5553000 -m 1 \
	-trace_msg -message_file "$H_TMP/t2-a.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 30
h_is "t2: A hears 183, is answered at C's answer, hangs up" "$H_RC" 0
h_wait_exit "$bpid" 20
h_wait_exit "$cpid" 20
acid=$(msg_hdr "$H_TMP/t2-a.msg" '^INVITE ' Call-ID)
h_ok "t2: the call's record is written" h_wait_for 5 cdr_has "$CDR" "$acid"
ans=$(iso_s "$(rec "$acid" answer_time)")
h_near "t2: answer_time is the 200 A got" "$ans" \
	"$(msg_time "$H_TMP/t2-a.msg" '^SIP/2.0 200')" $TOL
h_near "t2: ... which is C's answer" "$ans" \
	"$(msg_time "$H_TMP/t2-c.msg" '^SIP/2.0 200')" $TOL
h_ok "t2: ... not B's (B answered before the REFER, 0.3 s earlier)" sh -c \
	"awk -v a=$ans -v b=$(msg_time "$H_TMP/t2-b.msg" '^SIP/2.0 200') 'BEGIN { exit !(a - b > 0.25) }'"
h_near "t2: ringing_time is the first 183 A got (Delayed Answer's)" \
	"$(iso_s "$(rec "$acid" ringing_time)")" \
	"$(msg_time "$H_TMP/t2-a.msg" '^SIP/2.0 18[03]')" $TOL
h_is "t2: egress gateway 2 (b-da), profile 2" \
	"$(rec "$acid" egress_gateway) $(rec "$acid" egress_gateway_name) $(rec "$acid" egress_profile)" \
	"2 b-da 2"
h_is "t2: one transfer, by the called party, blind, to the Refer-To, 200" \
	"$(rec "$acid" transfers) $(rec "$acid" transfer_by) $(rec "$acid" transfer_kind) $(rec "$acid" transfer_target) $(rec "$acid" transfer_code)" \
	"1 called blind $TARGET 200"
h_is "t2: transfer_referred_by is the REFER's Referred-By" \
	"$(rec "$acid" transfer_referred_by)" "transferor@$B"
h_near "t2: transfer_time is the REFER B sent" \
	"$(iso_s "$(rec "$acid" transfer_time)")" \
	"$(msg_time "$H_TMP/t2-b.msg" '^REFER ')" $TOL
h_is "t2: transfer_call_id is C's leg" "$(rec "$acid" transfer_call_id)" \
	"$(msg_hdr "$H_TMP/t2-c.msg" '^INVITE ' Call-ID)"
h_is "t2: transfer_party is C (the To of C's dialog)" \
	"$(rec "$acid" transfer_party)" "carol@$C"
h_near "t2: transfer_answer_time is C's 200" \
	"$(iso_s "$(rec "$acid" transfer_answer_time)")" \
	"$(msg_time "$H_TMP/t2-c.msg" '^SIP/2.0 200')" $TOL
h_is "t2: ended by the caller's BYE" \
	"$(rec "$acid" ended_by) $(rec "$acid" end_cause)" "caller bye"
h_near "t2: billable_duration runs from C's answer to A's BYE" \
	"$(rec "$acid" billable_duration)" \
	"$(awk -v e="$(msg_time "$H_TMP/t2-a.msg" '^BYE ')" -v a="$ans" 'BEGIN { printf "%.3f", e - a }')" $TOL
h_ok "t2: duration is longer than billable_duration (the wait for C)" sh -c \
	"awk -v d=$(rec "$acid" duration) -v b=$(rec "$acid" billable_duration) 'BEGIN { exit !(d > b + 0.25) }'"

# 3. A failed transfer: C is busy; B gets NOTIFY 486 and hangs up.
h_sipp t3-c "$C" 5060 -sf "$SC/uas-busy.xml" -m 1 \
	-trace_msg -message_file "$H_TMP/t3-c.msg"
cpid=$H_PID
h_sipp t3-b "$B2" 5060 -sf "$SC/uas-refer.xml" -set target "$TARGET" -m 1 \
	-trace_msg -message_file "$H_TMP/t3-b.msg"
bpid=$H_PID
h_sipp t3-a "$A" 5060 -sf "$SC/uac-call-wait-bye.xml" -s 5551000 -m 1 \
	-trace_msg -message_file "$H_TMP/t3-a.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 30
h_is "t3: A is answered by B and gets the BYE" "$H_RC" 0
h_wait_exit "$bpid" 20
h_wait_exit "$cpid" 20
acid=$(msg_hdr "$H_TMP/t3-a.msg" '^INVITE ' Call-ID)
h_ok "t3: the call's record is written" h_wait_for 5 cdr_has "$CDR" "$acid"
h_is "t3: one transfer, blind, its outcome C's 486, no party, no answer" \
	"$(rec "$acid" transfers) $(rec "$acid" transfer_kind) $(rec "$acid" transfer_code) [$(rec "$acid" transfer_party)] [$(rec "$acid" transfer_answer_time)]" \
	"1 blind 486 [] []"
h_is "t3: transfer_call_id is the leg C refused" \
	"$(rec "$acid" transfer_call_id)" \
	"$(msg_hdr "$H_TMP/t3-c.msg" '^INVITE ' Call-ID)"
h_near "t3: answer_time is B's answer (no Delayed Answer here)" \
	"$(iso_s "$(rec "$acid" answer_time)")" \
	"$(msg_time "$H_TMP/t3-a.msg" '^SIP/2.0 200')" $TOL
h_is "t3: ended by the called party's BYE" \
	"$(rec "$acid" ended_by) $(rec "$acid" end_cause)" "called bye"
h_near "t3: end_time is the BYE A got" "$(iso_s "$(rec "$acid" end_time)")" \
	"$(msg_time "$H_TMP/t3-a.msg" '^BYE ')" $TOL

# 4. Attended transfer through referd: B2 (port 5061) calls C (call 2),
#    A calls B2 (call 1), B2 REFERs call 1 with Replaces naming call 2.
h_sipp t4-c "$C" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" \
	-m 1 -trace_msg -message_file "$H_TMP/t4-c.msg"
cpid=$H_PID
h_sipp t4-b2 "$B2" 5061 -sf "$SC/uac-call-wait-bye.xml" -s 5552000 -m 1 \
	-trace_msg -message_file "$H_TMP/t4-b2.msg" "$H_ADDR:5060"
b2pid=$H_PID
h_ok "t4: call 2 (B2 to C) is up" h_wait_for 10 grep -q '^ACK ' "$H_TMP/t4-b2.msg"
cid=$(msg_hdr "$H_TMP/t4-b2.msg" '^INVITE ' Call-ID)
ftag=$(msg_hdr "$H_TMP/t4-b2.msg" '^INVITE ' From | sed 's/.*;tag=\([^;]*\).*/\1/')
ttag=$(msg_hdr "$H_TMP/t4-b2.msg" '^SIP/2.0 200' To | sed 's/.*;tag=\([^;]*\).*/\1/')
rep=$(printf '%s;to-tag=%s;from-tag=%s' "$cid" "$ttag" "$ftag" |
	sed 's/%/%25/g; s/@/%40/g; s/;/%3B/g; s/=/%3D/g')
h_sipp t4-b1 "$B2" 5060 -sf "$SC/uas-refer-released.xml" \
	-set target "sip:carol@$H_ADDR:5060?Replaces=$rep" -m 1 \
	-trace_msg -message_file "$H_TMP/t4-b1.msg"
b1pid=$H_PID
h_sipp t4-a "$A" 5060 -sn uac -s 5551000 -d 3000 -m 1 \
	-trace_msg -message_file "$H_TMP/t4-a.msg" "$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$b1pid" 20
h_is "t4: B2 transferred call 1 (202, NOTIFYs, referd's BYE)" "$H_RC" 0
h_wait_exit "$apid" 20
h_is "t4: A's call goes on and ends with its BYE" "$H_RC" 0
h_wait_exit "$b2pid" 10
h_wait_exit "$cpid" 10
acid=$(msg_hdr "$H_TMP/t4-a.msg" '^INVITE ' Call-ID)
h_ok "t4: call 1's record is written" h_wait_for 5 cdr_has "$CDR" "$acid"
h_is "t4: call 1: one attended transfer by the called party, 200" \
	"$(rec "$acid" transfers) $(rec "$acid" transfer_by) $(rec "$acid" transfer_kind) $(rec "$acid" transfer_code)" \
	"1 called attended 200"
h_is "t4: transfer_target is the Refer-To without its Replaces" \
	"$(rec "$acid" transfer_target)" "sip:carol@$H_ADDR:5060"
h_near "t4: transfer_time is B2's REFER" \
	"$(iso_s "$(rec "$acid" transfer_time)")" \
	"$(msg_time "$H_TMP/t4-b1.msg" '^REFER ')" $TOL
h_is "t4: transfer_call_id is C's dialog (call 2's leg to C)" \
	"$(rec "$acid" transfer_call_id)" \
	"$(msg_hdr "$H_TMP/t4-c.msg" '^INVITE ' Call-ID)"
cto=$(msg_hdr "$H_TMP/t4-c.msg" '^INVITE ' To |
	sed 's/.*sip:\([^@]*\)@\([^:;>]*\).*/\1@\2/')
h_is "t4: transfer_party is C, as the To of C's dialog ($cto)" \
	"$(rec "$acid" transfer_party)" "$cto"
h_near "t4: transfer_answer_time is when C answered call 2" \
	"$(iso_s "$(rec "$acid" transfer_answer_time)")" \
	"$(msg_time "$H_TMP/t4-c.msg" '^SIP/2.0 200')" $TOL
h_is "t4: call 1 ended by the caller's BYE" \
	"$(rec "$acid" ended_by) $(rec "$acid" end_cause)" "caller bye"
h_ok "t4: call 2's record is written" h_wait_for 5 cdr_has "$CDR" "$cid"
h_is "t4: call 2: from B2, to C, ended with the call it was joined to" \
	"$(rec "$cid" ingress_gateway) $(rec "$cid" egress_gateway) $(rec "$cid" ended_by) $(rec "$cid" end_cause)" \
	"4 3 joined bye"
h_near "t4: call 2 ended at A's BYE" "$(iso_s "$(rec "$cid" end_time)")" \
	"$(msg_time "$H_TMP/t4-a.msg" '^BYE ')" $TOL

# 5. The files.
h_is "one record per call: 5" "$(cdr_count "$CDR")" 5
h_not "every record has every field" sh -c \
	". '${REFERD_SRCDIR:-.}/tests/lib/cdr.sh'; cdr_rows '$CDR' | grep -q BAD-FIELD-COUNT"
h_ok "after cdrRotateInterval (4 s) no file is left open" \
	h_wait_for 8 sh -c "! ls '$CDR' | grep -q '\\.part\$'"
ls "$CDR" >"$H_TMP/files"
h_not "closed files are named referd-cdr-YYYYMMDDTHHMMSSZ[-N].csv" \
	grep -Ev '^referd-cdr-[0-9]{8}T[0-9]{6}Z(-[0-9]+)?\.csv$' "$H_TMP/files"
h_ok "rotation by size: more than one file ($(wc -l <"$H_TMP/files"))" \
	test "$(wc -l <"$H_TMP/files")" -ge 2
big=
for f in "$CDR"/*.csv; do
	[ "$(wc -c <"$f")" -le 3000 ] || big="$big $f"
done
h_is "no file is larger than cdrRotateSize" "$big" ""
h_is "files are mode 0640 (subscribers' numbers)" \
	"$(stat -c %a "$CDR"/*.csv | sort -u)" 640
h_is "each file starts with the header line" \
	"$(for f in "$CDR"/*.csv; do head -n 1 "$f"; done | sort -u | cut -c1-40)" \
	"session_id,call_index,caller_call_id,cal"
h_ok "each file ends with a whole line" sh -c \
	"for f in '$CDR'/*.csv; do [ \"\$(tail -c 1 \"\$f\" | od -An -c | tr -d ' ')\" = '\\n' ] || exit 1; done"
h_done
