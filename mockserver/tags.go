package mockserver

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/server"
)

// The tag operations (/v3/{project_id}/{resource_type}/...), for enhanced
// connections. What the document chooses where DLI's sources are silent,
// docs/mock.md repeats: a create's tags and these are one store (c.tags,
// which the list's tags filter reads too); adding a key a connection has
// overwrites its value; a delete by key alone, or with value "" or null,
// removes the key whatever its value, and with another value only a tag
// of that value; keys are AND'd and a key's values OR'd; a connection has
// at most maxTags; a deleted connection's tags are still shown but cannot
// change, and it is no resource to find or count.

// maxTags is how many tags a connection may have.
const maxTags = 20

// defaultTagLimit is the page size of the tag lists without limit
// (dli_02_0501, dli_02_0513, dli_02_0399).
const defaultTagLimit = 1000

// sysPrefix starts the keys DLI keeps for itself.
const sysPrefix = "_sys_"

// tagIndex finds the live connections carrying a tag: key, then value, to
// the connections in creation order. Filters and counts by tags walk the
// connections it names, not the project.
type tagIndex map[string]map[string][]*enhancedConnection

// add indexes c under its tags.
func (ix tagIndex) add(c *enhancedConnection) {
	for _, t := range c.tags {
		byValue := ix[t.Key]
		if byValue == nil {
			byValue = map[string][]*enhancedConnection{}
			ix[t.Key] = byValue
		}
		list := byValue[t.Value]
		i, _ := slices.BinarySearchFunc(list, c.seq, func(o *enhancedConnection, seq int) int { return cmp.Compare(o.seq, seq) })
		byValue[t.Value] = slices.Insert(list, i, c)
	}
}

// remove forgets c under its tags.
func (ix tagIndex) remove(c *enhancedConnection) {
	for _, t := range c.tags {
		byValue := ix[t.Key]
		if byValue == nil {
			continue
		}
		byValue[t.Value] = slices.DeleteFunc(byValue[t.Value], func(o *enhancedConnection) bool { return o == c })
		if len(byValue[t.Value]) == 0 {
			delete(byValue, t.Value)
		}
		if len(byValue) == 0 {
			delete(ix, t.Key)
		}
	}
}

// keysRefused says why tags cannot be given in one call: a key twice
// (each key of a resource is unique, dli_02_0396) or one of DLI's own
// (_sys_); "" when they can.
func keysRefused(tags []server.Tag) string {
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case seen[t.Key]:
			return fmt.Sprintf("invalid request: tag key %q is given more than once", t.Key)
		case strings.HasPrefix(t.Key, sysPrefix):
			return fmt.Sprintf("invalid request: tag key %q starts with %s, which is reserved", t.Key, sysPrefix)
		}
		seen[t.Key] = true
	}
	return ""
}

// tagsRefused says why tags cannot be a new connection's: keysRefused's
// reasons, or more than maxTags; "" when they can.
func tagsRefused(tags []server.Tag) (code, msg string) {
	if msg := keysRefused(tags); msg != "" {
		return apierror.CodeBadParameter, msg
	}
	if len(tags) > maxTags {
		return apierror.CodeSystemLimit, fmt.Sprintf("A resource has at most %d tags; this request would leave %d.", maxTags, len(tags))
	}
	return "", ""
}

// tagRefused answers a tag call refused with code.
func tagRefused(code, format string, args ...any) server.TagRefusedJSONResponse {
	return server.TagRefusedJSONResponse(errorBody(code, fmt.Sprintf(format, args...)))
}

// tagged finds the connection a per-resource tag call names: nil and the
// refusal when the type is not one the mock holds or there is no such
// connection.
func (p *project) tagged(kind server.TagResourceType, id string) (*enhancedConnection, *server.TagRefusedJSONResponse) {
	if kind != server.DliEnhancedDatasource {
		r := tagRefused(apierror.CodeNotExist, "%s %s does not exist (dli-mock holds enhanced connections only)", kind, id)
		return nil, &r
	}
	c := p.enhanced[id]
	if c == nil {
		r := server.TagRefusedJSONResponse(enhancedNotFound(id))
		return nil, &r
	}
	return c, nil
}

// changeTags runs apply on the live connection a tag call names, under
// the store's write lock; a refusal changes nothing.
func (h *handlers) changeTags(project string, kind server.TagResourceType, id string, apply func(p *project, c *enhancedConnection) *server.TagRefusedJSONResponse) *server.TagRefusedJSONResponse {
	s := h.s
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	p := s.store.lookup(project)
	c, refused := p.tagged(kind, id)
	switch {
	case refused != nil:
		return refused
	case c.deleted:
		r := tagRefused(apierror.CodeBadParameter, "Connection %s has been deleted and cannot be changed.", id)
		return &r
	}
	return apply(p, c)
}

func (h *handlers) BatchCreateResourceTags(_ context.Context, r server.BatchCreateResourceTagsRequestObject) (server.BatchCreateResourceTagsResponseObject, error) {
	refused := h.changeTags(r.ProjectID, r.ResourceType, r.ResourceID, func(p *project, c *enhancedConnection) *server.TagRefusedJSONResponse {
		added := make([]server.Tag, len(r.Body.Tags))
		for i, t := range r.Body.Tags {
			added[i] = server.Tag(t)
		}
		if msg := keysRefused(added); msg != "" {
			e := tagRefused(apierror.CodeBadParameter, "%s", msg)
			return &e
		}
		after := len(added)
		for _, t := range c.tags {
			if !slices.ContainsFunc(added, func(a server.Tag) bool { return a.Key == t.Key }) {
				after++
			}
		}
		if after > maxTags {
			e := tagRefused(apierror.CodeSystemLimit, "A resource has at most %d tags; this request would leave %d.", maxTags, after)
			return &e
		}
		p.tags.remove(c)
		tags := slices.Clone(c.tags)
		for _, t := range added {
			if i := slices.IndexFunc(tags, func(o server.Tag) bool { return o.Key == t.Key }); i >= 0 {
				tags[i].Value = t.Value
			} else {
				tags = append(tags, t)
			}
		}
		c.tags = tags
		p.tags.add(c)
		return nil
	})
	if refused != nil {
		return server.BatchCreateResourceTags400JSONResponse{TagRefusedJSONResponse: *refused}, nil
	}
	return server.BatchCreateResourceTags204Response{}, nil
}

func (h *handlers) BatchDeleteResourceTags(_ context.Context, r server.BatchDeleteResourceTagsRequestObject) (server.BatchDeleteResourceTagsResponseObject, error) {
	refused := h.changeTags(r.ProjectID, r.ResourceType, r.ResourceID, func(p *project, c *enhancedConnection) *server.TagRefusedJSONResponse {
		p.tags.remove(c)
		c.tags = slices.DeleteFunc(slices.Clone(c.tags), func(t server.Tag) bool {
			return slices.ContainsFunc(r.Body.Tags, func(d server.TagToDelete) bool {
				return d.Key == t.Key && (d.Value == nil || *d.Value == "" || *d.Value == t.Value)
			})
		})
		p.tags.add(c)
		return nil
	})
	if refused != nil {
		return server.BatchDeleteResourceTags400JSONResponse{TagRefusedJSONResponse: *refused}, nil
	}
	return server.BatchDeleteResourceTags204Response{}, nil
}

func (h *handlers) ShowResourceTags(_ context.Context, r server.ShowResourceTagsRequestObject) (server.ShowResourceTagsResponseObject, error) {
	s := h.s
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	c, refused := s.store.lookup(r.ProjectID).tagged(r.ResourceType, r.ResourceID)
	if refused != nil {
		return server.ShowResourceTags400JSONResponse{TagRefusedJSONResponse: *refused}, nil
	}
	page := window(c.tags, r.Params.Offset, r.Params.Limit)
	tags := make([]server.ResourceTag, len(page))
	for i, t := range page {
		tags[i] = server.ResourceTag(t)
	}
	return server.ShowResourceTags200JSONResponse{Count: ptr(int64(len(tags))), Tags: tags}, nil
}

func (h *handlers) ListResourcesTags(_ context.Context, r server.ListResourcesTagsRequestObject) (server.ListResourcesTagsResponseObject, error) {
	s := h.s
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	keys := []server.TagKey{}
	if r.ResourceType == server.DliEnhancedDatasource {
		ix := s.store.lookup(r.ProjectID).tags
		for _, k := range slices.Sorted(maps.Keys(ix)) {
			keys = append(keys, server.TagKey{Key: k, Values: slices.Sorted(maps.Keys(ix[k]))})
		}
	}
	page := window(keys, r.Params.Offset, r.Params.Limit)
	return server.ListResourcesTags200JSONResponse{Count: ptr(int64(len(page))), Tags: page}, nil
}

func (h *handlers) ListResourcesByTags(_ context.Context, r server.ListResourcesByTagsRequestObject) (server.ListResourcesByTagsResponseObject, error) {
	s := h.s
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	offset, limit := 0, defaultTagLimit
	if r.Params.Offset != nil {
		offset = int(*r.Params.Offset)
	}
	if r.Params.Limit != nil && *r.Params.Limit > 0 {
		limit = int(*r.Params.Limit)
	}
	resources := []server.TaggedResource{}
	total := 0
	if r.ResourceType == server.DliEnhancedDatasource {
		p := s.store.lookup(r.ProjectID)
		// With no filter the total is known, and the walk stops at the
		// page's end.
		all := (r.Body.WithoutAnyTag == nil || !*r.Body.WithoutAnyTag) && len(r.Body.Tags) == 0 && len(r.Body.Matches) == 0
		p.selectByTags(*r.Body, func(c *enhancedConnection) bool {
			if total >= offset && len(resources) < limit {
				resources = append(resources, server.TaggedResource{ResourceID: c.id, ResourceName: c.name,
					ResourceDetail: map[string]any{}, Tags: resourceTags(c.tags)})
			}
			total++
			return !all || len(resources) < limit
		})
		if all {
			total = p.liveCount
		}
	}
	return server.ListResourcesByTags200JSONResponse{TotalCount: ptr(clamp32(total)), Resources: resources}, nil
}

func (h *handlers) CountResourcesByTags(_ context.Context, r server.CountResourcesByTagsRequestObject) (server.CountResourcesByTagsResponseObject, error) {
	s := h.s
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	total := 0
	if r.ResourceType == server.DliEnhancedDatasource {
		p := s.store.lookup(r.ProjectID)
		if (r.Body.WithoutAnyTag == nil || !*r.Body.WithoutAnyTag) && len(r.Body.Tags) == 0 && len(r.Body.Matches) == 0 {
			total = p.liveCount
		} else {
			p.selectByTags(*r.Body, func(*enhancedConnection) bool { total++; return true })
		}
	}
	return server.CountResourcesByTags200JSONResponse{TotalCount: clamp32(total)}, nil
}

// selectByTags calls found with each live connection the filter selects,
// in creation order, until it answers false. With tags, it walks only the connections the index
// holds under the key whose values name the fewest.
func (p *project) selectByTags(f server.ResourceFilterRequest, found func(*enhancedConnection) bool) {
	named := func(c *enhancedConnection) bool {
		for _, m := range f.Matches {
			if !strings.HasPrefix(c.name, m.Value) {
				return false
			}
		}
		return true
	}
	if f.WithoutAnyTag != nil && *f.WithoutAnyTag {
		for _, c := range p.enhancedOrder {
			if !c.deleted && len(c.tags) == 0 && named(c) && !found(c) {
				return
			}
		}
		return
	}
	if len(f.Tags) == 0 {
		for _, c := range p.enhancedOrder {
			if !c.deleted && named(c) && !found(c) {
				return
			}
		}
		return
	}
	var fewest []*enhancedConnection
	for i, sel := range f.Tags {
		var under []*enhancedConnection
		for v, cs := range p.tags[sel.Key] {
			if len(sel.Values) == 0 || slices.Contains(sel.Values, v) {
				under = append(under, cs...)
			}
		}
		if i == 0 || len(under) < len(fewest) {
			fewest = under
		}
	}
	// A connection has one value per key, so no connection is twice in
	// one key's lists.
	slices.SortFunc(fewest, func(a, b *enhancedConnection) int { return cmp.Compare(a.seq, b.seq) })
	for _, c := range fewest {
		if named(c) && carries(c.tags, f.Tags) && !found(c) {
			return
		}
	}
}

// carries says whether tags hold, for every selector, its key with one of
// its values (any, when it names none).
func carries(tags []server.Tag, sels []server.TagSelector) bool {
	for _, sel := range sels {
		if !slices.ContainsFunc(tags, func(t server.Tag) bool {
			return t.Key == sel.Key && (len(sel.Values) == 0 || slices.Contains(sel.Values, t.Value))
		}) {
			return false
		}
	}
	return true
}

func resourceTags(tags []server.Tag) []server.ResourceTag {
	out := make([]server.ResourceTag, len(tags))
	for i, t := range tags {
		out[i] = server.ResourceTag(t)
	}
	return out
}

// window is one page of items: from offset, up to limit (defaultTagLimit
// when absent or 0).
func window[T any](items []T, offset, limit *int32) []T {
	start, n := 0, defaultTagLimit
	if offset != nil {
		start = min(int(*offset), len(items))
	}
	if limit != nil && *limit > 0 {
		n = int(*limit)
	}
	return items[start:min(start+n, len(items))]
}

// clamp32 is n, a count, as an int32, at most math.MaxInt32.
func clamp32(n int) int32 {
	return int32(min(n, math.MaxInt32)) //nolint:gosec // a count, never negative, at most MaxInt32
}
