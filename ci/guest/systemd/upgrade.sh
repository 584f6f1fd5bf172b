# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Upgrade on a running system (a boot of its own, on the image's first
# kernel): with the module loaded and the service active, the repository
# publishes the next version (the image holds it, signed, at /srv/repo2)
# and apt upgrades to it. The package's maintainer scripts (dh_dkms's,
# then dh_installsystemd's restart) leave the new version built, loaded
# and running, with no reboot.

# shellcheck source=unitlib.sh
. /kte/scenarios/unitlib.sh

SOURCES=/etc/apt/sources.list.d/kthread-example.sources
PKG=kthread-example-dkms

# shellcheck disable=SC2016 # dpkg-query formats
test_upgrade_on_running_system() {
	old=$(dpkg-query -W -f='${Version}' "$PKG")
	new=$(sed -n 's/^Version: //p' /srv/repo2/Packages)
	assert_eq "service state before" active "$(systemctl is-active "$UNIT")"
	assert_eq "loaded version before" "$old" "$(cat /sys/module/kthread_example/version)"
	started=$(systemctl show -P ExecMainStartTimestampMonotonic "$UNIT")
	sed -i 's|/srv/repo1|/srv/repo2|' "$SOURCES"
	# Only our repository: the guest has no network.
	apt-get -q -o Dir::Etc::SourceList=/dev/null update >/tmp/apt.log 2>&1 ||
		fail "apt-get update: $(tail -n 5 /tmp/apt.log)"
	# Each line of the upgrade stamped with the uptime (where the time goes).
	{
		apt-get -q -y -o Dir::Etc::SourceList=/dev/null upgrade 2>&1
		echo "exit status $?"
	} | while IFS= read -r line; do
		echo "$(cut -d' ' -f1 /proc/uptime) $line"
	done >/tmp/upgrade.log
	grep -q ' exit status 0$' /tmp/upgrade.log ||
		fail "apt-get upgrade: $(tail -n 20 /tmp/upgrade.log)"
	grep -E '^[0-9.]+ (Unpacking|Setting up|Building|Removing|Deleting|Loading|Signing|Installing|depmod|Module|exit)' \
		/tmp/upgrade.log | sed 's/^/KTE-REPORT apt: /'
	assert_eq "installed version" "$new" "$(dpkg-query -W -f='${Version}' "$PKG")"
	assert_eq "loaded version after" "$new" "$(cat /sys/module/kthread_example/version 2>&1)"
	assert_eq "service state after" active "$(systemctl is-active "$UNIT")"
	[ "$(systemctl show -P ExecMainStartTimestampMonotonic "$UNIT")" != "$started" ] ||
		fail "the unit was not restarted"
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
	dkms status -m kthread-example | sed 's/^/KTE-REPORT dkms status: /'
	dkms status -m kthread-example | grep -v "^kthread-example/$new, " &&
		fail "DKMS holds another version than $new"
	dkms status -m kthread-example -v "$new" -k "$(uname -r)" | grep ': installed' >/dev/null ||
		fail "$new is not installed for the running kernel"
	[ -e "/usr/src/kthread-example-$old" ] && fail "the source of $old is still in /usr/src"
	echo "KTE-REPORT after: /sys/module/kthread_example/version $(cat /sys/module/kthread_example/version)," \
		"unit $(systemctl is-active "$UNIT") since $(systemctl show -P ExecMainStartTimestamp "$UNIT")," \
		"uptime $(cut -d' ' -f1 /proc/uptime) s (no reboot)"
}
