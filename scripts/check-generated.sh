#!/usr/bin/env bash
# Regenerates gen/ and client/*.gen.go from openapi/dli.yaml and fails,
# naming every file that changed, appeared or disappeared, when the
# committed output was stale.
# It compares against a snapshot taken before generating, so it needs no git
# and does not care about other uncommitted work.
set -euo pipefail
cd "$(dirname "$0")/.."

snap=$(mktemp -d)
trap 'rm -rf "$snap"' EXIT
cp -R gen "$snap/gen"
mkdir -p "$snap/client"
cp client/*.gen.go "$snap/client/"

go generate ./...

changed=()
while IFS= read -r f; do
	if [ ! -e "$snap/$f" ]; then
		changed+=("$f (new)")
	elif [ ! -e "$f" ]; then
		changed+=("$f (removed)")
	elif ! cmp -s "$snap/$f" "$f"; then
		changed+=("$f")
	fi
done < <( (cd "$snap" && find gen client -type f; find gen -type f; find client -name '*.gen.go') | sort -u)

if [ "${#changed[@]}" -gt 0 ]; then
	echo "check-generated: generated code was out of date with openapi/dli.yaml; go generate changed:" >&2
	for f in "${changed[@]}"; do
		echo "  $f" >&2
	done
	echo "check-generated: the regenerated files are in your work tree now; review and commit them." >&2
	exit 1
fi
echo "check-generated: gen/ and client/*.gen.go are up to date with openapi/dli.yaml"
