package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
)

// defaultPageSize is DLI's page size when a list has no limit.
const defaultPageSize = 100

// pages is the one paginator of every offset/limit list (the methods that
// call it are generated from the document's paging declarations): it
// lists from offset, limit at a time (defaultPageSize when nil; all, when
// the list declares a limit that answers everything, asks for that at
// once), until a page is shorter than the limit. It yields an error and
// stops when a call fails, when the context is done before a page, or
// when the server answers a page with the same items as the one before
// (it ignores the offset, and the paging would never end).
func pages[T any](ctx context.Context, name string, offset, limit, all *int32, list func(offset, limit int32) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		lim, off := int32(defaultPageSize), int32(0)
		if limit != nil {
			lim = *limit
		}
		if offset != nil {
			off = *offset
		}
		var previous []byte
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, fmt.Errorf("%s: %w", name, err))
				return
			}
			page, err := list(off, lim)
			if err != nil {
				yield(zero, err)
				return
			}
			seen, _ := json.Marshal(page)
			if len(page) > 0 && bytes.Equal(seen, previous) {
				yield(zero, fmt.Errorf("%s: the server answered offset %d with the same %d items as the page before; it ignores offset",
					name, off, len(page)))
				return
			}
			for _, it := range page {
				if !yield(it, nil) {
					return
				}
			}
			if all != nil && lim == *all || lim <= 0 || len(page) < int(lim) {
				return
			}
			// A full page: the next one starts a limit further on.
			previous = seen
			off += lim
		}
	}
}

func ptr[T any](v T) *T { return &v }
