package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/validate"
)

// What the document marks writeOnly, found by its marking: the
// passwords of a datasource authentication, and nothing else.
func TestSecretsAreWhatTheDocumentMarks(t *testing.T) {
	t.Parallel()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	assert.Equal(t, []string{"/key_password", "/keystore_password", "/password", "/truststore_password"}, doc.Secrets("CreateJobAuthInfo"))
	assert.Equal(t, []string{"/keystore_password", "/password", "/truststore_password"}, doc.Secrets("UpdateAuthInfo"), "key_password cannot be updated")
	assert.Empty(t, doc.Secrets("CreateEnhancedConnection"))
	assert.Equal(t, []string{"key_password", "keystore_password", "password", "truststore_password"}, doc.SecretNames())

	sent := []byte(`{"auth_info_name":"a","datasource_type":"passwd","password":"Huawei12!"}`)
	assert.JSONEq(t, `{"auth_info_name":"a","datasource_type":"passwd","password":"<redacted>"}`, string(doc.Redact("CreateJobAuthInfo", sent)))
	plain := []byte(`{"name":"a"}`)
	assert.Equal(t, string(plain), string(doc.Redact("CreateEnhancedConnection", plain)), "nothing to hide: the body as it was")
	assert.NotContains(t, string(doc.Redact("CreateJobAuthInfo", []byte(`[{"password":"Huawei12!"}]`))), "Huawei12!",
		"a body of another shape than its schema still hides a property of a writeOnly name")
	assert.Equal(t, []string{"Huawei12!"}, doc.SecretValues(sent))
	leaked := []byte(`{"auth_infos":[{"auth_info_name":"a","password":"Huawei12!"}]}`)
	assert.Equal(t, []string{"/auth_infos/0/password"}, doc.SecretsIn(leaked))
	assert.NotContains(t, string(doc.RedactAnswer(leaked)), "Huawei12!")
	assert.Empty(t, doc.SecretsIn([]byte(`{"auth_infos":[{"auth_info_name":"password"}]}`)), "a value is no property")
}
