package client

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/dli-contract/dli-go/gen/dli"
)

// defaultPageSize is DLI's page size when a list has no limit.
const defaultPageSize = 100

// EnhancedConnections returns every enhanced connection that params select,
// across pages: it lists from params' offset, params' limit at a time (100
// when nil; 0 asks DLI for everything at once), until a page is shorter
// than the limit. It yields an error and stops when a call fails, when the
// context is done before a page, or when the server answers a page with
// the same connections as the one before (it ignores the offset, and the
// paging would never end).
func (c *Client) EnhancedConnections(ctx context.Context, params *dli.ListEnhancedConnectionsParams) iter.Seq2[dli.EnhancedConnection, error] {
	return func(yield func(dli.EnhancedConnection, error) bool) {
		p := dli.ListEnhancedConnectionsParams{}
		if params != nil {
			p = *params
		}
		limit, offset := int32(defaultPageSize), int32(0)
		if p.Limit != nil {
			limit = *p.Limit
		}
		if p.Offset != nil {
			offset = *p.Offset
		}
		var previous []string
		for {
			if err := ctx.Err(); err != nil {
				yield(dli.EnhancedConnection{}, fmt.Errorf("EnhancedConnections: %w", err))
				return
			}
			p.Limit, p.Offset = &limit, &offset
			page, err := c.ListEnhancedConnections(ctx, &p)
			if err != nil {
				yield(dli.EnhancedConnection{}, err)
				return
			}
			ids := make([]string, len(page.Connections))
			for i, conn := range page.Connections {
				ids[i] = value(conn.ID)
			}
			if len(ids) > 0 && slices.Equal(ids, previous) {
				yield(dli.EnhancedConnection{}, fmt.Errorf(
					"EnhancedConnections: the server answered offset %d with the same %d connections as the page before; it ignores offset",
					offset, len(ids)))
				return
			}
			for _, conn := range page.Connections {
				if !yield(conn, nil) {
					return
				}
			}
			if limit == 0 || len(page.Connections) < int(limit) {
				return
			}
			// A full page: the next one starts a limit further on.
			previous = ids
			offset += limit
		}
	}
}
