package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/gen/server"
	"github.com/dli-contract/dli-go/validate"
)

// Fixtures are connections to hold before any call: classic and enhanced,
// with bindings, hosts, routes, tags and privileges, in any state. It is
// also what State answers, so that what a mock holds can be saved and
// loaded again. testdata/fixtures.json is an example.
type Fixtures struct {
	Projects map[string]ProjectFixture `json:"projects"`
}

// ProjectFixture is what one project holds, each list in creation order.
type ProjectFixture struct {
	Enhanced  []EnhancedFixture     `json:"enhanced,omitempty"`
	Classic   []ClassicFixture      `json:"classic,omitempty"`
	AuthInfos []AuthInfoFixture     `json:"auth_infos,omitempty"`
	Tests     []ConnectivityFixture `json:"connectivity_tests,omitempty"`
}

// AuthInfoFixture is a datasource authentication. Name and Type follow the
// rules of a create. Its passwords may be loaded, but State never answers
// them, as no answer of the mock does: a fixture saved from State and
// loaded again has none.
type AuthInfoFixture struct {
	Name                string `json:"auth_info_name"`
	Type                string `json:"datasource_type"`
	UserName            string `json:"user_name,omitempty"`
	CertificateLocation string `json:"certificate_location,omitempty"`
	Krb5Conf            string `json:"krb5_conf,omitempty"`
	Keytab              string `json:"keytab,omitempty"`
	TruststoreLocation  string `json:"truststore_location,omitempty"`
	KeystoreLocation    string `json:"keystore_location,omitempty"`
	CreateTime          int64  `json:"create_time,omitempty"`
	UpdateTime          int64  `json:"update_time,omitempty"`
	// Users hold privileges on it (RunAuthorizationAction with user_name).
	Users []UserPrivilegeFixture `json:"users,omitempty"`
	// The passwords: loaded, never dumped.
	Password           string `json:"password,omitempty"`
	TruststorePassword string `json:"truststore_password,omitempty"`
	KeystorePassword   string `json:"keystore_password,omitempty"`
	KeyPassword        string `json:"key_password,omitempty"`
}

// UserPrivilegeFixture is a user's privileges on a datasource
// authentication.
type UserPrivilegeFixture struct {
	UserName   string   `json:"user_name"`
	Privileges []string `json:"privileges"`
}

// ConnectivityFixture is a connectivity test and its result: REACHABLE or
// UNREACHABLE. Task ids are unique in a project; new tests count on from
// the largest.
type ConnectivityFixture struct {
	TaskID  int64  `json:"task_id"`
	Queue   string `json:"queue"`
	Address string `json:"address"`
	Result  string `json:"connectivity"`
}

// EnhancedFixture is an enhanced connection. Name, DestVpcID and
// DestNetworkID follow the rules of a create; the rest is optional.
type EnhancedFixture struct {
	// ID is a UUID; one is made up when empty.
	ID            string `json:"id,omitempty"`
	Name          string `json:"name"`
	DestVpcID     string `json:"dest_vpc_id"`
	DestNetworkID string `json:"dest_network_id"`
	// Status is ACTIVE (the default) or DELETED.
	Status string `json:"status,omitempty"`
	// CreateTime is in milliseconds since the epoch; the load time when 0.
	CreateTime           int64              `json:"create_time,omitempty"`
	Queues               []BindingFixture   `json:"queues,omitempty"`
	ElasticResourcePools []BindingFixture   `json:"elastic_resource_pools,omitempty"`
	Hosts                []HostFixture      `json:"hosts,omitempty"`
	Routes               []RouteFixture     `json:"routes,omitempty"`
	Tags                 []server.Tag       `json:"tags,omitempty"`
	Privileges           []PrivilegeFixture `json:"privileges,omitempty"`
}

// BindingFixture is a queue or elastic resource pool bound to a
// connection. ACTIVE (the default) and FAILED stay as they are; CREATING
// starts its peering at load time and ends as a new binding does.
type BindingFixture struct {
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
	// ErrMsg is why a FAILED binding failed.
	ErrMsg     string `json:"err_msg,omitempty"`
	UpdateTime int64  `json:"update_time,omitempty"`
}

// HostFixture is a custom host entry.
type HostFixture struct {
	Name string `json:"name,omitempty"`
	IP   string `json:"ip,omitempty"`
}

// RouteFixture is a custom route.
type RouteFixture struct {
	Name       string `json:"name"`
	Cidr       string `json:"cidr"`
	CreateTime int64  `json:"create_time,omitempty"`
}

// PrivilegeFixture is another project's privileges on the connection.
type PrivilegeFixture struct {
	ProjectID  string   `json:"project_id"`
	Privileges []string `json:"privileges"`
}

// ClassicFixture is a classic connection. Name, Service, URL,
// SecurityGroupID and NetworkID follow the rules of a create.
type ClassicFixture struct {
	ID              string `json:"id,omitempty"`
	Name            string `json:"name"`
	Service         string `json:"service"`
	URL             string `json:"url"`
	SecurityGroupID string `json:"security_group_id"`
	NetworkID       string `json:"network_id"`
	// State is ACTIVE (the default), FAILED, or CREATING, which starts at
	// load time and ends as a new connection does.
	State string `json:"state,omitempty"`
	// Message is why a FAILED connection failed.
	Message    string       `json:"message,omitempty"`
	CreateTime int64        `json:"create_time,omitempty"`
	Tags       []server.Tag `json:"tags,omitempty"`
}

// ParseFixtures reads a fixtures file: JSON, unknown fields refused.
func ParseFixtures(data []byte) (Fixtures, error) {
	var f Fixtures
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Fixtures{}, fmt.Errorf("mockserver: fixtures: %w", err)
	}
	if dec.More() {
		return Fixtures{}, errors.New("mockserver: fixtures: more than one JSON value")
	}
	return f, nil
}

// Load adds the fixtures to what the mock holds. Every entry is checked
// first, against the document's rules for a create and against what the
// mock already holds (ids, names of live connections); the first that is
// not valid is named, with its field, and nothing is loaded.
func (s *Server) Load(f Fixtures) error {
	now := s.cfg.Clock.Now().UnixMilli()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	staged := map[string]*project{}
	for _, pid := range slices.Sorted(maps.Keys(f.Projects)) {
		if pid == "" || len(pid) > 64 || strings.ContainsAny(pid, "/?#") {
			return fmt.Errorf("mockserver: fixtures: projects[%q]: a project id is 1 to 64 characters, no / ? or #", pid)
		}
		p := newProject()
		held := s.store.lookup(pid)
		for i, e := range f.Projects[pid].Enhanced {
			c, err := s.enhancedFixture(e, now, held, p)
			if err != nil {
				return fmt.Errorf("mockserver: fixtures: projects[%q].enhanced[%d] (%q): %w", pid, i, e.Name, err)
			}
			p.addEnhanced(c)
		}
		for i, e := range f.Projects[pid].Classic {
			c, err := s.classicFixture(e, now, held, p)
			if err != nil {
				return fmt.Errorf("mockserver: fixtures: projects[%q].classic[%d] (%q): %w", pid, i, e.Name, err)
			}
			p.addClassic(c)
		}
		for i, e := range f.Projects[pid].AuthInfos {
			a, err := s.authFixture(e, now, held, p)
			if err != nil {
				return fmt.Errorf("mockserver: fixtures: projects[%q].auth_infos[%d] (%q): %w", pid, i, e.Name, err)
			}
			p.addAuthInfo(a)
		}
		for i, e := range f.Projects[pid].Tests {
			t, err := taskFixture(e, held, p)
			if err != nil {
				return fmt.Errorf("mockserver: fixtures: projects[%q].connectivity_tests[%d] (%d): %w", pid, i, e.TaskID, err)
			}
			p.addTask(t)
		}
		staged[pid] = p
	}
	for pid, p := range staged {
		if len(p.enhancedOrder)+len(p.classicOrder)+len(p.authOrder)+len(p.taskOrder) == 0 {
			continue
		}
		into := s.store.project(pid)
		for _, c := range p.enhancedOrder {
			into.addEnhanced(c)
		}
		for _, c := range p.classicOrder {
			into.addClassic(c)
		}
		for _, a := range p.authOrder {
			into.addAuthInfo(a)
		}
		for _, t := range p.taskOrder {
			into.addTask(t)
			into.lastTask = max(into.lastTask, t.id)
		}
	}
	return nil
}

// schemaCheck validates v against a schema of the document and names the
// first problem's field.
func (s *Server) schemaCheck(name string, v any) error {
	ref := s.doc.OpenAPI().Components.Schemas[name]
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var decoded any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		return err
	}
	err = ref.Value.VisitJSON(decoded, validate.SchemaOptions()...)
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: %s", strings.Join(se.JSONPointer(), "/"), se.Reason)
	}
	return err
}

func (s *Server) fixtureID(id string, held, staged *project) (string, error) {
	if id == "" {
		return uuid.NewString(), nil
	}
	if _, err := uuid.Parse(id); err != nil {
		return "", fmt.Errorf("id: %q is not a UUID", id)
	}
	if held.enhanced[id] != nil || held.classic[id] != nil || staged.enhanced[id] != nil || staged.classic[id] != nil {
		return "", fmt.Errorf("id: %s is taken", id)
	}
	return id, nil
}

func (s *Server) enhancedFixture(e EnhancedFixture, now int64, held, staged *project) (*enhancedConnection, error) {
	id, err := s.fixtureID(e.ID, held, staged)
	if err != nil {
		return nil, err
	}
	hosts := make([]server.Host, len(e.Hosts))
	for i, h := range e.Hosts {
		hosts[i] = server.Host{Name: optional(h.Name), IP: optional(h.IP)}
	}
	if err := s.schemaCheck("EnhancedConnectionCreateRequest", server.EnhancedConnectionCreateRequest{
		Name: e.Name, DestVpcID: e.DestVpcID, DestNetworkID: e.DestNetworkID, Hosts: hosts, Tags: e.Tags,
	}); err != nil {
		return nil, err
	}
	if code, msg := tagsRefused(e.Tags); code != "" {
		return nil, fmt.Errorf("tags: %s", msg)
	}
	c := &enhancedConnection{id: id, name: e.Name, vpc: s.store.intern(e.DestVpcID), subnet: s.store.intern(e.DestNetworkID),
		tags: e.Tags, created: orNow(e.CreateTime, now), hosts: hostsOf(hosts)}
	switch e.Status {
	case "", string(server.EnhancedActive):
		if held.liveEnhanced(e.Name) != nil || staged.liveEnhanced(e.Name) != nil {
			return nil, fmt.Errorf("name: a connection named %q that is not deleted exists already", e.Name)
		}
	case string(server.EnhancedDeleted):
		c.deleted = true
	default:
		return nil, fmt.Errorf("status: %q is not ACTIVE or DELETED", e.Status)
	}
	seen := map[string]bool{}
	for _, l := range []struct {
		list string
		bs   []BindingFixture
	}{{"queues", e.Queues}, {"elastic_resource_pools", e.ElasticResourcePools}} {
		list := l.list
		for i, b := range l.bs {
			if err := s.schemaCheck("ResourceName", b.Name); err != nil {
				return nil, fmt.Errorf("%s[%d].name: %w", list, i, err)
			}
			if seen[b.Name] {
				return nil, fmt.Errorf("%s[%d].name: %q is bound twice", list, i, b.Name)
			}
			seen[b.Name] = true
		}
	}
	if c.queues, err = s.bindingsFixture("queues", e.Queues, now); err != nil {
		return nil, err
	}
	if c.pools, err = s.bindingsFixture("elastic_resource_pools", e.ElasticResourcePools, now); err != nil {
		return nil, err
	}
	for i, r := range e.Routes {
		if err := s.schemaCheck("RouteCreateRequest", server.RouteCreateRequest{Name: r.Name, Cidr: r.Cidr}); err != nil {
			return nil, fmt.Errorf("routes[%d]: %w", i, err)
		}
		if slices.ContainsFunc(c.routes, func(o route) bool { return o.name == r.Name }) {
			return nil, fmt.Errorf("routes[%d].name: %q is there twice", i, r.Name)
		}
		c.routes = append(c.routes, route{name: r.Name, cidr: r.Cidr, created: orNow(r.CreateTime, now)})
	}
	for i, g := range e.Privileges {
		switch {
		case g.ProjectID == "":
			return nil, fmt.Errorf("privileges[%d].project_id: missing", i)
		case len(g.Privileges) == 0:
			return nil, fmt.Errorf("privileges[%d].privileges: empty; name at least one, e.g. BIND_QUEUE", i)
		case slices.ContainsFunc(c.grants, func(o grant) bool { return o.holder == g.ProjectID }):
			return nil, fmt.Errorf("privileges[%d].project_id: %s is there twice", i, g.ProjectID)
		}
		c.grants = append(c.grants, grant{holder: g.ProjectID, privileges: slices.Compact(slices.Clone(g.Privileges))})
	}
	return c, nil
}

func (s *Server) bindingsFixture(list string, bs []BindingFixture, now int64) ([]binding, error) {
	var out []binding
	for i, b := range bs {
		nb := binding{name: s.store.intern(b.Name), started: orNow(b.UpdateTime, now)}
		switch b.Status {
		case "", string(server.BindingActive):
			nb.fixed = server.BindingActive
		case string(server.BindingFailed):
			nb.fixed, nb.fixedMessage = server.BindingFailed, b.ErrMsg
		case string(server.BindingCreating):
			nb.started = now
		default:
			return nil, fmt.Errorf("%s[%d].status: %q is not CREATING, ACTIVE or FAILED", list, i, b.Status)
		}
		if b.ErrMsg != "" && nb.fixed != server.BindingFailed {
			return nil, fmt.Errorf("%s[%d].err_msg: only a FAILED binding has one", list, i)
		}
		out = append(out, nb)
	}
	return out, nil
}

func (s *Server) classicFixture(e ClassicFixture, now int64, held, staged *project) (*classicConnection, error) {
	id, err := s.fixtureID(e.ID, held, staged)
	if err != nil {
		return nil, err
	}
	if err := s.schemaCheck("ConnectionCreateRequest", server.ConnectionCreateRequest{Name: e.Name, Service: e.Service,
		URL: e.URL, SecurityGroupID: e.SecurityGroupID, NetworkID: e.NetworkID, Tags: e.Tags}); err != nil {
		return nil, err
	}
	if _, taken := held.classicByName[e.Name]; taken {
		return nil, fmt.Errorf("name: a classic connection named %q exists already", e.Name)
	}
	if _, taken := staged.classicByName[e.Name]; taken {
		return nil, fmt.Errorf("name: a classic connection named %q exists already", e.Name)
	}
	c := &classicConnection{id: id, name: e.Name, service: e.Service, url: e.URL, securityGroup: s.store.intern(e.SecurityGroupID),
		network: s.store.intern(e.NetworkID), tags: e.Tags, created: orNow(e.CreateTime, now)}
	switch e.State {
	case "", string(server.StateActive):
		c.fixed = server.StateActive
	case string(server.StateFailed):
		c.fixed, c.fixedMessage = server.StateFailed, e.Message
	case string(server.StateCreating):
		c.created = now
	default:
		return nil, fmt.Errorf("state: %q is not CREATING, ACTIVE or FAILED", e.State)
	}
	if e.Message != "" && c.fixed != server.StateFailed {
		return nil, errors.New("message: only a FAILED connection has one")
	}
	return c, nil
}

func (s *Server) authFixture(e AuthInfoFixture, now int64, held, staged *project) (*authInfo, error) {
	if err := s.schemaCheck("AuthInfoCreateRequest", server.AuthInfoCreateRequest{AuthInfoName: e.Name, DatasourceType: server.AuthInfoType(e.Type),
		UserName: nonEmpty(e.UserName), CertificateLocation: nonEmpty(e.CertificateLocation), Krb5Conf: nonEmpty(e.Krb5Conf), Keytab: nonEmpty(e.Keytab),
		TruststoreLocation: nonEmpty(e.TruststoreLocation), KeystoreLocation: nonEmpty(e.KeystoreLocation)}); err != nil {
		return nil, err
	}
	if held.authInfos[e.Name] != nil || staged.authInfos[e.Name] != nil {
		return nil, fmt.Errorf("auth_info_name: a datasource authentication named %q exists already", e.Name)
	}
	a := &authInfo{name: e.Name, kind: e.Type, user: e.UserName, certificate: e.CertificateLocation, krb5Conf: e.Krb5Conf,
		keytab: e.Keytab, truststore: e.TruststoreLocation, keystore: e.KeystoreLocation,
		created: orNow(e.CreateTime, now), updated: orNow(e.UpdateTime, orNow(e.CreateTime, now)),
		secrets: authSecrets{password: e.Password, truststore: e.TruststorePassword, keystore: e.KeystorePassword, key: e.KeyPassword}}
	for j, u := range e.Users {
		switch {
		case u.UserName == "":
			return nil, fmt.Errorf("users[%d].user_name: empty", j)
		case len(u.Privileges) == 0:
			return nil, fmt.Errorf("users[%d].privileges: none; a user without privileges is not listed", j)
		case slices.ContainsFunc(u.Privileges, func(p string) bool { return !slices.Contains(authPrivileges, p) }):
			return nil, fmt.Errorf("users[%d].privileges: %v: want some of %v", j, u.Privileges, authPrivileges)
		case slices.ContainsFunc(a.users, func(g grant) bool { return g.holder == u.UserName }):
			return nil, fmt.Errorf("users[%d].user_name: %q is listed twice", j, u.UserName)
		}
		a.users = append(a.users, grant{holder: u.UserName, privileges: slices.Compact(slices.Clone(u.Privileges))})
	}
	return a, nil
}

func taskFixture(e ConnectivityFixture, held, staged *project) (*connectivityTask, error) {
	switch {
	case e.TaskID <= 0:
		return nil, errors.New("task_id: a positive integer")
	case held.tasks[e.TaskID] != nil || staged.tasks[e.TaskID] != nil:
		return nil, fmt.Errorf("task_id: %d is taken", e.TaskID)
	case e.Queue == "" || e.Address == "":
		return nil, errors.New("queue and address: both are needed")
	case e.Result != Reachable && e.Result != Unreachable:
		return nil, fmt.Errorf("connectivity: %q is not %s or %s", e.Result, Reachable, Unreachable)
	}
	staged.lastTask = max(staged.lastTask, e.TaskID)
	return &connectivityTask{id: e.TaskID, queue: e.Queue, address: e.Address, result: e.Result}, nil
}

func orNow(ms, now int64) int64 {
	if ms == 0 {
		return now
	}
	return ms
}

// State returns what the mock holds, in the form Load takes: statuses as
// they stand now.
func (s *Server) State() Fixtures {
	now := s.cfg.Clock.Now()
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	out := Fixtures{Projects: map[string]ProjectFixture{}}
	for pid, p := range s.store.projects {
		var pf ProjectFixture
		for _, c := range p.enhancedOrder {
			e := EnhancedFixture{ID: c.id, Name: c.name, DestVpcID: c.vpc, DestNetworkID: c.subnet,
				Status: string(c.status()), CreateTime: c.created, Tags: c.tags}
			for _, b := range s.bindings(c.id, c.queues, now) {
				e.Queues = append(e.Queues, bindingFixture(b))
			}
			for _, b := range s.bindings(c.id, c.pools, now) {
				e.ElasticResourcePools = append(e.ElasticResourcePools, bindingFixture(b))
			}
			for _, h := range c.hosts {
				e.Hosts = append(e.Hosts, HostFixture{Name: h.name, IP: h.ip})
			}
			for _, r := range c.routes {
				e.Routes = append(e.Routes, RouteFixture{Name: r.name, Cidr: r.cidr, CreateTime: r.created})
			}
			for _, g := range c.grants {
				e.Privileges = append(e.Privileges, PrivilegeFixture{ProjectID: g.holder, Privileges: slices.Clone(g.privileges)})
			}
			pf.Enhanced = append(pf.Enhanced, e)
		}
		for _, c := range p.classicOrder {
			state := s.classicState(c, now)
			pf.Classic = append(pf.Classic, ClassicFixture{ID: c.id, Name: c.name, Service: c.service, URL: c.url,
				SecurityGroupID: c.securityGroup, NetworkID: c.network, State: string(state), Message: c.fixedMessage,
				CreateTime: c.created, Tags: c.tags})
		}
		for _, a := range p.authOrder {
			// Never its passwords.
			af := AuthInfoFixture{Name: a.name, Type: a.kind, UserName: a.user, CertificateLocation: a.certificate,
				Krb5Conf: a.krb5Conf, Keytab: a.keytab, TruststoreLocation: a.truststore, KeystoreLocation: a.keystore,
				CreateTime: a.created, UpdateTime: a.updated}
			for _, g := range a.users {
				af.Users = append(af.Users, UserPrivilegeFixture{UserName: g.holder, Privileges: slices.Clone(g.privileges)})
			}
			pf.AuthInfos = append(pf.AuthInfos, af)
		}
		for _, t := range p.taskOrder {
			pf.Tests = append(pf.Tests, ConnectivityFixture{TaskID: t.id, Queue: t.queue, Address: t.address, Result: t.result})
		}
		out.Projects[pid] = pf
	}
	return out
}

func bindingFixture(b server.Binding) BindingFixture {
	return BindingFixture{Name: value(b.Name), Status: string(value(b.Status)), ErrMsg: value(b.ErrMsg), UpdateTime: value(b.UpdateTime)}
}

// Reset forgets every connection of every project, so that one mock can
// serve many tests in turn. Faults stay armed; ClearFaults disarms them.
func (s *Server) Reset() {
	s.store.mu.Lock()
	s.store.reset()
	s.store.mu.Unlock()
}
