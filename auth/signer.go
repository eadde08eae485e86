// Package auth authenticates requests to DLI: AK/SK request signing
// (SDK-HMAC-SHA256, as API Gateway verifies it), IAM token auth, and the
// server side of signing for stand-in servers. Secrets never appear in
// errors, logs or String output.
package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Header names and formats of Huawei Cloud's API Gateway.
const (
	Algorithm           = "SDK-HMAC-SHA256"
	DateLayout          = "20060102T150405Z"
	HeaderDate          = "X-Sdk-Date"
	HeaderContentSHA256 = "X-Sdk-Content-Sha256"
	HeaderSecurityToken = "X-Security-Token"
	HeaderProjectID     = "X-Project-Id"
	HeaderAuthToken     = "X-Auth-Token" //nolint:gosec // a header name, not a credential
	// UnsignedPayload in X-Sdk-Content-Sha256 signs a request without
	// hashing its body.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// Signer signs requests with an access key pair. It is safe for concurrent
// use.
type Signer struct {
	ak  string
	key *hmacKey
	ok  bool
}

// NewSigner returns a signer for access key ak and secret key sk, used
// exactly as given.
func NewSigner(ak, sk string) *Signer {
	return &Signer{ak: ak, key: newHMACKey([]byte(sk)), ok: ak != "" && sk != ""}
}

// String names the access key and hides the secret.
func (s *Signer) String() string { return "auth.Signer{AK: " + maskAK(s.ak) + ", SK: [redacted]}" }

// GoString keeps %#v from printing the secret key.
func (s *Signer) GoString() string { return s.String() }

// maxInlineHeaders is how many signed headers fit the stack arrays of
// Sign; more still work, on the heap.
const maxInlineHeaders = 16

// Sign sets X-Sdk-Date from t (in UTC) and Authorization on req. It signs
// host plus every header present on req at that moment (but Authorization)
// and the SHA-256 of the exact body bytes, which stay readable: the body is
// read through GetBody when the request has one, else buffered and put
// back. Sign it last, after every other change to the request.
func (s *Signer) Sign(req *http.Request, t time.Time) error {
	return s.sign(req, t, nil)
}

// sign is Sign, taking the header values it sets from spare when spare
// has room: Transport passes the unused tail of the value array of its own
// header copy, which saves an allocation per header set.
func (s *Signer) sign(req *http.Request, t time.Time, spare *[]string) error {
	if req == nil || req.URL == nil {
		return errors.New("auth: sign: request has no URL")
	}
	if !s.ok {
		return errors.New("auth: sign: access key or secret key is empty")
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	bp := buffers.Get().(*[]byte)
	defer putBuffer(bp)
	var payload [64]byte
	// The constant is canonical, so indexing finds what Get would, without
	// canonicalising the key on every call.
	if p := firstValue(req.Header[HeaderContentSHA256]); p != "" {
		return s.signWith(req, t, []byte(p), bp, spare)
	}
	if err := hashBody(req, &payload, bp); err != nil {
		return fmt.Errorf("auth: sign %s %s: read body: %w", req.Method, req.URL.Path, err)
	}
	return s.signWith(req, t, payload[:], bp, spare)
}

func (s *Signer) signWith(req *http.Request, t time.Time, payload []byte, bp *[]byte, spare *[]string) error {
	var dateBuf [len(DateLayout)]byte
	date := string(appendDate(dateBuf[:0], t.UTC()))
	setHeader(req.Header, spare, HeaderDate, date)

	var nameArr, keyArr [maxInlineHeaders]string
	names, keys := append(nameArr[:0], "host"), append(keyArr[:0], "")
	for key := range req.Header {
		switch name := lowerKey(key); name {
		case "host":
		case "authorization":
			// Replaced below, never signed. Another spelling of the
			// key would be sent next to ours.
			if key != "Authorization" {
				delete(req.Header, key)
			}
		default:
			names, keys = append(names, name), append(keys, key)
		}
	}
	sortTogether(names, keys)

	buf := canonicalRequest((*bp)[:0], req, hostOf(req), names, keys, payload)
	var sig [64]byte
	s.key.signature(&sig, date, buf)

	buf = append(buf[:0], Algorithm+" Access="...)
	buf = append(buf, s.ak...)
	buf = append(buf, ", SignedHeaders="...)
	buf = appendJoined(buf, names)
	buf = append(buf, ", Signature="...)
	buf = append(buf, sig[:]...)
	setHeader(req.Header, spare, "Authorization", string(buf))
	*bp = buf
	return nil
}

func firstValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// appendDate appends t in DateLayout, like t.AppendFormat(b, DateLayout)
// without interpreting the layout on every request.
func appendDate(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = appendDigits(b, int(month), 2)
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = appendDigits(b, minute, 2)
	b = appendDigits(b, sec, 2)
	return append(b, 'Z')
}

const decimal = "0123456789"

// appendDigits appends n zero-padded to width digits, or with all its
// digits when it has more (time.Format's rule for years past 9999).
func appendDigits(b []byte, n, width int) []byte {
	if n < 0 {
		// Years before 1 BC; Format writes them with a sign too.
		b = append(b, '-')
		n = -n
	}
	var d [20]byte
	i := len(d)
	for n >= 10 || len(d)-i < width-1 {
		i--
		d[i] = decimal[n%10]
		n /= 10
	}
	i--
	d[i] = decimal[n]
	return append(b, d[i:]...)
}

// setHeader sets key to the single value v, taking the one-element value
// slice from spare when it has room.
func setHeader(h http.Header, spare *[]string, key, v string) {
	if spare == nil || len(*spare) == 0 {
		h[key] = []string{v}
		return
	}
	vs := *spare
	vs[0] = v
	h[key] = vs[:1:1]
	*spare = vs[1:]
}

// lowerKey lower-cases a header name without allocating for the headers
// a DLI request usually carries.
func lowerKey(key string) string {
	switch key {
	case "Content-Type":
		return "content-type"
	case "X-Sdk-Date":
		return "x-sdk-date"
	case "X-Project-Id":
		return "x-project-id"
	case "X-Security-Token":
		return "x-security-token"
	case "User-Agent":
		return "user-agent"
	case "Host":
		return "host"
	case "Authorization":
		return "authorization"
	}
	return strings.ToLower(key)
}

// sortTogether sorts names and reorders keys alike (insertion sort: a
// request has a handful of headers).
func sortTogether(names, keys []string) {
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// hashBody writes the hex SHA-256 of the request body to out without
// consuming the body. bp is scratch space: a body that fits is read into it
// and hashed in one call; a larger one is streamed through a hasher.
func hashBody(req *http.Request, out *[64]byte, bp *[]byte) error {
	if req.Body == nil || req.Body == http.NoBody {
		copy(out[:], emptySHA256)
		return nil
	}
	var sum [sha256.Size]byte
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return err
		}
		defer func() { _ = rc.Close() }()
		b, full, err := readInto((*bp)[:0], rc)
		*bp = b
		if err != nil {
			return err
		}
		if full {
			h := sha256.New()
			h.Write(b)
			if _, err := io.Copy(h, rc); err != nil {
				return err
			}
			h.Sum(sum[:0])
		} else {
			sum = sha256.Sum256(b)
		}
	} else {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		sum = sha256.Sum256(b)
	}
	hex.Encode(out[:], sum[:])
	return nil
}

// readInto reads r into b up to b's capacity, growing it to at least
// minBuffer first. full reports that b filled up before r ended, so more
// may follow. (io.ReadFull would report a short body as
// io.ErrUnexpectedEOF, which a failing reader can return too.)
func readInto(b []byte, r io.Reader) (_ []byte, full bool, _ error) {
	if cap(b) < minBuffer {
		b = make([]byte, 0, minBuffer)
	}
	for len(b) < cap(b) {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, false, nil
		}
		if err != nil {
			return b, false, err
		}
	}
	return b, true, nil
}

// hostOf is the authority Go's client will send as Host.
func hostOf(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// maskAK shows enough of an access key to tell keys apart in a log.
func maskAK(ak string) string {
	if len(ak) <= 4 {
		return "****"
	}
	return ak[:4] + "****"
}
