// Package glpihost reads and edits a GLPI installation on the local host
// without executing PHP.
//
// glpinet runs next to GLPI as an administrator's tool. It needs GLPI's
// version, its configuration directory, the database credentials of
// config_db.php and the constants of local_define.php, and it must be able
// to point GLPI at a glpinet server by setting GLPI_NETWORK_SERVICES in
// local_define.php. Running PHP for that would need a PHP binary of the
// right version with GLPI's extensions, and would execute whatever those
// files contain; instead this package reads the files with internal/php,
// which tokenizes them as PHP does and evaluates only the small,
// side-effect-free subset of PHP that configuration files use: literals,
// concatenation, a few constants and functions. What this package adds is
// which statements PHP certainly runs (phpfile.go, defines.go).
//
// # Pieces
//
//   - [Open] finds the version and the configuration directory of a GLPI
//     root, as GLPI itself resolves them.
//   - [ParseConfigDB] reads config_db.php into a [DBConfig], whose
//     [DBConfig.DSN] is a go-sql-driver/mysql data source name.
//   - [Defines] reads the define() calls of a PHP file that PHP certainly
//     runs (top-level statements before anything glpinet cannot follow);
//     [Install.LocalDefine] says why a value is unknown. [SetDefine] and
//     [RemoveDefine] edit one of them while leaving every other byte of the
//     file alone; SetDefine refuses a file where the new value might not
//     take effect.
//
// Where glpinet cannot be sure how PHP reads a file (short open tags,
// "#[" that PHP 7.4 and 8 read differently, defines inside conditions…),
// it refuses with an error naming the file and line rather than guess:
// the values it reads choose the database that "cryptkey rotate"
// re-encrypts and the server the registration key is sent to. Every file
// is read through internal/hostfile: regular files only, bounded.
//   - [WriteFileAtomic] replaces a file atomically, keeping its mode and
//     owner and optionally a timestamped backup.
//
// Errors caused by the content of the installation are *glpinet.Error with
// code glpinet.EINVALID and a message meant to be shown to the
// administrator; I/O failures are wrapped plain errors.
package glpihost
