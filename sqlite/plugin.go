package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

// UpsertPlugin creates a plugin or updates its catalogue text.
func (tx *Tx) UpsertPlugin(ctx context.Context, p *glpinet.Plugin) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO plugins (key, name, logo_url, homepage_url, issues_url, readme_url, changelog_url, license, note, authors, descriptions, date_added, date_updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET name = excluded.name, logo_url = excluded.logo_url, homepage_url = excluded.homepage_url,
			issues_url = excluded.issues_url, readme_url = excluded.readme_url, changelog_url = excluded.changelog_url,
			license = excluded.license, note = excluded.note, authors = excluded.authors, descriptions = excluded.descriptions,
			date_updated = excluded.date_updated`,
		p.Key, p.Name, p.LogoURL, p.HomepageURL, p.IssuesURL, p.ReadmeURL, p.ChangelogURL, p.License, p.Note,
		storeflow.JSONList(p.Authors), storeflow.JSONList(p.Descriptions), fmtTime(tx.now), fmtTime(tx.now))
	return err
}

// InsertVersion stores a version; the single writer made the check of
// its existence, so an existing one is replaced (force).
func (tx *Tx) InsertVersion(ctx context.Context, v *glpinet.Version, _ bool) (bool, error) {
	_, err := tx.ExecContext(ctx, `INSERT INTO plugin_versions (plugin_key, num, compatibility, stability, required_offers, released_at,
			archive_filename, archive_format, archive_size, archive_sha256, archive_signature, archive_path, yanked, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
		ON CONFLICT (plugin_key, num) DO UPDATE SET compatibility = excluded.compatibility, stability = excluded.stability,
			required_offers = excluded.required_offers, released_at = excluded.released_at, archive_filename = excluded.archive_filename,
			archive_format = excluded.archive_format, archive_size = excluded.archive_size, archive_sha256 = excluded.archive_sha256,
			archive_signature = excluded.archive_signature, archive_path = excluded.archive_path, yanked = 0`,
		v.PluginKey, v.Num, v.Compatibility, v.Stability, storeflow.JSONList(v.RequiredOffers), fmtTime(v.ReleasedAt),
		v.Archive.Filename, v.Archive.Format, v.Archive.Size, v.Archive.SHA256, v.Archive.Signature, v.Archive.Path, fmtTime(v.CreatedAt))
	return err == nil, err
}

// VersionExists reports whether a plugin's version exists.
func (tx *Tx) VersionExists(ctx context.Context, key, num string) (bool, error) {
	var exists bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM plugin_versions WHERE plugin_key = ? AND num = ?)`, key, num).Scan(&exists)
	return exists, err
}

// SetPluginTags replaces a plugin's tags, creating the missing ones.
func (tx *Tx) SetPluginTags(ctx context.Context, key string, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM plugin_tags WHERE plugin_key = ?`, key); err != nil {
		return err
	}
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tags (key, names) VALUES (?, '{}') ON CONFLICT (key) DO NOTHING`, t); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plugin_tags (plugin_key, tag_key) VALUES (?, ?) ON CONFLICT DO NOTHING`, key, t); err != nil {
			return err
		}
	}
	return nil
}

const pluginColumns = `key, name, logo_url, homepage_url, issues_url, readme_url, changelog_url, license, note, authors, descriptions, download_count, date_added, date_updated`

func scanPlugin(r scanner) (*glpinet.Plugin, error) {
	var p glpinet.Plugin
	var authors, descs, added, updated string
	if err := r.Scan(&p.Key, &p.Name, &p.LogoURL, &p.HomepageURL, &p.IssuesURL, &p.ReadmeURL, &p.ChangelogURL, &p.License, &p.Note,
		&authors, &descs, &p.DownloadCount, &added, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(authors), &p.Authors); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(descs), &p.Descriptions); err != nil {
		return nil, err
	}
	p.DateAdded, p.DateUpdated = parseTime(added), parseTime(updated)
	p.Versions = []*glpinet.Version{}
	return &p, nil
}

const versionColumns = `plugin_key, num, compatibility, stability, required_offers, released_at, archive_filename, archive_format,
	archive_size, archive_sha256, archive_signature, archive_path, yanked, created_at`

func scanVersion(r scanner) (*glpinet.Version, error) {
	var v glpinet.Version
	var offers, released, created string
	if err := r.Scan(&v.PluginKey, &v.Num, &v.Compatibility, &v.Stability, &offers, &released, &v.Archive.Filename, &v.Archive.Format,
		&v.Archive.Size, &v.Archive.SHA256, &v.Archive.Signature, &v.Archive.Path, &v.Yanked, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(offers), &v.RequiredOffers); err != nil {
		return nil, err
	}
	v.ReleasedAt, v.CreatedAt = parseTime(released), parseTime(created)
	return &v, nil
}

func (db *DB) listPlugins(ctx context.Context, only *string) ([]*glpinet.Plugin, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, mapError(err)
	}
	defer tx.Rollback()
	cond, args := "", []any{}
	if only != nil {
		cond, args = " WHERE key = ?", []any{*only}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+pluginColumns+` FROM plugins`+cond+` ORDER BY key`, args...)
	if err != nil {
		return nil, err
	}
	var out []*glpinet.Plugin
	byKey := map[string]*glpinet.Plugin{}
	for rows.Next() {
		p, err := scanPlugin(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
		byKey[p.Key] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	vcond := ""
	if only != nil {
		vcond = " WHERE plugin_key = ?"
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+versionColumns+` FROM plugin_versions`+vcond+` ORDER BY created_at, num`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if p := byKey[v.PluginKey]; p != nil {
			p.Versions = append(p.Versions, v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	tcond := ""
	if only != nil {
		tcond = " WHERE plugin_key = ?"
	}
	rows, err = tx.QueryContext(ctx, `SELECT plugin_key, tag_key FROM plugin_tags`+tcond+` ORDER BY tag_key`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pk, tk string
		if err := rows.Scan(&pk, &tk); err != nil {
			return nil, err
		}
		if p := byKey[pk]; p != nil {
			p.Tags = append(p.Tags, tk)
		}
	}
	return out, rows.Err()
}

// FindVersion returns one version.
func (db *DB) FindVersion(ctx context.Context, key, num string) (*glpinet.Version, error) {
	v, err := scanVersion(db.read.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM plugin_versions WHERE plugin_key = ? AND num = ?`, key, num))
	if err == sql.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Plugin %s has no version %s.", key, num)
	}
	return v, err
}

// AddDownloads adds n to a plugin's download count.
func (db *DB) AddDownloads(ctx context.Context, key string, n int64) error {
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE plugins SET download_count = download_count + ? WHERE key = ?`, n, key)
		if err != nil {
			return err
		}
		if c, _ := res.RowsAffected(); c == 0 {
			return glpinet.Errorf(glpinet.ENOTFOUND, "There is no plugin %q.", key)
		}
		return nil
	})
}

// ListTags returns every tag with its plugin count, most used first.
func (db *DB) ListTags(ctx context.Context) ([]*glpinet.TagCount, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT t.key, t.names, COUNT(pt.plugin_key) FROM tags t
		LEFT JOIN plugin_tags pt ON pt.tag_key = t.key GROUP BY t.key, t.names ORDER BY COUNT(pt.plugin_key) DESC, t.key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*glpinet.TagCount
	for rows.Next() {
		var t glpinet.TagCount
		var names string
		if err := rows.Scan(&t.Key, &names, &t.Plugins); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(names), &t.Names); err != nil {
			return nil, err
		}
		out = append(out, &t)
	}
	return out, rows.Err()
}

// UpsertTag creates or renames a tag.
func (tx *Tx) UpsertTag(ctx context.Context, t *glpinet.Tag) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tags (key, names) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET names = excluded.names`, t.Key, storeflow.JSONMap(t.Names))
	return err
}

// UpdatePlugin updates an existing plugin's catalogue text.
func (tx *Tx) UpdatePlugin(ctx context.Context, p *glpinet.Plugin) (bool, error) {
	return affected(tx.ExecContext(ctx, `UPDATE plugins SET name = ?, logo_url = ?, homepage_url = ?, issues_url = ?, readme_url = ?,
		changelog_url = ?, license = ?, note = ?, authors = ?, descriptions = ?, date_updated = ? WHERE key = ?`,
		p.Name, p.LogoURL, p.HomepageURL, p.IssuesURL, p.ReadmeURL, p.ChangelogURL, p.License, p.Note,
		storeflow.JSONList(p.Authors), storeflow.JSONList(p.Descriptions), fmtTime(tx.now), p.Key))
}

// SetVersionYanked withdraws a version or puts it back.
func (tx *Tx) SetVersionYanked(ctx context.Context, key, num string, yanked bool) (bool, error) {
	return affected(tx.ExecContext(ctx, `UPDATE plugin_versions SET yanked = ? WHERE plugin_key = ? AND num = ?`, yanked, key, num))
}

// affected reports whether a statement changed a row.
func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
