package glpinet

// Catalogue is an immutable snapshot of everything the marketplace
// endpoints serve, rebuilt as a whole when anything in it changes, so that
// requests read it without locks or database round trips.
type Catalogue struct {
	// Generation changes with every rebuild; caches of rendered pages are
	// keyed by it.
	Generation uint64
	Plugins    []*Plugin // by key
	Offers     []*Offer  // by level
	Tags       []*TagCount

	byKey   map[string]*Plugin
	offers  map[string]*Offer
	tagKeys map[string]bool
}

// NewCatalogue indexes a snapshot.
func NewCatalogue(gen uint64, plugins []*Plugin, offers []*Offer, tags []*TagCount) *Catalogue {
	c := &Catalogue{Generation: gen, Plugins: plugins, Offers: offers, Tags: tags,
		byKey: make(map[string]*Plugin, len(plugins)), offers: OfferMap(offers), tagKeys: map[string]bool{}}
	for _, p := range plugins {
		c.byKey[p.Key] = p
	}
	for _, t := range tags {
		c.tagKeys[t.Key] = true
	}
	return c
}

// Plugin returns the plugin with this key, or nil.
func (c *Catalogue) Plugin(key string) *Plugin { return c.byKey[key] }

// OfferMap returns the offers indexed by reference.
func (c *Catalogue) OfferMap() map[string]*Offer { return c.offers }

// HasTag reports whether a tag exists.
func (c *Catalogue) HasTag(key string) bool { return c.tagKeys[key] }

// Version returns a plugin's version, or nil.
func (c *Catalogue) Version(key, num string) *Version {
	p := c.byKey[key]
	if p == nil {
		return nil
	}
	for _, v := range p.Versions {
		if v.Num == num {
			return v
		}
	}
	return nil
}

// OfferMap indexes offers by reference.
func OfferMap(offers []*Offer) map[string]*Offer {
	m := make(map[string]*Offer, len(offers))
	for _, o := range offers {
		m[o.Reference] = o
	}
	return m
}
