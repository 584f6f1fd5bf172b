# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# The user's documents against the module: README.md's tables, the man page
# (data/kthread_example.4) and the modprobe.d file (data/kthread-example.conf)
# must name every parameter that src/params.c declares, with its default,
# its valid values and whether it is writable at run time, and no other;
# and every sysfs file that src/sysfs.c creates, as the ABI description
# src/sysfs-kernel-kthread_example does. ci/lint runs docs_agree; it takes
# the tree as an argument so that a changed copy can be checked too.

# docs_params ROOT: one line per parameter of the module:
#   NAME MODE DEFAULT [VALID...]
# MODE is module_param_cb()'s, DEFAULT is what MODULE_PARM_DESC() ends with,
# "(default X)", and VALID are the words a word-list parameter accepts or
# the bounds of an integer one.
docs_params() {
	local src=$1/src line re name ops arg mode def valid
	re='^module_param_cb\(([a-z_]+), &?([a-z_]+), &?([a-z_]+), (0[0-7]+)\);'
	while IFS= read -r line; do
		[[ $line =~ $re ]] || { echo "cannot read: $line"; continue; }
		name=${BASH_REMATCH[1]} ops=${BASH_REMATCH[2]}
		arg=${BASH_REMATCH[3]} mode=${BASH_REMATCH[4]}
		def=$(sed -n "s/^MODULE_PARM_DESC($name, \".*(default \([^)]*\))\");\$/\1/p" "$src/params.c")
		valid=$(docs_valid "$src" "$ops" "$arg")
		echo "$name $mode ${def:-?} $valid"
	done < <(grep '^module_param_cb(' "$src/params.c")
}

# docs_valid SRC OPS ARG: the words (kte_word_ops) or the bounds
# (kte_uint_ops, macros resolved from the headers) ARG's struct names.
docs_valid() {
	local src=$1 ops=$2 arg=$3 body array bound v
	body=$(sed -n "/^static struct [a-z_]* $arg = {\$/,/^};/p" "$src/params.c")
	case $ops in
	kte_word_ops)
		array=$(sed -n 's/^[[:space:]]*\.words = \([a-z_]*\),$/\1/p' <<<"$body")
		sed -n "/^static const char \* const $array\[\] = {\$/,/^};/p" "$src/params.c" |
			grep -o '"[^"]*"' | tr -d '"' | tr '\n' ' '
		;;
	kte_uint_ops)
		for bound in min max; do
			v=$(sed -n "s/^[[:space:]]*\.$bound = \([A-Za-z0-9_]*\),\$/\1/p" <<<"$body")
			if [[ ! $v =~ ^[0-9]+$ ]]; then
				v=$(cat "$src"/*.h | sed -n "s/^#define ${v}[[:space:]]\{1,\}\([0-9]\{1,\}\)U\{0,1\}\$/\1/p")
			fi
			printf '%s ' "${v:-?}"
		done
		;;
	esac
}

# docs_sysfs ROOT: the files of thread<i>/, as src/sysfs.c creates them.
docs_sysfs() {
	sed -n 's/^[[:space:]]*KTE_ATTR(\([a-z_]*\)),$/\1/p' "$1/src/sysfs.c" | sort
}

# docs_readme_table FILE HEADER: the rows of the table whose header line is
# HEADER, one line each, without the leading and trailing "|".
docs_readme_table() {
	awk -v header="$2" '
		$0 == header { in_table = 1; getline; next }
		in_table && !/^\|/ { in_table = 0 }
		in_table { sub(/^\| */, ""); sub(/ *\|$/, ""); print }
	' "$1"
}

# docs_man_entries FILE SECTION: the .TP entries of SECTION of a man page,
# one line each: the .B tag, a tab, the entry's text without roff markup.
docs_man_entries() {
	awk -v section=".SH $2" '
		function flush() { if (tag != "") print tag "\t" text; tag = ""; text = "" }
		/^\.SH / { flush(); in_section = ($0 == section); next }
		!in_section { next }
		/^\.TP/ { flush(); want_tag = 1; next }
		want_tag && /^\.B / { tag = substr($0, 4); want_tag = 0; next }
		{
			want_tag = 0
			line = $0
			gsub(/\\f[BIRP]/, "", line); gsub(/\\-/, "-", line); gsub(/\\&/, "", line)
			gsub(/\\\(aq/, "\047", line); gsub(/"/, "", line)
			sub(/^\.[A-Z]+ ?/, "", line)
			text = text " " line
		}
		END { flush() }
	' "$1"
}

# docs_conf_blocks FILE: the modprobe.d file's paragraphs (separated by a
# line "#" or an empty one), one per options line in it:
#   NAME=VALUE, a tab, "active" or "comment", a tab, the paragraph's text.
docs_conf_blocks() {
	awk '
		function flush(  i, n, pairs) {
			for (i = 1; i <= nopt; i++) {
				n = split(opts[i], pairs, " ")
				for (j = 1; j <= n; j++) print pairs[j] "\t" state[i] "\t" text
			}
			nopt = 0; text = ""
		}
		/^#?$/ { flush(); next }
		/^#?options kthread_example / {
			nopt++
			state[nopt] = /^#/ ? "comment" : "active"
			opts[nopt] = $0; sub(/^#?options kthread_example /, "", opts[nopt])
			next
		}
		{ text = text " " $0 }
		END { flush() }
	' "$1"
}

# docs_has_words TEXT WORD...: TEXT holds each WORD as a whole word.
docs_has_words() {
	local text=$1 w
	shift
	for w; do
		grep -qw -- "$w" <<<"$text" || return 1
	done
}

# docs_trim TEXT: TEXT without its leading and trailing blanks.
docs_trim() {
	local t=${1#"${1%%[![:space:]]*}"}
	printf '%s\n' "${t%"${t##*[![:space:]]}"}"
}

# docs_writable MODE: the owner may write (root, at run time).
docs_writable() {
	(($1 & 0200))
}

# docs_check_readme ROOT NAME MODE DEFAULT VALID...: README's parameter row.
docs_check_readme() {
	local root=$1 name=$2 mode=$3 def=$4 row rw cells
	shift 4
	row=$(docs_readme_table "$root/README.md" "$README_PARAMS" |
		awk -F '|' -v n="$name" '{ c = $1; gsub(/[` ]/, "", c) } c == n')
	[ -n "$row" ] || { echo "README.md: no row for parameter $name"; return 1; }
	IFS='|' read -r -a cells <<<"${row//\`/}"
	rw=no
	if docs_writable "$mode"; then rw=yes; fi
	[ "$(docs_trim "${cells[1]}")" = "$def" ] ||
		{ echo "README.md: $name's default is not '$def': ${cells[1]}"; return 1; }
	[ "$(docs_trim "${cells[3]}")" = "$rw" ] ||
		{ echo "README.md: $name writable at run time must be '$rw' (mode $mode)"; return 1; }
	docs_has_words "${cells[2]}" "$@" ||
		{ echo "README.md: $name's valid values do not list all of: $*"; return 1; }
}

# docs_check_man ROOT NAME MODE DEFAULT VALID...: the man page's entry.
docs_check_man() {
	local root=$1 name=$2 mode=$3 def=$4 text
	shift 4
	text=$(docs_man_entries "$root/$MAN_PAGE" PARAMETERS | awk -F '\t' -v n="$name" '$1 == n { print $2 }')
	[ -n "$text" ] || { echo "$MAN_PAGE: no entry for parameter $name"; return 1; }
	grep -qF "default $def" <<<"$text" ||
		{ echo "$MAN_PAGE: $name's entry does not say 'default $def'"; return 1; }
	if docs_writable "$mode"; then
		grep -q 'writable at run time' <<<"$text" ||
			{ echo "$MAN_PAGE: $name (mode $mode) is not said writable at run time"; return 1; }
	elif grep -q 'writable at run time' <<<"$text"; then
		echo "$MAN_PAGE: $name (mode $mode) is said writable at run time"
		return 1
	fi
	docs_has_words "$text" "$@" ||
		{ echo "$MAN_PAGE: $name's entry does not list all of: $*"; return 1; }
}

# docs_check_conf ROOT NAME MODE DEFAULT VALID...: the modprobe.d file has
# one options line for NAME; a commented one shows the default; its
# paragraph names the valid values, and the sysfs file of a writable one.
docs_check_conf() {
	local root=$1 name=$2 mode=$3 def=$4 lines pair state text sysfs
	shift 4
	lines=$(docs_conf_blocks "$root/$CONF_FILE" | grep "^$name=") ||
		{ echo "$CONF_FILE: no options line for $name"; return 1; }
	[ "$(wc -l <<<"$lines")" -eq 1 ] || { echo "$CONF_FILE: $name set more than once"; return 1; }
	IFS=$'\t' read -r pair state text <<<"$lines"
	[ "$state" = active ] || [ "$pair" = "$name=$def" ] ||
		{ echo "$CONF_FILE: commented '$pair' is not the default $name=$def"; return 1; }
	sysfs=/sys/module/kthread_example/parameters/$name
	if docs_writable "$mode"; then
		grep -qF "$sysfs" <<<"$text" ||
			{ echo "$CONF_FILE: $name (mode $mode) does not say it is writable in $sysfs"; return 1; }
	elif grep -qF "$sysfs" <<<"$text"; then
		echo "$CONF_FILE: $name (mode $mode) is said writable in $sysfs"
		return 1
	fi
	docs_has_words "$text" "$@" ||
		{ echo "$CONF_FILE: $name's comment does not list all of: $*"; return 1; }
}

# docs_same WHAT EXPECTED ACTUAL: two sorted lists are equal, or say how not.
docs_same() {
	[ "$2" = "$3" ] && return 0
	echo "$1 differ from the module's (< module, > document):"
	diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | grep '^[<>]'
	return 1
}

README_PARAMS='| parameter | default | valid values | writable at run time | meaning |'
README_SYSFS='| file | meaning |'
MAN_PAGE=data/kthread_example.4
CONF_FILE=data/kthread-example.conf

# docs_agree ROOT: every check above on the tree at ROOT; prints each
# disagreement and fails if there is one.
docs_agree() {
	local root=$1 rc=0 params names files name mode def valid
	params=$(docs_params "$root")
	[ -n "$params" ] || { echo "no module_param_cb() found in $root/src/params.c"; return 1; }
	if grep -q ' ?' <<<"$params"; then
		echo "cannot read a default or a bound from src/params.c:"
		grep ' ?' <<<"$params"
		return 1
	fi
	while read -r name mode def valid; do
		# shellcheck disable=SC2086 # VALID is a list of words
		docs_check_readme "$root" "$name" "$mode" "$def" $valid || rc=1
		# shellcheck disable=SC2086
		docs_check_man "$root" "$name" "$mode" "$def" $valid || rc=1
		# shellcheck disable=SC2086
		docs_check_conf "$root" "$name" "$mode" "$def" $valid || rc=1
	done <<<"$params"

	names=$(cut -d' ' -f1 <<<"$params" | sort)
	docs_same "README.md's parameters" "$names" \
		"$(docs_readme_table "$root/README.md" "$README_PARAMS" | cut -d'|' -f1 | tr -d '` ' | sort)" || rc=1
	docs_same "$MAN_PAGE's parameters" "$names" \
		"$(docs_man_entries "$root/$MAN_PAGE" PARAMETERS | cut -f1 | sort)" || rc=1
	docs_same "$CONF_FILE's parameters" "$names" \
		"$(docs_conf_blocks "$root/$CONF_FILE" | cut -d= -f1 | sort -u)" || rc=1

	files=$(docs_sysfs "$root")
	[ -n "$files" ] || { echo "no KTE_ATTR() found in $root/src/sysfs.c"; return 1; }
	docs_same "README.md's sysfs files" "$files" \
		"$(docs_readme_table "$root/README.md" "$README_SYSFS" | cut -d'|' -f1 |
			grep -oE '[a-z_]+' | sort)" || rc=1
	docs_same "$MAN_PAGE's sysfs files" "$files" \
		"$(docs_man_entries "$root/$MAN_PAGE" SYSFS | cut -f1 | sort)" || rc=1
	docs_same "src/sysfs-kernel-kthread_example's files" "$files" \
		"$(sed -n 's|^What:.*/thread<N>/\([a-z_]\{1,\}\)$|\1|p' "$root/src/sysfs-kernel-kthread_example" | sort)" || rc=1
	return "$rc"
}

# docs_man_renders ROOT: groff formats the man page with every warning on
# and prints nothing (what lintian's and man's checks would report).
docs_man_renders() {
	local out
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$1/$MAN_PAGE" 2>&1) || true
	[ -z "$out" ] && return 0
	printf '%s\n' "$out"
	return 1
}
