# fuzz-sip_receive.sh: fuzz_sip_receive for a short time (fuzz/lib.sh).
. "${REFERD_SRCDIR:-.}/fuzz/lib.sh"
fuzz_run sip_receive
