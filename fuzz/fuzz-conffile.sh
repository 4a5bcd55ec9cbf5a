# fuzz-conffile.sh: fuzz_conffile for a short time (fuzz/lib.sh).
. "${REFERD_SRCDIR:-.}/fuzz/lib.sh"
fuzz_run conffile
