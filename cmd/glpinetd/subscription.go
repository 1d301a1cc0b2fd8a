package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/glpinet/glpinet"
)

func runSubscription(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "subscription", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"grant": subscriptionGrant,
		"list":  subscriptionList,
	})
}

// parseDay reads a YYYY-MM-DD date as the start of that day in UTC.
func parseDay(s, flagName string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, usagef("--%s %q is not a date like 2027-12-31", flagName, s)
	}
	return t, nil
}

func subscriptionGrant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("subscription grant", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	account := fs.Int64("account", 0, "account ID (required)")
	offer := fs.String("offer", "", "offer reference, e.g. standard (required)")
	from := fs.String("from", "", "first day, YYYY-MM-DD (default today)")
	until := fs.String("until", "", "last day included, YYYY-MM-DD (required)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *offer == "" || *until == "" {
		return usagef("subscription grant needs --account ID --offer REF --until DATE")
	}
	begin := time.Now().UTC()
	if *from != "" {
		var err error
		if begin, err = parseDay(*from, "from"); err != nil {
			return err
		}
	}
	last, err := parseDay(*until, "until")
	if err != nil {
		return err
	}
	end := last.AddDate(0, 0, 1) // the last day is included
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	s := &glpinet.Subscription{AccountID: *account, OfferRef: *offer, Begin: begin, End: &end}
	if err := db.CreateSubscription(cliActor(ctx), s); err != nil {
		return err
	}
	return output{stdout, sf.json}.result(s, func(w io.Writer) {
		fmt.Fprintf(w, "Subscription %d: account %d has the %s offer from %s until %s included.\n", s.ID, s.AccountID, s.OfferRef, glpinet.FormatDate(s.Begin), glpinet.LastDay(end))
	})
}

func subscriptionList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("subscription list", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	account := fs.Int64("account", 0, "account ID (required)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *account <= 0 {
		return usagef("subscription list needs --account ID")
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	subs, err := db.ListSubscriptions(ctx, *account)
	if err != nil {
		return err
	}
	offers, err := db.ListOffers(ctx)
	if err != nil {
		return err
	}
	running := glpinet.RunningSubscription(subs, glpinet.OfferMap(offers), time.Now())
	return output{stdout, sf.json}.result(subs, func(w io.Writer) {
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
}

func runOffer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "offer", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"list": func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			fs := flag.NewFlagSet("offer list", flag.ContinueOnError)
			var sf storeFlags
			sf.register(fs)
			if _, err := parseFlags(fs, args); err != nil {
				return err
			}
			db, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			offers, err := db.ListOffers(ctx)
			if err != nil {
				return err
			}
			return output{stdout, sf.json}.result(offers, func(w io.Writer) {
				fmt.Fprintln(w, "REFERENCE\tLEVEL\tTITLE")
				for _, o := range offers {
					fmt.Fprintf(w, "%s\t%d\t%s\n", o.Reference, o.Level, o.Title("en"))
				}
			})
		},
	})
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	var f glpinet.AuditFilter
	fs.StringVar(&f.Action, "action", "", "only this action, e.g. key.revoke")
	fs.StringVar(&f.Actor, "actor", "", "only this actor, e.g. cli:root")
	fs.StringVar(&f.Subject, "subject", "", "only this subject, e.g. account:3")
	fs.IntVar(&f.Limit, "limit", 50, "at most N events")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	events, err := db.ListAuditEvents(ctx, f)
	if err != nil {
		return err
	}
	if events == nil {
		events = []*glpinet.AuditEvent{}
	}
	return output{stdout, sf.json}.result(events, func(w io.Writer) {
		fmt.Fprintln(w, "WHEN\tACTOR\tACTION\tSUBJECT\tDETAILS")
		for _, e := range events {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.DateTime), e.Actor, e.Action, e.Subject, e.Details)
		}
	})
}
