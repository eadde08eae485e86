package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// emptySHA256 is the payload hash of a request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// canonicalRequest builds the canonical request of SDK-HMAC-SHA256:
// method, canonical URI, canonical query, canonical headers (each
// "name:value\n"), the signed header list and the payload hash, joined by
// "\n". names must be lower-case and sorted; host is read from hostValue.
func canonicalRequest(b *strings.Builder, req *http.Request, hostValue string, names []string, payloadHash string) {
	b.WriteString(req.Method)
	b.WriteByte('\n')
	writeCanonicalURI(b, req.URL.Path)
	b.WriteByte('\n')
	writeCanonicalQuery(b, req.URL.RawQuery)
	b.WriteByte('\n')
	for _, name := range names {
		if name == "host" {
			b.WriteString("host:")
			b.WriteString(strings.TrimSpace(hostValue))
			b.WriteByte('\n')
			continue
		}
		values := req.Header.Values(name)
		if len(values) > 1 {
			values = append([]string(nil), values...)
			for i := range values {
				values[i] = strings.TrimSpace(values[i])
			}
			sort.Strings(values)
		}
		for _, v := range values {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(v))
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	for i, name := range names {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
	}
	b.WriteByte('\n')
	b.WriteString(payloadHash)
}

// writeCanonicalURI escapes each segment of the decoded path strictly and
// always ends the result with "/", as API Gateway does.
func writeCanonicalURI(b *strings.Builder, path string) {
	if path == "" {
		b.WriteByte('/')
		return
	}
	start := 0
	for i := 0; i <= len(path); i++ {
		if i == len(path) || path[i] == '/' {
			writeEscaped(b, path[start:i])
			if i < len(path) {
				b.WriteByte('/')
			}
			start = i + 1
		}
	}
	if path[len(path)-1] != '/' {
		b.WriteByte('/')
	}
}

// writeCanonicalQuery sorts keys, then values, by raw bytes and writes
// escape(key)=escape(value) pairs joined by "&".
func writeCanonicalQuery(b *strings.Builder, raw string) {
	if raw == "" {
		return
	}
	q, _ := url.ParseQuery(raw)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	first := true
	for _, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for _, v := range vs {
			if !first {
				b.WriteByte('&')
			}
			first = false
			writeEscaped(b, k)
			b.WriteByte('=')
			writeEscaped(b, v)
		}
	}
}

const upperHex = "0123456789ABCDEF"

// writeEscaped percent-encodes every byte but A-Z a-z 0-9 - _ . ~ with
// upper-case hex. Neither url.PathEscape nor url.QueryEscape does this.
func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// signature is hex(HMAC-SHA256(sk, "SDK-HMAC-SHA256\n" + date + "\n" +
// hex(SHA-256(canonical)))).
func signature(sk []byte, date, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	var hexSum [64]byte
	hex.Encode(hexSum[:], sum[:])
	mac := hmac.New(sha256.New, sk)
	mac.Write([]byte(Algorithm))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(date))
	mac.Write([]byte{'\n'})
	mac.Write(hexSum[:])
	return hex.EncodeToString(mac.Sum(nil))
}

func sha256Hex(b []byte) string {
	if len(b) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
