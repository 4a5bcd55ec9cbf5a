#!/bin/sh
# cdr-kill.sh: referd killed with -9 in the middle of a load of calls
# (referd-cdr(5)): the CDR files hold every call that ended more than
# cdrSyncInterval (1 s) before the kill, each once, and no partial line;
# the file left open (".part") is closed (renamed, whole lines only) when
# referd starts again.  What "ended" means is read on the wire: the time
# A got referd's 200 to its BYE, in A's SIPp trace.
#
# Peers: A $H_NET.2 (30 calls/s of 300 ms), B $H_NET.3.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/cdr.sh"
h_init 15 cdr-kill
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
CDR=$H_TMP/cdr
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
cdrDirectory $CDR
cdrSyncInterval 1000
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2
h_referd_start "$conf"
pid1=$H_REFERD_PID

h_sipp b "$B" 5060 -sn uas -m 100000
bpid=$H_PID
h_sipp a "$A" 5060 -sn uac -s 5551000 -d 300 -r 30 -m 100000 \
	-trace_msg -message_file "$H_TMP/a.msg" "$H_ADDR:5060"
apid=$H_PID
h_ok "calls are flowing (BYEs answered)" h_wait_for 10 sh -c \
	"[ \$(grep -c '^CSeq: [0-9]* BYE' '$H_TMP/a.msg') -ge 100 ]"
sleep 2
kill -KILL "$pid1"
killed=$(date +%s.%N)
h_wait_exit "$pid1" 5
h_is "referd died of SIGKILL" "$H_RC" 137
h_stop "$apid"
h_stop "$bpid"

# The calls whose BYE referd answered 200 more than 1 s before the kill.
awk -v before="$(awk -v k="$killed" 'BEGIN { printf "%.6f", k - 1.0 }')" '
/^-------------------------------------/ {
	if (rcv && st ~ /^SIP\/2.0 200/ && cseq ~ /BYE/) print cid, ts
	ts = $2 " " $3; rcv = 0; first = 0; st = ""; cid = ""; cseq = ""; next }
/message received/ { rcv = 1; first = 1; next }
/message sent/ { first = 1; next }
first && /^$/ { next }
first { st = $0; first = 0; next }
/^Call-ID:/ { cid = $2 }
/^CSeq:/ { cseq = $0 }
END { if (rcv && st ~ /^SIP\/2.0 200/ && cseq ~ /BYE/) print cid, ts }' \
	"$H_TMP/a.msg" | while read -r cid d t; do
	s=$(date -u -d "$d $t" +%s.%N)
	awk -v s="$s" -v b="$(awk -v k="$killed" 'BEGIN { printf "%.6f", k - 1.0 }')" \
	    'BEGIN { exit !(s < b) }' && echo "$cid"
done | tr -d '\r' | sort -u >"$H_TMP/ended"
cdr_rows "$CDR" | sed -n 's/^caller_call_id=//p' | sort >"$H_TMP/recorded"
n=$(wc -l <"$H_TMP/ended" | tr -d ' ')
h_ok "$n calls ended more than 1 s before the kill" test "$n" -ge 30
h_is "every one of them is in the files" \
	"$(comm -23 "$H_TMP/ended" "$H_TMP/recorded" | head -n 5)" ""
h_is "no call is recorded twice" "$(uniq -d "$H_TMP/recorded" | head -n 5)" ""
h_is "one file was being written: it is still named .part" \
	"$(ls "$CDR" | grep -c '\.csv\.part$')" 1
part=$(ls "$CDR"/*.csv.part)
h_is "it ends with a whole line" "$(tail -c 1 "$part" | od -An -c | tr -d ' ')" '\n'
h_not "every line is a whole record (every field there)" sh -c \
	". '${REFERD_SRCDIR:-.}/tests/lib/cdr.sh'; cdr_rows '$CDR' | grep -q BAD-FIELD-COUNT"

# referd again: the file left open is closed, its records kept.
h_referd_start "$conf"
h_ok "at start, the file left open is closed (renamed without .part)" \
	h_wait_for 5 sh -c "! ls '$CDR' | grep -q '\\.part\$'"
h_ok "... to referd-cdr-YYYYMMDDTHHMMSSZ.csv" sh -c \
	"ls '$CDR' | grep -Eq '^referd-cdr-[0-9]{8}T[0-9]{6}Z\\.csv\$'"
cdr_rows "$CDR" | sed -n 's/^caller_call_id=//p' | sort >"$H_TMP/recorded2"
h_is "... with every record it held" "$(comm -3 "$H_TMP/recorded" "$H_TMP/recorded2" | head -n 3)" ""
h_done
