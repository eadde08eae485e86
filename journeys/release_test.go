package journeys_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// make release VERSION=... checks the CHANGELOG and copies the document to
// the released baseline, or says what is missing and changes nothing.
func TestRelease(t *testing.T) {
	t.Parallel()
	const dated = "# Changelog\n\n## Unreleased\n\n## 0.2.0 — 2026-12-24\n\n- more\n\n## 0.1.0 — 2026-12-07\n\n- first\n"
	cases := []struct {
		name, version, changelog string
		code                     int
		say                      string
	}{
		{"released", "v0.2.0", dated, 0, "git tag -a v0.2.0 -m 'dli-go v0.2.0'"},
		{"no section for it", "v0.3.0", dated, 1, `has no section "## 0.3.0 — YYYY-MM-DD"`},
		{"not the newest", "v0.1.0", dated, 1, `newest section is "0.2.0 — 2026-12-24", not 0.1.0`},
		{"entries left under Unreleased", "v0.2.0", strings.Replace(dated, "## Unreleased\n", "## Unreleased\n\n- forgotten\n", 1), 1, "still has entries under Unreleased"},
		{"no version", "", dated, 2, "want vMAJOR.MINOR.PATCH"},
		{"not a version", "0.2", dated, 2, "want vMAJOR.MINOR.PATCH"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newShell(t, nil)
			dir := filepath.Join(s.dir, "repo")
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "openapi", "released"), 0o750))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "CHANGELOG.md"), []byte(tc.changelog), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "openapi", "dli.yaml"), []byte("new document\n"), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "openapi", "released", "dli.yaml"), []byte("old document\n"), 0o600))
			out, code := s.exec("bash", "-c", "cd "+dir+" && "+filepath.Join(root, "scripts", "release.sh")+" "+tc.version)
			assert.Equal(t, tc.code, code, out)
			assert.Contains(t, out, tc.say)
			released, err := os.ReadFile(filepath.Join(dir, "openapi", "released", "dli.yaml")) //nolint:gosec // the test's own file
			require.NoError(t, err)
			want := "old document\n"
			if tc.code == 0 {
				want = "new document\n"
			}
			assert.Equal(t, want, string(released), "the baseline after the release")
		})
	}
}
