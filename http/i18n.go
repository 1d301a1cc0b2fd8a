package http

import (
	"strings"

	"github.com/glpinet/glpinet"
)

// Languages the GLPI endpoints answer in; the first is the fallback.
var languages = []string{"en", "fr"}

// language picks the answer language from a header GLPI sends as
// "Accept-Language: fr" or "X-Lang: en-GB" (browsers send longer lists:
// "fr-FR,fr;q=0.9,en;q=0.8"; the first supported tag wins).
func language(header string) string {
	for _, part := range strings.Split(header, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if len(tag) < 2 {
			continue
		}
		l := strings.ToLower(tag[:2])
		for _, s := range languages {
			if s == l {
				return l
			}
		}
	}
	return languages[0]
}

// tagLanguage returns the 2-letter language of an X-Lang header, whether
// or not the server has translations for it (tag names may).
func tagLanguage(header string) string {
	header = strings.TrimSpace(header)
	if len(header) < 2 {
		return "en"
	}
	return strings.ToLower(header[:2])
}

// messages holds the validation messages GLPI shows verbatim.
var messages = map[string]map[string]string{
	"en": {
		"VALID":              "The registration key is valid: %s offer, %s.",
		"VALID_GRACE":        "The registration key is valid until %s only: it was replaced by a new key. Enter the new key before then.",
		"MISSING":            "No registration key was sent.",
		"MALFORMED":          "The registration key is malformed. %s",
		"UNKNOWN":            "Unknown registration key. Check that you copied it from this services portal.",
		"REVOKED":            "This registration key was revoked. Generate a new one on the services portal.",
		"ROTATED_EXPIRED":    "This registration key was replaced by a new one and stopped working on %s. Enter the new key.",
		"SUBSCRIPTION_ENDED": "Your %s subscription ended on %s. Renew it on the services portal.",
		"NO_SUBSCRIPTION":    "No subscription runs for this registration key. See the services portal.",
		"ACCOUNT_SUSPENDED":  "The account that owns this registration key is suspended. Contact your service provider.",
		"until":              "until %s",
		"no_end":             "no end date",
	},
	"fr": {
		"VALID":              "La clé d'enregistrement est valide : offre %s, %s.",
		"VALID_GRACE":        "La clé d'enregistrement n'est valide que jusqu'au %s : elle a été remplacée par une nouvelle clé. Saisissez la nouvelle clé d'ici là.",
		"MISSING":            "Aucune clé d'enregistrement n'a été envoyée.",
		"MALFORMED":          "La clé d'enregistrement est mal formée. %s",
		"UNKNOWN":            "Clé d'enregistrement inconnue. Vérifiez que vous l'avez copiée depuis ce portail de services.",
		"REVOKED":            "Cette clé d'enregistrement a été révoquée. Générez-en une nouvelle sur le portail de services.",
		"ROTATED_EXPIRED":    "Cette clé d'enregistrement a été remplacée par une nouvelle clé et ne fonctionne plus depuis le %s. Saisissez la nouvelle clé.",
		"SUBSCRIPTION_ENDED": "Votre abonnement %s a pris fin le %s. Renouvelez-le sur le portail de services.",
		"NO_SUBSCRIPTION":    "Aucun abonnement n'est en cours pour cette clé d'enregistrement. Consultez le portail de services.",
		"ACCOUNT_SUSPENDED":  "Le compte propriétaire de cette clé d'enregistrement est suspendu. Contactez votre fournisseur de services.",
		"until":              "jusqu'au %s",
		"no_end":             "sans date de fin",
	},
}

// keyProblems explains malformed keys, per language.
var keyProblems = map[string]map[glpinet.KeyProblem]string{
	"en": {
		glpinet.KeyEmpty:       "No key was given.",
		glpinet.KeyWrongPrefix: "glpinet keys start with \"gnk_\".",
		glpinet.KeyTooShort:    "It is truncated: copy it again in full.",
		glpinet.KeyTooLong:     "It has extra characters: copy exactly the key.",
		glpinet.KeyBadChars:    "It contains characters a key never has: copy it again.",
		glpinet.KeyChecksum:    "It has a typo (its checksum does not match): copy it again rather than retyping it.",
	},
	"fr": {
		glpinet.KeyEmpty:       "Aucune clé n'a été saisie.",
		glpinet.KeyWrongPrefix: "Les clés glpinet commencent par « gnk_ ».",
		glpinet.KeyTooShort:    "Elle est tronquée : copiez-la à nouveau en entier.",
		glpinet.KeyTooLong:     "Elle contient des caractères en trop : copiez exactement la clé.",
		glpinet.KeyBadChars:    "Elle contient des caractères qu'une clé n'a jamais : copiez-la à nouveau.",
		glpinet.KeyChecksum:    "Elle contient une faute de frappe (sa somme de contrôle ne correspond pas) : copiez-la plutôt que de la retaper.",
	},
}

func msg(lang, id string) string {
	if m, ok := messages[lang][id]; ok {
		return m
	}
	return messages["en"][id]
}
