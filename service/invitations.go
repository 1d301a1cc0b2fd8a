package service

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// InvitationRequest is what a manager asks for when inviting people.
type InvitationRequest struct {
	AccountID int64
	CreatedBy int64 // the user inviting
	Role      glpinet.UserRole
	MaxUses   int
	Days      int // validity, glpinet.MinInvitationDays to glpinet.MaxInvitationDays
}

// NewInvitation is an invitation just made, with its code: the only time
// the code is known in clear.
type NewInvitation struct {
	*glpinet.Invitation
	Code string
}

// CheckInvitationDays returns an EINVALID error when an invitation may not
// be valid for days days.
func CheckInvitationDays(days int) error {
	if days < glpinet.MinInvitationDays || days > glpinet.MaxInvitationDays {
		return glpinet.Errorf(glpinet.EINVALID, "An invitation is valid for %d to %d days (asked: %d).",
			glpinet.MinInvitationDays, glpinet.MaxInvitationDays, days)
	}
	return nil
}

// Invite makes an invitation code. Returns EINVALID (days, see
// CheckInvitationDays; role, uses: see glpinet.Invitation.Validate) and
// the errors of glpinet.InvitationStore.CreateInvitation.
func (s *Service) Invite(ctx context.Context, req InvitationRequest) (*NewInvitation, error) {
	if err := CheckInvitationDays(req.Days); err != nil {
		return nil, err
	}
	code, err := auth.NewToken(auth.PrefixInvitation)
	if err != nil {
		return nil, err
	}
	inv := &glpinet.Invitation{AccountID: req.AccountID, Hash: auth.HashToken(code), Display: auth.TokenDisplay(code), Role: req.Role,
		MaxUses: req.MaxUses, ExpiresAt: s.now().Add(time.Duration(req.Days) * 24 * time.Hour), CreatedBy: req.CreatedBy}
	if err := s.Store.CreateInvitation(ctx, inv); err != nil {
		return nil, err
	}
	return &NewInvitation{Invitation: inv, Code: code}, nil
}
