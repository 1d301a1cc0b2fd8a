package glpiapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
)

// infoResponse is the body of GET /api/registration/info. GLPI reads
// owner and subscription unconditionally, so both are always present
// (null when the key is not valid).
type infoResponse struct {
	IsValid           bool              `json:"is_valid"`
	Code              string            `json:"code"`
	ValidationMessage string            `json:"validation_message"`
	Owner             *ownerJSON        `json:"owner"`
	Subscription      *subscriptionJSON `json:"subscription"`
}

type ownerJSON struct {
	Name string `json:"name"`
}

type subscriptionJSON struct {
	OfferReference string   `json:"offer_reference"`
	Title          string   `json:"title"`
	IsRunning      bool     `json:"is_running"`
	BeginDate      *string  `json:"begin_date"`
	EndDate        *string  `json:"end_date"`
	Features       []string `json:"features"`
}

// handleInfo validates the key GLPI sends. Every verdict is 200 with
// is_valid; an internal failure is a 503 without is_valid, because GLPI
// caches any is_valid answer for a day.
func (h *Handler) handleInfo(w http.ResponseWriter, r *http.Request) {
	lang := language(r.Header.Get("Accept-Language"))
	addr := h.clientKey(r)
	ctx, limited := h.keyContext(r, addr)
	v, err := h.Validator.Validate(ctx, r.Header.Get("X-Registration-Key"))
	if err == glpinet.ErrRecheckBudget || err != nil && limited {
		// Counted against the address as a verdict would be, so that a
		// flood from one address meets its own limit.
		h.verdicts.Allow(addr, h.Now())
		h.refuseUnknownKeys(w, r)
		return
	}
	if err != nil {
		h.Metrics.Validations.WithLabelValues("ERROR").Inc()
		h.error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "Registration information is temporarily unavailable; try again shortly."))
		return
	}
	if (v.Code == glpinet.ValidationUnknown || v.Code == glpinet.ValidationMalformed) && !h.verdicts.Allow(addr, h.Now()) {
		h.refuseUnknownKeys(w, r)
		return
	}
	h.Metrics.Validations.WithLabelValues(string(v.Code)).Inc()
	h.sighting(r, v)
	body, ok := v.Memo.Get(lang)
	if !ok {
		body = httpx.Marshal(h.infoBody(v, lang))
		v.Memo.Put(lang, body)
	}
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// sighting records the instance behind a request made with a known key.
func (h *Handler) sighting(r *http.Request, v glpinet.Validation) {
	if v.Record == nil || h.Sightings == nil {
		return
	}
	uid := r.Header.Get("X-Glpi-Network-Uid")
	if !validUID(uid) {
		return
	}
	ua := glpinet.ParseUserAgent(r.UserAgent())
	h.Sightings.Add(glpinet.Sighting{KeyID: v.Record.Key.ID, AccountID: v.Record.Account.ID, UID: uid,
		GLPIVersion: ua.GLPIVersion, InstallMode: ua.InstallMode, At: h.Now()})
}

func (h *Handler) infoBody(v glpinet.Validation, lang string) infoResponse {
	out := infoResponse{IsValid: v.IsValid(), Code: string(v.Code)}
	switch v.Code {
	case glpinet.ValidationMalformed:
		out.ValidationMessage = fmt.Sprintf(msg(lang, "MALFORMED"), keyProblem(lang, v.KeyProblem))
	case glpinet.ValidationRotatedExpired:
		out.ValidationMessage = fmt.Sprintf(msg(lang, "ROTATED_EXPIRED"), glpinet.FormatDate(*v.Record.Key.GraceUntil))
	case glpinet.ValidationValid:
		period := msg(lang, "no_end")
		if v.Running.End != nil {
			period = fmt.Sprintf(msg(lang, "until"), glpinet.LastDay(*v.Running.End))
		}
		out.ValidationMessage = fmt.Sprintf(msg(lang, "VALID"), v.Offer.Title(lang), period)
		if v.Lapsed != nil && v.LapsedOffer != nil {
			// GLPI shows this message on its GLPI Network page: the one
			// place its administrator sees that the paid offer ended.
			out.ValidationMessage = fmt.Sprintf(msg(lang, "VALID_LAPSED"), out.ValidationMessage, v.LapsedOffer.Title(lang), glpinet.LastDay(*v.Lapsed.End))
		}
		if g := v.Record.Key.GraceUntil; g != nil {
			out.ValidationMessage = fmt.Sprintf(msg(lang, "VALID_GRACE"), g.UTC().Format("2006-01-02 15:04 UTC"))
		}
	case glpinet.ValidationSubscriptionEnded:
		out.ValidationMessage = msg(lang, "NO_SUBSCRIPTION")
		if v.Running != nil && v.Offer != nil {
			out.ValidationMessage = fmt.Sprintf(msg(lang, "SUBSCRIPTION_ENDED"), v.Offer.Title(lang), glpinet.LastDay(*v.Running.End))
		}
	default:
		out.ValidationMessage = msg(lang, string(v.Code))
	}
	if !out.IsValid {
		return out
	}
	out.Owner = &ownerJSON{Name: v.Record.Account.Name}
	sub := &subscriptionJSON{IsRunning: v.IsRunning(), Features: []string{}}
	if v.Running != nil {
		sub.OfferReference = v.Running.OfferRef
		b := glpinet.FormatDate(v.Running.Begin)
		sub.BeginDate = &b
		if v.Running.End != nil {
			e := glpinet.LastDay(*v.Running.End)
			sub.EndDate = &e
		}
	} else {
		sub.OfferReference = glpinet.FreeOfferReference
	}
	sub.Title = sub.OfferReference
	if v.Offer != nil {
		sub.Title = v.Offer.Title(lang)
		if v.Offer.Features != nil {
			sub.Features = v.Offer.Features
		}
	}
	out.Subscription = sub
	return out
}

// offerJSON is one entry of GET /api/registration/offers.
type offerJSON struct {
	OfferReference string   `json:"offer_reference"`
	Title          string   `json:"title"`
	Level          int      `json:"level"`
	Features       []string `json:"features"`
}

// handleOffers lists the offers. GLPI calls it once per plugin card when
// it fails, so it is served from the catalogue snapshot and never limited.
func (h *Handler) handleOffers(w http.ResponseWriter, r *http.Request) {
	cat := h.Catalogue.Current()
	if cat == nil {
		h.error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "The catalogue is not loaded yet."))
		return
	}
	lang := language(r.Header.Get("Accept-Language"))
	out := make([]offerJSON, 0, len(cat.Offers))
	for _, o := range cat.Offers {
		f := o.Features
		if f == nil {
			f = []string{}
		}
		out = append(out, offerJSON{OfferReference: o.Reference, Title: o.Title(lang), Level: o.Level, Features: f})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// handleAvailability is GLPI's "are the services up" probe: any non-empty
// body means yes.
func (h *Handler) handleAvailability(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// validUID reports whether an instance uid may be recorded: GLPI sends 40
// letters and digits; anything but printable ASCII of at most 64 bytes is
// not a GLPI's (and PostgreSQL would refuse invalid UTF-8, failing the
// whole batch of sightings).
func validUID(uid string) bool {
	if uid == "" || len(uid) > 64 {
		return false
	}
	for i := 0; i < len(uid); i++ {
		if uid[i] < 0x21 || uid[i] > 0x7e {
			return false
		}
	}
	return true
}

// keyContext is the context to validate a request's key in: once the
// client's address has spent its budget of unknown keys, the validator may
// not read the store for a key it does not hold (limited is then true).
func (h *Handler) keyContext(r *http.Request, addr string) (ctx context.Context, limited bool) {
	if h.verdicts.Exhausted(addr, h.Now()) {
		return glpinet.WithoutRechecks(r.Context()), true
	}
	return r.Context(), false
}

// refuseUnknownKeys answers a client that asked about too many unknown
// keys: 429 without is_valid, which GLPI reads as "unable to fetch" and
// does not cache, so an instance behind the same address that merely
// mistyped is not told its key is invalid for a day.
func (h *Handler) refuseUnknownKeys(w http.ResponseWriter, r *http.Request) {
	h.Metrics.Refused.WithLabelValues("unknown_keys").Inc()
	httpx.RetryAfter(w, time.Minute)
	h.error(w, r, glpinet.Errorf(glpinet.ETOOMANY, "Too many unknown registration keys from your address: try again in a minute."))
}
