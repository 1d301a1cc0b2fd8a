package main

import "github.com/glpinet/glpinet/internal/cli"

// help describes every command: the one source of "glpinetd help", each
// command's -h, the list of a group's subcommands, and the shell
// completions. A test runs every command's -h and checks each is here.
var help = &cli.Help{
	Prog:    "glpinetd",
	Summary: "a self-hosted GLPI Network services server",
	Commands: []cli.Command{
		{Name: "serve", Summary: "serve the GLPI Network API, the portal and /api/v1",
			Details: "Creates the data folder and the database on first start and applies pending migrations. " +
				"Point GLPI at it with GLPI_NETWORK_SERVICES (see README.md).",
			Example: "glpinetd serve --addr :8080 --public-url https://glpinet.example.com"},
		{Name: "config", Summary: "print the settings serve would run with, and where each comes from",
			Details: "Takes serve's flags and reads the same environment (GLPINET_*, or GLPINET_*_FILE naming a file). " +
				"Each setting is shown with its source: a flag, the environment or the default; the database password is hidden. " +
				"Exits 2 when serve would refuse the settings.",
			Example: "glpinetd config --json"},
		{Name: "account create", Args: "NAME", Summary: "create a customer account (with the free offer)",
			Example: "glpinetd account create \"Acme Corp\""},
		{Name: "account list", Summary: "list accounts, optionally by name",
			Example: "glpinetd account list --name acme"},
		{Name: "account suspend", Args: "ID", Summary: "suspend an account: its keys stop validating",
			Example: "glpinetd account suspend 3"},
		{Name: "account activate", Args: "ID", Summary: "activate a suspended account again",
			Example: "glpinetd account activate 3"},
		{Name: "key issue", Summary: "issue a registration key for an account (shown once)",
			Example: "glpinetd key issue --account 3 --label \"GLPI production\""},
		{Name: "key bulk-issue", Summary: "issue many keys into a file (resumable)",
			Example: "glpinetd key bulk-issue --account 3 --count 500 --out keys.txt"},
		{Name: "key rotate", Args: "ID", Summary: "replace a key; the old one keeps working for --grace",
			Example: "glpinetd key rotate 12 --grace 72h"},
		{Name: "key revoke", Args: "ID", Summary: "revoke a key at once",
			Example: "glpinetd key revoke 12"},
		{Name: "key list", Summary: "list an account's keys (IDs for rotate and revoke)",
			Example: "glpinetd key list --account 3"},
		{Name: "key check", Args: "KEY|-", Summary: "say what the server answers GLPI for a key",
			Example: "glpinetd key check - < key.txt"},
		{Name: "subscription grant", Summary: "give an account an offer from one day to another",
			Example: "glpinetd subscription grant --account 3 --offer standard --until 2027-12-31"},
		{Name: "subscription list", Summary: "list an account's subscriptions",
			Example: "glpinetd subscription list --account 3"},
		{Name: "offer list", Summary: "list the offers (references for subscription grant)",
			Example: "glpinetd offer list"},
		{Name: "request list", Summary: "list customers' offer requests (IDs for grant and decline), newest first",
			Details: "Customers' owners and admins request paid offers on the portal's offers page or through /api/v1; " +
				"every enabled operator is mailed. --state pending shows those waiting for a decision.",
			Example: "glpinetd request list --state pending"},
		{Name: "request grant", Args: "ID", Summary: "grant a pending offer request: its subscription from today, for a year unless --until",
			Details: "The same as the grant button of the portal's requests page: the subscription is created with the grant, " +
				"GLPI sees the offer at once, and the requester is mailed. A request is decided once.",
			Example: "glpinetd request grant 7 --until 2027-12-31"},
		{Name: "request decline", Args: "ID", Summary: "decline a pending offer request; the requester is mailed, with --reason if given",
			Details: "The reason goes into the requester's mail and the audit log. The account may ask again afterwards.",
			Example: "glpinetd request decline 7 --reason \"Not sold in your region yet\""},
		{Name: "plugin publish", Args: "ARCHIVE", Summary: "publish a plugin archive to the marketplace (signed)",
			Example: "glpinetd plugin publish glpi-hello-1.0.0.tar.gz --required-offers standard"},
		{Name: "plugin list", Summary: "list published plugins and versions",
			Example: "glpinetd plugin list"},
		{Name: "plugin yank", Args: "KEY VERSION", Summary: "hide a version from the marketplace (--undo puts it back)",
			Example: "glpinetd plugin yank hello 1.0.0"},
		{Name: "plugin resign", Summary: "sign every published version again with the signing key",
			Example: "glpinetd plugin resign"},
		{Name: "audit", Summary: "show the audit log (who did what)",
			Example: "glpinetd audit --action key.revoke --limit 20"},
		{Name: "operator create", Args: "EMAIL", Summary: "create a portal operator; the password comes on standard input",
			Example: "glpinetd operator create ops@example.com < password.txt"},
		{Name: "operator list", Summary: "list the portal's operators (with their state: enabled or disabled)",
			Example: "glpinetd operator list"},
		{Name: "operator password", Args: "EMAIL", Summary: "set an operator's password from standard input (ends their sessions); the same as user password",
			Example: "glpinetd operator password ops@example.com < password.txt"},
		{Name: "operator disable", Args: "EMAIL", Summary: "stop an operator signing in; ends their sessions, refuses their API tokens",
			Details: "Their tokens are kept, refused until operator enable. The last enabled operator cannot be disabled. " +
				"Disabling a disabled operator changes nothing and is not an error.",
			Example: "glpinetd operator disable ops@example.com"},
		{Name: "operator enable", Args: "EMAIL", Summary: "let a disabled operator sign in again; their API tokens work again",
			Example: "glpinetd operator enable ops@example.com"},
		{Name: "user list", Summary: "list an account's portal users (with their state: enabled or disabled)",
			Example: "glpinetd user list --account 3"},
		{Name: "user password", Args: "EMAIL", Summary: "set a user's or operator's password from standard input (ends their sessions)",
			Example: "glpinetd user password ops@example.com < password.txt"},
		{Name: "user disable", Args: "EMAIL", Summary: "stop a user signing in; ends their sessions, refuses their API tokens",
			Details: "Their tokens are kept, refused until user enable. The same as operator disable, for anybody's e-mail. " +
				"Disabling a disabled user changes nothing and is not an error.",
			Example: "glpinetd user disable jane@customer.example"},
		{Name: "user enable", Args: "EMAIL", Summary: "let a disabled user sign in again; their API tokens work again",
			Example: "glpinetd user enable jane@customer.example"},
		{Name: "user verify", Args: "EMAIL", Summary: "mark a user's e-mail address verified by hand, so that they may issue keys",
			Details: "With --smtp and --public-url, people who sign up (or join by an invitation) confirm their address by a mailed link " +
				"before they may issue registration keys; this vouches for it instead. Verifying a verified user changes nothing and is not an error.",
			Example: "glpinetd user verify jane@customer.example"},
		{Name: "migrate up", Summary: "apply pending database migrations (serve does too)",
			Example: "glpinetd migrate up --database postgres://glpinet@db/glpinet"},
		{Name: "migrate status", Summary: "show applied and pending migrations",
			Example: "glpinetd migrate status"},
		{Name: "backup", Summary: "back the SQLite database, signing key and archives up, online",
			Example: "glpinetd backup --out /var/backups/glpinet-$(date +%F)"},
		{Name: "restore", Summary: "restore a backup into the data folder (server stopped)",
			Example: "glpinetd restore --from /var/backups/glpinet-2026-12-01"},
		{Name: "db copy", Summary: "copy the SQLite database into an empty PostgreSQL, verified",
			Example: "glpinetd db copy --to postgres://glpinet@db/glpinet"},
		{Name: "db check", Summary: "check the SQLite database file for damage",
			Example: "glpinetd db check"},
		{Name: "mail test", Args: "ADDRESS", Summary: "send a test mail at once through --smtp; say whether the server took it",
			Details: "Takes serve's --smtp and --mail-from (or GLPINET_SMTP, GLPINET_SMTP_FILE, GLPINET_MAIL_FROM) and sends without the outbox. " +
				"A failure names the step (connection, STARTTLS, AUTH, RCPT TO…) and the server's answer.",
			Example: "glpinetd mail test you@example.com --smtp smtp://glpinet:PASSWORD@mail.example.com:587 --mail-from 'glpinet <noreply@example.com>'"},
		{Name: "mail list", Summary: "list the outbox: recipient, kind, state, attempts, last error (never the mails' contents)",
			Details: "Mails wait (pending) until sent, retried with backoff from 1 minute to 6 hours, and are failed after 3 days; " +
				"sent mails stay listed 7 days, failed ones 30.",
			Example: "glpinetd mail list --failed"},
		{Name: "healthcheck", Summary: "exit 0 when a running server answers /readyz (for container health checks)",
			Example: "glpinetd healthcheck --url http://127.0.0.1:8080/readyz"},
		{Name: "completion", Args: "bash|zsh|fish", Summary: "print the shell completion script",
			Example: "glpinetd completion bash > /etc/bash_completion.d/glpinetd"},
	},
	Footer: "Every command takes --data DIR (default ./data, env GLPINET_DATA), --database PATH|URL\n" +
		"(env GLPINET_DATABASE) and --json. Flags may come before or after arguments.\n" +
		"glpinetd --version prints the version, commit and build date.\n",
}

func init() { cli.Register(help) }
