// Package endpoint resolves the DLI endpoint of a region, or checks an
// explicit one.
package endpoint

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// regionID is the shape of Huawei Cloud region ids: cn-north-4,
// ap-southeast-1, eu-west-101, my-kualalumpur-1.
var regionID = regexp.MustCompile(`^[a-z]{2,}(-[a-z]+)+-[0-9]+$`)

// domains lists regions outside myhuaweicloud.com.
var domains = map[string]string{
	"eu-west-101": "myhuaweicloud.eu",
}

// ForRegion returns https://dli.{region}.myhuaweicloud.com (or the
// region's own domain, such as myhuaweicloud.eu for eu-west-101).
func ForRegion(region string) (string, error) {
	if !regionID.MatchString(region) {
		return "", fmt.Errorf("endpoint: region %q is not a region id such as cn-north-4", region)
	}
	domain := "myhuaweicloud.com"
	if d, ok := domains[region]; ok {
		domain = d
	}
	return "https://dli." + region + "." + domain, nil
}

// Loopback reports whether an endpoint is on this machine: its host a
// loopback address or localhost. A dli-mock listens there, and requests
// there cost no one's quota.
func Loopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return host == "localhost"
}

// Resolve returns explicit when it is set (a private endpoint, a proxy or a
// local mock), after checking it is an absolute http(s) URL; else the
// endpoint of region.
func Resolve(region, explicit string) (string, error) {
	if explicit == "" {
		return ForRegion(region)
	}
	if !strings.Contains(explicit, "://") {
		// url.Parse would say "first path segment in URL cannot contain
		// colon" of 127.0.0.1:8080: name the fix instead.
		return "", fmt.Errorf("endpoint: %q has no scheme: write http://%s for a local server such as dli-mock, or https://%s", explicit, explicit, explicit)
	}
	u, err := url.Parse(explicit)
	if err != nil {
		return "", fmt.Errorf("endpoint: %q is not a URL: %w", explicit, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("endpoint: %q must be an absolute http or https URL such as https://dli.cn-north-4.myhuaweicloud.com", explicit)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("endpoint: %q must not carry a query or fragment", explicit)
	}
	return strings.TrimSuffix(explicit, "/"), nil
}
