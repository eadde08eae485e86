package phases

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/docwalk"
)

func decoded(t *testing.T, src string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(src), &v))
	return v
}

// The first requests of a budgeted body: its new breaks combined, one
// alone where the body satisfies something new, breaking a property that
// adds nothing satisfied by itself; each null wanted on a request that
// leaves the property as the body has it, or on a spare case, or, where
// the path names nothing, on the body itself.
func TestFirstCasesCarryWhatABudgetNeeds(t *testing.T) {
	t.Parallel()
	body := decoded(t, `{"a":"x","b":"y","c":{"d":"z"}}`)
	breaks := func(ptr, rule string) contract.Case {
		return contract.Case{Name: ptr + " " + rule, Value: docwalk.Set(body, ptr, 12345.0), Field: ptr, Rule: rule}
	}
	a, b, d, c := breaks("/a", "type"), breaks("/b", "type"), breaks("/c/d", "type"), breaks("/c", "type")
	derived := []contract.Case{a, b, c, d}
	nothingNew := func(any) bool { return false }
	newButA := func(v any) bool { // all but /a's value adds something satisfied
		_, onlyA := v.(map[string]any)["a"]
		return !onlyA || len(v.(map[string]any)) > 1
	}
	names := func(cases []contract.Case) []string {
		var out []string
		for _, c := range cases {
			out = append(out, c.Name)
		}
		return out
	}

	got := firstCases(body, []contract.Case{b, d}, derived, nothingNew, false, nil)
	assert.Equal(t, []string{"2 at once: /b type; /c/d type"}, names(got), "nothing new satisfied: the breaks combined")

	got = firstCases(body, []contract.Case{b, d}, derived, newButA, false, nil)
	require.Len(t, got, 2)
	assert.Equal(t, "/a type", got[0].Name, "alone: the break of the property whose value alone adds nothing")
	assert.Equal(t, "2 at once: /b type; /c/d type", got[1].Name)

	got = firstCases(body, []contract.Case{b}, derived, nothingNew, false, []string{"/a", "/b", "/c/d"})
	assert.Equal(t, []string{"/b type, with /a null, with /c/d null", "/a type, with /b null"}, names(got),
		"a null on a fresh case that leaves it, else on a spare one")
	v, _ := docwalk.At(got[0].Value, "/b")
	assert.InDelta(t, 12345.0, v, 0, "the break is kept")

	only := []contract.Case{c}
	got = firstCases(body, nil, only, nothingNew, true, []string{"/c"})
	require.Len(t, got, 1)
	assert.True(t, got[0].Valid, "a null no break can carry rides on the valid body where the path names nothing")
	assert.JSONEq(t, `{"a":"x","b":"y","c":null}`, string(mustJSON(t, got[0].Value)))
	assert.Empty(t, firstCases(body, nil, only, nothingNew, false, []string{"/c"}), "and on nothing where a valid body would be taken")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
