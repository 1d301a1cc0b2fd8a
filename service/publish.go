package service

import (
	"net/url"
	"strings"

	"github.com/glpinet/glpinet"
)

// PublishFields are the publish options as text, the way a form, a query
// string or command-line flags carry them; Options reads them.
type PublishFields struct {
	RequiredOffers string // offer references, comma-separated
	Compatibility  string // Composer constraint
	Stability      string
	Tags           string // tag keys, comma-separated
	Force          string // "1" or "true" replaces a published version
}

// PublishFieldsFrom reads the fields of a form or a query string:
// required_offers, compatibility, stability, tags and force.
func PublishFieldsFrom(v url.Values) PublishFields {
	return PublishFields{RequiredOffers: v.Get("required_offers"), Compatibility: v.Get("compatibility"),
		Stability: v.Get("stability"), Tags: v.Get("tags"), Force: v.Get("force")}
}

// Options returns the publish options the fields say, or an EINVALID error
// when a field is over its limit (glpinet.MaxConstraintLen,
// glpinet.MaxStabilityLen) or not text. Tags left empty keep the plugin's.
func (f PublishFields) Options() (glpinet.PublishOptions, error) {
	opts := glpinet.PublishOptions{RequiredOffers: SplitList(f.RequiredOffers), Compatibility: strings.TrimSpace(f.Compatibility),
		Stability: strings.TrimSpace(f.Stability), Force: f.Force == "1" || f.Force == "true"}
	if tags := SplitList(f.Tags); tags != nil {
		opts.Meta.Tags = tags
	}
	if err := glpinet.CheckText("compatibility constraint", opts.Compatibility, glpinet.MaxConstraintLen); err != nil {
		return opts, err
	}
	return opts, glpinet.CheckText("version stability", opts.Stability, glpinet.MaxStabilityLen)
}

// SplitList reads a comma-separated list ("a, b"), dropping empty
// elements; "" is nil.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
