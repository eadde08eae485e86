#!/usr/bin/env bash
# make release VERSION=vX.Y.Z: check that CHANGELOG.md has a dated section
# for the version, with nothing left under Unreleased; copy the document
# over openapi/released/dli.yaml, the baseline of make breaking; and print
# the git commands that commit and tag the release. It tags nothing
# itself: a person reads the diff first.
set -euo pipefail

version="${1:-}"
if [[ ! "$version" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
	echo "release: VERSION=${version:-<empty>}: want vMAJOR.MINOR.PATCH, e.g. make release VERSION=v0.1.0" >&2
	exit 2
fi
number="${version#v}"

heading="$(grep -E "^## ${number//./\\.} — [0-9]{4}-[0-9]{2}-[0-9]{2}$" CHANGELOG.md || true)"
if [[ -z "$heading" ]]; then
	echo "release: CHANGELOG.md has no section \"## ${number} — YYYY-MM-DD\": move the entries under Unreleased into one" >&2
	exit 1
fi
first="$(grep -m1 -E '^## [0-9]+\.[0-9]+\.[0-9]+ — ' CHANGELOG.md)"
if [[ "$first" != "$heading" ]]; then
	echo "release: CHANGELOG.md's newest section is \"${first#'## '}\", not ${number}: the newest release comes first" >&2
	exit 1
fi
left="$(awk '/^## Unreleased$/ {on=1; next} /^## / {on=0} on && NF' CHANGELOG.md)"
if [[ -n "$left" ]]; then
	echo "release: CHANGELOG.md still has entries under Unreleased; move them into ${number}'s section" >&2
	exit 1
fi

cp openapi/dli.yaml openapi/released/dli.yaml
echo "release: CHANGELOG.md has \"${heading#'## '}\"; openapi/released/dli.yaml is now openapi/dli.yaml."
echo "release: commit and tag it:"
echo "  git commit -am 'Release ${version}' && git tag -a ${version} -m 'dli-go ${version}' && git push origin main ${version}"
