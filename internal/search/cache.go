package search

import (
	"container/list"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// DefaultResultCache is how many results an index keeps by default.
const DefaultResultCache = 512

// resultCache keeps recent results, keyed by the normalized request. An
// entry is valid for one generation of the index: every committed batch
// starts a new one, so a cached result is never older than the index.
// Reads far outnumber writes, and the same searches recur (facet clicks,
// paging back, the same need typed by many workers).
type resultCache struct {
	mu    sync.Mutex
	max   int
	gen   uint64
	lru   *list.List // of *cacheEntry, most recent first
	items map[string]*list.Element
}

type cacheEntry struct {
	key string
	gen uint64
	res *Result
}

func newResultCache(max int) *resultCache {
	return &resultCache{max: max, lru: list.New(), items: map[string]*list.Element{}}
}

// generation returns the current generation, to be given to put with the
// result computed after it.
func (c *resultCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// invalidate starts a new generation: the index has changed.
func (c *resultCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.lru.Init()
	clear(c.items)
	c.mu.Unlock()
}

// setMax changes the capacity; 0 turns the cache off.
func (c *resultCache) setMax(n int) {
	c.mu.Lock()
	c.max = max(0, n)
	for c.lru.Len() > c.max {
		c.evictOldest()
	}
	c.mu.Unlock()
}

func (c *resultCache) evictOldest() {
	e := c.lru.Back()
	c.lru.Remove(e)
	delete(c.items, e.Value.(*cacheEntry).key)
}

func (c *resultCache) get(key string) (*Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	ce := e.Value.(*cacheEntry)
	if ce.gen != c.gen {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return ce.res.clone(), true
}

func (c *resultCache) put(key string, gen uint64, r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max == 0 || gen != c.gen {
		return
	}
	if e, ok := c.items[key]; ok {
		e.Value = &cacheEntry{key, gen, r.clone()}
		c.lru.MoveToFront(e)
		return
	}
	c.items[key] = c.lru.PushFront(&cacheEntry{key, gen, r.clone()})
	for c.lru.Len() > c.max {
		c.evictOldest()
	}
}

// clone copies what a caller could change.
func (r *Result) clone() *Result {
	c := *r
	c.Hits = slices.Clone(r.Hits)
	c.Facets = make(map[string][]FacetValue, len(r.Facets))
	for k, v := range r.Facets {
		c.Facets[k] = slices.Clone(v)
	}
	if r.Place != nil {
		p := *r.Place
		c.Place = &p
	}
	return &c
}

// cacheKey is the normalized request: what decides the result.
func (p Plan) cacheKey(limit, offset int, facets bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q|%q|%t|%s|%d|%d|%t", p.Words, p.Raw, p.Prefix, p.Lang, limit, offset, facets)
	if p.Place != nil {
		b.WriteString("|place=" + p.Place.Code)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Filters)) {
		fmt.Fprintf(&b, "|%s=%q", k, p.Filters[k])
	}
	return b.String()
}
