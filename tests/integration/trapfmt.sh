#!/bin/sh
# trapfmt.sh: referd-trapfmt behind a real snmptrapd (traphandle, as the
# README and referd-trapfmt(1) configure it), fed by referd's own traps:
# a signaling endpoint coming up, configuration changes made with
# referctl, and a failed transfer; one readable line per trap.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 42 trapfmt
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
LOG=$H_TMP/referd-traps.log
H_TRAPD_EXTRA="traphandle default /bin/sh $REFERD_SRCDIR/cli/referd-trapfmt -f $LOG"
conf=$H_TMP/referd.conf
INST=trapfmt-42
cat >"$conf" <<EOF2
instanceName $INST
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 5060
route 1 555 2
EOF2
h_referd_subagent "$conf"
REFERCTL=${REFERCTL:-$REFERD_BUILDDIR/cli/referctl}
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

h_ok "the endpoint coming up is one line, ending with its instance" \
	h_wait_for 5 grep -qE "^$TS 127\\.0\\.0\\.1 referdSignalingStatusChange signaling=1 oper=up instance=\"$INST\"\$" "$LOG"

"$REFERCTL" -v2c -c private -t 3 -r 0 "$H_AGENT" gateway add 4 name=d \
	address="$H_NET.5" >/dev/null
h_ok "a row created with referctl: referdConfigChange, gateway 4 active" \
	h_wait_for 5 grep -qE "^$TS [0-9.]+ referdConfigChange gateway 4 status=active instance=\"$INST\"\$" "$LOG"
"$REFERCTL" -v2c -c private -t 3 -r 0 "$H_AGENT" gateway delete 4 >/dev/null
h_ok "... and deleted: gateway 4 destroyed" \
	h_wait_for 5 grep -qE "referdConfigChange gateway 4 status=destroyed instance=\"$INST\"\$" "$LOG"
"$REFERCTL" -v2c -c private -t 3 -r 0 "$H_AGENT" global set max-calls=10 >/dev/null
h_ok "a scalar changed: global max-calls" \
	h_wait_for 5 grep -qE "referdConfigChange global max-calls status=active instance=\"$INST\"\$" "$LOG"
"$REFERCTL" -v2c -c private -t 3 -r 0 "$H_AGENT" profile set 1 release=enabled >/dev/null
h_ok "a Refer Support field changed: refer-support 1" \
	h_wait_for 5 grep -qE "referdConfigChange refer-support 1 status=active instance=\"$INST\"\$" "$LOG"

# A transfer to a busy target.
TARGET="sip:carol@$C:5060"
h_sipp c "$C" 5060 -sf "$SC/uas-busy.xml" -m 1
h_sipp b "$B" 5060 -sf "$SC/uas-refer.xml" -set target "$TARGET" -m 1
bpid=$H_PID
h_sipp a "$A" 5060 -sf "$SC/uac-call-wait-bye.xml" -s 5551000 -m 1 "$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$bpid" 20
h_wait_exit "$apid" 20
h_ok "a failed transfer is one line with profile, call, Call-ID, target, status" \
	h_wait_for 5 grep -qE "^$TS [0-9.]+ referdTransferFailed profile=1 call=[0-9]+ call-id=\"[^\"]+\" target=\"$TARGET\" sip-status=486 instance=\"$INST\"\$" "$LOG"
h_is "one line per trap snmptrapd received" "$(wc -l <"$LOG" | tr -d ' ')" \
	"$(grep -c '^TRAP' "$H_TRAPLOG")"
"$REFERCTL" -v2c -c private -t 3 -r 0 "$H_AGENT" global set \
	instance-name=trapfmt-b >/dev/null
h_ok "the instance renamed with referctl: global instance-name, sent as the new one" \
	h_wait_for 5 grep -qE "referdConfigChange global instance-name status=active instance=\"trapfmt-b\"\$" "$LOG"

# A refused Replaces (the trap as snmptrapd hands it over, numerically).
O=.1.3.6.1.4.1.8072.9999.9999.5060
printf 'h\nUDP: [127.0.0.9]:1->[127.0.0.1]:162\n.1.3.6.1.2.1.1.3.0 1\n.1.3.6.1.6.3.1.1.4.1.0 %s.0.5\n%s.1.9.1.0 1\n%s.1.9.2.0 7\n%s.1.9.3.0 "a@b"\n%s.1.9.8.0 "127.0.0.4:5060"\n%s.1.9.5.0 403\n' \
	"$O" "$O" "$O" "$O" "$O" "$O" |
	sh "$REFERD_SRCDIR/cli/referd-trapfmt" -f "$H_TMP/replaces.log"
h_grep "a refused Replaces: profile, call, Call-ID, source, status" \
	"$H_TMP/replaces.log" \
	" 127\\.0\\.0\\.9 referdReplacesRefused profile=1 call=7 call-id=\"a@b\" source=\"127\\.0\\.0\\.4:5060\" sip-status=403\$"

# referdAccountingServerStatus (sent by cdr-radius.sh's flows), as
# snmptrapd -On hands it over.
printf 'h\nUDP: [127.0.0.9]:1->[127.0.0.1]:162\n.1.3.6.1.2.1.1.3.0 1\n.1.3.6.1.6.3.1.1.4.1.0 %s.0.6\n%s.1.10.21.0 2\n' "$R" "$R" |
	sh "$REFERD_SRCDIR/cli/referd-trapfmt" -f "$H_TMP/acct.log"
h_grep "referdAccountingServerStatus: one line, status=down" \
	"$H_TMP/acct.log" " 127\\.0\\.0\\.9 referdAccountingServerStatus status=down\$"

# referdConfigChange of an accounting setting, in referctl's words.
printf 'h\nUDP: [127.0.0.9]:1->[127.0.0.1]:162\n.1.3.6.1.2.1.1.3.0 1\n.1.3.6.1.6.3.1.1.4.1.0 %s.0.4\n%s.1.9.6.0 %s.1.10.10.0\n%s.1.9.7.0 1\n' "$R" "$R" "$R" "$R" |
	sh "$REFERD_SRCDIR/cli/referd-trapfmt" -f "$H_TMP/acctcfg.log"
h_grep "an accounting setting changed: 'accounting radius-secret'" \
	"$H_TMP/acctcfg.log" " referdConfigChange accounting radius-secret status=active\$"

# Traps that are not referd's are kept, named by their OID.
printf 'h\nUDP: [127.0.0.9]:1->[127.0.0.1]:162\n.1.3.6.1.2.1.1.3.0 1\n.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.6.3.1.1.5.1\n' |
	sh "$REFERD_SRCDIR/cli/referd-trapfmt" -f "$H_TMP/other.log"
h_grep "another agent's trap: 'other' and its OID" "$H_TMP/other.log" \
	" 127\\.0\\.0\\.9 other 1\\.3\\.6\\.1\\.6\\.3\\.1\\.1\\.5\\.1\$"
h_done
