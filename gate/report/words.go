package report

import (
	"fmt"
	"strings"
)

// Count is n of a noun, the noun in n's number: "1 request", "2 requests".
func Count(n int, noun string) string { return fmt.Sprintf("%d %s", n, Plural(n, noun)) }

// Plural is a noun in n's number.
func Plural(n int, noun string) string {
	switch {
	case n == 1:
		return noun
	case strings.HasSuffix(noun, "y") && !strings.ContainsAny(noun[len(noun)-2:len(noun)-1], "aeiou"):
		return noun[:len(noun)-1] + "ies" // a retry, two retries
	}
	return noun + "s"
}
