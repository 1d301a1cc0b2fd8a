package main

import "github.com/glpinet/glpinet/internal/cli"

// help describes every command: the one source of "glpinet help", each
// command's -h, the list of a group's subcommands, and the shell
// completions. A test runs every command's -h and checks each is here.
var help = &cli.Help{
	Prog:    "glpinet",
	Summary: "the GLPI administrator's tool for GLPI Network services",
	Commands: []cli.Command{
		{Name: "configure", Summary: "point GLPI at a services server (config/local_define.php)",
			Example: "glpinet configure --server https://glpinet.example.com --glpi-root /var/www/glpi"},
		{Name: "cryptkey check", Summary: "check config/glpicrypt.key against GLPI's encrypted values",
			Example: "glpinet cryptkey check --glpi-root /var/www/glpi"},
		{Name: "cryptkey create", Summary: "create config/glpicrypt.key for a GLPI that has none and no encrypted value yet",
			Details: "Writes 32 random bytes as GLPI does, readable by the configuration folder's owner and group (mode 0640). " +
				"Refuses when any file is already there, even an empty or damaged one, and when the database holds encrypted values: " +
				"a new key could not decrypt them, so restore the old one instead.",
			Example: "glpinet cryptkey create --glpi-root /var/www/glpi"},
		{Name: "cryptkey rotate", Summary: "new glpicrypt.key, every encrypted value re-encrypted, old key kept",
			Example: "glpinet cryptkey rotate --glpi-root /var/www/glpi"},
		{Name: "key set", Args: "KEY|-", Summary: "check a registration key and store it as GLPI does",
			Example: "glpinet key set - < key.txt"},
		{Name: "key show", Summary: "show the stored key's prefix and what the server says of it",
			Example: "glpinet key show"},
		{Name: "key check", Args: "KEY|-", Summary: "check a key's format and ask the server, storing nothing",
			Example: "glpinet key check gnk_…"},
		{Name: "key remove", Summary: "remove the stored registration key",
			Example: "glpinet key remove"},
		{Name: "doctor", Summary: "diagnose registration and marketplace failures, with remedies",
			Example: "glpinet doctor --glpi-root /var/www/glpi"},
		{Name: "plugins search", Args: "[TEXT]", Summary: "search the marketplace as GLPI sees it",
			Example: "glpinet plugins search inventory"},
		{Name: "plugins info", Args: "KEY", Summary: "a plugin's versions, compatibility and offer",
			Example: "glpinet plugins info fields"},
		{Name: "plugins list", Summary: "installed plugins, with newer versions available",
			Example: "glpinet plugins list"},
		{Name: "plugins download", Args: "KEY", Summary: "download, verify and install a plugin into marketplace/ (alias: install)",
			Example: "glpinet plugins download fields --version 1.21.0"},
		{Name: "plugins update", Args: "KEY...", Summary: "update installed plugins (--all: every one with a newer version)",
			Example: "glpinet plugins update --all"},
		{Name: "completion", Args: "bash|zsh|fish", Summary: "print the shell completion script",
			Example: "glpinet completion bash > /etc/bash_completion.d/glpinet"},
	},
	Footer: "Every command takes --glpi-root DIR (default: the current directory, env GLPI_ROOT) and --json.\n" +
		"Flags may come before or after arguments. glpinet --version prints the version, commit and build date.\n",
}

func init() { cli.Register(help) }
