// Package journeys holds the tests of what a person does in their first
// hour with this module: every shell block of the README and of docs/,
// run as a process the way it is typed, against dli-mock processes on
// loopback, and the paths around them (a closed port, the replay command a
// report prints, -h). It has no code of its own; see journeys_test.go for
// the journeys and runner_test.go for how a block is run.
package journeys
