package gate

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// An unbind of two names that each cannot be unbound, for reasons with
// different codes, is refused; the document does not say which reason a
// server names, so either code will do. One reason keeps its code.
func TestPredictUnbindForSeveralReasons(t *testing.T) {
	t.Parallel()
	for _, mock := range []bool{true, false} {
		m := &model{mock: mock, conns: []*mConn{{id: "c1", bindings: []mBinding{{name: "fail_pool", status: "FAILED"}, {name: "pool_a", status: "ACTIVE"}}}}}
		unbind := func(pools ...any) prediction {
			return m.predict("DisassociateQueueFromEnhancedConnection", map[string]string{"connection_id": "c1"}, map[string]any{"elastic_resource_pools": pools})
		}
		both := unbind("contract_pool", "fail_pool")
		assert.Equal(t, refuse, both.want, "mock=%t: %s", mock, both.why)
		assert.Empty(t, both.code, "mock=%t: either reason's code", mock)

		failed := unbind("fail_pool")
		assert.Equal(t, refusal("DLI.0007", "fail_pool's binding FAILED"), failed)

		notBound := unbind("contract_pool")
		if mock {
			assert.Equal(t, "DLI.0001", notBound.code, "the mock's README")
			assert.Equal(t, refuse, notBound.want)
		} else {
			assert.Equal(t, either, notBound.want, "not documented")
		}
		ok := unbind("pool_a")
		assert.Equal(t, accept, ok.want)
		assert.NotNil(t, ok.apply)
	}
}
