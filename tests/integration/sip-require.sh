#!/bin/sh
# sip-require.sh: Require, Supported and Unsupported (issue 16 item 5,
# RFC 3261 8.2.2.3, 20.32, 20.37, 20.40): a request that requires an
# option tag its leg's profile does not support gets 420 with
# Unsupported naming each such tag (100rel and timer, which both
# profiles here switch off; replaces where REFER is off), and only those; each leg
# advertises what referd supports on it (Supported on the INVITE it sends
# and on its 2xx: replaces and norefersub where the profile enables
# REFER, nothing where it does not), never the other party's options.
#
# Peers: A on $H_NET.2 (profile 1, REFER enabled) and A2 on $H_NET.4
# (profile 2, no Refer Support row) send INVITEs by sipsend and call with
# tests/scenarios/uac-supported.xml; B on $H_NET.3 (profile 1) answers
# with uas-supported.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 115 sip-require
SC=${REFERD_SRCDIR:-.}/tests/scenarios
SIPSEND=${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}
h_need "$SIPSEND"
A=$H_NET.2
B=$H_NET.3
A2=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
cat >"$H_TMP/referd.conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 refer-on sessionExpires 0 100rel disabled
refer 1 support enabled
profile 2 plain sessionExpires 0 100rel disabled
signaling 1 $H_ADDR port 5060 transport udp profile 1
gateway 1 a-side $A port 0 profile 1
gateway 2 b-side $B port 5060 profile 1
gateway 3 a2-side $A2 port 0 profile 2
route 1 555 2
EOF2
h_referd_subagent "$H_TMP/referd.conf"
h_wait_for 5 listening "$H_ADDR" 5060 || h_bail "referd does not listen"

# invite N FROM REQUIRE...: sipsend INVITE number N (its branch, tag and
# Call-ID) from FROM with one Require header per REQUIRE argument; prints
# what came back.
invite() {
	local N=$1 from=$2 r
	shift 2
	{
		printf 'INVITE sip:5551000@%s SIP/2.0\r\n' "$H_ADDR"
		printf 'Via: SIP/2.0/UDP %s:5070;branch=z9hG4bK-req-%s\r\n' "$from" "$N"
		printf 'From: <sip:1000@%s>;tag=req%s\r\n' "$from" "$N"
		printf 'To: <sip:5551000@%s>\r\n' "$H_ADDR"
		printf 'Call-ID: require-%s@%s\r\n' "$N" "$from"
		printf 'CSeq: 1 INVITE\r\n'
		printf 'Contact: <sip:1000@%s:5070>\r\n' "$from"
		printf 'Max-Forwards: 70\r\n'
		for r in "$@"; do printf 'Require: %s\r\n' "$r"; done
		printf 'Content-Length: 0\r\n\r\n'
	} | "$SIPSEND" "$from" "$H_ADDR" 5060 700 | tr -d '\r'
}
# status_and_unsupported: "CODE UNSUPPORTED-VALUE" of the first final
# response in what invite printed.
final() {
	awk '/^SIP\/2.0 [2-6][0-9][0-9]/ && !c { c = $2; f = 1; next }
	    f && /^--$/ { f = 0 }
	    f && tolower($0) ~ /^unsupported:/ { sub(/^[^:]*: */, ""); u = $0 }
	    END { print c, u }'
}

h_is "Require: timer (profile with REFER): 420 naming timer" \
    "$(invite 1 "$A" timer | final)" "420 timer"
h_is "Require: 100rel: 420 naming 100rel" \
    "$(invite 2 "$A" 100rel | final)" "420 100rel"
h_is "Require: 100rel, timer: 420 naming both" \
    "$(invite 3 "$A" "100rel, timer" | final)" "420 100rel, timer"
h_is "Require over two headers, one supported (replaces): 420 naming the others only" \
    "$(invite 4 "$A" "replaces, timer" "x-foo" | final)" "420 timer, x-foo"
h_is "Require: replaces where REFER is off: 420 naming replaces" \
    "$(invite 5 "$A2" replaces | final)" "420 replaces"
h_is "Require: timer where REFER is off: 420 naming timer" \
    "$(invite 6 "$A2" timer | final)" "420 timer"

# call CALLER-ADDR: a call from CALLER-ADDR to B, both advertising
# options referd does not support.
call() {
	rm -f "$H_TMP/a.msg" "$H_TMP/b.msg"
	peer b "$B" -sf "$SC/uas-supported.xml" -m 1
	BPID=$H_PID
	h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
	peer a "$1" -sf "$SC/uac-supported.xml" -s 5551000 -m 1 "$H_ADDR:5060"
	APID=$H_PID
	sipp_ok "A ($1): the call" a "$APID"
	sipp_ok "B: the call" b "$BPID"
}

call "$A"
h_is "B's INVITE: Supported of B's profile (REFER on), none of A's options" \
    "$(sip_nth_hdr b recv INVITE 1 Supported)" "replaces, norefersub"
h_is "B's INVITE: no Require" "$(sip_nth_hdr b recv INVITE 1 Require)" ""
h_is "A's 200: Supported of A's profile, none of B's options" \
    "$(sip_nth_hdr a recv "SIP/2.0 200" 1 Supported)" "replaces, norefersub"
h_is "A's 200: no Require (B's Require: timer is not copied)" \
    "$(sip_nth_hdr a recv "SIP/2.0 200" 1 Require)" ""
call "$A2"
h_is "B's INVITE from A2: Supported of B's profile" \
    "$(sip_nth_hdr b recv INVITE 1 Supported)" "replaces, norefersub"
h_is "A2's 200: no Supported (its profile has no REFER: nothing to advertise)" \
    "$(sip_nth_hdr a recv "SIP/2.0 200" 1 Supported)" ""
h_is "A2's 200: no Require" "$(sip_nth_hdr a recv "SIP/2.0 200" 1 Require)" ""
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
