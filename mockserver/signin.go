package mockserver

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dli-contract/dli-go/version"
)

// Info is what GET /_mock/info answers: that the server is a dli-mock,
// and what a program pointed at it needs to know. dli-contract -mock asks
// for it, and does not judge credentials a mock does not check.
type Info struct {
	// Server is always "dli-mock".
	Server  string `json:"server"`
	Version string `json:"version"`
	// Credentials are what the mock checks: "AK/SK", "token", both, or
	// none, when it takes every request as it comes.
	Credentials []string `json:"credentials"`
	// CreateDelay is how long a new connection stays CREATING.
	CreateDelay string   `json:"create_delay"`
	Operations  []string `json:"operations"`
}

// Info describes the mock.
func (s *Server) Info() Info {
	creds := []string{}
	if s.cfg.AK != "" {
		creds = append(creds, "AK/SK")
	}
	if s.cfg.Token != "" {
		creds = append(creds, "token")
	}
	return Info{Server: "dli-mock", Version: version.String(), Credentials: creds,
		CreateDelay: s.cfg.CreateDelay.String(), Operations: slices.Clone(s.operations)}
}

// basicAuth accepts HTTP Basic credentials on the control surface, which a
// browser can send where it cannot sign: the AK as the user and the SK as
// the password, or any user and the token as the password.
func (s *Server) basicAuth(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	same := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	if s.cfg.AK != "" && same(user, s.cfg.AK) && same(pass, s.cfg.SK) {
		return true
	}
	return s.cfg.Token != "" && same(pass, s.cfg.Token)
}

// wantsHTML tells a browser's request from a program's.
func wantsHTML(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html")
}

var signInTemplate = template.Must(template.New("signin").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dli-mock: sign in</title>
<style>body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 50em; padding: 0 1em; color: #1b1b1b; } code { font-size: .95em; }</style>
</head><body>
<h1>dli-mock checks credentials</h1>
<p id="how">This mock was started with credentials{{if .AKSK}} (an AK/SK pair{{if .Token}} and a token{{end}}){{else}} (a token){{end}}, so its page and its control surface ask for them too. Reload the page and sign in when your browser asks:</p>
<ul>
{{if .AKSK}}<li>user name: the <b>access key</b> (AK) the mock was started with (<code>-ak</code>, or <code>HUAWEICLOUD_SDK_AK</code>);<br>password: its <b>secret key</b> (SK) (<code>-sk</code>, or <code>HUAWEICLOUD_SDK_SK</code>).</li>{{end}}
{{if .Token}}<li>{{if .AKSK}}or: {{end}}any user name, and the <b>token</b> (<code>-token</code>, or <code>DLI_TOKEN</code>) as the password.</li>{{end}}
</ul>
<p>From a shell: <code>curl -u "$HUAWEICLOUD_SDK_AK:$HUAWEICLOUD_SDK_SK" http://{{.Host}}/_mock/state</code>. Nothing the mock holds is shown without credentials.</p>
</body></html>
`))

// signInPage refuses a browser, saying how to get in.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	_ = signInTemplate.Execute(&b, struct {
		AKSK, Token bool
		Host        string
	}{s.cfg.AK != "", s.cfg.Token != "", r.Host})
	w.Header().Set("WWW-Authenticate", `Basic realm="dli-mock", charset="UTF-8"`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(b.String()))
}
