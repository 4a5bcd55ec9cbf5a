#!/bin/sh
# sip-media.sh: referd anchors the media and relays RTP between the legs
# (SPEC section 5, "Media anchoring"): each side is told to send RTP to
# a port of referd's own, and what A sends reaches B's media port and
# what B sends reaches A's, through referd; the relay ports are released
# when the call ends.
#
# How RTP is seen (SIPp 3.6.1): both peers send RTP with the rtp_stream
# action (PCMU, 50 packets a second, from their media socket -mp to the
# address and port of the SDP they received: referd's).  rtp_stream only
# sends: nothing in SIPp reads that socket (-rtp_echo is off), so what
# arrives there stays in the socket's receive queue, which the kernel
# shows in /proc/net/udp (rx_queue, and drops once the queue is full).
# A and B never learn each other's media address, so anything in B's
# queue came through referd.  B starts sending only 2 s after its ACK,
# so for 2 s A's queue must stay empty: a relay that echoed packets back
# to their sender would show there.  (play_pcap_audio would need a raw
# socket, i.e. root; -rtp_echo echoes to the packet's source, so echo on
# both sides loops forever, and SIPp counts echoed packets only on its
# screen, only when a screen is drawn.)
#
# Peers: A (caller, gateway 1) on $H_NET.2:5060, media port 6000; B
# (callee, gateway 2) on $H_NET.3:5060, media port 6000; referd on
# $H_NET.1:5060, relay ports in rtpPortRange.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 23 sip-media
SC=$(cd "${REFERD_SRCDIR:-.}/tests/scenarios" && pwd)
A=$H_NET.2
B=$H_NET.3
MP=6000
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
inviteTimeout 4
rtpPortRange $RTP_LO $RTP_HI
profile 1 p
signaling 1 $H_ADDR port 5060 transport udp profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2

# SIPp 3.6.1 opens the rtp_stream file ("rtp.pcmu" in the scenarios)
# relative to its working directory: the peers run in $H_TMP, through a
# wrapper that changes directory and execs SIPp (so the pid recorded is
# SIPp's own).  The file: 200 ms of PCMU silence (0xFF), played in a loop.
h_need "${SIPP:-sipp}"
head -c 1600 /dev/zero | tr '\0' '\377' >"$H_TMP/rtp.pcmu"
cat >"$H_TMP/sipp-in-tmp" <<EOF2
#!/bin/sh
cd "$H_TMP" && exec "$(command -v "${SIPP:-sipp}")" "\$@"
EOF2
chmod +x "$H_TMP/sipp-in-tmp"
SIPP=$H_TMP/sipp-in-tmp

# peer NAME ADDR ARGS...: a SIPp peer on ADDR:5060 with media port $MP;
# its <log> lines go to $H_TMP/NAME.log.
peer() {
	local name="$1" addr="$2"
	shift 2
	h_sipp "$name" "$addr" 5060 -mp "$MP" \
	    -trace_logs -log_file "$H_TMP/$name.log" "$@"
}

# udp_key ADDR PORT: ADDR:PORT as /proc/net/udp writes it (the address
# as the hex of the in-memory word, the port in hex).
udp_key() {
	echo "$1" | awk -F. -v p="$2" '{printf "%02X%02X%02X%02X:%04X", $4, $3, $2, $1, p}'
}

# listening ADDR PORT: a UDP socket is bound to ADDR:PORT.
listening() {
	grep -q "^ *[0-9]*: $(udp_key "$1" "$2") " /proc/net/udp
}

# relay_open PORT: referd has a UDP socket on PORT, bound to its own
# address or to any address (the range is this test's alone).
relay_open() {
	listening "$H_ADDR" "$1" || listening 0.0.0.0 "$1"
}

# relay_closed PORT: it has not.
relay_closed() {
	! relay_open "$1"
}

# rtp_in ADDR PORT: datagrams arrived at the socket bound to ADDR:PORT:
# its receive queue is not empty, or it dropped some when full.
rtp_in() {
	awk -v k="$(udp_key "$1" "$2")" '
	    $2 == k { split($5, q, ":"); if (q[2] != "00000000" || $NF != 0) f = 1 }
	    END { exit !f }' /proc/net/udp
}

# in_range PORT: referd's relay range.
in_range() {
	[ -n "$1" ] && [ "$1" -ge "$RTP_LO" ] && [ "$1" -le "$RTP_HI" ]
}

h_referd_subagent "$conf"
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"

peer b "$B" -sf "$SC/uas-rtp.xml" -m 1
b=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a "$A" -sf "$SC/uac-rtp.xml" -s 5551000 -m 1 "$H_ADDR:5060"
a=$H_PID

h_ok "RTP from A reaches B's media port" h_wait_for 5 rtp_in "$B" "$MP"
h_not "... while nothing has come back to A (B is still silent)" \
	rtp_in "$A" "$MP"
h_ok "RTP from B reaches A's media port" h_wait_for 5 rtp_in "$A" "$MP"

# Where each side was told to send: referd's address, a port of its range.
# (the scenarios log "A sends RTP to ADDR PORT", "B sends RTP to ...")
to=$(sed -n 's/^A sends RTP to //p' "$H_TMP/a.log")
pa=${to#* }
h_is "A is told to send its RTP to referd's address" "${to% *}" "$H_ADDR"
h_ok "... on a port of referd's relay range ($pa)" in_range "$pa"
to=$(sed -n 's/^B sends RTP to //p' "$H_TMP/b.log")
pb=${to#* }
h_is "B is told to send its RTP to referd's address" "${to% *}" "$H_ADDR"
h_ok "... on a port of referd's relay range ($pb)" in_range "$pb"
h_ok "referd has A's relay port open during the call" relay_open "$pa"
h_ok "referd has B's relay port open during the call" relay_open "$pb"

sipp_ok "A: the call ends normally (BYE after 6 s)" a "$a"
sipp_ok "B: the call ends normally" b "$b" 10
h_ok "A's relay port is released after the call" h_wait_for 5 relay_closed "$pa"
h_ok "B's relay port is released after the call" h_wait_for 5 relay_closed "$pb"
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
