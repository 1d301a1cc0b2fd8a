package http

// portalMessages are the portal's texts, by language then message id.
var portalMessages = map[string]map[string]string{
	"en": {
		"members.title": "Members", "members.invitations": "Invitations", "members.invite": "Create an invitation link",
		"members.maxuses": "Maximum uses", "members.days": "Valid for (days)", "members.uses": "Uses",
		"members.newlink": "Invitation link", "members.noinvitations": "No invitation yet.",
		"members.shownonce":    "Send this link to your colleagues: it is shown only once.",
		"members.revokedflash": "The invitation is revoked.",
		"col.role":             "Role", "col.code": "Code", "col.expires": "Expires", "nav.members": "Members",
		"join.title": "Join an account", "join.intro": "You are invited to join", "join.submit": "Join",
		"join.invalid":  "This invitation cannot be used",
		"nav.dashboard": "Dashboard", "nav.keys": "Registration", "nav.instances": "Instances", "nav.offers": "Offers",
		"nav.logout": "Log out", "nav.home": "Home",
		"login.title": "Log in", "login.submit": "Log in", "login.noaccount": "No account yet?",
		"login.failed": "Wrong e-mail or password.",
		"login.locked": "Too many failed attempts: try again in a few minutes.",
		"signup.title": "Create an account", "signup.submit": "Create the account",
		"signup.intro": "Your organisation gets the free Registered offer and can generate its registration keys at once.",
		"signup.weak":  "Choose a password of at least 10 characters.",
		"field.email":  "E-mail", "field.password": "Password", "field.name": "Your name", "field.organisation": "Organisation",
		"field.label":     "Label (e.g. the GLPI instance)",
		"dashboard.title": "Dashboard", "dashboard.offer": "Running offer", "dashboard.since": "Since",
		"dashboard.until": "until", "dashboard.endssoon": "Your subscription ends on",
		"dashboard.nosubscription": "No subscription runs for this account.",
		"dashboard.subscriptions":  "Subscriptions", "dashboard.keys": "Registration keys", "dashboard.instances": "GLPI instances",
		"col.offer": "Offer", "col.from": "From", "col.until": "Until", "col.state": "State", "col.key": "Key",
		"col.created": "Created", "col.version": "GLPI version", "col.mode": "Install mode",
		"col.firstseen": "First seen", "col.lastseen": "Last seen",
		"keys.title": "Registration keys", "keys.new": "Your new registration key",
		"keys.shownonce": "Copy it now: it is shown only once. Only its first characters are kept.",
		"keys.howto":     "In GLPI, open Setup > General > GLPI Network, paste the key into Registration key and save.",
		"keys.grace":     "The key it replaces keeps working until",
		"keys.generate":  "Generate a key", "keys.rotate": "Rotate", "keys.revoke": "Revoke",
		"keys.revoked": "revoked", "keys.replaced": "replaced, works until", "keys.active": "active",
		"keys.none": "No key yet.", "keys.revokedflash": "The key is revoked.",
		"instances.title": "GLPI instances", "instances.none": "No GLPI instance has used a key of this account yet.",
		"instances.intro": "Installations seen using this account's keys. Cloned installations share an identifier.",
		"offers.title":    "Offers", "offers.current": "Your offer", "offers.unlocks": "Plugins unlocked:",
		"error.title": "Something went wrong", "error.csrf": "The form expired; reload the page and try again.",
		"error.forbidden": "You may not do this.", "error.notfound": "This page does not exist.",
	},
	"fr": {
		"members.title": "Membres", "members.invitations": "Invitations", "members.invite": "Créer un lien d'invitation",
		"members.maxuses": "Utilisations maximales", "members.days": "Valable (jours)", "members.uses": "Utilisations",
		"members.newlink": "Lien d'invitation", "members.noinvitations": "Aucune invitation pour l'instant.",
		"members.shownonce":    "Envoyez ce lien à vos collègues : il n'est affiché qu'une fois.",
		"members.revokedflash": "L'invitation est révoquée.",
		"col.role":             "Rôle", "col.code": "Code", "col.expires": "Expire le", "nav.members": "Membres",
		"join.title": "Rejoindre un compte", "join.intro": "Vous êtes invité à rejoindre", "join.submit": "Rejoindre",
		"join.invalid":  "Cette invitation ne peut pas être utilisée",
		"nav.dashboard": "Tableau de bord", "nav.keys": "Enregistrement", "nav.instances": "Instances", "nav.offers": "Offres",
		"nav.logout": "Se déconnecter", "nav.home": "Accueil",
		"login.title": "Connexion", "login.submit": "Se connecter", "login.noaccount": "Pas encore de compte ?",
		"login.failed": "E-mail ou mot de passe incorrect.",
		"login.locked": "Trop de tentatives échouées : réessayez dans quelques minutes.",
		"signup.title": "Créer un compte", "signup.submit": "Créer le compte",
		"signup.intro": "Votre organisation reçoit l'offre gratuite Enregistré et peut générer ses clés d'enregistrement aussitôt.",
		"signup.weak":  "Choisissez un mot de passe d'au moins 10 caractères.",
		"field.email":  "E-mail", "field.password": "Mot de passe", "field.name": "Votre nom", "field.organisation": "Organisation",
		"field.label":     "Libellé (par exemple l'instance GLPI)",
		"dashboard.title": "Tableau de bord", "dashboard.offer": "Offre en cours", "dashboard.since": "Depuis le",
		"dashboard.until": "jusqu'au", "dashboard.endssoon": "Votre abonnement prend fin le",
		"dashboard.nosubscription": "Aucun abonnement n'est en cours pour ce compte.",
		"dashboard.subscriptions":  "Abonnements", "dashboard.keys": "Clés d'enregistrement", "dashboard.instances": "Instances GLPI",
		"col.offer": "Offre", "col.from": "Du", "col.until": "Au", "col.state": "État", "col.key": "Clé",
		"col.created": "Créée le", "col.version": "Version de GLPI", "col.mode": "Mode d'installation",
		"col.firstseen": "Vue la première fois", "col.lastseen": "Vue la dernière fois",
		"keys.title": "Clés d'enregistrement", "keys.new": "Votre nouvelle clé d'enregistrement",
		"keys.shownonce": "Copiez-la maintenant : elle n'est affichée qu'une fois. Seuls ses premiers caractères sont conservés.",
		"keys.howto":     "Dans GLPI, ouvrez Configuration > Générale > GLPI Network, collez la clé dans Clé d'enregistrement et enregistrez.",
		"keys.grace":     "La clé qu'elle remplace fonctionne jusqu'au",
		"keys.generate":  "Générer une clé", "keys.rotate": "Renouveler", "keys.revoke": "Révoquer",
		"keys.revoked": "révoquée", "keys.replaced": "remplacée, valable jusqu'au", "keys.active": "active",
		"keys.none": "Aucune clé pour l'instant.", "keys.revokedflash": "La clé est révoquée.",
		"instances.title": "Instances GLPI", "instances.none": "Aucune instance GLPI n'a encore utilisé une clé de ce compte.",
		"instances.intro": "Installations vues avec les clés de ce compte. Les installations clonées partagent un identifiant.",
		"offers.title":    "Offres", "offers.current": "Votre offre", "offers.unlocks": "Plugins débloqués :",
		"error.title": "Une erreur est survenue", "error.csrf": "Le formulaire a expiré ; rechargez la page et réessayez.",
		"error.forbidden": "Vous ne pouvez pas faire cela.", "error.notfound": "Cette page n'existe pas.",
	},
}

// pt returns the portal text id in lang, falling back to English and then
// to the id itself (a missing translation shows, rather than breaking).
func pt(lang, id string) string {
	if m, ok := portalMessages[lang][id]; ok {
		return m
	}
	if m, ok := portalMessages["en"][id]; ok {
		return m
	}
	return id
}
