#!/bin/sh
# ua-hold.sh: hold and resume between real user agents through referd
# (issue 14; SPEC section 5, "Basic call": a re-INVITE from either side
# goes to the other side with referd's addresses and the answer comes
# back; RFC 3264 section 8.4, RFC 6337 section 5).  A (linphonec) calls B
# (baresip); A holds (linphonec 'pause') and resumes, then B holds
# (baresip 'hold') and resumes.  For each re-INVITE: the held party gets
# it from referd with the holder's direction and referd's address, its
# answer reaches the holder with referd's address; while held, no RTP
# reaches the holder (the held party sends none, having answered
# recvonly) and after the resume RTP flows both ways again, with
# negotiated payload types, from referd.
#
# Peers: referd $H_NET.1, A linphonec $H_NET.2 (user 100), B baresip
# $H_NET.3 (user 200), both PCMU and PCMA.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 62 ua-hold
h_ua_need
A=$H_NET.2
B=$H_NET.3
h_ua_referd "100:$A" "200:$B"
h_baresip b "$B" 200 "PCMU/8000/1,PCMA/8000/1"
h_linphonec a "$A" 100 "PCMU/8000 PCMA/8000"

lp_cmd a "call sip:200@$H_ADDR"
h_ok "the call A-B is up" lp_wait a 'Call 1 with .* connected'
bs_wait b CALL_ESTABLISHED
cida=$(wire_callid "$A" "$H_ADDR")
cidb=$(wire_callid "$H_ADDR" "$B")
sleep 1
h_rtp_sniff 2 "$H_TMP/rtp-up" "$H_ADDR" "$A" "$B"
h_ua_rtp_check "A, call up" "$A" "$H_TMP/rtp-up" "^Call-ID: $cida"
amedia=$H_UA_MEDIA
h_ua_rtp_check "B, call up" "$B" "$H_TMP/rtp-up" "^Call-ID: $cidb"
bmedia=$H_UA_MEDIA

# invites FROM TO CALLID: the INVITE requests (retransmissions not
# repeated) FROM sent to TO in dialog CALLID.
invites() {
	wire_msgs "$1" "$2" "^Call-ID: $3" | awk '/^---- / { getline; r = $0 }
	    /^CSeq: [0-9]+ INVITE/ && r ~ /^INVITE / { print $2 }' | sort -un | wc -l | tr -d ' '
}

# hold_round WHO HOLDER HELD HOLDER-CALLID HELD-CALLID HOLDER-MEDIA HOLD RESUME:
# the holder (its address, its dialog's Call-ID, its SDP's ADDR:PORT)
# runs the shell command HOLD, then RESUME.
hold_round() {
	local who=$1 hr=$2 hd=$3 hrcid=$4 hdcid=$5 hrm=$6 n0 d ans offer back n
	n0=$(invites "$H_ADDR" "$hd" "$hdcid")
	eval "$7"
	h_ok "$who: the held party gets referd's re-INVITE" \
	    h_wait_for 10 test_more "$n0" invites "$H_ADDR" "$hd" "$hdcid"
	sleep 1
	d=$(wire_sdp "$hr" "$H_ADDR" "^Call-ID: $hrcid" | sdp_dir)
	h_like "$who: the holder offers sendonly or inactive ($d)" "$d" '^(sendonly|inactive)$'
	offer=$(wire_sdp "$H_ADDR" "$hd" "^Call-ID: $hdcid")
	h_is "$who: the held party is offered the holder's direction" \
	    "$(printf '%s\n' "$offer" | sdp_dir)" "$d"
	h_like "$who: ... with referd's address" "$offer" "c=IN IP4 $H_ADDR"
	ans=$(wire_sdp "$hd" "$H_ADDR" "^Call-ID: $hdcid" | sdp_dir)
	h_like "$who: the held party answers recvonly or inactive ($ans)" "$ans" \
	    '^(recvonly|inactive)$'
	back=$(wire_sdp "$H_ADDR" "$hr" "^Call-ID: $hrcid")
	h_is "$who: its answer reaches the holder" "$(printf '%s\n' "$back" | sdp_dir)" "$ans"
	h_like "$who: ... with referd's address" "$back" "c=IN IP4 $H_ADDR"
	h_rtp_sniff 2 "$H_TMP/rtp-$who-held" "$H_ADDR" "$A" "$B"
	n=$(rtp_count_ua "$H_TMP/rtp-$who-held" "$hrm")
	h_is "$who: while held, no RTP reaches the holder ($hrm)" "$n" 0
	[ "$n" = 0 ] || sed 's/^/#     /' "$H_TMP/rtp-$who-held"

	n0=$(invites "$H_ADDR" "$hd" "$hdcid")
	eval "$8"
	h_ok "$who: the held party gets referd's re-INVITE to resume" \
	    h_wait_for 10 test_more "$n0" invites "$H_ADDR" "$hd" "$hdcid"
	sleep 1
	h_is "$who: ... offering sendrecv" \
	    "$(wire_sdp "$H_ADDR" "$hd" "^Call-ID: $hdcid" | sdp_dir)" sendrecv
	h_is "$who: the answer to resume reaches the holder, sendrecv" \
	    "$(wire_sdp "$H_ADDR" "$hr" "^Call-ID: $hrcid" | sdp_dir)" sendrecv
	h_rtp_sniff 2 "$H_TMP/rtp-$who-resumed" "$H_ADDR" "$A" "$B"
	h_ua_rtp_check "$who, resumed: A" "$A" "$H_TMP/rtp-$who-resumed" "^Call-ID: $cida"
	h_ua_rtp_check "$who, resumed: B" "$B" "$H_TMP/rtp-$who-resumed" "^Call-ID: $cidb"
}

# test_more N CMD...: CMD prints a number greater than N.
test_more() {
	local n=$1
	shift
	[ "$("$@")" -gt "$n" ]
}

hold_round "A holds" "$A" "$B" "$cida" "$cidb" "$amedia" 'lp_cmd a pause' 'lp_cmd a resume'
hold_round "B holds" "$B" "$A" "$cidb" "$cida" "$bmedia" 'bs_cmd b hold' 'bs_cmd b resume'

lp_cmd a terminate
h_ok "B gets the BYE" bs_wait b CALL_CLOSED
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
