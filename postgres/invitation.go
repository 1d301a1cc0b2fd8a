package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

const invitationColumns = `id, account_id, hash, display, role, max_uses, uses, expires_at, revoked_at, created_by, created_at, email`

func scanInvitation(r pgx.Row) (*glpinet.Invitation, error) {
	var inv glpinet.Invitation
	var hash []byte
	var email *string
	if err := r.Scan(&inv.ID, &inv.AccountID, &hash, &inv.Display, &inv.Role, &inv.MaxUses, &inv.Uses, &inv.ExpiresAt, &inv.RevokedAt,
		&inv.CreatedBy, &inv.CreatedAt, &email); err != nil {
		return nil, err
	}
	if email != nil {
		inv.Email = *email
	}
	copy(inv.Hash[:], hash)
	return &inv, nil
}

// InsertInvitation stores an invitation.
func (tx *Tx) InsertInvitation(ctx context.Context, inv *glpinet.Invitation) error {
	var email *string
	if inv.Email != "" {
		email = &inv.Email
	}
	err := tx.QueryRow(ctx, `INSERT INTO invitations (account_id, hash, display, role, max_uses, expires_at, created_by, created_at, email)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		inv.AccountID, inv.Hash[:], inv.Display, inv.Role, inv.MaxUses, inv.ExpiresAt, inv.CreatedBy, tx.now, email).Scan(&inv.ID)
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This invitation code already exists.")
	} else if err != nil {
		return err
	}
	inv.CreatedAt = tx.now
	return nil
}

// FindInvitation returns the invitation with this code hash.
func (db *DB) FindInvitation(ctx context.Context, hash [32]byte) (*glpinet.Invitation, error) {
	inv, err := scanInvitation(db.pool.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE hash = $1`, hash[:]))
	if err == pgx.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This invitation does not exist.")
	}
	return inv, mapError(err)
}

// ListInvitations returns an account's invitations, newest first.
func (db *DB) ListInvitations(ctx context.Context, accountID int64) ([]*glpinet.Invitation, error) {
	return collect(scanInvitation)(db.pool.Query(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE account_id = $1 ORDER BY id DESC`, accountID))
}

// LockInvitation reads an account's invitation, its row locked until
// the commit; nil when none.
func (tx *Tx) LockInvitation(ctx context.Context, accountID, id int64) (*glpinet.Invitation, error) {
	return orNone(scanInvitation(tx.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE id = $1 AND account_id = $2 FOR UPDATE`, id, accountID)))
}

// LockInvitationCode reads the invitation with this code hash, its row
// locked: the next acceptance waits for this one to commit, then reads
// the use it counted.
func (tx *Tx) LockInvitationCode(ctx context.Context, hash [32]byte) (*glpinet.Invitation, error) {
	return orNone(scanInvitation(tx.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE hash = $1 FOR UPDATE`, hash[:])))
}

// SetInvitationRevoked revokes an invitation.
func (tx *Tx) SetInvitationRevoked(ctx context.Context, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = $1 WHERE id = $2`, tx.now, id)
	return err
}

// CountInvitationUse counts one use of an invitation.
func (tx *Tx) CountInvitationUse(ctx context.Context, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE invitations SET uses = uses + 1 WHERE id = $1`, id)
	return err
}
