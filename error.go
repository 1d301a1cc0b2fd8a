package glpinet

import (
	"errors"
	"fmt"
)

// Application error codes. Every service method documents which of these it
// returns; the HTTP layer maps them to statuses in one place.
const (
	ECONFLICT       = "conflict"        // the action conflicts with existing state (duplicate, already done)
	EINTERNAL       = "internal"        // a failure of ours: never the caller's fault
	EINVALID        = "invalid"         // the input is malformed or violates a rule
	ENOTFOUND       = "not_found"       // the thing does not exist
	EUNAUTHORIZED   = "unauthorized"    // the caller is not authenticated
	EFORBIDDEN      = "forbidden"       // the caller may not do this
	EUNAVAILABLE    = "unavailable"     // a dependency (the database) cannot be reached now
	ENOTIMPLEMENTED = "not_implemented" // the operation is not supported by this implementation
	ETOOLARGE       = "too_large"       // the request is larger than this route accepts
	EUNSUPPORTED    = "unsupported"     // the request's content type is not one this route accepts
	ETOOMANY        = "too_many"        // too many attempts or requests: try again later
)

// Error is an application error: a stable code and a message safe to show to
// the user. Internal failures are wrapped plain errors, not *Error.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("glpinet error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil
// and EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, "" for
// nil and a generic message for internal errors (whose text may hold details
// the user must not see).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
