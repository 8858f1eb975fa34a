package ptv

import (
	"errors"
	"fmt"
)

// ErrUnavailable is matched (errors.Is) by a FetchError that means PTV could
// not be reached or kept failing: the sync may simply be tried again later.
var ErrUnavailable = errors.New("ptv unavailable")

// FetchError is a request PTV did not answer usefully: a network error, a
// timeout, a refused request (4xx) or retries given up on (429/5xx).
type FetchError struct {
	Endpoint string // path and query under the API base
	Status   int    // last HTTP status; 0 for network errors and timeouts
	Attempts int
	Body     string // PTV's error body, shortened
	// Retryable says the failure was temporary (network, 429, 5xx) and the
	// attempts ran out; a 4xx other than 429 is not.
	Retryable bool
	Err       error
}

// Error names the endpoint, the status, the attempts and PTV's own message.
func (e *FetchError) Error() string {
	msg := "ptv: " + e.Endpoint
	if e.Status != 0 {
		msg += fmt.Sprintf(": HTTP %d", e.Status)
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap gives the network or context error, if any.
func (e *FetchError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnavailable) true for temporary failures.
func (e *FetchError) Is(target error) bool {
	return target == ErrUnavailable && e.Retryable
}

// DataError is PTV data this reader cannot use: a malformed page or object,
// or an enumeration value it does not know where guessing would mislead.
type DataError struct {
	Endpoint string
	Kind     string // "service", "channel", "organization", "page"
	ID       string // object id; empty when the page itself is unreadable
	Field    string
	Err      error
}

// Error names the endpoint, the object and the field.
func (e *DataError) Error() string {
	msg := "ptv: " + e.Endpoint + ": "
	if e.ID != "" {
		msg += e.Kind + " " + e.ID + ": "
	} else {
		msg += e.Kind + ": "
	}
	if e.Field != "" {
		msg += e.Field + ": "
	}
	return msg + e.Err.Error()
}

// Unwrap gives the decoding or validation error.
func (e *DataError) Unwrap() error { return e.Err }

// Warning is something skipped or doubtful in otherwise usable data.
type Warning struct {
	Endpoint string
	Kind     string // "service", "channel", "organization"
	ID       string
	Field    string
	Message  string
}

// String is the warning as one log line.
func (w Warning) String() string {
	s := w.Kind + " " + w.ID
	if w.Field != "" {
		s += " " + w.Field
	}
	s += ": " + w.Message
	if w.Endpoint != "" {
		s += " (" + w.Endpoint + ")"
	}
	return s
}
