#!/bin/sh
# sip-rtp-drop.sh: RTP from a third address is not relayed, and every
# packet referd drops is counted in referdSgpRtpDropped of the profile
# of the leg whose port received it (SPEC section 5, "Media anchoring";
# issue 15, RTP bleed).  And a stream that latched to a stranger before
# its party sent anything is taken back by the first packet from the
# address the party's SDP gave.
#
# SIPp carries the SIP (A calls B through referd); the media of each
# party is a tests/tools/rtpprobe on the address and port its SDP names
# (SIPp's own media socket is another port), which tags every packet it
# sends and prints one line per packet it receives (source and tag), so
# the test sees exactly who got what.  X, on a third address, is an
# rtpprobe too.
#
# Peers: A (gateway 1, profile 1) $H_NET.2, B (gateway 2, profile 2)
# $H_NET.3, X $H_NET.9; referd $H_NET.1, relay ports in rtpPortRange.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 90 sip-rtp-drop
h_need jq
SC=$(cd "${REFERD_SRCDIR:-.}/tests/scenarios" && pwd)
PROBE=${REFERD_BUILDDIR:-.}/tests/tools/rtpprobe
[ -x "$PROBE" ] || h_bail "$PROBE is not built (make check builds it)"
A=$H_NET.2
B=$H_NET.3
X=$H_NET.9
MP=7000          # the parties' media port (their SDP's)
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
profile 1 a-side
profile 2 b-side
signaling 1 $H_ADDR port 5060 transport udp profile 1
gateway 1 a-side $A port 0 profile 1
gateway 2 b-side $B port 5060 profile 2
route 1 default 2
EOF2
h_referd_subagent "$conf"
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"

DROP_A=$STATS.12.1     # referdSgpRtpDropped of profile 1 (A's legs)
DROP_B=$STATS.12.2     # ... of profile 2 (B's legs)

# relay_port NAME: the relay port SIPp peer NAME was told to send to
# (its scenario logs "A sends RTP to ADDR PORT", or "B ...").
relay_port() {
	sed -n "s/^[AB] sends RTP to $H_ADDR //p" "$H_TMP/$1.log" | tail -n 1
}

# got NAME TAG: how many packets tagged TAG party NAME has received.
got() {
	grep -c " $2\$" "$H_TMP/$1.out" 2>/dev/null
}

# has NAME TAG: party NAME has received a packet tagged TAG.
has() {
	[ "$(got "$1" "$2")" -gt 0 ]
}

# counter_is OID N: a counter reads N.
counter_is() {
	[ "$(sget "$1")" = "$2" ]
}

# peer NAME ADDR ARGS...: a SIPp peer on ADDR:5060 whose own media port
# is not the parties'; its <log> lines go to $H_TMP/NAME.log.
peer() {
	local name=$1 addr=$2
	shift 2
	h_sipp "$name" "$addr" 5060 -mp 6000 -trace_logs \
	    -log_file "$H_TMP/$name.log" "$@"
}

# call N MS: call N: SIPp B answers, SIPp A calls and hangs up after MS;
# sets PA and PB, the relay ports of A's and B's legs.
call() {
	peer "b$1" "$B" -sf "$SC/uas-media-port.xml" -set rtp_port "$MP" -m 1
	SIPP_B=$H_PID
	h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
	peer "a$1" "$A" -sf "$SC/uac-media-port.xml" -set rtp_port "$MP" \
	    -s 5551000 -d "$2" -m 1 "$H_ADDR:5060"
	SIPP_A=$H_PID
	h_wait_for 5 grep -q '^A sends RTP to' "$H_TMP/a$1.log" ||
		h_bail "call $1 was not answered"
	PA=$(relay_port "a$1")
	PB=$(relay_port "b$1")
}

# --- 1. a third address's packets go nowhere, and are counted -------------
h_spawn party-b "$PROBE" -r "$B" "$MP" 20 B      # answers what reaches it
PARTY_B=$H_PID
call 1 7000
h_ok "A's leg has a relay port ($PA)" test -n "$PA"
h_ok "B's leg has a relay port ($PB)" test -n "$PB"
h_spawn party-a "$PROBE" -t "$H_ADDR:$PA" "$A" "$MP" 20 A
PARTY_A=$H_PID
h_ok "A's RTP reaches B through referd" h_wait_for 5 has party-b A
h_ok "B's RTP reaches A through referd" h_wait_for 5 has party-a B
h_is "referdSgpRtpDropped of profile 1 is 0 so far" "$(sget "$DROP_A")" 0
h_is "referdSgpRtpDropped of profile 2 is 0 so far" "$(sget "$DROP_B")" 0

"$PROBE" -t "$H_ADDR:$PA" -n 20 -i 2 "$X" "$MP" 1 X1 >"$H_TMP/x1.out" 2>&1
"$PROBE" -t "$H_ADDR:$PB" -n 30 -i 2 "$X" "$MP" 1 X2 >"$H_TMP/x2.out" 2>&1
h_wait_for 5 counter_is "$DROP_A" 20
h_is "20 packets from X to A's relay port: profile 1 counts 20 drops" "$(sget "$DROP_A")" 20
h_wait_for 5 counter_is "$DROP_B" 30
h_is "30 packets from X to B's relay port: profile 2 counts 30 drops" "$(sget "$DROP_B")" 30
sleep 0.5
h_is "... none of X's packets reached B" "$(got party-b X1)/$(got party-b X2)" 0/0
h_is "... none reached A" "$(got party-a X1)/$(got party-a X2)" 0/0
h_is "... and X got nothing back" "$(cat "$H_TMP/x1.out" "$H_TMP/x2.out")" \
	"$(printf 'sent 20\nsent 30')"
n=$(got party-b A)
h_ok "A's RTP still reaches B" h_wait_for 3 sh -c \
	"[ \$(grep -c ' A\$' '$H_TMP/party-b.out') -gt $n ]"
h_is "the counters did not move since" "$(sget "$DROP_A")/$(sget "$DROP_B")" 20/30
REFERCTL=${REFERCTL:-${REFERD_BUILDDIR:-.}/cli/referctl}
out=$("$REFERCTL" -v2c -c public -t 3 -r 0 "$H_AGENT" stats 2 2>&1)
h_like "referctl stats 2 shows them" "$out" 'RTP/RTCP packets dropped +30$'
out=$("$REFERCTL" -v2c -c public -t 3 -r 0 -o json "$H_AGENT" stats 2>&1)
h_is "... and its JSON" "$(printf '%s' "$out" |
	jq -c '[.[] | {profile, "rtp-dropped": .["rtp-dropped"]}]')" \
	'[{"profile":1,"rtp-dropped":20},{"profile":2,"rtp-dropped":30}]'
sipp_ok "A: call 1 ends normally" a1 "$SIPP_A"
sipp_ok "B: call 1 ends normally" b1 "$SIPP_B" 10
h_stop "$PARTY_A"
h_stop "$PARTY_B"

# --- 2. the signalled address takes a stream back from a stranger ---------
# B's party has not sent yet when X sends to B's relay port: the stream
# latches to X (referd cannot tell X from a party behind NAT).  The first
# packet from the address B's SDP gave takes it back, for good.
call 2 9000
h_spawn party-a2 "$PROBE" -t "$H_ADDR:$PA" "$A" "$MP" 20 A
h_spawn x "$PROBE" -t "$H_ADDR:$PB" -n 5 -i 2 "$X" "$MP" 20 X
h_ok "X's first packets latched B's stream: X gets A's RTP" \
	h_wait_for 5 has x A
h_ok "... (X has sent all five)" h_wait_for 5 grep -q '^sent 5$' "$H_TMP/x.out"
h_spawn party-b2 "$PROBE" -t "$H_ADDR:$PB" "$B" "$MP" 20 B
h_ok "B's first packet from its signalled address takes the stream back: A's RTP reaches B" \
	h_wait_for 5 has party-b2 A
h_ok "B's RTP reaches A" h_wait_for 5 has party-a2 B
h_grep "... and referd says so" "$H_TMP/referd.log" \
	"call [0-9]+: media port $PB taken back from $X:$MP by the address its party signalled"
sleep 0.3
n=$(wc -l <"$H_TMP/x.out")
nb=$(got party-b2 A)
sleep 1
h_is "X gets nothing more" "$(wc -l <"$H_TMP/x.out")" "$n"
h_ok "... while A's RTP goes on reaching B" test "$(got party-b2 A)" -gt "$nb"
"$PROBE" -t "$H_ADDR:$PB" -n 25 -i 2 "$X" 7010 1 X3 >"$H_TMP/x3.out" 2>&1
h_wait_for 5 counter_is "$DROP_B" 55
h_is "25 more packets from X to B's relay port are dropped: profile 2 counts 55" "$(sget "$DROP_B")" 55
sleep 0.5
h_is "... none of them reached A" "$(got party-a2 X3)" 0
h_is "... X got nothing back" "$(cat "$H_TMP/x3.out")" "sent 25"
h_is "profile 1 counted nothing in call 2" "$(sget "$DROP_A")" 20
sipp_ok "A: call 2 ends normally" a2 "$SIPP_A"
sipp_ok "B: call 2 ends normally" b2 "$SIPP_B" 10
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
