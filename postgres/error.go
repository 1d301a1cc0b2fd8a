package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes this package acts on.
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

// mapError turns driver errors into application errors where the caller can
// do something about them. Above all, a database that cannot be reached
// becomes EUNAVAILABLE (the HTTP layer answers 503, and the validator never
// mistakes it for an unknown key).
func mapError(err error) error {
	var ae *glpinet.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae):
		return err
	case errors.Is(err, pgx.ErrNoRows):
		return glpinet.Errorf(glpinet.ENOTFOUND, "Not found.")
	case isCode(err, uniqueViolation):
		return glpinet.Errorf(glpinet.ECONFLICT, "This already exists.")
	case isCode(err, foreignKeyViolation):
		// Methods check what they refer to first, with a precise message;
		// this covers what they leave to the constraint.
		return glpinet.Errorf(glpinet.ENOTFOUND, "What this refers to does not exist.")
	case isRetryable(err):
		return fmt.Errorf("%w: %w", glpinet.Errorf(glpinet.EUNAVAILABLE, "The database is busy; try again."), err)
	case isUnavailable(err):
		return unavailable(err)
	}
	return err
}

// unavailable wraps err as EUNAVAILABLE, keeping it in the chain for logs
// (its text, which may name hosts, stays out of the user-facing message).
func unavailable(err error) error {
	return fmt.Errorf("%w: %w", glpinet.Errorf(glpinet.EUNAVAILABLE, "The database cannot be reached; try again later."), err)
}

// isCode reports whether err is a PostgreSQL error with this SQLSTATE.
func isCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool { return isCode(err, uniqueViolation) }

// isRetryable reports whether PostgreSQL aborted the transaction so that
// running it again may succeed.
func isRetryable(err error) bool {
	return isCode(err, serializationFailure) || isCode(err, deadlockDetected)
}

// isUnavailable reports whether err means that the database cannot be
// reached or cannot serve now, rather than that the request was wrong.
func isUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources: too many connections, disk full
			"57": // operator intervention: shutdown, cannot connect now, statement timeout
			return true
		}
		// A standby refusing writes: the primary moved (failover).
		return pe.Code == "25006"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, net.ErrClosed)
}

// startupError makes a connection failure at startup say why: unlike a
// request's, its reader is the operator, who needs the driver's reason
// (host, port, authentication), on one line. pgx leaves passwords out of
// it.
func startupError(err error) error {
	var ce *pgconn.ConnectError
	if err == nil || !errors.As(err, &ce) && glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
		return err
	}
	reason := "unknown reason"
	var pe *pgconn.PgError
	switch {
	case ce != nil:
		reason = ce.Error()
	case errors.As(err, &pe):
		reason = pe.Message
	}
	reason = strings.Join(strings.Fields(reason), " ")
	return fmt.Errorf("%w: %w", glpinet.Errorf(glpinet.EUNAVAILABLE, "PostgreSQL cannot be reached (%s)", reason), err)
}
