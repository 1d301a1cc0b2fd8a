package publish

import (
	"crypto/ed25519"
	"sort"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/pluginarchive"
)

// CheckSignatures verifies the signatures of the n most recently published
// versions of cat with pub. Replicas must share one signing key: a replica
// started with another signing.key (or a new one, created because the
// file was missing on its disk) would serve a public key that does not
// verify what the others signed, and glpinet's clients would refuse every
// archive. It returns an EINVALID error naming a version that does not
// verify; nil when all do or nothing is signed yet.
func CheckSignatures(cat *glpinet.Catalogue, pub ed25519.PublicKey, n int) error {
	if cat == nil {
		return nil
	}
	var signed []*glpinet.Version
	for _, p := range cat.Plugins {
		for _, v := range p.Versions {
			if len(v.Archive.Signature) > 0 {
				signed = append(signed, v)
			}
		}
	}
	sort.Slice(signed, func(i, j int) bool { return signed[i].CreatedAt.After(signed[j].CreatedAt) })
	for _, v := range signed[:min(n, len(signed))] {
		msg := pluginarchive.SignedMessage(v.PluginKey, v.Num, v.Archive.SHA256)
		if !ed25519.Verify(pub, msg, v.Archive.Signature) {
			return glpinet.Errorf(glpinet.EINVALID, "The signing key in use does not verify %s %s, signed with another key: every replica needs the same signing.key (copy it from the data directory that published it; never let a replica create its own)", v.PluginKey, v.Num)
		}
	}
	return nil
}
