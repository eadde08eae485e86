package auth

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// signedHeader is one header of SignedHeaders: its lower-case name and
// every value sent under it.
type signedHeader struct {
	name   string
	values []string
}

// canonicalRequest appends the canonical request of SDK-HMAC-SHA256 to b:
// method, canonical URI, canonical query, canonical headers (one
// "name:value\n" per value, values trimmed and sorted), the signed header
// list and the payload hash, joined by "\n". headers are sorted by name.
func canonicalRequest(b []byte, req *http.Request, headers []signedHeader, payload string) []byte {
	b = append(b, req.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, req.URL.Path)
	b = append(b, '\n')
	b = append(b, canonicalQuery(req.URL.RawQuery)...)
	b = append(b, '\n')
	for _, h := range headers {
		values := h.values
		if len(values) > 1 {
			values = make([]string, len(h.values))
			for i, v := range h.values {
				values[i] = strings.TrimSpace(v)
			}
			sort.Strings(values)
		}
		for _, v := range values {
			b = append(b, h.name...)
			b = append(b, ':')
			b = append(b, strings.TrimSpace(v)...)
			b = append(b, '\n')
		}
	}
	b = append(b, '\n')
	b = appendSignedHeaders(b, headers)
	b = append(b, '\n')
	return append(b, payload...)
}

// appendSignedHeaders appends the names of headers joined by ";".
func appendSignedHeaders(b []byte, headers []signedHeader) []byte {
	for i, h := range headers {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h.name...)
	}
	return b
}

// appendCanonicalURI escapes each segment of the decoded path strictly and
// always ends the result with "/", as API Gateway does.
func appendCanonicalURI(b []byte, path string) []byte {
	for {
		segment, rest, more := strings.Cut(path, "/")
		b = appendEscaped(b, segment)
		if !more {
			break
		}
		b = append(b, '/')
		path = rest
	}
	if len(b) == 0 || b[len(b)-1] != '/' {
		b = append(b, '/')
	}
	return b
}

// canonicalQuery sorts keys, then values, by raw bytes and joins
// escape(key)=escape(value) pairs with "&".
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, _ := url.ParseQuery(raw)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b []byte
	for _, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for _, v := range vs {
			if len(b) > 0 {
				b = append(b, '&')
			}
			b = appendEscaped(b, k)
			b = append(b, '=')
			b = appendEscaped(b, v)
		}
	}
	return string(b)
}

// appendEscaped percent-encodes every byte but A-Z a-z 0-9 - _ . ~ with
// upper-case hex. Neither url.PathEscape nor url.QueryEscape does this.
func appendEscaped(b []byte, s string) []byte {
	const upperHex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperHex[c>>4], upperHex[c&15])
	}
	return b
}
