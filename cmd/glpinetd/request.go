package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/service"
)

// Offer requests, as operators decide them on the portal's requests page:
// the same service calls, so the same rules, mails and audit events.

func runRequest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "request", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"list":    requestList,
		"grant":   requestGrant,
		"decline": requestDecline,
	})
}

// requestRow is a request as "request list" prints it.
type requestRow struct {
	*glpinet.OfferRequest
	Account   string `json:"account_name"`
	Requester string `json:"requester_email"` // "" once the user is gone
}

func requestList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("request list")
	state := c.fs.String("state", "", "only requests in `STATE`: pending, granted or declined")
	account := c.fs.Int64("account", 0, "only the requests of account `ID`")
	return c.run(ctx, args, stdout, nArgs(0, "request list takes no arguments"), func(db Store, _ []string, out cli.Output) error {
		qs, err := service.New(db, nil).ListOfferRequests(ctx, *account, *state)
		if err != nil {
			return err
		}
		rows, err := requestRows(ctx, db, qs)
		if err != nil {
			return err
		}
		return out.Result(rows, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tACCOUNT\tOFFER\tSTATE\tREQUESTED\tBY\tMESSAGE")
			for _, q := range rows {
				by := q.Requester
				if by == "" {
					by = fmt.Sprintf("user %d (gone)", q.UserID)
				}
				fmt.Fprintf(w, "%d\t%d %s\t%s\t%s\t%s\t%s\t%s\n", q.ID, q.AccountID, q.Account, q.OfferRef, q.State,
					q.CreatedAt.UTC().Format(time.DateTime), by, oneLine(q.Message, 60))
			}
			if len(rows) == 0 {
				fmt.Fprintln(w, "(no request)")
			}
		})
	})
}

// requestRows names each request's account and requester.
func requestRows(ctx context.Context, db Store, qs []*glpinet.OfferRequest) ([]requestRow, error) {
	accounts, users := map[int64]string{}, map[int64]string{}
	rows := make([]requestRow, 0, len(qs))
	for _, q := range qs {
		name, ok := accounts[q.AccountID]
		if !ok {
			a, err := db.FindAccountByID(ctx, q.AccountID)
			if err != nil {
				return nil, err
			}
			name, accounts[q.AccountID] = a.Name, a.Name
		}
		email, ok := users[q.UserID]
		if !ok {
			u, err := db.FindUserByID(ctx, q.UserID)
			if err != nil && glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
				return nil, err
			} else if err == nil {
				email = u.Email
			}
			users[q.UserID] = email
		}
		rows = append(rows, requestRow{OfferRequest: q, Account: name, Requester: email})
	}
	return rows, nil
}

// oneLine shortens s to one line of at most n characters, for a table.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func requestGrant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("request grant")
	until := c.fs.String("until", "", "last day included, YYYY-MM-DD (default: one year from today)")
	var id int64
	var last *time.Time
	check := func(pos []string) error {
		if err := oneID("request", "request grant takes one request ID (glpinetd request list --state pending shows them)", &id)(pos); err != nil {
			return err
		}
		if *until != "" {
			day, err := parseDay(*until, "until")
			if err != nil {
				return err
			}
			last = &day
		}
		return nil
	}
	return c.run(ctx, args, stdout, check, func(db Store, _ []string, out cli.Output) error {
		q, s, err := service.New(db, nil).GrantOfferRequest(cliActor(ctx), id, last)
		if err != nil {
			return err
		}
		return out.Result(map[string]any{"request": q, "subscription": s}, func(w io.Writer) {
			fmt.Fprintf(w, "Request %d granted: account %d has the %s offer from %s until %s included (subscription %d); the requester is mailed.\n",
				q.ID, q.AccountID, q.OfferRef, glpinet.FormatDate(s.Begin), glpinet.LastDay(*s.End), s.ID)
		})
	})
}

func requestDecline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("request decline")
	reason := c.fs.String("reason", "", "why, in `TEXT` mailed to the requester (optional)")
	var id int64
	check := oneID("request", "request decline takes one request ID (glpinetd request list --state pending shows them)", &id)
	return c.run(ctx, args, stdout, check, func(db Store, _ []string, out cli.Output) error {
		q, err := service.New(db, nil).DeclineOfferRequest(cliActor(ctx), id, *reason)
		if err != nil {
			return err
		}
		return out.Result(q, func(w io.Writer) {
			fmt.Fprintf(w, "Request %d declined: account %d does not get the %s offer; the requester is mailed.\n", q.ID, q.AccountID, q.OfferRef)
		})
	})
}
