#!/bin/sh
# Run smtpprobe under valgrind memcheck for the end-to-end lab: any memory
# error or definite leak makes the probe exit 99, which no scenario
# expects, so the scenario fails. SMTPPROBE_REAL_BIN names the binary.
# Valgrind's slowness stretches wall times: scenarios that bound the wall
# time are judged against the probe's own deadlines, which still hold.
exec valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	"${SMTPPROBE_REAL_BIN:?set SMTPPROBE_REAL_BIN}" "$@"
