package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// emptySHA256 is the payload hash of a request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// buffers recycles the scratch buffers of signing (the body, then the
// canonical request): signing is on every call's path, so it should not
// allocate them each time.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, minBuffer); return &b }}

const (
	// minBuffer holds a typical DLI request body and its canonical request.
	minBuffer = 4 << 10
	// maxPooledBuffer keeps one unusually large request from pinning its
	// buffer in the pool.
	maxPooledBuffer = 64 << 10
)

func putBuffer(bp *[]byte) {
	if cap(*bp) <= maxPooledBuffer {
		buffers.Put(bp)
	}
}

// canonicalRequest appends the canonical request of SDK-HMAC-SHA256 to b:
// method, canonical URI, canonical query, canonical headers (each
// "name:value\n"), the signed header list and the payload hash, joined by
// "\n". names are the lower-case signed header names and keys the
// matching keys of req.Header; host is read from hostValue.
func canonicalRequest(b []byte, req *http.Request, hostValue string, names, keys []string, payloadHash []byte) []byte {
	b = append(b, req.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, req.URL.Path)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, req.URL.RawQuery)
	b = append(b, '\n')
	for i, name := range names {
		if name == "host" {
			b = append(b, "host:"...)
			b = append(b, strings.TrimSpace(hostValue)...)
			b = append(b, '\n')
			continue
		}
		values := req.Header[keys[i]]
		if len(values) > 1 {
			values = append([]string(nil), values...)
			for i := range values {
				values[i] = strings.TrimSpace(values[i])
			}
			sort.Strings(values)
		}
		for _, v := range values {
			b = append(b, name...)
			b = append(b, ':')
			b = append(b, strings.TrimSpace(v)...)
			b = append(b, '\n')
		}
	}
	b = append(b, '\n')
	b = appendJoined(b, names)
	b = append(b, '\n')
	return append(b, payloadHash...)
}

func appendJoined(b []byte, names []string) []byte {
	for i, name := range names {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, name...)
	}
	return b
}

// appendCanonicalURI escapes each segment of the decoded path strictly and
// always ends the result with "/", as API Gateway does.
func appendCanonicalURI(b []byte, path string) []byte {
	if path == "" {
		return append(b, '/')
	}
	start := 0
	for i := 0; i <= len(path); i++ {
		if i == len(path) || path[i] == '/' {
			b = appendEscaped(b, path[start:i])
			if i < len(path) {
				b = append(b, '/')
			}
			start = i + 1
		}
	}
	if path[len(path)-1] != '/' {
		b = append(b, '/')
	}
	return b
}

// appendCanonicalQuery sorts keys, then values, by raw bytes and writes
// escape(key)=escape(value) pairs joined by "&".
func appendCanonicalQuery(b []byte, raw string) []byte {
	if raw == "" {
		return b
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
				b = append(b, '&')
			}
			first = false
			b = appendEscaped(b, k)
			b = append(b, '=')
			b = appendEscaped(b, v)
		}
	}
	return b
}

const upperHex = "0123456789ABCDEF"

// appendEscaped percent-encodes every byte but A-Z a-z 0-9 - _ . ~ with
// upper-case hex. Neither url.PathEscape nor url.QueryEscape does this.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperHex[c>>4], upperHex[c&15])
	}
	return b
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// hmacKey holds the HMAC-SHA256 pads of a secret key, computed once per
// signer, so that each signature is two SHA-256 sums over stack buffers
// instead of a crypto/hmac object per request (RFC 2104).
type hmacKey struct{ ipad, opad [sha256.BlockSize]byte }

func newHMACKey(sk []byte) *hmacKey {
	k := sk
	if len(k) > sha256.BlockSize {
		sum := sha256.Sum256(k)
		k = sum[:]
	}
	h := &hmacKey{}
	copy(h.ipad[:], k)
	copy(h.opad[:], k)
	for i := range h.ipad {
		h.ipad[i] ^= 0x36
		h.opad[i] ^= 0x5c
	}
	return h
}

// signature returns hex(HMAC-SHA256(sk, "SDK-HMAC-SHA256\n" + date + "\n" +
// hex(SHA-256(canonical)))) into out.
func (k *hmacKey) signature(out *[64]byte, date string, canonical []byte) {
	sum := sha256.Sum256(canonical)
	var msg [sha256.BlockSize + len(Algorithm) + 1 + 32 + 1 + 64]byte
	m := append(msg[:0], k.ipad[:]...)
	m = append(m, Algorithm...)
	m = append(m, '\n')
	m = append(m, date...)
	m = append(m, '\n')
	m = hex.AppendEncode(m, sum[:])
	inner := sha256.Sum256(m)
	var outer [sha256.BlockSize + sha256.Size]byte
	copy(outer[:], k.opad[:])
	copy(outer[sha256.BlockSize:], inner[:])
	mac := sha256.Sum256(outer[:])
	hex.Encode(out[:], mac[:])
}

func sha256Hex(b []byte) string {
	if len(b) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
