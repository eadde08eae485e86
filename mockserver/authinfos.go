package mockserver

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/server"
)

// Datasource authentications ("auth infos"): named credentials per
// project, keyed by name, in creation order. The v3 and the deprecated
// v2.0 operations share one store; the v2.0 list names the user username,
// as DLI does. Passwords are stored, since a real DLI hands them to the
// jobs that name the record, but no answer, log, state or fixtures dump
// ever carries them. The codes of the refusals are the mock's choice (no
// public source records DLI's), written in docs/mock.md.

// Owner is the owner the mock records of every datasource
// authentication: it has no IAM users to take the creator's name from.
const Owner = "dli_mock_user"

// authInfo is what the mock remembers of a datasource authentication;
// "" stands for a field not set.
type authInfo struct {
	name, kind, user              string
	certificate, krb5Conf, keytab string
	truststore, keystore          string
	created, updated              int64 // milliseconds since the epoch
	secrets                       authSecrets
	// users are the users holding privileges on it, in the order they
	// were first granted (RunAuthorizationAction with user_name).
	users []grant
}

// authSecrets are the passwords of a datasource authentication: kept
// apart so that nothing that answers or dumps a record can reach them by
// accident.
type authSecrets struct {
	password, truststore, keystore, key string
}

func (h *handlers) CreateJobAuthInfo(_ context.Context, r server.CreateJobAuthInfoRequestObject) (server.CreateJobAuthInfoResponseObject, error) {
	if refused := h.createAuthInfo(r.ProjectID, r.Body); refused != nil {
		return server.CreateJobAuthInfo400JSONResponse{AuthInfoRefusedJSONResponse: server.AuthInfoRefusedJSONResponse(*refused)}, nil
	}
	return server.CreateJobAuthInfo201JSONResponse{IsSuccess: ptr(true), Message: ptr("Upload success.")}, nil
}

func (h *handlers) CreateAuthInfo(_ context.Context, r server.CreateAuthInfoRequestObject) (server.CreateAuthInfoResponseObject, error) {
	if refused := h.createAuthInfo(r.ProjectID, r.Body); refused != nil {
		return server.CreateAuthInfo400JSONResponse{AuthInfoRefusedJSONResponse: server.AuthInfoRefusedJSONResponse(*refused)}, nil
	}
	return server.CreateAuthInfo201JSONResponse{IsSuccess: ptr(true), Message: ptr("Upload success.")}, nil
}

// createAuthInfo stores a new record, or says why not: its name is in use
// (400 DLI.0006, the mock's choice).
func (h *handlers) createAuthInfo(project string, b *server.AuthInfoCreateRequest) *server.ErrorBody {
	s := h.s
	now := s.cfg.Clock.Now().UnixMilli()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if s.store.lookup(project).authInfos[b.AuthInfoName] != nil {
		e := errorBody(apierror.CodeAlreadyExists, fmt.Sprintf("The datasource authentication %s already exists", b.AuthInfoName))
		return &e
	}
	s.store.project(project).addAuthInfo(&authInfo{
		name: b.AuthInfoName, kind: string(b.DatasourceType), user: value(orElse(b.UserName, b.Username)),
		certificate: value(b.CertificateLocation), krb5Conf: value(b.Krb5Conf), keytab: value(b.Keytab),
		truststore: value(b.TruststoreLocation), keystore: value(b.KeystoreLocation),
		created: now, updated: now,
		secrets: authSecrets{password: value(b.Password), truststore: value(b.TruststorePassword),
			keystore: value(b.KeystorePassword), key: value(b.KeyPassword)},
	})
	return nil
}

func (h *handlers) ListJobAuthInfos(_ context.Context, r server.ListJobAuthInfosRequestObject) (server.ListJobAuthInfosResponseObject, error) {
	p := r.Params
	return server.ListJobAuthInfos200JSONResponse(h.listAuthInfos(r.ProjectID, p.AuthInfoName, p.Offset, p.Limit, false)), nil
}

func (h *handlers) ListAuthInfo(_ context.Context, r server.ListAuthInfoRequestObject) (server.ListAuthInfoResponseObject, error) {
	p := r.Params
	return server.ListAuthInfo200JSONResponse(h.listAuthInfos(r.ProjectID, p.AuthInfoName, p.Offset, p.Limit, true)), nil
}

// defaultAuthLimit is the page size of an auth-info list without a limit
// (dli_02_0368), and with limit 0, which no source documents.
const defaultAuthLimit = 100

// listAuthInfos answers one page, in creation order; an exact name
// narrows it to that record. v2 names the user username.
func (h *handlers) listAuthInfos(project string, name *string, offset, limit *int32, v2 bool) server.AuthInfoList {
	s := h.s
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	p := s.store.lookup(project)
	lim := int(value(limit))
	if lim == 0 {
		lim = defaultAuthLimit
	}
	page := p.authPage(name, int(value(offset)), lim)
	items := make([]server.AuthInfo, len(page))
	for i, a := range page {
		items[i] = a.item(v2)
	}
	count := int32(min(len(items), math.MaxInt32))
	return server.AuthInfoList{IsSuccess: ptr(true), Message: ptr(""), Count: &count, AuthInfos: items}
}

// item is the record as a list answers it: the fields set, and never a
// password.
func (a *authInfo) item(v2 bool) server.AuthInfo {
	it := server.AuthInfo{
		AuthInfoName: ptr(a.name), DatasourceType: ptr(a.kind), Owner: ptr(Owner),
		CertificateLocation: nonEmpty(a.certificate), Krb5Conf: nonEmpty(a.krb5Conf), Keytab: nonEmpty(a.keytab),
		TruststoreLocation: nonEmpty(a.truststore), KeystoreLocation: nonEmpty(a.keystore),
		CreateTime: ptr(a.created), UpdateTime: ptr(a.updated),
	}
	if v2 {
		it.Username = nonEmpty(a.user)
	} else {
		it.UserName = nonEmpty(a.user)
	}
	return it
}

func (h *handlers) UpdateJobAuthInfo(_ context.Context, r server.UpdateJobAuthInfoRequestObject) (server.UpdateJobAuthInfoResponseObject, error) {
	if refused := h.updateAuthInfo(r.ProjectID, r.Body); refused != nil {
		return server.UpdateJobAuthInfo400JSONResponse{AuthInfoRefusedJSONResponse: server.AuthInfoRefusedJSONResponse(*refused)}, nil
	}
	return server.UpdateJobAuthInfo200JSONResponse{IsSuccess: ptr(true), Message: ptr("Update success.")}, nil
}

func (h *handlers) UpdateAuthInfo(_ context.Context, r server.UpdateAuthInfoRequestObject) (server.UpdateAuthInfoResponseObject, error) {
	if refused := h.updateAuthInfo(r.ProjectID, r.Body); refused != nil {
		return server.UpdateAuthInfo400JSONResponse{AuthInfoRefusedJSONResponse: server.AuthInfoRefusedJSONResponse(*refused)}, nil
	}
	return server.UpdateAuthInfo200JSONResponse{IsSuccess: ptr(true), Message: ptr("Update success.")}, nil
}

// updateAuthInfo overwrites the fields present, or says why not: no
// record has the name (400 DLI.0002, the mock's choice).
func (h *handlers) updateAuthInfo(project string, b *server.AuthInfoUpdateRequest) *server.ErrorBody {
	s := h.s
	now := s.cfg.Clock.Now().UnixMilli()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	a := s.store.lookup(project).authInfos[b.AuthInfoName]
	if a == nil {
		e := authNotFound(b.AuthInfoName)
		return &e
	}
	for to, from := range map[*string]*string{
		&a.user: orElse(b.UserName, b.Username), &a.krb5Conf: b.Krb5Conf, &a.keytab: b.Keytab,
		&a.truststore: b.TruststoreLocation, &a.keystore: b.KeystoreLocation,
		&a.secrets.password: b.Password, &a.secrets.truststore: b.TruststorePassword, &a.secrets.keystore: b.KeystorePassword,
	} {
		if from != nil {
			*to = *from
		}
	}
	// An update in the millisecond of the create still moves the time.
	a.updated = max(now, a.updated+1)
	return nil
}

func (h *handlers) DeleteJobAuthInfo(_ context.Context, r server.DeleteJobAuthInfoRequestObject) (server.DeleteJobAuthInfoResponseObject, error) {
	if refused := h.deleteAuthInfo(r.ProjectID, r.AuthInfoName); refused != nil {
		return server.DeleteJobAuthInfo400JSONResponse{AuthInfoRefusedJSONResponse: server.AuthInfoRefusedJSONResponse(*refused)}, nil
	}
	return server.DeleteJobAuthInfo200JSONResponse{IsSuccess: ptr(true), Message: ptr("Deleted success.")}, nil
}

func (h *handlers) DeleteAuthInfo(_ context.Context, r server.DeleteAuthInfoRequestObject) (server.DeleteAuthInfoResponseObject, error) {
	if refused := h.deleteAuthInfo(r.ProjectID, r.AuthInfoName); refused != nil {
		return server.DeleteAuthInfo400JSONResponse{AuthInfoRefusedJSONResponse: server.AuthInfoRefusedJSONResponse(*refused)}, nil
	}
	return server.DeleteAuthInfo200JSONResponse{IsSuccess: ptr(true), Message: ptr("Deleted success.")}, nil
}

// deleteAuthInfo forgets the record, whose name is then free at once, or
// says why not: no record has the name (400 DLI.0002, the mock's choice).
func (h *handlers) deleteAuthInfo(project, name string) *server.ErrorBody {
	s := h.s
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	p := s.store.lookup(project)
	a := p.authInfos[name]
	if a == nil {
		e := authNotFound(name)
		return &e
	}
	p.removeAuthInfo(a)
	s.store.dropIfEmpty(project)
	return nil
}

// nonEmpty is v, or nil for "", which stands for a field not set.
func nonEmpty(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// orElse is p, or else q when p is absent: user_name, or the username
// DLI took before 2024.
func orElse(p, q *string) *string {
	if p != nil {
		return p
	}
	return q
}

func authNotFound(name string) server.ErrorBody {
	return errorBody(apierror.CodeNotExist, fmt.Sprintf("The datasource authentication %s does not exist", name))
}

// addAuthInfo stores a new record.
func (p *project) addAuthInfo(a *authInfo) {
	p.authInfos[a.name] = a
	p.authOrder = append(p.authOrder, a)
}

// removeAuthInfo forgets a record.
func (p *project) removeAuthInfo(a *authInfo) {
	delete(p.authInfos, a.name)
	p.authOrder = slices.DeleteFunc(p.authOrder, func(o *authInfo) bool { return o == a })
}

// authPage is one page of records in creation order: a name narrows it to
// that record, and a page costs what it answers, not the project's size.
func (p *project) authPage(name *string, offset, limit int) []*authInfo {
	candidates := p.authOrder
	if name != nil {
		candidates = nil
		if a := p.authInfos[*name]; a != nil {
			candidates = []*authInfo{a}
		}
	}
	start := min(offset, len(candidates))
	return candidates[start:min(start+limit, len(candidates))]
}
