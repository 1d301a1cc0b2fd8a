package dbcopy

import "fmt"

// aggregate is one number computed over a whole table by each database,
// in its own SQL: equal numbers after the copy show that the rows arrived,
// each column's values with them. It is cheap (one scan of the table per
// database, every aggregate together) where comparing rows would read
// everything back.
type aggregate struct {
	label    string
	sqlite   string
	postgres string
}

// aggregates returns t's aggregates: the row count, then one per column,
// chosen by the column's type so that both databases compute the same
// number from the same values.
func aggregates(t *table) []aggregate {
	out := []aggregate{{"count(*)", "count(*)", "count(*)"}}
	for _, c := range t.columns {
		q := quote(c.name)
		var a aggregate
		switch c.pgType {
		case "bigint", "integer":
			a = aggregate{"sum(%s)", "COALESCE(sum(%s), 0)", "COALESCE(sum(%s), 0)::bigint"}
		case "text":
			// Characters, not bytes: the target's encoding may not be
			// UTF-8.
			a = aggregate{"sum(length(%s))", "COALESCE(sum(length(%s)), 0)", "COALESCE(sum(length(%s)), 0)::bigint"}
		case "bytea":
			a = aggregate{"sum(octet_length(%s))", "COALESCE(sum(octet_length(%s)), 0)", "COALESCE(sum(octet_length(%s)), 0)::bigint"}
		case "timestamp with time zone":
			// Whole seconds: the target keeps microseconds, the source
			// nanoseconds.
			a = aggregate{"sum(epoch(%s))", "COALESCE(sum(unixepoch(%s)), 0)", "COALESCE(sum(floor(extract(epoch FROM %s))), 0)::bigint"}
		case "jsonb":
			// Elements of arrays, keys of objects: what jsonb keeps of
			// JSON text (not spacing, nor the order of keys, and only the
			// last of duplicate keys, which this would catch).
			a = aggregate{"sum(elements(%s))", "COALESCE(sum((SELECT count(*) FROM json_each(%s))), 0)",
				"COALESCE(sum(CASE jsonb_typeof(%[1]s) WHEN 'array' THEN jsonb_array_length(%[1]s) WHEN 'object' THEN (SELECT count(*) FROM jsonb_object_keys(%[1]s)) ELSE 1 END), 0)::bigint"}
		case "boolean":
			a = aggregate{"count(%s true)", "COALESCE(sum(%s <> 0), 0)", "count(*) FILTER (WHERE %s)"}
		default: // double precision: sums of floats need not agree to the last bit
			a = aggregate{"count(%s)", "count(%s)", "count(%s)"}
		}
		out = append(out, aggregate{fmt.Sprintf(a.label, c.name), fmt.Sprintf(a.sqlite, q), fmt.Sprintf(a.postgres, q)})
	}
	return out
}
