#!/bin/sh
# sip-ids.sh: the identifiers referd writes on the wire (README
# "Identifiers and the instance name", referd(8) IDENTIFIERS): every
# Call-ID referd creates is INSTANCE~32-hex-digits@referd, for B's leg and
# for a transfer target's; tags carry at least 64 random bits and are
# never reused; branches start with z9hG4bK; after a SET of
# referdInstanceName a new call takes the new name while a running call
# keeps its Call-ID (its BYE) and its referdCallInstance; log lines carry
# the name.
#
# Peers: A (caller, gateway 1) on $H_NET.2, B (callee, gateway 2) on
# $H_NET.3, C (transfer target, gateway 3) on $H_NET.4; referd on
# $H_NET.1:5060.  What each SIPp peer received is in $H_TMP/NAME.msg.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 54 sip-ids
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
NAME=ids-54
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
instanceName $NAME
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
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"

# received NAME HEADER FIRST [REGEX...]: the value of HEADER (its long
# name) in each message SIPp peer NAME received whose first line matches
# FIRST and which has a line matching each REGEX, one a line.
received() {
	local name=$1 hdr=$2 res
	shift 2
	res=$(printf '%s\t' "$@")
	awk -v hdr="$hdr" -v res="$res" '
	BEGIN { nre = split(res, re, "\t") - 1 }
	function flush(  i) {
		if (rx && v != "") {
			for (i = 1; i <= nre; i++) if (!(i in hit)) return
			print v
		}
	}
	/^----------* / { flush(); rx = 0; st = 0; v = ""; delete hit; next }
	/message received/ { rx = 1; st = 1; next }
	{ sub(/\r$/, "") }
	st == 1 && $0 == "" { next }
	st >= 1 { n = st++
		  for (i = 1; i <= nre; i++)
			if ((i == 1 && n == 1 && $0 ~ re[i]) ||
			    (i > 1 && $0 ~ re[i])) hit[i] = 1
		  if (v == "" && tolower($0) ~ "^" tolower(hdr) ": ") {
			v = $0; sub(/^[^:]*: */, "", v) } }
	END { flush() }' "$H_TMP/$name.msg"
}

# tag: the tag parameter of the From or To values on standard input.
tag() { sed -n 's/.*;tag=\([^;>]*\).*/\1/p'; }

# branch: the branch parameter of the Via values on standard input.
branch() { sed -n 's/.*;branch=\([^;,]*\).*/\1/p'; }

# differ X Y: both set, and not equal.
differ() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]; }

# distinct: how many different lines standard input has.
distinct() { sort -u | wc -l | tr -d ' '; }

# --- 20 calls A -> B -------------------------------------------------------
peer b20 "$B" -sn uas -m 20
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a20 "$A" -sn uac -s 5551000 -m 20 -r 10 -l 20 -d 200 "$H_ADDR:5060"
sipp_ok "20 calls A -> B complete" a20 "$H_PID"
sipp_ok "... on B's side too" b20 "$bpid"

cids=$(received b20 Call-ID '^INVITE ')
h_is "B got 20 INVITEs" "$(printf '%s\n' "$cids" | grep -c .)" 20
h_is "every Call-ID of B's leg is $NAME~<32 hex digits>@$H_ADDR" \
	"$(printf '%s\n' "$cids" | grep -cE "^$NAME~[0-9a-f]{32}@$H_ADDR\$")" 20
h_is "... and no two calls share one" "$(printf '%s\n' "$cids" | distinct)" 20
ftags=$(received b20 From '^INVITE ' | tag)
h_is "the From tag referd writes towards B has 20 hex digits (80 bits)" \
	"$(printf '%s\n' "$ftags" | grep -cE '^[0-9a-f]{20}$')" 20
h_is "... a different one in each call" "$(printf '%s\n' "$ftags" | distinct)" 20
ttags=$(received a20 To '^SIP/2.0 200 ' '^CSeq: *[0-9]+ INVITE' | tag)
h_is "the To tag referd writes towards A has 20 hex digits" \
	"$(printf '%s\n' "$ttags" | grep -cE '^[0-9a-f]{20}$')" 20
h_is "... a different one in each call" "$(printf '%s\n' "$ttags" | distinct)" 20
h_is "... and none is also a tag of B's leg" \
	"$(printf '%s\n%s\n' "$ftags" "$ttags" | distinct)" 40
br=$(received b20 Via '^(INVITE|ACK|BYE) ' | branch)
h_is "B got 60 requests from referd (INVITE, ACK, BYE of each call)" \
	"$(printf '%s\n' "$br" | grep -c .)" 60
h_is "... each with a branch z9hG4bK, 8 hex digits of this run, 16 random, a counter" \
	"$(printf '%s\n' "$br" | grep -cE '^z9hG4bK[0-9a-f]{25,}$')" 60
h_is "... all 60 different" "$(printf '%s\n' "$br" | distinct)" 60
h_is "... the 8 hex digits after z9hG4bK are the same in all (referd's own)" \
	"$(printf '%s\n' "$br" | cut -c8-15 | distinct)" 1

# --- a transfer target's leg ----------------------------------------------------
TARGET="sip:carol@$C:5060"
peer c1 "$C" -sn uas -m 1
cpid=$H_PID
peer b1 "$B" -sf "$SC/uas-refer.xml" -set target "$TARGET" -m 1
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a1 "$A" -sn uac -s 5551000 -m 1 -d 3000 "$H_ADDR:5060"
sipp_ok "a blind transfer: A calls B, B refers A to C" b1 "$bpid"
sipp_ok "... A's call completes (with C)" a1 "$H_PID"
sipp_ok "... C answers and is hung up" c1 "$cpid"
ccid=$(received c1 Call-ID '^INVITE ')
h_like "C's leg: Call-ID $NAME~<32 hex digits>@$H_ADDR" "$ccid" \
	"^$NAME~[0-9a-f]{32}@$H_ADDR\$"
h_ok "... not the one of B's leg" \
	differ "$ccid" "$(received b1 Call-ID '^INVITE ')"
h_like "... its From tag has 20 hex digits" \
	"$(received c1 From '^INVITE ' | tag)" '^[0-9a-f]{20}$'

# --- the name changed during a call -------------------------------------------
# Call 1 (A on port 5060) lasts 6 s; the name changes; call 2 (A on port
# 5062) starts and ends during call 1.
peer b2 "$B" -sn uas -m 2
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a2 "$A" -sn uac -s 5551000 -m 1 -d 6000 "$H_ADDR:5060"
apid=$H_PID
h_wait_for 5 sh -c "grep -q '^INVITE ' '$H_TMP/b2.msg'" ||
	h_bail "call 1 did not reach B"
h_wait_for 5 sh -c "snmpwalk -v2c -c public -Oqv -t 1 -r 0 $H_AGENT $RO.8.1.2 | grep -q '^4'" ||
	h_bail "call 1 is not connected"
h_like "referdCallInstance of the running call is $NAME" \
	"$(h_walk "$RO.8.1.9")" "STRING: \"$NAME\""
h_set_ok "referdInstanceName is set to $NAME-b" "$RO.1.6.0" s "$NAME-b"
h_ok "the engine's next log line carries the new name" h_wait_for 5 \
	grep -q "^\\[$NAME-b\\] engine: configuration 2 applied" "$H_TMP/referd.log"
h_grep "... and the lines before it the old one" "$H_TMP/referd.log" \
	"^\\[$NAME\\] engine: configuration 1 applied"
h_sipp a3 "$A" 5062 -sn uac -s 5551000 -m 1 -d 2000 \
	-trace_msg -message_file "$H_TMP/a3.msg" "$H_ADDR:5060"
a3pid=$H_PID
h_wait_for 5 sh -c "[ \$(grep -c '^INVITE ' '$H_TMP/b2.msg') -ge 2 ]" ||
	h_bail "call 2 did not reach B"
sleep 1
col=$(h_walk "$RO.8.1.9")
h_is "during both calls, the call table has one row of each name" \
	"$(printf '%s\n' "$col" | sed -n 's/.*STRING: //p' | tr -d '"' | sort | tr '\n' ' ')" \
	"$NAME $NAME-b "
sipp_ok "call 2 completes" a3 "$a3pid"
sipp_ok "call 1 completes" a2 "$apid"
sipp_ok "B took both calls" b2 "$bpid"
cid1=$(received b2 Call-ID '^INVITE ' | sed -n 1p)
cid2=$(received b2 Call-ID '^INVITE ' | sed -n 2p)
h_like "call 1's Call-ID towards B has the old name" "$cid1" \
	"^$NAME~[0-9a-f]{32}@$H_ADDR\$"
h_like "call 2, created after the SET, has the new name" "$cid2" \
	"^$NAME-b~[0-9a-f]{32}@$H_ADDR\$"
h_is "call 1 kept its Call-ID to its end: its BYE to B carries it" \
	"$(received b2 Call-ID '^BYE ' "^Call-ID: $cid1\$" | grep -c .)" 1
h_is "referdInstanceName reads the new name" "$(sget "$RO.1.6.0")" "$NAME-b"
REFERCTL=${REFERCTL:-$REFERD_BUILDDIR/cli/referctl}
h_like "referctl global shows it" \
	"$("$REFERCTL" -v2c -c public -t 3 -r 0 "$H_AGENT" global 2>&1)" \
	"Instance name +$NAME-b"
h_like "... and in JSON" \
	"$("$REFERCTL" -v2c -c public -t 3 -r 0 -o json "$H_AGENT" global 2>&1)" \
	"\"instance-name\":\"$NAME-b\""
h_done
