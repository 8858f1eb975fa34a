// Package ptvimport imports and syncs listings from the Suomi.fi service
// catalogue (PTV) into the directory: which services (the rules in
// seed/ptv.yaml), how they map into the directory's model, the checkpoint
// that makes a later run ask only for what changed, and the end of
// services the catalogue withdrew. It reads through the version-neutral
// ptv.Reader and writes through the services store's Sync use case (change
// log, audit log with the importer as actor, the search index following),
// so it knows neither an API version nor a table.
package ptvimport

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Actor is the importer's identity in the audit log.
const Actor = "import:ptv"

// FullEvery is how old the last full read may be before a run reads
// everything again: a change of a service's channel connections alone
// does not change its modified time, so DVV advises a weekly full read.
const FullEvery = 7 * 24 * time.Hour

// outOfScope is the source status of a listing a full read no longer
// finds in its scope (moved elsewhere, or no longer published).
const outOfScope = "out_of_scope"

// Options say what to import.
type Options struct {
	// Municipalities by code or Finnish or Swedish name.
	Municipalities []string
	// Organizations by PTV GUID.
	Organizations []string
	// Nationwide adds the services offered in the whole country.
	Nationwide bool
	// ServiceClasses narrow the read to PTV service classes (codes such as
	// P4.2, or URIs); "all" imports every service in scope, matched by a
	// rule or not. Empty: every service in scope that a rule matches.
	ServiceClasses []string
	// Full reads everything in scope, not only what changed.
	Full bool
	// Progress, if set, is called as the read goes on.
	Progress func(ptv.Progress)
}

// Importer runs imports.
type Importer struct {
	Store  *services.Store
	DB     *db.DB
	Reader ptv.Reader
	Rules  *Rules
	// Now is the clock of the fetched times.
	Now func() time.Time
}

// New returns an importer reading with r and the rules in seedFS.
func New(ctx context.Context, st *services.Store, d *db.DB, r ptv.Reader, seedFS fs.FS) (*Importer, error) {
	ref, err := st.Reference(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := LoadRules(seedFS, ref.Vocab)
	if err != nil {
		return nil, err
	}
	return &Importer{Store: st, DB: d, Reader: r, Rules: rules, Now: time.Now}, nil
}

// Report is what a run did.
type Report struct {
	// Scope names the checkpoint: the municipalities, organizations,
	// nationwide and classes of the run.
	Scope string
	// Full says everything in scope was read; Since is the checkpoint an
	// incremental read started from.
	Full  bool
	Since time.Time
	// Why says why a full read ran.
	Why string
	services.SyncResult
	// Skipped counts the services left out, by reason.
	Skipped map[string]int
	// Unreadable are objects PTV sent that could not be read.
	Unreadable []*ptv.DataError
	Warnings   int
	Progress   ptv.Progress
	Took       time.Duration
}

// String is the summary the CLI prints.
func (r *Report) String() string {
	var b strings.Builder
	kind := "incremental (changes since " + r.Since.Format(time.RFC3339) + ")"
	if r.Full {
		kind = "full"
		if r.Why != "" {
			kind += " (" + r.Why + ")"
		}
	}
	fmt.Fprintf(&b, "ptv: %s read of %s in %s: %d requests, %d pages, %d services, %d channels, %d organizations\n",
		kind, r.Scope, r.Took.Round(time.Millisecond), r.Progress.Requests, r.Progress.Pages, r.Progress.Services,
		r.Progress.Channels, r.Progress.Organizations)
	fmt.Fprintf(&b, "ptv: created %d, updated %d, unchanged %d, withdrawn %d", r.Created, r.Updated, r.Unchanged, r.Ended)
	skipped := 0
	for _, n := range r.Skipped {
		skipped += n
	}
	fmt.Fprintf(&b, ", skipped %d, rejected %d, unreadable %d", skipped, len(r.Rejected), len(r.Unreadable))
	if r.Waiting > 0 {
		fmt.Fprintf(&b, "; %d catalogue changes to fields editors overrode wait on the editor dashboard", r.Waiting)
	}
	b.WriteString("\n")
	reasons := make([]string, 0, len(r.Skipped))
	for reason := range r.Skipped {
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	for _, reason := range reasons {
		fmt.Fprintf(&b, "ptv: skipped %d: %s\n", r.Skipped[reason], reason)
	}
	for i, x := range r.Rejected {
		if i == 20 {
			fmt.Fprintf(&b, "ptv: ... and %d more rejected\n", len(r.Rejected)-i)
			break
		}
		fmt.Fprintf(&b, "ptv: rejected service %s (%s): %v\n", x.SourceID, x.ID, x.Err)
	}
	for i, e := range r.Unreadable {
		if i == 20 {
			fmt.Fprintf(&b, "ptv: ... and %d more unreadable\n", len(r.Unreadable)-i)
			break
		}
		fmt.Fprintf(&b, "ptv: unreadable: %v\n", e)
	}
	return strings.TrimRight(b.String(), "\n")
}

// Run imports what opts name: a full read the first time, after FullEvery
// or when asked, else the changes since the last successful run. Each
// batch of services is written with its channels and organizations in one
// transaction; the checkpoint moves only when the whole run succeeded, so
// a failed run leaves everything written consistent and the next run
// resumes from the same point. The error names the endpoint and object.
func (im *Importer) Run(ctx context.Context, opts Options) (*Report, error) {
	start := im.Now()
	rep := &Report{Skipped: map[string]int{}}
	ref, err := im.Store.Reference(ctx)
	if err != nil {
		return rep, err
	}
	q, all, err := query(ref, opts)
	if err != nil {
		return rep, err
	}
	rep.Scope = scopeKey(q, all)
	cp, found, err := loadCheckpoint(ctx, im.DB, rep.Scope)
	if err != nil {
		return rep, err
	}
	switch {
	case opts.Full:
		rep.Why = "asked for"
	case !found:
		rep.Why = "first run"
	case cp.FullAt == nil || start.Sub(*cp.FullAt) > FullEvery:
		rep.Why = "the last full read is over a week old"
	default:
		q.Since, rep.Since = cp.ChangedTo, cp.ChangedTo
	}
	q.Progress = opts.Progress
	actor := users.System(Actor)
	m := &mapper{ref: ref, rules: im.Rules, all: all, fetched: start.UTC().Truncate(time.Second)}
	seen := map[string]bool{}
	analyzeAt := 500
	sum, err := im.Reader.Fetch(ctx, q, func(b *ptv.Batch) error {
		orgs, list := im.batch(m, b, seen, rep)
		res, err := im.Store.Sync(ctx, actor, orgs, list, services.SourceOwned)
		rep.Add(res)
		if err == nil && rep.Created >= analyzeAt {
			// A first import multiplies the tables: the planner's
			// statistics (PostgreSQL's foreign-key checks among them)
			// must follow, or each batch's inserts scan what the last
			// ones wrote. Refreshed at each doubling.
			analyzeAt *= 2
			err = im.DB.Optimize(ctx)
		}
		return err
	})
	rep.Full, rep.Progress, rep.Warnings, rep.Unreadable = sum.Full, sum.Progress, sum.Warnings, sum.Skipped
	if err != nil {
		rep.Took = im.Now().Sub(start)
		return rep, err
	}
	ended := im.removed(sum.Removed)
	if sum.Full && len(q.ServiceClasses) == 0 {
		// Every service in scope was read: the ones held from this scope
		// that did not come are no longer there.
		more, err := im.unseen(ctx, q, seen)
		if err != nil {
			return rep, err
		}
		ended = append(ended, more...)
	}
	if len(ended) > 0 {
		res, err := im.Store.Sync(ctx, actor, nil, ended, services.SourceOwned)
		rep.Add(res)
		if err != nil {
			return rep, err
		}
	}
	cp.ChangedTo, cp.UpdatedAt = sum.Started, im.Now()
	if sum.Full {
		cp.FullAt = &sum.Started
	}
	rep.Took = im.Now().Sub(start)
	return rep, saveCheckpoint(ctx, im.DB, cp)
}

// batch maps one batch: the listings to sync, and the organizations they
// name (an organization that is not valid is left out, and its services
// are listed without one).
func (im *Importer) batch(m *mapper, b *ptv.Batch, seen map[string]bool, rep *Report) ([]services.Organization, []services.Incoming) {
	orgs := map[string]*services.Organization{}
	for i := range b.Organizations {
		o := organization(&b.Organizations[i])
		o.Normalize()
		if o.Validate() == nil {
			orgs[o.ID] = &o
		}
	}
	var list []services.Incoming
	used := map[string]bool{}
	for i := range b.Listings {
		l := &b.Listings[i]
		id := ServiceID(l.ID)
		seen[id] = true
		svc, reason := m.listing(l)
		if reason != "" {
			rep.Skipped[reason]++
			continue
		}
		if o := string(svc.OrganizationID); o != "" {
			if orgs[o] == nil {
				svc.OrganizationID = ""
			} else {
				used[o] = true
			}
		}
		list = append(list, services.Incoming{Service: svc})
	}
	var out []services.Organization
	for id := range used {
		out = append(out, *orgs[id])
	}
	slices.SortFunc(out, func(a, b services.Organization) int { return strings.Compare(a.ID, b.ID) })
	return out, list
}

// removed are the services PTV withdrew or archived, or that left the
// scope, as ends (the store ignores those it never held).
func (im *Importer) removed(rs []ptv.Removal) []services.Incoming {
	var out []services.Incoming
	for _, r := range rs {
		out = append(out, ended(ServiceID(r.ID), strings.ToLower(r.ID), string(r.Status)))
	}
	return out
}

// unseen are the held listings of q's scope that a full read did not find.
func (im *Importer) unseen(ctx context.Context, q ptv.Query, seen map[string]bool) ([]services.Incoming, error) {
	held, err := im.Store.SourcedBy(ctx, services.SourcePTV)
	if err != nil {
		return nil, err
	}
	orgs := map[string]bool{}
	for _, o := range q.Organizations {
		orgs[OrganizationID(o)] = true
	}
	var out []services.Incoming
	for _, h := range held {
		if seen[h.ID] || h.Status == services.StatusArchived {
			continue
		}
		in := orgs[string(h.OrganizationID)] || (q.Nationwide && h.Area.National) ||
			slices.ContainsFunc(h.Area.Municipalities, func(c string) bool { return slices.Contains(q.Municipalities, c) })
		if in {
			out = append(out, ended(h.ID, h.Source.ID, outOfScope))
		}
	}
	return out, nil
}

func ended(id, sourceID, status string) services.Incoming {
	return services.Incoming{Ended: true, Service: services.Service{ID: id,
		Source: services.Source{Kind: services.SourcePTV, ID: sourceID, Status: status}}}
}

// query is the reader's query for opts, with municipality names resolved
// to codes; all says every service in scope is imported.
func query(ref *services.Reference, opts Options) (ptv.Query, bool, error) {
	q := ptv.Query{Nationwide: opts.Nationwide, KnownMunicipality: func(code string) bool {
		_, ok := ref.Munis.Lookup(code)
		return ok
	}}
	for _, name := range opts.Municipalities {
		mu, ok := ref.Munis.Lookup(name)
		if !ok {
			return q, false, fmt.Errorf("unknown municipality %q: give its three-digit code or its Finnish or Swedish name", name)
		}
		if !slices.Contains(q.Municipalities, mu.Code) {
			q.Municipalities = append(q.Municipalities, mu.Code)
		}
	}
	for _, o := range opts.Organizations {
		q.Organizations = append(q.Organizations, strings.ToLower(strings.TrimSpace(o)))
	}
	all := false
	for _, c := range opts.ServiceClasses {
		if strings.EqualFold(c, "all") {
			all = true
			continue
		}
		q.ServiceClasses = append(q.ServiceClasses, c)
	}
	if len(q.ServiceClasses) > 0 {
		// Named classes are the choice; the rules only say what they are.
		all = true
	}
	slices.Sort(q.Municipalities)
	slices.Sort(q.Organizations)
	slices.Sort(q.ServiceClasses)
	if len(q.Municipalities) == 0 && len(q.Organizations) == 0 && !q.Nationwide {
		return q, false, fmt.Errorf("nothing to import: name a --municipality, an --organization or --nationwide")
	}
	return q, all, nil
}

// scopeKey names a scope's checkpoint: runs over different scopes keep
// their own.
func scopeKey(q ptv.Query, all bool) string {
	parts := []string{"ptv"}
	if len(q.Municipalities) > 0 {
		parts = append(parts, "municipalities="+strings.Join(q.Municipalities, ","))
	}
	if len(q.Organizations) > 0 {
		parts = append(parts, "organizations="+strings.Join(q.Organizations, ","))
	}
	if q.Nationwide {
		parts = append(parts, "nationwide")
	}
	if len(q.ServiceClasses) > 0 {
		parts = append(parts, "classes="+strings.Join(q.ServiceClasses, ","))
	} else if all {
		parts = append(parts, "classes=all")
	}
	return strings.Join(parts, " ")
}
