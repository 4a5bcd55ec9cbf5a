# fuzz-sdp.sh: fuzz_sdp for a short time (fuzz/lib.sh).
. "${REFERD_SRCDIR:-.}/fuzz/lib.sh"
fuzz_run sdp
