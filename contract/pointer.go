package contract

import "strings"

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// escape escapes one JSON pointer token (RFC 6901).
func escape(token string) string { return pointerEscaper.Replace(token) }
