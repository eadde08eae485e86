package client

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/dli-contract/dli-go/gen/dli"
)

// maxTagsPerCall is how many tags one BatchDeleteResourceTags carries
// (dli_02_0397).
const maxTagsPerCall = 20

// TagConnection adds tags to an enhanced connection, key to value, in one
// BatchCreateResourceTags; a key the connection has gets the new value, as
// the document chooses (DLI does not say). A connection has at most 20
// tags: a call that would leave more is refused and changes nothing.
func (c *Client) TagConnection(ctx context.Context, connectionID string, tags map[string]string) error {
	if len(tags) == 0 {
		return errors.New("TagConnection: no tags given")
	}
	body := dli.ResourceTagsRequest{Tags: make([]dli.ResourceTag, 0, len(tags))}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		body.Tags = append(body.Tags, dli.ResourceTag{Key: k, Value: tags[k]})
	}
	return c.BatchCreateResourceTags(ctx, connectionID, body)
}

// UntagConnection deletes the tags of these keys from an enhanced
// connection, whatever their values; a key it does not have is no error.
// It sends each key alone, without a value, as the example of
// dli_02_0397 does, twenty to a call; no keys, no call.
//
// The official SDK cannot send a key alone: its Tag.Value is a plain
// string, so an unset value goes out as "value": "". The document (and
// dli-mock) read "" as "whatever the value", but no public source records
// what live DLI does with it, so this method does not rely on it. To
// delete a tag only while it has a given value, call
// BatchDeleteResourceTags with that value: a tag whose value differs
// stays.
func (c *Client) UntagConnection(ctx context.Context, connectionID string, keys ...string) error {
	for batch := range slices.Chunk(keys, maxTagsPerCall) {
		body := dli.ResourceTagsDeleteRequest{Tags: make([]dli.TagToDelete, len(batch))}
		for i, k := range batch {
			body.Tags[i] = dli.TagToDelete{Key: k}
		}
		if err := c.BatchDeleteResourceTags(ctx, connectionID, body); err != nil {
			return err
		}
	}
	return nil
}
