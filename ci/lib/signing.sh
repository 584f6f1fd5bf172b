# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# OpenPGP keys that sign the test repositories (ci/pkg repo) and the
# foreign keys the tests use to prove refusal.
# Part of ci/lib.sh, which sources it: source that, not this.

# The user ID of ci/pkg's throwaway key (in $KTE_CACHE/gnupg).
# shellcheck disable=SC2034 # used by ci/pkg
KTE_ARCHIVE_KEY_UID="kthread-example test archive key (throwaway, tests only) <kthread-example@maintainer.invalid>"

# gpg_fpr HOME KEY: the fingerprint of KEY's secret key in the gpg home
# HOME ("" for the caller's own keyring); fails when there is none.
gpg_fpr() {
	gpg --batch ${1:+--homedir "$1"} --with-colons --list-secret-keys "$2" 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }' | grep .
}

# throwaway_key HOME UID: the fingerprint of UID's key in HOME, made there
# the first time (no passphrase, signing only: for tests, never published).
throwaway_key() {
	local fpr
	if ! fpr=$(gpg_fpr "$1" "$2"); then
		mkdir -p "$1"
		chmod 0700 "$1"
		log "making a throwaway signing key in $1"
		gpg --batch --homedir "$1" --passphrase '' --quick-gen-key "$2" rsa3072 sign never \
			>/dev/null 2>&1 || die "cannot make a key in $1"
		fpr=$(gpg_fpr "$1" "$2") || die "no key in $1 after making one"
	fi
	printf '%s\n' "$fpr"
}
