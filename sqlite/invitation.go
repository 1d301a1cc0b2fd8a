package sqlite

import (
	"context"
	"database/sql"

	"github.com/glpinet/glpinet"
)

const invitationColumns = `id, account_id, hash, display, role, max_uses, uses, expires_at, revoked_at, created_by, created_at, email`

func scanInvitation(r scanner) (*glpinet.Invitation, error) {
	var inv glpinet.Invitation
	var hash []byte
	var expires, created string
	var revoked, email sql.NullString
	if err := r.Scan(&inv.ID, &inv.AccountID, &hash, &inv.Display, &inv.Role, &inv.MaxUses, &inv.Uses, &expires, &revoked,
		&inv.CreatedBy, &created, &email); err != nil {
		return nil, err
	}
	inv.Email = email.String
	copy(inv.Hash[:], hash)
	inv.ExpiresAt, inv.RevokedAt, inv.CreatedAt = parseTime(expires), parseTimePtr(revoked), parseTime(created)
	return &inv, nil
}

// InsertInvitation stores an invitation.
func (tx *Tx) InsertInvitation(ctx context.Context, inv *glpinet.Invitation) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO invitations (account_id, hash, display, role, max_uses, expires_at, created_by, created_at, email)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, inv.AccountID, inv.Hash[:], inv.Display, inv.Role, inv.MaxUses, fmtTime(inv.ExpiresAt), inv.CreatedBy, fmtTime(tx.now),
		sql.NullString{String: inv.Email, Valid: inv.Email != ""})
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This invitation code already exists.")
	} else if err != nil {
		return err
	}
	inv.CreatedAt = tx.now
	inv.ID, err = res.LastInsertId()
	return err
}

// FindInvitation returns the invitation with this code hash.
func (db *DB) FindInvitation(ctx context.Context, hash [32]byte) (*glpinet.Invitation, error) {
	inv, err := scanInvitation(db.read.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE hash = ?`, hash[:]))
	if err == sql.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This invitation does not exist.")
	}
	return inv, err
}

// ListInvitations returns an account's invitations, newest first.
func (db *DB) ListInvitations(ctx context.Context, accountID int64) ([]*glpinet.Invitation, error) {
	return collect(scanInvitation)(db.read.QueryContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE account_id = ? ORDER BY id DESC`, accountID))
}

// LockInvitation reads an account's invitation; nil when none.
func (tx *Tx) LockInvitation(ctx context.Context, accountID, id int64) (*glpinet.Invitation, error) {
	return orNone(scanInvitation(tx.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE id = ? AND account_id = ?`, id, accountID)))
}

// LockInvitationCode reads the invitation with this code hash; nil when none.
func (tx *Tx) LockInvitationCode(ctx context.Context, hash [32]byte) (*glpinet.Invitation, error) {
	return orNone(scanInvitation(tx.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE hash = ?`, hash[:])))
}

// SetInvitationRevoked revokes an invitation.
func (tx *Tx) SetInvitationRevoked(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ?`, fmtTime(tx.now), id)
	return err
}

// CountInvitationUse counts one use of an invitation.
func (tx *Tx) CountInvitationUse(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE invitations SET uses = uses + 1 WHERE id = ?`, id)
	return err
}
