# fuzz-headers.sh: fuzz_headers for a short time (fuzz/lib.sh).
. "${REFERD_SRCDIR:-.}/fuzz/lib.sh"
fuzz_run headers
