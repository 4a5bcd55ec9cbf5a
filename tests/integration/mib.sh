#!/bin/sh
# mib.sh: REFERD-MIB compiles cleanly and the net-snmp tools resolve it.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 1 mib
h_need snmptranslate

MIB=$REFERD_SRCDIR/mibs/REFERD-MIB.txt
ROOT=.1.3.6.1.4.1.8072.9999.9999.5060

# smilint: no errors at severity 0-3, and no warnings at all.  The MIB
# has none today; if one ever has to be accepted, it is listed here
# with the reason, and filtered below.
if [ -n "${SMILINT:-}" ] || command -v smilint >/dev/null 2>&1; then
	out=$(SMIPATH=$MIBDIRS "${SMILINT:-smilint}" -s -l 6 "$MIB" 2>&1)
	h_is "smilint -s -l 6 reports nothing" "$out" ""
	errors=$(printf '%s\n' "$out" | grep -cE '\[[0-3]\]')
	h_is "smilint reports no errors of severity 0-3" "$errors" 0
else
	h_result 1 "smilint is installed (scripts/deps.sh installs smitools)"
fi

oid() { snmptranslate -On "REFERD-MIB::$1" 2>&1; }

h_is "referdReferDelayedAnswerTimer is at root.1.3.1.4" \
	"$(oid referdReferDelayedAnswerTimer)" "$ROOT.1.3.1.4"
h_is "referdNotifications is root.0" "$(oid referdNotifications)" "$ROOT.0"
h_is "referdVersion is root.1.1.1" "$(oid referdVersion)" "$ROOT.1.1.1"
h_is "referdMaxCalls is root.1.1.2" "$(oid referdMaxCalls)" "$ROOT.1.1.2"
h_is "referdActiveCalls is root.1.1.3" "$(oid referdActiveCalls)" "$ROOT.1.1.3"
h_is "referdSgpRowStatus is root.1.2.1.4" "$(oid referdSgpRowStatus)" "$ROOT.1.2.1.4"
h_is "referdSgpRedirect is root.1.2.1.10" "$(oid referdSgpRedirect)" "$ROOT.1.2.1.10"
h_is "referdSgpMaxRedirects is root.1.2.1.11" "$(oid referdSgpMaxRedirects)" "$ROOT.1.2.1.11"
h_is "referdReferRowStatus is root.1.3.1.7" "$(oid referdReferRowStatus)" "$ROOT.1.3.1.7"
h_is "referdSigOperStatus is root.1.4.1.8" "$(oid referdSigOperStatus)" "$ROOT.1.4.1.8"
h_is "referdGwRowStatus is root.1.5.1.8" "$(oid referdGwRowStatus)" "$ROOT.1.5.1.8"
h_is "referdRouteRowStatus is root.1.6.1.5" "$(oid referdRouteRowStatus)" "$ROOT.1.6.1.5"
h_is "referdSgpCallsOut is root.1.7.1.10" "$(oid referdSgpCallsOut)" "$ROOT.1.7.1.10"
h_is "referdSgpRtpDropped is root.1.7.1.12" "$(oid referdSgpRtpDropped)" "$ROOT.1.7.1.12"
h_is "referdSgpDialogRequestsRefused is root.1.7.1.11" \
	"$(oid referdSgpDialogRequestsRefused)" "$ROOT.1.7.1.11"
h_is "referdSgpReplacesRefused is root.1.7.1.13" \
	"$(oid referdSgpReplacesRefused)" "$ROOT.1.7.1.13"
h_is "referdGwReplaces is root.1.5.1.9" "$(oid referdGwReplaces)" "$ROOT.1.5.1.9"
h_is "referdNotifySourceAddress is root.1.9.8" \
	"$(oid referdNotifySourceAddress)" "$ROOT.1.9.8"
h_is "referdSgpSessionExpires is root.1.2.1.6" "$(oid referdSgpSessionExpires)" "$ROOT.1.2.1.6"
h_is "referdSgpMinSE is root.1.2.1.7" "$(oid referdSgpMinSE)" "$ROOT.1.2.1.7"
h_is "referdSgpHeaderPolicy is root.1.2.1.8" "$(oid referdSgpHeaderPolicy)" "$ROOT.1.2.1.8"
h_is "referdSgpTopologyHiding is root.1.2.1.9" "$(oid referdSgpTopologyHiding)" "$ROOT.1.2.1.9"
h_is "referdSgpSessionExpired is root.1.7.1.14" "$(oid referdSgpSessionExpired)" "$ROOT.1.7.1.14"
h_is "referdCallSgpOut is root.1.8.1.8" "$(oid referdCallSgpOut)" "$ROOT.1.8.1.8"
h_is "referdInstanceName is root.1.1.6" "$(oid referdInstanceName)" "$ROOT.1.1.6"
h_is "referdCallInstance is root.1.8.1.9" "$(oid referdCallInstance)" "$ROOT.1.8.1.9"
h_is "referdConformance is root.2" "$(oid referdConformance)" "$ROOT.2"
n=1
for o in referdCdrDirectory referdCdrFormat referdCdrRotateSize \
    referdCdrRotateInterval referdCdrSyncInterval referdCdrRecordsWritten \
    referdCdrRecordsFailed referdRadiusServer referdRadiusPort \
    referdRadiusSecret referdRadiusServer2 referdRadiusPort2 \
    referdRadiusSecret2 referdRadiusSpoolDirectory referdRadiusTimeout \
    referdRadiusRetryInterval referdRadiusRequestsSent \
    referdRadiusRequestsRetried referdRadiusRequestsSpooled \
    referdRadiusRequestsFailed referdRadiusServerStatus \
    referdRadiusInterimInterval; do
	h_is "$o is root.1.10.$n" "$(oid $o)" "$ROOT.1.10.$n"
	n=$((n + 1))
done

# The C header names the same root as the MIB.
croot=$(sed -n 's/^#define REFERD_ROOT_OID  *//p' "$REFERD_SRCDIR/mibs/referd-oid.h" |
	tr -d ' ' | tr ',' '.')
h_is "mibs/referd-oid.h defines the MIB's root" ".$croot" "$ROOT"

# Syntax and defaults an operator relies on, as the tools see them.
tp=$(snmptranslate -Td REFERD-MIB::referdReferDelayedAnswerTimer 2>&1)
h_like "the timer is Unsigned32 (1..10) in minutes, default 1" "$tp" \
	'SYNTAX.*Unsigned32 \(1\.\.10\)'
h_like "the timer's UNITS are minutes" "$tp" 'UNITS.*"minutes"'
h_like "the timer's DEFVAL is 1" "$tp" 'DEFVAL.*\{ 1 \}'
tp=$(snmptranslate -Td REFERD-MIB::referdSgpSessionExpires 2>&1)
h_like "Session-Expires is Unsigned32 (0 | 90..86400)" "$tp" \
	'SYNTAX.*Unsigned32 \(0 \| 90\.\.86400\)'
h_like "Session-Expires defaults to 1800" "$tp" 'DEFVAL.*\{ 1800 \}'
tp=$(snmptranslate -Td REFERD-MIB::referdSgpMinSE 2>&1)
h_like "Min-SE is Unsigned32 (90..86400), default 90" "$tp" \
	'DEFVAL.*\{ 90 \}'
tp=$(snmptranslate -Td REFERD-MIB::referdSgpStorageType 2>&1)
h_like "profiles default to nonVolatile" "$tp" 'DEFVAL.*nonVolatile'
tp=$(snmptranslate -Td REFERD-MIB::referdReferSupport 2>&1)
h_like "Refer Support is disabled(1) / enabled(2)" "$tp" \
	'disabled\(1\), enabled\(2\)'
tp=$(snmptranslate -Td REFERD-MIB::referdGwReplaces 2>&1)
h_like "referdGwReplaces is disabled(1) / enabled(2)" "$tp" \
	'disabled\(1\), enabled\(2\)'
h_like "... read-create" "$tp" 'MAX-ACCESS.*read-create'
h_like "... default disabled" "$tp" 'DEFVAL.*disabled'
tp=$(snmptranslate -Td REFERD-MIB::referdReplacesRefused 2>&1)
h_like "referdReplacesRefused carries profile, call, Call-ID, source, status" \
	"$(printf '%s' "$tp" | tr -s ' \t\n' ' ')" \
	'OBJECTS \{ referdNotifySgpIndex, referdNotifyCallIndex, referdNotifyCallId, referdNotifySourceAddress, referdNotifySipStatus, referdInstanceName \}'
tp=$(snmptranslate -Td REFERD-MIB::referdInstanceName 2>&1)
h_like "referdInstanceName is a DisplayString of 1 to 32" \
	"$(printf '%s' "$tp" | tr -s ' \t\n' ' ')" \
	'TEXTUAL CONVENTION DisplayString SYNTAX OCTET STRING \(1\.\.32\)'
h_like "... read-write" "$tp" 'MAX-ACCESS.*read-write'
# group OBJECTS: a group's definition in the MIB, on one line.
group() { sed -n "/^$1 OBJECT-GROUP/,/::=/p" "$MIB" | tr -s ' \t\n' ' '; }
h_like "referdGeneralGroup holds referdInstanceName" \
	"$(group referdGeneralGroup)" 'referdNotifyDropped, referdInstanceName, referdConfigDigest \}'
h_like "referdCallGroup holds referdCallInstance" \
	"$(group referdCallGroup)" 'referdCallSgpOut, referdCallInstance \}'
tp=$(snmptranslate -Td REFERD-MIB::referdSgpStatsEntry 2>&1)
h_like "the counters table AUGMENTS the profile table" "$tp" \
	'AUGMENTS.*referdSgpEntry'
tp=$(snmptranslate -Td REFERD-MIB::referdReferEntry 2>&1)
h_like "Refer Support rows are indexed by the profile index" "$tp" \
	'INDEX.*referdSgpIndex'

# Every notification of SPEC section 6.
for n in referdTransferFailed:1 referdDelayedAnswerTimeout:2 \
    referdSignalingStatusChange:3 referdConfigChange:4 \
    referdReplacesRefused:5 \
    referdAccountingServerStatus:6; do
	h_is "${n%%:*} is root.0.${n#*:}" "$(oid "${n%%:*}")" "$ROOT.0.${n#*:}"
	# Every notification names its instance, as its last object.
	h_like "... its last object is referdInstanceName" \
		"$(snmptranslate -Td "REFERD-MIB::${n%%:*}" 2>&1 | tr -s ' \t\n' ' ')" \
		'OBJECTS \{[^}]*, referdInstanceName \}'
done
h_done
