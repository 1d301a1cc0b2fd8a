package postgres

import (
	"context"
	"strconv"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

const invitationColumns = `id, account_id, hash, display, role, max_uses, uses, expires_at, revoked_at, created_by, created_at`

func scanInvitation(r pgx.Row) (*glpinet.Invitation, error) {
	var inv glpinet.Invitation
	var hash []byte
	if err := r.Scan(&inv.ID, &inv.AccountID, &hash, &inv.Display, &inv.Role, &inv.MaxUses, &inv.Uses, &inv.ExpiresAt, &inv.RevokedAt,
		&inv.CreatedBy, &inv.CreatedAt); err != nil {
		return nil, err
	}
	copy(inv.Hash[:], hash)
	return &inv, nil
}

func invitationSubject(id int64) string { return "invitation:" + strconv.FormatInt(id, 10) }

// CreateInvitation stores an invitation.
func (db *DB) CreateInvitation(ctx context.Context, inv *glpinet.Invitation) error {
	if err := inv.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if err := accountExists(ctx, tx, inv.AccountID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO invitations (account_id, hash, display, role, max_uses, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			inv.AccountID, inv.Hash[:], inv.Display, inv.Role, inv.MaxUses, inv.ExpiresAt, inv.CreatedBy, tx.now).Scan(&inv.ID)
		if isUnique(err) {
			return glpinet.Errorf(glpinet.ECONFLICT, "This invitation code already exists.")
		} else if err != nil {
			return err
		}
		inv.CreatedAt, inv.Uses = tx.now, 0
		return tx.audit(ctx, "invitation.create", accountSubject(inv.AccountID),
			invitationSubject(inv.ID)+" "+string(inv.Role)+" ×"+strconv.Itoa(inv.MaxUses))
	})
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
	rows, err := db.pool.Query(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE account_id = $1 ORDER BY id DESC`, accountID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*glpinet.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, mapError(rows.Err())
}

// RevokeInvitation revokes an account's invitation.
func (db *DB) RevokeInvitation(ctx context.Context, accountID, id int64) error {
	return db.update(ctx, func(tx *Tx) error {
		inv, err := scanInvitation(tx.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE id = $1 AND account_id = $2 FOR UPDATE`, id, accountID))
		if err == pgx.ErrNoRows {
			return glpinet.Errorf(glpinet.ENOTFOUND, "Invitation %d does not exist.", id)
		} else if err != nil {
			return err
		} else if inv.RevokedAt != nil {
			return glpinet.Errorf(glpinet.ECONFLICT, "Invitation %d is already revoked.", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = $1 WHERE id = $2`, tx.now, id); err != nil {
			return err
		}
		return tx.audit(ctx, "invitation.revoke", accountSubject(accountID), invitationSubject(id))
	})
}

// AcceptInvitation creates a user from an invitation and counts the use.
func (db *DB) AcceptInvitation(ctx context.Context, hash [32]byte, u *glpinet.User) (*glpinet.Invitation, error) {
	var inv *glpinet.Invitation
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		// FOR UPDATE serialises acceptances of one invitation: the next
		// waits for this one to commit, then reads the use it counted, so
		// two people taking the last use at once cannot both get in.
		inv, err = scanInvitation(tx.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE hash = $1 FOR UPDATE`, hash[:]))
		if err == pgx.ErrNoRows {
			return glpinet.Errorf(glpinet.ENOTFOUND, "This invitation does not exist.")
		} else if err != nil {
			return err
		}
		if err := inv.Usable(tx.now); err != nil {
			return err
		}
		u.AccountID, u.Role = inv.AccountID, inv.Role
		if err := prepareUser(u); err != nil {
			return err
		}
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE invitations SET uses = uses + 1 WHERE id = $1`, inv.ID); err != nil {
			return err
		}
		inv.Uses++
		return tx.audit(glpinet.WithActor(ctx, userSubject(u.ID)), "invitation.accept", accountSubject(inv.AccountID),
			invitationSubject(inv.ID)+" "+u.Email+" "+string(u.Role))
	})
	return inv, err
}
