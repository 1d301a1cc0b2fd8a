package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/service"
)

func runSubscription(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "subscription", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"grant": subscriptionGrant,
		"list":  subscriptionList,
	})
}

// parseDay reads a YYYY-MM-DD date as the start of that day in UTC.
func parseDay(s, flagName string) (time.Time, error) {
	t, err := service.ParseDay(flagName, s)
	if err != nil {
		return time.Time{}, cli.Usagef("--%s %q is not a date like 2027-12-31", flagName, s)
	}
	return t, nil
}

func subscriptionGrant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("subscription grant")
	account := c.fs.Int64("account", 0, "account `ID` (required)")
	offer := c.fs.String("offer", "", "offer reference, e.g. standard (required)")
	from := c.fs.String("from", "", "first day, YYYY-MM-DD (default today)")
	until := c.fs.String("until", "", "last day included, YYYY-MM-DD (required)")
	var begin, end time.Time
	check := func(pos []string) error {
		if len(pos) != 0 || *account <= 0 || *offer == "" || *until == "" {
			return cli.Usagef("subscription grant needs --account ID --offer REF --until DATE")
		}
		begin = time.Now().UTC()
		var err error
		if *from != "" {
			if begin, err = parseDay(*from, "from"); err != nil {
				return err
			}
		}
		last, err := parseDay(*until, "until")
		end = service.EndAfter(last)
		return err
	}
	return c.run(ctx, args, stdout, check, func(db Store, _ []string, out cli.Output) error {
		s := &glpinet.Subscription{AccountID: *account, OfferRef: *offer, Begin: begin, End: &end}
		if err := db.CreateSubscription(cliActor(ctx), s); err != nil {
			return err
		}
		return out.Result(s, func(w io.Writer) {
			fmt.Fprintf(w, "Subscription %d: account %d has the %s offer from %s until %s included.\n", s.ID, s.AccountID, s.OfferRef, glpinet.FormatDate(s.Begin), glpinet.LastDay(end))
		})
	})
}

func subscriptionList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("subscription list")
	account := c.fs.Int64("account", 0, "account `ID` (required)")
	return c.run(ctx, args, stdout, needAccount("subscription list", account), func(db Store, _ []string, out cli.Output) error {
		subs, err := db.ListSubscriptions(ctx, *account)
		if err != nil {
			return err
		}
		offers, err := db.ListOffers(ctx)
		if err != nil {
			return err
		}
		running := glpinet.RunningSubscription(subs, glpinet.OfferMap(offers), time.Now())
		return out.Result(subs, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tOFFER\tFROM\tUNTIL\tSTATE\t")
			for _, s := range subs {
				until, mark := "-", ""
				if s.End != nil {
					until = glpinet.LastDay(*s.End)
				}
				if s == running {
					mark = "← running"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.OfferRef, glpinet.FormatDate(s.Begin), until, s.State, mark)
			}
		})
	})
}

func runOffer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "offer", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"list": func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			c := newDBCommand("offer list")
			return c.run(ctx, args, stdout, nArgs(0, "offer list takes no arguments"), func(db Store, _ []string, out cli.Output) error {
				offers, err := db.ListOffers(ctx)
				if err != nil {
					return err
				}
				return out.Result(offers, func(w io.Writer) {
					fmt.Fprintln(w, "REFERENCE\tLEVEL\tTITLE")
					for _, o := range offers {
						fmt.Fprintf(w, "%s\t%d\t%s\n", o.Reference, o.Level, o.Title("en"))
					}
				})
			})
		},
	})
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("audit")
	var f glpinet.AuditFilter
	c.fs.StringVar(&f.Action, "action", "", "only this action, e.g. key.revoke")
	c.fs.StringVar(&f.Actor, "actor", "", "only this actor: cli:root, user:7, an e-mail (what the portal and the API record: user:ID E-MAIL)")
	c.fs.StringVar(&f.Subject, "subject", "", "only this subject, e.g. account:3")
	c.fs.IntVar(&f.Limit, "limit", 50, fmt.Sprintf("at most N events (up to %d)", glpinet.MaxPageLimit))
	return c.run(ctx, args, stdout, nArgs(0, "audit takes no arguments"), func(db Store, _ []string, out cli.Output) error {
		events, _, err := db.ListAuditEvents(ctx, f)
		if err != nil {
			return err
		}
		if events == nil {
			events = []*glpinet.AuditEvent{}
		}
		return out.Result(events, func(w io.Writer) {
			fmt.Fprintln(w, "WHEN\tACTOR\tACTION\tSUBJECT\tDETAILS")
			for _, e := range events {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.DateTime), e.Actor, e.Action, e.Subject, e.Details)
			}
		})
	})
}
