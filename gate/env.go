package gate

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/endpoint"
	"github.com/dli-contract/dli-go/gen/dli"
)

// Environment variables of live mode.
const (
	EnvEndpoint      = "DLI_ENDPOINT"        // e.g. https://dli.cn-north-4.myhuaweicloud.com
	EnvProjectID     = "DLI_PROJECT_ID"      // project of the region
	EnvAK            = "DLI_AK"              // with DLI_SK: AK/SK signing
	EnvSK            = "DLI_SK"              //
	EnvSecurityToken = "DLI_SECURITY_TOKEN"  // with DLI_AK and DLI_SK: temporary credentials
	EnvToken         = "DLI_TOKEN"           // or an IAM token
	EnvMutate        = "DLI_CONTRACT_MUTATE" // "1": also create and delete
	// The enhanced connection a mutating live run creates: DLI needs a
	// real VPC, subnet and elastic resource pool.
	EnvVPC    = "DLI_CONTRACT_VPC_ID"
	EnvSubnet = "DLI_CONTRACT_SUBNET_ID"
	EnvPool   = "DLI_CONTRACT_POOL"
	// Optional: a queue to bind and a project to grant a connection to,
	// for the field cases that need them.
	EnvQueue   = "DLI_CONTRACT_QUEUE"
	EnvGrantee = "DLI_CONTRACT_GRANTEE_PROJECT_ID"
	// The classic connection a mutating live run creates, optional since
	// the classic API is past its end of life: a real service address,
	// security group and subnet.
	EnvService       = "DLI_CONTRACT_SERVICE" // default RDS
	EnvURL           = "DLI_CONTRACT_URL"
	EnvSecurityGroup = "DLI_CONTRACT_SECURITY_GROUP_ID"
	EnvNetwork       = "DLI_CONTRACT_NETWORK_ID"
)

// TargetFromEnv builds the live target from the environment. ok is false
// when DLI_ENDPOINT is not set (the suite then runs in-process); an error
// says which variable is missing or wrong, never quoting a secret.
func TargetFromEnv(getenv func(string) string) (t Target, ok bool, err error) {
	ep := getenv(EnvEndpoint)
	if ep == "" {
		return Target{}, false, nil
	}
	if ep, err = endpoint.Resolve("", ep); err != nil {
		return Target{}, true, fmt.Errorf("%s: %w", EnvEndpoint, err)
	}
	project := getenv(EnvProjectID)
	var missing []string
	if project == "" {
		missing = append(missing, EnvProjectID)
	}
	var creds auth.Credentials
	ak, sk, token := getenv(EnvAK), getenv(EnvSK), getenv(EnvToken)
	switch {
	case ak != "" && sk != "":
		creds = auth.AKSK{AK: ak, SK: sk, ProjectID: project, SecurityToken: getenv(EnvSecurityToken)}
	case ak != "" || sk != "":
		missing = append(missing, "both "+EnvAK+" and "+EnvSK)
	case token != "":
		creds = auth.Token(token)
	default:
		missing = append(missing, EnvAK+" and "+EnvSK+", or "+EnvToken)
	}
	if len(missing) > 0 {
		return Target{}, true, errors.New("live mode (" + EnvEndpoint + " is set) needs " + strings.Join(missing, "; "))
	}
	mutate := getenv(EnvMutate)
	if mutate != "" && mutate != "0" && mutate != "1" {
		return Target{}, true, fmt.Errorf("%s must be 1 (create and delete) or 0, not %q", EnvMutate, mutate)
	}
	t = Target{
		Endpoint:    ep,
		ProjectID:   project,
		Transport:   auth.NewTransport(creds, http.DefaultTransport),
		Credentials: creds,
		Mutate:      mutate == "1",
	}
	if t.Mutate {
		t.Enhanced = dli.EnhancedConnectionCreateRequest{DestVpcID: getenv(EnvVPC), DestNetworkID: getenv(EnvSubnet)}
		t.Queue, t.GranteeProjectID = getenv(EnvQueue), getenv(EnvGrantee)
		if pool := getenv(EnvPool); pool != "" {
			t.Enhanced.ElasticResourcePools = []string{pool}
		}
		for name, v := range map[string]string{EnvVPC: t.Enhanced.DestVpcID, EnvSubnet: t.Enhanced.DestNetworkID, EnvPool: getenv(EnvPool)} {
			if v == "" {
				missing = append(missing, name)
			}
		}
		t.Create = dli.ConnectionCreateRequest{
			Service: getenv(EnvService), URL: getenv(EnvURL),
			SecurityGroupID: getenv(EnvSecurityGroup), NetworkID: getenv(EnvNetwork),
		}
		if t.Create.Service == "" {
			t.Create.Service = "RDS"
		}
		classic := map[string]string{EnvURL: t.Create.URL, EnvSecurityGroup: t.Create.SecurityGroupID, EnvNetwork: t.Create.NetworkID}
		given := 0
		for _, v := range classic {
			if v != "" {
				given++
			}
		}
		t.SkipClassic = given == 0
		for name, v := range classic {
			if v == "" && given > 0 {
				missing = append(missing, name+" (with the other classic inputs)")
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return Target{}, true, errors.New(EnvMutate + "=1 creates real connections and needs " + strings.Join(missing, ", "))
		}
	}
	return t, true, nil
}
