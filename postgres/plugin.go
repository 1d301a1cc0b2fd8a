package postgres

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
)

// VersionExists reports whether a plugin's version exists.
func (tx *Tx) VersionExists(ctx context.Context, key, num string) (bool, error) {
	var exists bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM plugin_versions WHERE plugin_key = $1 AND num = $2)`, key, num).Scan(&exists)
	return exists, err
}

// UpsertPlugin creates a plugin or updates its catalogue text. The upsert
// locks the plugin's row until the commit: publications of one plugin run
// one after the other from here on.
func (tx *Tx) UpsertPlugin(ctx context.Context, p *glpinet.Plugin) error {
	_, err := tx.Exec(ctx, `INSERT INTO plugins (key, name, logo_url, homepage_url, issues_url, readme_url, changelog_url, license, note, authors, descriptions, date_added, date_updated)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		ON CONFLICT (key) DO UPDATE SET name = excluded.name, logo_url = excluded.logo_url, homepage_url = excluded.homepage_url,
			issues_url = excluded.issues_url, readme_url = excluded.readme_url, changelog_url = excluded.changelog_url,
			license = excluded.license, note = excluded.note, authors = excluded.authors, descriptions = excluded.descriptions,
			date_updated = excluded.date_updated`,
		p.Key, p.Name, p.LogoURL, p.HomepageURL, p.IssuesURL, p.ReadmeURL, p.ChangelogURL, p.License, p.Note,
		storeflow.JSONList(p.Authors), storeflow.JSONList(p.Descriptions), tx.now)
	return err
}

// InsertVersion stores a version. Without force, DO NOTHING rather than
// the flow's earlier check decides: a concurrent publication of the same
// version may have committed since.
func (tx *Tx) InsertVersion(ctx context.Context, v *glpinet.Version, force bool) (bool, error) {
	onConflict := `DO NOTHING`
	if force {
		onConflict = `DO UPDATE SET compatibility = excluded.compatibility, stability = excluded.stability,
			required_offers = excluded.required_offers, released_at = excluded.released_at, archive_filename = excluded.archive_filename,
			archive_format = excluded.archive_format, archive_size = excluded.archive_size, archive_sha256 = excluded.archive_sha256,
			archive_signature = excluded.archive_signature, archive_path = excluded.archive_path, yanked = false`
	}
	tag, err := tx.Exec(ctx, `INSERT INTO plugin_versions (plugin_key, num, compatibility, stability, required_offers, released_at,
			archive_filename, archive_format, archive_size, archive_sha256, archive_signature, archive_path, yanked, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, false, $13)
		ON CONFLICT (plugin_key, num) `+onConflict,
		v.PluginKey, v.Num, v.Compatibility, v.Stability, storeflow.JSONList(v.RequiredOffers), v.ReleasedAt,
		v.Archive.Filename, v.Archive.Format, v.Archive.Size, v.Archive.SHA256, v.Archive.Signature, v.Archive.Path, v.CreatedAt)
	return err == nil && tag.RowsAffected() > 0, err
}

// SetPluginTags replaces a plugin's tags, creating the tags that do not
// exist yet.
func (tx *Tx) SetPluginTags(ctx context.Context, key string, tags []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM plugin_tags WHERE plugin_key = $1`, key); err != nil {
		return err
	}
	// In one order for every transaction: two publications creating the
	// same new tags in opposite orders would otherwise deadlock on them.
	sorted := slices.Sorted(slices.Values(tags))
	for _, t := range sorted {
		if _, err := tx.Exec(ctx, `INSERT INTO tags (key, names) VALUES ($1, '{}') ON CONFLICT (key) DO NOTHING`, t); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO plugin_tags (plugin_key, tag_key) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, key, sorted)
	return err
}

const pluginColumns = `key, name, logo_url, homepage_url, issues_url, readme_url, changelog_url, license, note, authors, descriptions, download_count, date_added, date_updated`

func scanPlugin(r pgx.Row) (*glpinet.Plugin, error) {
	var p glpinet.Plugin
	var authors, descs []byte
	if err := r.Scan(&p.Key, &p.Name, &p.LogoURL, &p.HomepageURL, &p.IssuesURL, &p.ReadmeURL, &p.ChangelogURL, &p.License, &p.Note,
		&authors, &descs, &p.DownloadCount, &p.DateAdded, &p.DateUpdated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(authors, &p.Authors); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(descs, &p.Descriptions); err != nil {
		return nil, err
	}
	p.Versions = []*glpinet.Version{}
	return &p, nil
}

const versionColumns = `plugin_key, num, compatibility, stability, required_offers, released_at, archive_filename, archive_format,
	archive_size, archive_sha256, archive_signature, archive_path, yanked, created_at`

func scanVersion(r pgx.Row) (*glpinet.Version, error) {
	var v glpinet.Version
	var offers []byte
	if err := r.Scan(&v.PluginKey, &v.Num, &v.Compatibility, &v.Stability, &offers, &v.ReleasedAt, &v.Archive.Filename, &v.Archive.Format,
		&v.Archive.Size, &v.Archive.SHA256, &v.Archive.Signature, &v.Archive.Path, &v.Yanked, &v.CreatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(offers, &v.RequiredOffers); err != nil {
		return nil, err
	}
	return &v, nil
}

// listPlugins reads plugins, versions and tags in one REPEATABLE READ
// transaction (one snapshot: a publication committing meanwhile is seen
// whole or not at all), the three queries sent as one batch.
func (db *DB) listPlugins(ctx context.Context, only *string) ([]*glpinet.Plugin, error) {
	var out []*glpinet.Plugin
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// NULL matches every plugin.
		const cond = ` WHERE $1::text IS NULL OR `
		b := &pgx.Batch{}
		b.Queue(`SELECT `+pluginColumns+` FROM plugins`+cond+`key = $1 ORDER BY key`, only)
		b.Queue(`SELECT `+versionColumns+` FROM plugin_versions`+cond+`plugin_key = $1 ORDER BY created_at, num`, only)
		b.Queue(`SELECT plugin_key, tag_key FROM plugin_tags`+cond+`plugin_key = $1 ORDER BY tag_key`, only)
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		byKey := map[string]*glpinet.Plugin{}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			p, err := scanPlugin(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, p)
			byKey[p.Key] = p
		}
		if rows.Close(); rows.Err() != nil {
			return rows.Err()
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		for rows.Next() {
			v, err := scanVersion(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if p := byKey[v.PluginKey]; p != nil {
				p.Versions = append(p.Versions, v)
			}
		}
		if rows.Close(); rows.Err() != nil {
			return rows.Err()
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		for rows.Next() {
			var pk, tk string
			if err := rows.Scan(&pk, &tk); err != nil {
				rows.Close()
				return err
			}
			if p := byKey[pk]; p != nil {
				p.Tags = append(p.Tags, tk)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return br.Close()
	})
	return out, mapError(err)
}

// FindVersion returns one version.
func (db *DB) FindVersion(ctx context.Context, key, num string) (*glpinet.Version, error) {
	v, err := scanVersion(db.pool.QueryRow(ctx, `SELECT `+versionColumns+` FROM plugin_versions WHERE plugin_key = $1 AND num = $2`, key, num))
	if err == pgx.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Plugin %s has no version %s.", key, num)
	}
	return v, mapError(err)
}

// AddDownloads adds n to a plugin's download count.
func (db *DB) AddDownloads(ctx context.Context, key string, n int64) error {
	return db.update(ctx, func(tx *Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE plugins SET download_count = download_count + $1 WHERE key = $2`, n, key)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return glpinet.Errorf(glpinet.ENOTFOUND, "There is no plugin %q.", key)
		}
		return nil
	})
}

// ListTags returns every tag with its plugin count, most used first.
func (db *DB) ListTags(ctx context.Context) ([]*glpinet.TagCount, error) {
	rows, err := db.pool.Query(ctx, `SELECT t.key, t.names, COUNT(pt.plugin_key) FROM tags t
		LEFT JOIN plugin_tags pt ON pt.tag_key = t.key GROUP BY t.key ORDER BY COUNT(pt.plugin_key) DESC, t.key`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*glpinet.TagCount
	for rows.Next() {
		var t glpinet.TagCount
		var names []byte
		if err := rows.Scan(&t.Key, &names, &t.Plugins); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(names, &t.Names); err != nil {
			return nil, err
		}
		out = append(out, &t)
	}
	return out, mapError(rows.Err())
}

// UpsertTag creates or renames a tag.
func (tx *Tx) UpsertTag(ctx context.Context, t *glpinet.Tag) error {
	_, err := tx.Exec(ctx, `INSERT INTO tags (key, names) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET names = excluded.names`, t.Key, storeflow.JSONMap(t.Names))
	return err
}

// UpdatePlugin updates an existing plugin's catalogue text.
func (tx *Tx) UpdatePlugin(ctx context.Context, p *glpinet.Plugin) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE plugins SET name = $1, logo_url = $2, homepage_url = $3, issues_url = $4, readme_url = $5,
		changelog_url = $6, license = $7, note = $8, authors = $9, descriptions = $10, date_updated = $11 WHERE key = $12`,
		p.Name, p.LogoURL, p.HomepageURL, p.IssuesURL, p.ReadmeURL, p.ChangelogURL, p.License, p.Note,
		storeflow.JSONList(p.Authors), storeflow.JSONList(p.Descriptions), tx.now, p.Key)
	return err == nil && tag.RowsAffected() > 0, err
}

// SetVersionYanked withdraws a version or puts it back.
func (tx *Tx) SetVersionYanked(ctx context.Context, key, num string, yanked bool) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE plugin_versions SET yanked = $1 WHERE plugin_key = $2 AND num = $3`, yanked, key, num)
	return err == nil && tag.RowsAffected() > 0, err
}
