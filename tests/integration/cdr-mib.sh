#!/bin/sh
# cdr-mib.sh: referdAccounting (REFERD-MIB, referdObjects 10): the call
# detail record settings read and written over SNMP, their checks, their
# persistence, and the records counted.
#   - the configuration file's values and the MIB's defaults read back;
#   - a SET of referdCdrFormat json(2) and a new referdCdrDirectory in one
#     PDU takes effect for the next call (a .jsonl file there, its record
#     that call's);
#   - wrong values are refused (wrongValue, wrongLength, notWritable) and
#     change nothing;
#   - referdCdrRecordsWritten counts the records;
#   - the SET values survive a restart (kept in stable storage).
# Peers: A $H_NET.2, B $H_NET.3.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/cdr.sh"
h_init 16 cdr-mib
h_need jq
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
AC=$RO.10
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
cdrDirectory $H_TMP/cdr1
cdrSyncInterval 200
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2
h_referd_subagent "$conf"

# call NAME: one basic call A to B; its Call-ID in CID.
call() {
	cdr_call "$1" "$A" "$B" 5551000 200
}

h_is "the file's directory, the defaults of the rest, the file's sync" \
	"$(sget "$AC.1.0") $(sget "$AC.2.0") $(sget "$AC.3.0") $(sget "$AC.4.0") $(sget "$AC.5.0")" \
	"$H_TMP/cdr1 1 67108864 3600 200"
h_is "the counters start at 0" "$(sget "$AC.6.0") $(sget "$AC.7.0")" "0 0"
h_is "a walk of referdAccounting gives its 22 objects in order" \
	"$(h_walk "$AC" | sed 's/ = .*//' | tr '\n' ' ')" \
	"$(n=1; while [ $n -le 22 ]; do printf '%s ' "$AC.$n.0"; n=$((n + 1)); done)"
h_is "no RADIUS server: referdRadiusServerStatus notConfigured(3)" \
	"$(sget "$AC.21.0")" 3

call c1
h_ok "c1: its record is in cdr1 (CSV)" h_wait_for 5 cdr_has "$H_TMP/cdr1" "$CID"
h_ok "referdCdrRecordsWritten counts it" h_wait_for 3 sh -c \
	"[ \"\$(snmpget -v2c -c public -Oqv -t 3 -r 0 '$H_AGENT' '$AC.6.0')\" = 1 ]"

# Refused values change nothing.
h_set_err "format 3 is wrongValue" wrongValue "$AC.2.0" "$AC.2.0" i 3
h_set_err "a rotation interval over a week is wrongValue" wrongValue \
	"$AC.4.0" "$AC.4.0" u 604801
h_set_err "a sync interval over a minute is wrongValue" wrongValue \
	"$AC.5.0" "$AC.5.0" u 60001
h_set_err "a directory of 256 characters is wrongLength" wrongLength \
	"$AC.1.0" "$AC.1.0" s "/$(printf '%0255d' 0)"
h_set_err "a format given as a string is wrongType" wrongType \
	"$AC.2.0" "$AC.2.0" s json
h_set_err "referdCdrRecordsWritten is notWritable" notWritable \
	"$AC.6.0" "$AC.6.0" u 5
h_set_err "a good format with a bad interval in one PDU: nothing changes" \
	wrongValue "$AC.4.0" "$AC.2.0" i 2 "$AC.4.0" u 604801
h_is "... the format is still csv(1)" "$(sget "$AC.2.0")" 1

h_set_ok "format json(2) and directory cdr2 in one SET" \
	"$AC.2.0" i 2 "$AC.1.0" s "$H_TMP/cdr2" "$AC.3.0" u 100000 \
	"$AC.4.0" u 600
h_is "they read back" \
	"$(sget "$AC.1.0") $(sget "$AC.2.0") $(sget "$AC.3.0") $(sget "$AC.4.0")" \
	"$H_TMP/cdr2 2 100000 600"
h_ok "cdr1's file is closed (renamed) once the directory changed" \
	h_wait_for 5 sh -c "ls '$H_TMP/cdr1' | grep -Eq '^referd-cdr-[0-9]{8}T[0-9]{6}Z\\.csv\$' && ! ls '$H_TMP/cdr1' | grep -q part"
call c2
h_ok "c2: a JSON-lines file is written in cdr2" h_wait_for 5 sh -c \
	"ls '$H_TMP/cdr2' | grep -Eq '^referd-cdr-[0-9]{8}T[0-9]{6}Z\\.jsonl\\.part\$'"
h_is "c2: its one line is a JSON object of that call" \
	"$(cat "$H_TMP"/cdr2/*.jsonl.part | jq -r '.caller_call_id + " " + .from_user + " " + (.transfers|tostring) + " " + (.transfer_list|length|tostring)')" \
	"$CID sipp 0 0"

# referctl's accounting object: the same objects in an operator's words.
REFERCTL=${REFERCTL:-$REFERD_BUILDDIR/cli/referctl}
rctl() {
	RRC=0
	ROUT=$("$REFERCTL" -v2c -c private -t 3 -r 0 "$@" \
	    2>"$H_TMP/rerr") || RRC=$?
}
rctl "$H_AGENT" accounting
h_like "referctl accounting shows the directory" "$ROUT" \
	"^CDR directory .* $H_TMP/cdr2\$"
h_like "... the format as a word" "$ROUT" '^CDR format  *json$'
h_like "... the records written" "$ROUT" '^CDR records written  *2$'
h_like "... the RADIUS status" "$ROUT" '^RADIUS server status  *not-configured$'
h_like "... and a secret only as write-only" "$ROUT" \
	'^RADIUS secret  *\(write-only\)$'
rctl -o json "$H_AGENT" accounting
h_is "referctl -o json accounting: keys and values" \
	"$(printf '%s' "$ROUT" | jq -r '[."cdr-format", ."cdr-written", ."radius-status", ."radius-port"] | map(tostring) | join(" ")')" \
	"json 2 not-configured 1813"
rctl "$H_AGENT" accounting set cdr-sync-interval=300 radius-secret=abc
h_is "referctl accounting set: done" "$RRC $ROUT" "0 accounting settings changed"
h_is "... the agent has it" "$(sget "$AC.5.0")" 300
rctl "$H_AGENT" accounting set radius-secret=a:b
h_is "a secret with ':' is refused by referctl, naming the rule" \
	"$RRC $(grep -o 'rule [a-z-]*' "$H_TMP/rerr")" "3 rule radius-secret-chars"
rctl "$H_AGENT" accounting set radius-server=radius.example
h_is "a host name as RADIUS server: refused (address-literal)" \
	"$RRC $(grep -o 'rule [a-z-]*' "$H_TMP/rerr")" "3 rule address-literal"
rctl "$H_AGENT" show
h_like "referctl show includes the accounting settings" "$ROUT" \
	'^Accounting$'

# Kept across a restart.
h_referd_check "$H_REFERD_PID"
h_referd_subagent "$conf"
h_is "after a restart the SET values are kept" \
	"$(sget "$AC.1.0") $(sget "$AC.2.0") $(sget "$AC.3.0") $(sget "$AC.4.0") $(sget "$AC.5.0")" \
	"$H_TMP/cdr2 2 100000 600 300"
h_ok "at the stop, cdr2's file was closed" sh -c \
	"ls '$H_TMP/cdr2' | grep -Eq '^referd-cdr-[0-9]{8}T[0-9]{6}Z\\.jsonl\$'"
h_done
