package wire

import "context"

// The marks a phase puts on the context of its requests, for the run's
// budget (Listener.Hold) to tell them apart.
type (
	settlingKey struct{}
	refusalKey  struct{}
)

// Settling is ctx, whose requests are polls of a wait for a state to
// settle: waiting, bounded by -settle, which a request budget does not
// count.
func Settling(ctx context.Context) context.Context {
	return context.WithValue(ctx, settlingKey{}, true)
}

// IsSettling says whether a request's context is a poll's (Settling).
func IsSettling(ctx context.Context) bool { return ctx.Value(settlingKey{}) != nil }

// MeantToBeRefused is ctx, whose requests are built to be refused (broken
// on purpose): a create among them makes nothing on a server that
// conforms, so a budget of what a run makes does not hold it back.
func MeantToBeRefused(ctx context.Context) context.Context {
	return context.WithValue(ctx, refusalKey{}, true)
}

// IsMeantToBeRefused says whether a request's context is MeantToBeRefused.
func IsMeantToBeRefused(ctx context.Context) bool { return ctx.Value(refusalKey{}) != nil }
