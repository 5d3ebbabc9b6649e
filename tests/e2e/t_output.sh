# SPDX-License-Identifier: MIT
# Report files (-o, --timeline, --plot) are never less safe than the
# shell's `>`: no following another user's symlink out of a sticky
# world-writable directory, no replacing another user's file there, and an
# overwritten file keeps its owner and mode.  Run as root, as memprof often
# is; uid 65534 plays the other user.
# shellcheck shell=bash

# fileinfo FILE: "MODE UID:GID CONTENT-SHA" of FILE, for before/after.
fileinfo() {
	printf '%s %s\n' "$(stat -c '%a %u:%g' "$1")" "$(sha256sum <"$1" | cut -c1-16)"
}

# entries DIR: the names in DIR, sorted, on one line.
entries() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%P\n' | sort | paste -sd' '
}

# A sticky world-writable directory (as /tmp) owned by root, with a
# secret 0600 file elsewhere that another user's link in it points to.
sticky_setup() {
	[ "$(id -u)" = 0 ] || skip "needs root (chown to another user)"
	mkdir -m 1777 sticky
	mkdir -m 700 etc
	printf 'root:secret\n' >etc/shadow
	chmod 600 etc/shadow
	ln -s "$T/etc/shadow" sticky/r.svg
	chown -h 65534:65534 sticky/r.svg
}

# Each of the three files, named by another user's link: refused before
# the program runs, the link's target untouched.
output_sticky_link() { # OPTION
	local before opt=$1
	sticky_setup
	before=$(fileinfo etc/shadow)
	mp "$opt" sticky/r.svg "$TESTDATA/exitcode-O0" 0
	assert_status 1
	assert_stderr "memprof: cannot write 'sticky/r.svg': Permission denied (symlink owned by uid 65534 in a sticky world-writable directory)"
	assert_no_stdout
	assert_eq "$before" "$(fileinfo etc/shadow)" "the link's target (mode owner sha)"
	[ -L sticky/r.svg ] || fail "the link was replaced"
	assert_eq "shadow" "$(entries etc)" "entries of the target's directory"
	assert_eq "r.svg" "$(entries sticky)" "sticky directory's entries"
}

# A link of the directory's owner, or of memprof's user, is followed as
# the kernel follows it; another user's file in the sticky directory is
# not replaced (fs.protected_regular), its mode and content kept.
output_sticky_allowed() {
	local before
	sticky_setup
	printf 'old\n' >mine.txt
	ln -s "$T/mine.txt" sticky/mine.txt
	mp -o sticky/mine.txt "$TESTDATA/exitcode-O0" 0
	assert_status 0
	[ -L sticky/mine.txt ] || fail "root's link was replaced"
	assert_file_has mine.txt "Filename: "
	printf 'theirs\n' >sticky/theirs.txt
	chown 65534:65534 sticky/theirs.txt
	chmod 644 sticky/theirs.txt
	before=$(fileinfo sticky/theirs.txt)
	mp -o sticky/theirs.txt "$TESTDATA/exitcode-O0" 0
	assert_status 1
	assert_stderr "memprof: cannot write 'sticky/theirs.txt': Permission denied (file owned by uid 65534 in a sticky world-writable directory)"
	assert_eq "$before" "$(fileinfo sticky/theirs.txt)" "their file (mode owner sha)"
	# A new file there is fine.
	mp -o sticky/new.txt "$TESTDATA/exitcode-O0" 0
	assert_status 0
	assert_file_has sticky/new.txt "Filename: "
	assert_eq "mine.txt new.txt r.svg theirs.txt" "$(entries sticky)" \
		"sticky directory's entries"
}

# Replacing a file keeps its owner and mode: 0600 stays 0600, another
# user's file stays theirs, for the three files alike.
output_keep_owner_mode() {
	[ "$(id -u)" = 0 ] || skip "needs root (chown to another user)"
	local f
	for f in r.txt t.dat p.svg; do
		printf 'old\n' >"$f"
		chown 65534:65534 "$f"
	done
	chmod 600 r.txt
	chmod 640 t.dat
	chmod 604 p.svg
	mp -o r.txt --timeline=t.dat --plot=p.svg "$TESTDATA/exitcode-O0" 0
	assert_status 0
	assert_eq "600 65534:65534" "$(stat -c '%a %u:%g' r.txt)" "r.txt mode and owner"
	assert_eq "640 65534:65534" "$(stat -c '%a %u:%g' t.dat)" "t.dat mode and owner"
	assert_eq "604 65534:65534" "$(stat -c '%a %u:%g' p.svg)" "p.svg mode and owner"
	assert_file_has r.txt "Filename: "
	assert_file_has p.svg "<svg"
	grep -qx old t.dat && fail "t.dat was not rewritten"
	# A new file gets the umask's mode and memprof's user.
	(umask 027 && mp -o new.txt "$TESTDATA/exitcode-O0" 0)
	assert_eq "640 0:0" "$(stat -c '%a %u:%g' new.txt)" "new.txt mode and owner"
}

tcase "output: -o refuses another user's link in a sticky directory" output_sticky_link -o
tcase "output: --timeline refuses another user's link in a sticky directory" output_sticky_link --timeline
tcase "output: --plot refuses another user's link in a sticky directory" output_sticky_link --plot
tcase "output: own links followed, their file in a sticky directory kept" output_sticky_allowed
tcase "output: a replaced file keeps its owner and mode" output_keep_owner_mode
