package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
)

// WaitPolicy is the polling schedule of the waiters: the first show goes
// out at once; then the wait between two shows starts at MinDelay and
// doubles up to MaxDelay, each with up to a quarter more at random, so that
// clients waiting together spread out. The context bounds the whole wait.
type WaitPolicy struct {
	// MinDelay is the first wait; DefaultWaitMinDelay when 0. It may be
	// below one second only for a loopback endpoint (a local mock): a
	// real DLI is never polled faster than once a second.
	MinDelay time.Duration
	// MaxDelay caps a wait; DefaultWaitMaxDelay when 0.
	MaxDelay time.Duration
}

// The default waiting schedule: 2 s, 4 s, 8 s, 16 s, then every 30 s.
const (
	DefaultWaitMinDelay = 2 * time.Second
	DefaultWaitMaxDelay = 30 * time.Second
	// minRealDelay is the fastest a waiter polls a real endpoint.
	minRealDelay = time.Second
)

func (p WaitPolicy) resolve(server string) (WaitPolicy, error) {
	if p.MinDelay < 0 || p.MaxDelay < 0 {
		return p, fmt.Errorf("client: Wait.MinDelay and Wait.MaxDelay must not be negative")
	}
	if p.MinDelay == 0 {
		p.MinDelay = DefaultWaitMinDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = max(DefaultWaitMaxDelay, p.MinDelay)
	}
	if p.MaxDelay < p.MinDelay {
		return p, fmt.Errorf("client: Wait.MaxDelay %s is below Wait.MinDelay %s", p.MaxDelay, p.MinDelay)
	}
	if p.MinDelay < minRealDelay && !local(server) {
		return p, fmt.Errorf("client: Wait.MinDelay %s would poll %s faster than once a second; only a loopback or reserved test endpoint (a local mock) may", p.MinDelay, server)
	}
	return p, nil
}

// poll calls done until it reports true or an error, waiting by c.wait
// between calls, and stops when ctx is done. An error that ends the wait
// because ctx is done names op, whether it came between calls or during one.
func (c *Client) poll(ctx context.Context, op string, done func() (bool, error)) error {
	delay := c.wait.MinDelay
	for {
		ok, err := done()
		if err != nil && ctx.Err() != nil {
			// The deadline fell during a call: say which wait it ended.
			return fmt.Errorf("%s: %w", op, err)
		}
		if err != nil || ok {
			return err
		}
		wait := delay + rand.N(delay/4+1) //nolint:gosec // jitter spreads polls; it guards no secret
		timer := time.NewTimer(min(wait, c.wait.MaxDelay))
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%s: %w", op, ctx.Err())
		case <-timer.C:
		}
		delay = min(2*delay, c.wait.MaxDelay)
	}
}

// WaitDatasourceConnectionActive polls ShowDatasourceConnection until the
// classic connection is ACTIVE and returns its detail. A connection that
// FAILED (or was DELETED) ends the wait with an *apierror.Error that
// carries DLI's message.
//
// Deprecated: Huawei deprecated classic connections (end of life
// 2024-06-30); use enhanced datasource connections.
func (c *Client) WaitDatasourceConnectionActive(ctx context.Context, connectionID string) (*dli.ConnectionDetail, error) {
	const op = "WaitDatasourceConnectionActive"
	var detail *dli.ConnectionDetail
	err := c.poll(ctx, op, func() (bool, error) {
		d, err := c.ShowDatasourceConnection(ctx, connectionID) //nolint:staticcheck // the waiter of a deprecated operation
		if err != nil {
			return false, err
		}
		detail = d
		switch state := value(d.State); state {
		case dli.StateActive:
			return true, nil
		case dli.StateFailed, dli.StateDeleted:
			return false, &apierror.Error{Operation: op, StatusCode: 200, Message: value(d.Message),
				Reason: fmt.Sprintf("connection %s is %s", connectionID, state)}
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return detail, nil
}

// WaitEnhancedConnectionReady polls ShowEnhancedConnection until every
// binding to a queue or elastic resource pool is ACTIVE and returns the
// connection's detail. A binding that FAILED ends the wait with an
// *apierror.Error naming the binding and carrying its err_msg; so does a
// connection that was DELETED.
func (c *Client) WaitEnhancedConnectionReady(ctx context.Context, connectionID string) (*dli.EnhancedConnectionDetail, error) {
	const op = "WaitEnhancedConnectionReady"
	var detail *dli.EnhancedConnectionDetail
	err := c.poll(ctx, op, func() (bool, error) {
		d, err := c.ShowEnhancedConnection(ctx, connectionID)
		if err != nil {
			return false, err
		}
		detail = d
		if value(d.Status) == dli.EnhancedDeleted {
			return false, &apierror.Error{Operation: op, StatusCode: 200, Reason: fmt.Sprintf("connection %s is DELETED", connectionID)}
		}
		ready := true
		for _, group := range []struct {
			kind     string
			bindings []dli.Binding
		}{{"queue", d.AvailableQueueInfo}, {"elastic resource pool", d.ElasticResourcePools}} {
			kind := group.kind
			for _, b := range group.bindings {
				switch value(b.Status) {
				case dli.BindingFailed:
					return false, &apierror.Error{Operation: op, StatusCode: 200, Message: value(b.ErrMsg),
						Reason: fmt.Sprintf("the binding of connection %s to %s %s FAILED", connectionID, kind, value(b.Name))}
				case dli.BindingActive:
				default:
					ready = false
				}
			}
		}
		return ready, nil
	})
	if err != nil {
		return nil, err
	}
	return detail, nil
}

// value reads an optional field: DLI documents every response field as
// optional, so the client decodes them as pointers.
func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
