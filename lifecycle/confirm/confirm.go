package confirm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/cognitrig/cognitrig/internal/nilcheck"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
)

// Hook is one side effect of a user's confirmation, run once per user.
type Hook struct {
	// Name identifies the hook in its markers: keep it stable, since a new
	// name runs the hook again for every user confirmed afterwards.
	Name string
	// Run performs the side effect. It may run again after a failure or
	// after its Lambda was cut off mid-way, so it should tolerate a repeat
	// of a partial run; it never runs again after it returned nil.
	Run func(ctx context.Context, ev *triggers.PostConfirmationEvent) error
	// Sources are the trigger sources the hook runs for; the default is
	// PostConfirmation_ConfirmSignUp only (not password resets).
	Sources []triggers.TriggerSource
}

// Config configures a Runner.
type Config struct {
	Store MarkerStore // required
	Hooks []Hook      // at least one
	// Lease is how long an attempt holds a hook before another attempt may
	// take it over, should the first die without finishing or releasing.
	// The default is 30 s: longer than any Lambda trigger can run.
	Lease time.Duration
	// Keep is how long a done marker is kept. The default is 400 days;
	// Cognito's retries come within seconds, so a shorter time only risks
	// a second run if the same confirmation is replayed by hand later.
	Keep time.Duration
	// Logger, if set, records skipped and failed hooks (names only).
	Logger *slog.Logger
}

// Runner runs post-confirmation hooks once per (pool, user, hook): each hook
// first claims its marker with a conditional write, and marks it done when
// it succeeds, so that Cognito's retries and replays skip it. A failed hook
// releases its claim and the handler fails, so that Cognito's retry runs it
// again while the hooks that succeeded are skipped.
type Runner struct {
	cfg Config
}

// New checks cfg and returns a Runner.
func New(cfg Config) (*Runner, error) {
	var errs []error
	if nilcheck.Is(cfg.Store) {
		errs = append(errs, errors.New("confirm: Config.Store is nil"))
	}
	if len(cfg.Hooks) == 0 {
		errs = append(errs, errors.New("confirm: Config has no hooks"))
	}
	seen := map[string]bool{}
	for i, h := range cfg.Hooks {
		switch {
		case h.Name == "" || strings.ContainsAny(h.Name, "#\x00"):
			errs = append(errs, fmt.Errorf("confirm: hook %d has no name or a name with # in it", i))
		case seen[h.Name]:
			errs = append(errs, fmt.Errorf("confirm: two hooks are named %q", h.Name))
		case h.Run == nil:
			errs = append(errs, fmt.Errorf("confirm: hook %q has no Run function", h.Name))
		}
		seen[h.Name] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg.Hooks = slices.Clone(cfg.Hooks)
	for i := range cfg.Hooks {
		if len(cfg.Hooks[i].Sources) == 0 {
			cfg.Hooks[i].Sources = []triggers.TriggerSource{triggers.PostConfirmationConfirmSignUp}
		}
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 400 * 24 * time.Hour
	}
	return &Runner{cfg: cfg}, nil
}

// PostConfirmation is the post-confirmation handler.
//
//	r.PostConfirmation(runner.PostConfirmation)
func (r *Runner) PostConfirmation(ctx context.Context, ev *triggers.PostConfirmationEvent) error {
	user := ev.Request.UserAttributes["sub"]
	if user == "" {
		user = ev.UserName
	}
	if ev.UserPoolID == "" || user == "" {
		return errors.New("confirm: the event has no user pool or user; is it a Cognito post confirmation event?")
	}
	var owner [12]byte
	_, _ = rand.Read(owner[:])
	ownerID := hex.EncodeToString(owner[:])
	var errs []error
	for _, h := range r.cfg.Hooks {
		if !slices.Contains(h.Sources, ev.TriggerSource) {
			continue
		}
		if err := r.runOnce(ctx, ev, h, Key{UserPoolID: ev.UserPoolID, User: user, Hook: h.Name}, ownerID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Runner) runOnce(ctx context.Context, ev *triggers.PostConfirmationEvent, h Hook, k Key, owner string) error {
	claim, err := r.cfg.Store.Begin(ctx, k, owner, r.cfg.Lease)
	if err != nil {
		return fmt.Errorf("confirm: hook %s: %w", h.Name, err)
	}
	if claim != Claimed {
		// Done before, or another attempt is running it now (if that one
		// fails it releases the claim for a later delivery).
		triggers.AddMetric(ctx, "PostConfirmationHookSkipped", triggers.UnitCount, 1)
		r.log(ctx, slog.LevelInfo, "post-confirmation hook skipped", h.Name, slog.String("why", claim.String()))
		return nil
	}
	if err := h.Run(ctx, ev); err != nil {
		// Release with a context of its own: ctx may be what ran out.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		relErr := r.cfg.Store.Release(rctx, k, owner)
		cancel()
		r.log(ctx, slog.LevelWarn, "post-confirmation hook failed", h.Name)
		return errors.Join(fmt.Errorf("confirm: hook %s: %w", h.Name, err), relErr)
	}
	if err := r.cfg.Store.Finish(ctx, k, owner, r.cfg.Keep); err != nil {
		// The side effect happened; failing now would make Cognito retry
		// and run it again. Log and carry on.
		r.log(ctx, slog.LevelError, "post-confirmation hook ran but its done marker was not written", h.Name, slog.String("error", err.Error()))
		return nil
	}
	triggers.AddMetric(ctx, "PostConfirmationHookRan", triggers.UnitCount, 1)
	return nil
}

func (r *Runner) log(ctx context.Context, level slog.Level, msg, hook string, attrs ...slog.Attr) {
	if r.cfg.Logger == nil {
		return
	}
	r.cfg.Logger.LogAttrs(ctx, level, msg, append([]slog.Attr{slog.String("hook", hook)}, attrs...)...)
}

// ---- Ready-made hooks ----

// WelcomeTemplate is the welcome email: Subject is a text/template, HTML an
// html/template. Both see .UserName and .Attributes.
type WelcomeTemplate struct {
	Subject string
	HTML    string
}

// EmailHook returns a hook named name that emails the confirmed user
// through sender, the message made by compose from the event (To is set to
// the user's email). A user without an email address is skipped.
//
// Prefer it to WelcomeEmail in a function that should stay small: a
// binary that executes templates keeps every exported method of its types,
// since the linker cannot tell which ones a template calls, and for the
// AWS SDK clients that is megabytes (13 MB in cognitrig's tenancy
// function).
func EmailHook(name string, sender messages.EmailSender, compose func(ev *triggers.PostConfirmationEvent) (messages.Email, error)) (Hook, error) {
	switch {
	case nilcheck.Is(sender):
		return Hook{}, errors.New("confirm: EmailHook needs a sender (an ses.Sender of package delivery/ses, or any messages.EmailSender)")
	case compose == nil:
		return Hook{}, errors.New("confirm: EmailHook needs a compose function that builds the email from the event")
	}
	return Hook{Name: name, Run: func(ctx context.Context, ev *triggers.PostConfirmationEvent) error {
		to := ev.Request.UserAttributes["email"]
		if to == "" {
			return nil // nothing to send to; not a failure worth retrying
		}
		m, err := compose(ev)
		if err != nil {
			return fmt.Errorf("compose the email: %w", err)
		}
		m.To = to
		return sender.SendEmail(ctx, m)
	}}, nil
}

// WelcomeEmail returns a hook named name that emails the confirmed user
// through sender, from templates. The templates are parsed and tried now,
// so that a broken one fails at start-up. (See EmailHook for a hook
// without templates.)
func WelcomeEmail(name string, sender messages.EmailSender, t WelcomeTemplate) (Hook, error) {
	if nilcheck.Is(sender) {
		return Hook{}, errors.New("confirm: WelcomeEmail needs a sender")
	}
	if t.Subject == "" || t.HTML == "" {
		return Hook{}, errors.New("confirm: WelcomeEmail needs a subject and an HTML body")
	}
	subject, err := texttemplate.New("subject").Option("missingkey=zero").Parse(t.Subject)
	if err != nil {
		return Hook{}, fmt.Errorf("confirm: welcome subject: %w", err)
	}
	body, err := htmltemplate.New("body").Option("missingkey=zero").Parse(t.HTML)
	if err != nil {
		return Hook{}, fmt.Errorf("confirm: welcome body: %w", err)
	}
	type data struct {
		UserName   string
		Attributes map[string]string
	}
	render := func(d data) (string, string, error) {
		var s, b bytes.Buffer
		if err := subject.Execute(&s, d); err != nil {
			return "", "", err
		}
		if err := body.Execute(&b, d); err != nil {
			return "", "", err
		}
		return strings.TrimSpace(s.String()), b.String(), nil
	}
	if _, _, err := render(data{UserName: "sample", Attributes: map[string]string{"email": "user@example.com"}}); err != nil {
		return Hook{}, fmt.Errorf("confirm: welcome template does not execute with sample data: %w", err)
	}
	return EmailHook(name, sender, func(ev *triggers.PostConfirmationEvent) (messages.Email, error) {
		s, b, err := render(data{UserName: ev.UserName, Attributes: ev.Request.UserAttributes})
		if err != nil {
			return messages.Email{}, fmt.Errorf("render welcome email: %w", err)
		}
		return messages.Email{Subject: s, HTML: b}, nil
	})
}

// MembershipWriter records that a user belongs to a tenant. The tenancy
// package's store implements it (or an adapter does).
type MembershipWriter interface {
	AddMember(ctx context.Context, tenantID, userSub, userName string) error
}

// Membership returns a hook named name that records the user's membership
// of the tenant named in the attribute tenantAttribute (say,
// "custom:tenant_id"). A user without the attribute is skipped. It fails
// when w is nil or tenantAttribute is empty.
func Membership(name string, w MembershipWriter, tenantAttribute string) (Hook, error) {
	switch {
	case nilcheck.Is(w):
		return Hook{}, errors.New("confirm: Membership needs a MembershipWriter (the tenant store, or an adapter) to record the membership in")
	case tenantAttribute == "":
		return Hook{}, errors.New("confirm: Membership needs the name of the user attribute that holds the tenant ID, e.g. \"custom:tenantId\"")
	}
	return Hook{Name: name, Run: func(ctx context.Context, ev *triggers.PostConfirmationEvent) error {
		tenant := ev.Request.UserAttributes[tenantAttribute]
		if tenant == "" {
			return nil
		}
		return w.AddMember(ctx, tenant, ev.Request.UserAttributes["sub"], ev.UserName)
	}}, nil
}
