#!/usr/bin/env bash
# Fails, naming each file, when git tracks a build output: an executable
# binary (ELF, Mach-O, PE or any executable file with NUL bytes) or any file
# larger than 1 MiB. The repository holds source; binaries belong in bin/.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=$((1 << 20))
bad=()
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue
	size=$(stat -c %s "$f")
	if [ "$size" -gt "$limit" ]; then
		bad+=("$f: $size bytes, over the 1 MiB limit for tracked files")
		continue
	fi
	magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
	case "$magic" in
	7f454c46*) bad+=("$f: an ELF executable"); continue ;;
	cafebabe* | feedface* | feedfacf* | cefaedfe* | cffaedfe*) bad+=("$f: a Mach-O executable"); continue ;;
	4d5a*) bad+=("$f: a PE (Windows) executable"); continue ;;
	esac
	if [ -x "$f" ] && [ "$(head -c 8000 "$f" | tr -d '\000' | wc -c)" -ne "$(head -c 8000 "$f" | wc -c)" ]; then
		bad+=("$f: an executable file with binary content")
	fi
done < <(git ls-files -z)

if [ "${#bad[@]}" -gt 0 ]; then
	echo "check-tracked: build outputs are committed; remove them with git rm --cached and let .gitignore cover them:" >&2
	for b in "${bad[@]}"; do
		echo "  $b" >&2
	done
	exit 1
fi
echo "check-tracked: every tracked file is source (no binaries, none over 1 MiB)"
