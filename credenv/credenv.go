// Package credenv reads the environment the way every program of this
// module does: credentials and the project by the names the official
// Huawei Cloud SDK uses (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK,
// HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID), so that one
// environment serves the client, the gate, the examples and the mock.
//
// The names dli-contract, the examples and dli-mock read before (DLI_AK,
// DLI_SK, DLI_MOCK_SK ...) are still read until release RemovedIn, each
// with one line saying what replaces it.
package credenv

import (
	"fmt"
	"io"

	"github.com/dli-contract/dli-go/auth"
)

// EnvToken is an IAM token, for the programs that take one instead of
// AK/SK (dli-contract sends it, dli-mock accepts it). The official SDK has
// no name for it.
const EnvToken = "DLI_TOKEN" //nolint:gosec // a variable's name, not a credential

// RemovedIn is the release that stops reading the old names.
const RemovedIn = "0.2.0"

// Renamed lists each old name with the name that replaces it, in the
// order they are looked at when the new name is not set.
var Renamed = []struct{ Old, New string }{
	{"DLI_AK", auth.EnvAK},
	{"DLI_SK", auth.EnvSK},
	{"DLI_MOCK_SK", auth.EnvSK},
	{"DLI_SECURITY_TOKEN", auth.EnvSecurityToken},
	{"DLI_PROJECT_ID", auth.EnvProjectID},
	{"DLI_MOCK_TOKEN", EnvToken},
}

// Environ returns getenv as it reads a new name: when the new name is not
// set, the value of an old name that is. For each old name that is set it
// writes one line to warn, prefixed by prog, saying what replaces it; the
// line never quotes a value.
func Environ(getenv func(string) string, warn io.Writer, prog string) func(string) string {
	for _, r := range Renamed {
		if getenv(r.Old) == "" {
			continue
		}
		line := fmt.Sprintf("%s: %s is deprecated and read only until release %s: set %s instead", prog, r.Old, RemovedIn, r.New)
		if getenv(r.New) != "" {
			line += fmt.Sprintf(" (%s is set too, and wins)", r.New)
		}
		_, _ = fmt.Fprintln(warn, line)
	}
	return func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		for _, r := range Renamed {
			if r.New == name {
				if v := getenv(r.Old); v != "" {
					return v
				}
			}
		}
		return ""
	}
}
