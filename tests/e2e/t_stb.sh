# SPDX-License-Identifier: MIT
# A real program: the PNG encoder of Debian's stb libraries (libstb-dev's
# stb_image_write.h, not written for memprof), built with -g into a small
# driver (testdata/stb/pngenc.c) that encodes a 2048x2048 image and
# decodes it back.  memprof profiles the encoder, stbi_write_png_to_mem;
# its peak RSS must agree with GNU time's within 10%.
# shellcheck shell=bash

STB_DIR=/usr/include/stb

# stb_build OPT: ./pngenc at -OPT, or skip.
stb_build() {
	{ [ -r "$STB_DIR/stb_image_write.h" ] && [ -r "$STB_DIR/stb_image.h" ]; } ||
		skip "no $STB_DIR/stb_image_write.h (libstb-dev; scripts/install-deps installs it)"
	[ -x /usr/bin/time ] || skip "no /usr/bin/time (time; scripts/install-deps installs it)"
	command -v cc >/dev/null || fail "cc is needed to build the stb driver"
	cc -g "-$1" -I"$STB_DIR" -o pngenc "$SRCDATA/stb/pngenc.c" -lm 2>cc.err ||
		fail "cc failed: $(head -c 300 cc.err)"
}

# hline TEXT: the one line of stb_image_write.h containing TEXT.
hline() {
	local n
	n=$(grep -nF -- "$1" "$STB_DIR/stb_image_write.h" | cut -d: -f1)
	[[ $n =~ ^[0-9]+$ ]] || fail "stb_image_write.h: not exactly one line contains '$1' ($n)"
	echo "$n"
}

# hinc TEXT: the Increment of that line of stbi_write_png_to_mem, in MiB.
hinc() {
	line_field stbi_write_png_to_mem "$(hline "$1")" increment_bytes |
		awk '{ print $1 / 1048576 }'
}

stb_png() { # OPT
	stb_build "$1"
	local kib
	# GNU time's "Maximum resident set size" of the same run, in KiB.
	/usr/bin/time -v ./pngenc >plain.out 2>time.err || fail "pngenc failed: $(cat plain.out)"
	kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' time.err)
	[[ $kib =~ ^[0-9]+$ ]] || fail "no maximum RSS from /usr/bin/time: $(tr '\n' '|' <time.err)"
	mp --func=stbi_write_png_to_mem --format=json -o "$JSON" ./pngenc
	assert_status 0
	assert_same_file plain.out "$T/out" "target stdout"
	assert_file_has "$T/out" "decodes to the same pixels"
	assert_eq stbi_write_png_to_mem "$(func_names)" "profiled functions"
	assert_eq "$STB_DIR/stb_image_write.h" "$(j '.functions[0].file')" "file"
	assert_eq 1 "$(calls stbi_write_png_to_mem)" "calls"
	# The filtered rows: a 12 MiB buffer, touched row by row, then freed.
	local copy='STBIW_MEMMOVE(filt+j*(x*n+1)+1, line_buffer, x*n);'
	assert_eq 2048 "$(line_field stbi_write_png_to_mem "$(hline "$copy")" occurrences)" \
		"occurrences of the row copy"
	assert_range 11.5 12.5 "$(hinc "$copy")" "the row copy (MiB)"
	assert_range -12.5 -11.5 "$(hinc '   STBIW_FREE(filt);')" "freeing the rows (MiB)"
	assert_range -0.5 0.5 "$(hinc 'filt = (unsigned char *) STBIW_MALLOC((x*n+1) * y);')" \
		"allocating the rows (MiB)"
	assert_range 5 20 "$(hinc 'zlib = stbi_zlib_compress(filt, y*( x*n+1), &zlen')" "compressing (MiB)"
	# memprof's peak (the kernel's VmHWM) against GNU time's, within 10%.
	local peak
	peak=$(j '.peak_rss_bytes / 1024')
	assert_range "$(awk -v k="$kib" 'BEGIN { print k * 0.9 }')" \
		"$(awk -v k="$kib" 'BEGIN { print k * 1.1 }')" "$peak" \
		"peak RSS (KiB) against /usr/bin/time's $kib KiB"
}

tcase "stb O0: a real PNG encoder, peak RSS within 10% of GNU time's" stb_png O0
tcase "stb O2: a real PNG encoder, peak RSS within 10% of GNU time's" stb_png O2
