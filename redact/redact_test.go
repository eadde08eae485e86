package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dli-contract/dli-go/redact"
)

func TestAt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		pointers   []string
		want       string
	}{
		{"a top-level secret", `{"name":"a","password":"p<w>"}`, []string{"/password"}, `{"name":"a","password":"<redacted>"}`},
		{"several", `{"key_password":"k","password":"p","user":"u"}`, []string{"/password", "/key_password"}, `{"key_password":"<redacted>","password":"<redacted>","user":"u"}`},
		{"in every item", `{"items":[{"pw":"a"},{"pw":"b"},{"other":1}]}`, []string{"/items/*/pw"}, `{"items":[{"pw":"<redacted>"},{"pw":"<redacted>"},{"other":1}]}`},
		{"the items themselves", `{"tokens":["a",null,"b"]}`, []string{"/tokens/*"}, `{"tokens":["<redacted>",null,"<redacted>"]}`},
		{"null stays null", `{"password":null}`, []string{"/password"}, `{"password":null}`},
		{"absent: the body as it was", `{"name":"a"}`, []string{"/password"}, `{"name":"a"}`},
		{"not JSON: as it was", `password=secret`, []string{"/password"}, `password=secret`},
		{"no pointers", `{"password":"p"}`, nil, `{"password":"p"}`},
		{"a pointer through a non-object", `{"password":["p"]}`, []string{"/password/x"}, `{"password":["p"]}`},
	} {
		assert.Equal(t, tc.want, string(redact.At([]byte(tc.body), tc.pointers)), tc.name)
	}
}

func TestNamed(t *testing.T) {
	t.Parallel()
	names := []string{"password", "key_password"}
	for _, tc := range []struct{ name, body, want string }{
		{"at any depth", `{"auth_infos":[{"auth_info_name":"a","password":"p","nested":{"key_password":"k"}}]}`,
			`{"auth_infos":[{"auth_info_name":"a","nested":{"key_password":"<redacted>"},"password":"<redacted>"}]}`},
		{"a whole object under a secret name", `{"password":{"v":"p"}}`, `{"password":"<redacted>"}`},
		{"none: the body as it was", `{"user":"u"}`, `{"user":"u"}`},
		{"not JSON", `{"password":"p"`, `{"password":"p"`},
	} {
		assert.Equal(t, tc.want, string(redact.Named([]byte(tc.body), names)), tc.name)
	}
}

func TestEach(t *testing.T) {
	t.Parallel()
	var got []string
	redact.Each([]byte(`{"b":{"password":"p"},"a":[{"password":null},{"x":1}]}`), []string{"password"}, func(ptr string, v any) {
		got = append(got, ptr)
	})
	assert.Equal(t, []string{"/a/0/password", "/b/password"}, got, "every one, in key order, with array indexes")
	got = nil
	redact.Each([]byte(`{"pass\u0077ord":"p"}`), []string{"password"}, func(ptr string, _ any) { got = append(got, ptr) })
	assert.Equal(t, []string{"/password"}, got, "a name an escape spells is found too")
	assert.Equal(t, `{"password":"<redacted>"}`, string(redact.Named([]byte(`{"pass\u0077ord":"p"}`), []string{"password"})))
}
