package invitation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitrig/cognitrig/internal/nilcheck"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/triggers"
)

// DefaultTokenKey is the key of the invitation token in validationData or
// clientMetadata.
const DefaultTokenKey = "invitationToken"

// Errors that are reasons of refusals, besides tenancy's invitation and
// tenant errors.
var (
	ErrTenantChosen       = errors.New("invitation: the sign-up supplies its own tenant attribute")
	ErrInvitationRequired = errors.New("invitation: sign-up without an invitation")
)

// User-safe messages of refusals.
const (
	msgTenantChosen    = "Your organisation cannot be chosen at sign-up. Sign up with the invitation you received."
	msgRequired        = "Sign-up is by invitation only. Ask your administrator for an invitation."
	msgNoEmail         = "Sign up with the email address your invitation was sent to."
	msgInvalid         = "This invitation is not valid. Check the link, or ask your administrator for a new invitation."
	msgExpired         = "This invitation has expired. Ask your administrator for a new one."
	msgUsed            = "This invitation has already been used."
	msgWrongEmail      = "This invitation was sent to a different email address. Sign up with the address it was sent to."
	msgUnknownTenant   = "The organisation of this invitation no longer exists."
	msgTenantSuspended = "The organisation of this invitation is suspended. Contact your administrator."
)

// Admin is the part of *cognitoidentityprovider.Client that
// PostConfirmation uses.
type Admin interface {
	AdminUpdateUserAttributes(ctx context.Context, in *cip.AdminUpdateUserAttributesInput, optFns ...func(*cip.Options)) (*cip.AdminUpdateUserAttributesOutput, error)
	AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
	CreateGroup(ctx context.Context, in *cip.CreateGroupInput, optFns ...func(*cip.Options)) (*cip.CreateGroupOutput, error)
}

// Config configures a Handler.
type Config struct {
	// Store keeps invitations, tenants and memberships. Required.
	Store tenancy.Store
	// Attribute is the user attribute of the tenant. Default
	// tenancy.TenantAttribute.
	Attribute string
	// TokenKey is the key of the token in validationData (looked at first)
	// or clientMetadata. Default DefaultTokenKey.
	TokenKey string
	// RequireInvitation refuses sign-ups without an invitation token,
	// federated sign-ups (PreSignUp_ExternalProvider) included, which
	// cannot carry one. Otherwise they pass unchanged (not confirmed, no
	// tenant).
	RequireInvitation bool
	// Now is the clock; default time.Now.
	Now func() time.Time

	// Cognito is the admin API client that PostConfirmation uses,
	// normally a *cognitoidentityprovider.Client with IAM permission for
	// cognito-idp:AdminUpdateUserAttributes and AdminAddUserToGroup (and
	// CreateGroup with CreateGroups). Required with Groups; nil is
	// accepted only for a Handler used for PreSignUp alone, whose
	// PostConfirmation of an invited user fails with an error naming it.
	Cognito Admin
	// Groups names the group that PostConfirmation adds the user to; nil
	// adds to no group.
	Groups *tenancy.GroupConvention
	// CreateGroups creates the tenant's group when it does not exist yet;
	// it needs Groups.
	CreateGroups bool
}

// Handler serves the pre sign-up and post-confirmation triggers. It is
// safe for concurrent use.
type Handler struct {
	store        tenancy.Store
	attr, key    string
	require      bool
	now          func() time.Time
	cognito      Admin
	groups       *tenancy.GroupConvention
	createGroups bool
}

// New returns a Handler, or an error if cfg is incomplete.
func New(cfg Config) (*Handler, error) {
	switch {
	case nilcheck.Is(cfg.Store):
		return nil, errors.New("invitation: Config.Store is nil; set it to a tenancy.Store")
	case cfg.Groups != nil && nilcheck.Is(cfg.Cognito):
		return nil, errors.New("invitation: Config.Groups is set but Config.Cognito is nil; set Cognito to a *cognitoidentityprovider.Client to add invited users to their tenant's group")
	case cfg.CreateGroups && cfg.Groups == nil:
		return nil, errors.New("invitation: Config.CreateGroups is set without Config.Groups; set Groups to the convention that names the tenant groups")
	}
	h := &Handler{
		store: cfg.Store, attr: cfg.Attribute, key: cfg.TokenKey, require: cfg.RequireInvitation,
		now: cfg.Now, cognito: cfg.Cognito, groups: cfg.Groups, createGroups: cfg.CreateGroups,
	}
	if h.attr == "" {
		h.attr = tenancy.TenantAttribute
	}
	if h.key == "" {
		h.key = DefaultTokenKey
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h, nil
}

// Register registers PreSignUp and PostConfirmation on r.
func (h *Handler) Register(r *triggers.Router) {
	r.PreSignUp(h.PreSignUp)
	r.PostConfirmation(h.PostConfirmation)
}

// token returns the invitation token of the sign-up, or "".
func (h *Handler) token(ev *triggers.PreSignUpEvent) triggers.Secret {
	if t := ev.Request.ValidationData[h.key]; t != "" {
		return triggers.Secret(t)
	}
	return triggers.Secret(ev.Request.ClientMetadata[h.key])
}

// refusal turns an invitation or tenant error into a user-safe refusal.
func refusal(err error) error {
	msg := ""
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		msg = msgInvalid
	case errors.Is(err, tenancy.ErrInvitationExpired):
		msg = msgExpired
	case errors.Is(err, tenancy.ErrInvitationUsed):
		msg = msgUsed
	case errors.Is(err, tenancy.ErrInvitationEmail):
		msg = msgWrongEmail
	default:
		return err
	}
	return triggers.RefuseBecause(err, msg)
}

// CheckTenantAttribute refuses a self or federated sign-up
// (PreSignUp_SignUp, PreSignUp_ExternalProvider) that supplies the tenant
// attribute itself, with Reason ErrTenantChosen; PreSignUp_AdminCreateUser
// passes, since an administrator may set it. PreSignUp runs it first; run
// it on its own before anything else acts on a federated sign-up, such as
// federation.Linker, and PreSignUp after that.
func (h *Handler) CheckTenantAttribute(_ context.Context, ev *triggers.PreSignUpEvent) error {
	switch ev.TriggerSource {
	case triggers.PreSignUpSignUp, triggers.PreSignUpExternalProvider:
		if _, ok := ev.Request.UserAttributes[h.attr]; ok {
			return triggers.RefuseBecause(ErrTenantChosen, msgTenantChosen)
		}
	}
	return nil
}

// PreSignUp handles PreSignUp_SignUp with an invitation (see the package
// documentation): every check that can refuse, then one conditional write
// that claims the invitation for the user name. The membership is written
// at confirmation (PostConfirmation), under the user's sub, which does
// not exist yet here (the pre sign-up event carries none).
//
// PreSignUp_ExternalProvider (the first sign-in of a federated identity)
// cannot carry an invitation token: Cognito passes no client metadata or
// validation data from managed login. With RequireInvitation it is
// refused (Reason ErrInvitationRequired), so that invitation-only holds
// for federated sign-ups too; an identity that federation.Linker links to
// an existing, invited user ends before this handler (run the linker
// first). Without RequireInvitation it passes unchanged, with no tenant.
// Both sources refuse a supplied tenant attribute (CheckTenantAttribute);
// PreSignUp_AdminCreateUser passes unchanged, since an administrator may
// set the attribute.
func (h *Handler) PreSignUp(ctx context.Context, ev *triggers.PreSignUpEvent) error {
	switch ev.TriggerSource {
	case triggers.PreSignUpSignUp, triggers.PreSignUpExternalProvider:
	default:
		return nil
	}
	if err := h.CheckTenantAttribute(ctx, ev); err != nil {
		return err
	}
	if ev.TriggerSource == triggers.PreSignUpExternalProvider {
		if h.require {
			return triggers.RefuseBecause(fmt.Errorf("%w (federated sign-up)", ErrInvitationRequired), msgRequired)
		}
		return nil
	}
	token := h.token(ev)
	if token.IsZero() {
		if h.require {
			return triggers.RefuseBecause(ErrInvitationRequired, msgRequired)
		}
		return nil
	}
	email := ev.Request.UserAttributes["email"]
	if email == "" {
		return triggers.RefuseBecause(tenancy.ErrInvitationEmail, msgNoEmail)
	}
	if len(token.Reveal()) > 512 {
		return triggers.RefuseBecause(fmt.Errorf("invitation: token too long: %w", tenancy.ErrNotFound), msgInvalid)
	}
	id := tenancy.InvitationID(token)
	now := h.now()

	// Every check that can refuse comes before the first write.
	inv, err := h.store.GetInvitation(ctx, id)
	if err != nil {
		if errors.Is(err, tenancy.ErrNotFound) {
			return refusal(err)
		}
		return fmt.Errorf("invitation: read invitation: %w", err)
	}
	if err := inv.Check(email, ev.UserName, now); err != nil {
		return refusal(err)
	}
	if inv.BoundSub != "" {
		// Held by this user name, but bound to a user who was confirmed
		// before: a deleted user's name, reused. Not for a newcomer.
		return refusal(tenancy.ErrInvitationUsed)
	}
	tenant, err := h.store.GetTenant(ctx, inv.TenantID)
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		return triggers.RefuseBecause(fmt.Errorf("%w: %q", tenancy.ErrUnknownTenant, inv.TenantID), msgUnknownTenant)
	case err != nil:
		return fmt.Errorf("invitation: read tenant %q: %w", inv.TenantID, err)
	case !tenant.Active():
		return triggers.RefuseBecause(fmt.Errorf("%w: %q", tenancy.ErrTenantSuspended, inv.TenantID), msgTenantSuspended)
	}

	// The one decisive write: of racing sign-ups, one wins.
	if _, err := h.store.ClaimInvitation(ctx, tenancy.InvitationClaim{InvitationID: id, Email: email, UserName: ev.UserName, Now: now}); err != nil {
		return refusal(err)
	}
	ev.Response.AutoConfirmUser = true
	ev.Response.AutoVerifyEmail = true
	triggers.AddMetric(ctx, "InvitationAccepted", triggers.UnitCount, 1)
	return nil
}

// PostConfirmation handles PostConfirmation_ConfirmSignUp of a user who
// claimed an invitation at sign-up: it binds the newest claim held by the
// user name to the user's sub (Store.BindInvitation: only if no other sub
// holds it, and only for the invited, verified email address), records
// the membership under the sub, sets the tenant attribute, and adds the
// user to the tenant's group. A user whose name was used before by a
// since deleted member finds that member's claims bound to another sub,
// and gets nothing. Other users and trigger sources pass.
func (h *Handler) PostConfirmation(ctx context.Context, ev *triggers.PostConfirmationEvent) error {
	if ev.TriggerSource != triggers.PostConfirmationConfirmSignUp {
		return nil
	}
	claimed, err := h.store.ClaimedInvitations(ctx, ev.UserName)
	if err != nil {
		return fmt.Errorf("invitation: read claimed invitations: %w", err)
	}
	claimed = slices.DeleteFunc(claimed, func(inv tenancy.Invitation) bool { return inv.UsedBy != ev.UserName })
	if len(claimed) == 0 {
		return nil
	}
	attrs := ev.Request.UserAttributes
	sub := attrs["sub"]
	if sub == "" {
		return errors.New("invitation: the confirmation event has no sub attribute, so the membership cannot be bound to the user; Cognito sends it in every post confirmation event")
	}
	if !attrs.Verified("email") {
		// The invitation was for an address; an unverified one proves
		// nothing (pre sign-up verifies it for an invited sign-up).
		triggers.AddMetric(ctx, "InvitationBindingRefused", triggers.UnitCount, 1)
		return nil
	}
	var (
		m     tenancy.Membership
		bound bool
	)
	for _, inv := range claimed {
		got, err := h.store.BindInvitation(ctx, tenancy.InvitationBinding{InvitationID: inv.ID, UserName: ev.UserName, Sub: sub, Email: attrs["email"]})
		switch {
		case err == nil:
			m = tenancy.Membership{Sub: sub, UserName: ev.UserName, TenantID: got.TenantID, Role: got.Role, InvitationID: got.ID, CreatedAt: h.now()}
			bound = true
		case errors.Is(err, tenancy.ErrInvitationUsed), errors.Is(err, tenancy.ErrInvitationEmail), errors.Is(err, tenancy.ErrNotFound):
			// Another user's (a reused name) or not this address: skip.
			triggers.AddMetric(ctx, "InvitationBindingRefused", triggers.UnitCount, 1)
			continue
		default:
			return fmt.Errorf("invitation: bind the invitation to the new user: %w", err)
		}
		break
	}
	if !bound {
		return nil
	}
	if err := h.store.PutMembership(ctx, m); err != nil {
		// Cognito retries a failed post confirmation; binding again to the
		// same sub succeeds, and so does this put.
		return fmt.Errorf("invitation: record membership: %w", err)
	}
	if h.cognito == nil {
		return errors.New("invitation: Config.Cognito is nil; set it to a *cognitoidentityprovider.Client to provision invited users")
	}
	pool, user := aws.String(ev.UserPoolID), aws.String(ev.UserName)

	switch current := ev.Request.UserAttributes[h.attr]; current {
	case m.TenantID:
		// Set by an earlier attempt.
	case "":
		_, err := h.cognito.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: pool, Username: user,
			UserAttributes: []types.AttributeType{{Name: aws.String(h.attr), Value: aws.String(m.TenantID)}},
		})
		if err != nil {
			return fmt.Errorf("invitation: set %s of the new user: %w (the attribute must be mutable in the pool's schema; keep it out of app clients' write attributes)", h.attr, err)
		}
	default:
		// Never overwrite a tenant: this is a misconfiguration to look at.
		return fmt.Errorf("invitation: user already has %s %q, not the invited tenant %q; the attribute was left unchanged", h.attr, current, m.TenantID)
	}

	if h.groups == nil {
		return nil
	}
	group, err := h.groups.Name(m.TenantID, m.Role)
	if err != nil {
		return fmt.Errorf("invitation: tenant group: %w", err)
	}
	add := func() error {
		_, err := h.cognito.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: user, GroupName: aws.String(group)})
		return err
	}
	err = add()
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) && h.createGroups {
		_, cerr := h.cognito.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String(group),
			Description: aws.String("Members of tenant " + m.TenantID + " (" + m.Role + "), created by cognitrig")})
		var exists *types.GroupExistsException
		if cerr != nil && !errors.As(cerr, &exists) {
			return fmt.Errorf("invitation: create group %s: %w", group, cerr)
		}
		err = add()
	}
	if err != nil {
		return fmt.Errorf("invitation: add the new user to group %s: %w", group, err)
	}
	return nil
}
