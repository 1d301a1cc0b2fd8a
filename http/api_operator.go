package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

// operatorOnly writes a 403 unless the caller is an operator.
func (s *Server) operatorOnly(w http.ResponseWriter, r *http.Request, c caller) bool {
	if !service.IsOperator(c.user) {
		s.Error(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "This endpoint is for operators."))
		return false
	}
	return true
}

// pathID reads an integer path value, writing a 404 when it is not one.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		s.Error(w, r, glpinet.Errorf(glpinet.ENOTFOUND, "There is no %s %q.", name, r.PathValue(name)))
		return 0, false
	}
	return id, true
}

func (s *Server) apiAccounts(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	accounts, _, err := s.Store.FindAccounts(r.Context(), service.AccountSearch(r.URL.Query().Get("q"), 0))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, accounts))
}

// accountJSON is an account with what an operator looks at.
type accountJSON struct {
	*glpinet.Account
	Subscriptions []*glpinet.Subscription `json:"subscriptions"`
	Running       *glpinet.Subscription   `json:"running_subscription"`
}

func (s *Server) apiAccount(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	a, err := s.Store.FindAccountByID(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	subs, err := s.Store.ListSubscriptions(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, accountJSON{Account: a, Subscriptions: subs, Running: glpinet.RunningSubscription(subs, s.offerMap(), s.Now())})
}

func (s *Server) apiAccountState(state glpinet.AccountState) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		if !s.operatorOnly(w, r, c) {
			return
		}
		id, ok := s.pathID(w, r, "id")
		if !ok {
			return
		}
		if err := s.Store.SetAccountState(apiActor(r, c), id, state); err != nil {
			s.Error(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// subscriptionInput is the body that grants or changes a subscription.
// Dates are days (YYYY-MM-DD); "until" is the last day included.
type subscriptionInput struct {
	Offer string `json:"offer"`
	From  string `json:"from"`
	Until string `json:"until"`
	State string `json:"state"`
}

func (s *Server) apiGrant(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	var in subscriptionInput
	if err := decode(r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	begin := s.Now().UTC()
	if in.From != "" {
		var err error
		if begin, err = service.ParseDay("from", in.From); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	until, err := service.ParseDay("until", in.Until)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	end := service.EndAfter(until)
	sub := &glpinet.Subscription{AccountID: id, OfferRef: in.Offer, Begin: begin, End: &end}
	if err := s.Store.CreateSubscription(apiActor(r, c), sub); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sub)
}

func (s *Server) apiUpdateSubscription(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	var in subscriptionInput
	if err := decode(r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	var end *time.Time
	if in.Until != "" {
		until, err := service.ParseDay("until", in.Until)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		e := service.EndAfter(until)
		end = &e
	}
	state := glpinet.SubscriptionState(in.State)
	if state == "" {
		state = glpinet.SubscriptionActive
	}
	sub, err := s.Store.UpdateSubscription(apiActor(r, c), id, end, state)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sub)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	q := r.URL.Query()
	f := glpinet.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject"), Limit: 1000}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.Error(w, r, glpinet.Errorf(glpinet.EINVALID, "since is an RFC 3339 time, like 2026-01-31T00:00:00Z."))
			return
		}
		f.Since = t
	}
	events, err := s.Store.ListAuditEvents(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, events))
}

func (s *Server) apiOffers(w http.ResponseWriter, r *http.Request, c caller) {
	offers, err := s.Store.ListOffers(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, offers))
}

func (s *Server) apiSaveOffer(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	var o glpinet.Offer
	if err := decode(r, &o); err != nil {
		s.Error(w, r, err)
		return
	}
	o.Reference = r.PathValue("ref")
	if err := s.Store.SaveOffer(apiActor(r, c), &o); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}
