package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const document = "../../openapi/dli.yaml"

// revise writes document with each old → new replacement applied, failing
// when a replacement no longer matches (the test would prove nothing).
func revise(t *testing.T, pairs ...string) string {
	t.Helper()
	raw, err := os.ReadFile(document)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("the document no longer contains %q; update the test", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	p := filepath.Join(t.TempDir(), "dli.yaml")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	deleteOp = `    delete:
      operationId: DeleteDatasourceConnection
` + deleteDecl + `
      deprecated: true`
	deleteDecl = `      x-dli-operation:
        resource: classic_connection
        role: delete
        key: $request.path.connection_id`
)

// undeprecated is the document with DeleteDatasourceConnection no longer
// deprecated, as a base against which its removal is a break.
var undeprecated = []string{deleteOp, "    delete:\n      operationId: DeleteDatasourceConnection\n" + deleteDecl}

func TestBreaking(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		base  []string // changes to the document that make the baseline
		pairs []string
		code  int
		want  []string
	}{
		{"unchanged", nil, nil, 0, []string{"keeps the contract"}},
		{"removed operation", undeprecated, []string{deleteOp, "    x-removed:\n      operationId: DeleteDatasourceConnection"}, 1,
			[]string{"DELETE /v2.0/{project_id}/datasource-connection/{connection_id}", "api-removed-without-deprecation"}},
		// Deprecation announces removal: taking away a deprecated
		// operation is allowed.
		{"removed deprecated operation", nil, []string{deleteOp, "    x-removed:\n      operationId: DeleteDatasourceConnection"}, 0,
			[]string{"keeps the contract"}},
		{"newly required request field", nil, []string{"required: [name, service, security_group_id, network_id, url]",
			"required: [name, service, security_group_id, network_id, url, tags]"}, 1,
			[]string{"POST /v2.0/{project_id}/datasource-connection", "`tags` became required", "request-property-became-required", "dli.yaml:"}},
		{"added optional field", nil, []string{"        tags:\n          type: array\n          nullable: true\n          description: Tags of the connection; `null` means none.",
			"        description:\n          type: string\n          maxLength: 255\n        tags:\n          type: array\n          nullable: true\n          description: Tags of the connection; `null` means none."}, 0,
			[]string{"keeps the contract"}},
		{"type narrowed", nil, []string{"          type: number\n          nullable: true\n          format: double\n          minimum: 0\n          maximum: 1\n          description: Creation progress, 0 to 1.\n        name:",
			"          type: integer\n          nullable: true\n          minimum: 0\n          maximum: 1\n          description: Creation progress, 0 to 1.\n        name:"}, 1,
			[]string{"GET /v2.0/{project_id}/datasource-connection", "process"}},
		{"success status removed", nil, []string{"        '201':\n          description: Created.", "        '202':\n          description: Created."}, 1,
			[]string{"POST /v2.0/{project_id}/datasource-connection", "201"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base, rev := document, revise(t, tc.pairs...)
			if tc.base != nil {
				base = revise(t, tc.base...)
			}
			var out, errOut bytes.Buffer
			code := run([]string{base, rev}, &out, &errOut)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out.String(), errOut.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestUsageAndLoadErrors(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := run([]string{document}, &out, &errOut); code != 2 {
		t.Errorf("one argument: exit %d, want 2", code)
	}
	if code := run([]string{document, filepath.Join(t.TempDir(), "missing.yaml")}, &out, &errOut); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "missing.yaml") {
		t.Errorf("the error does not name the file: %s", errOut.String())
	}
}
