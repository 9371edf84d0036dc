package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/sync/errgroup"
)

// API is the part of the Cognito user-pool API that Export uses;
// *cognitoidentityprovider.Client implements it. The caller's role needs
// cognito-idp:DescribeUserPool, ListUsers, ListGroups, ListUsersInGroup and
// (for MFA settings) AdminGetUser.
type API interface {
	DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, opts ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	ListUsers(ctx context.Context, in *cip.ListUsersInput, opts ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	ListGroups(ctx context.Context, in *cip.ListGroupsInput, opts ...func(*cip.Options)) (*cip.ListGroupsOutput, error)
	ListUsersInGroup(ctx context.Context, in *cip.ListUsersInGroupInput, opts ...func(*cip.Options)) (*cip.ListUsersInGroupOutput, error)
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// Progress is told how far an export has got; *progress.Reporter
// implements it.
type Progress interface {
	SetTotal(total int64)
	Add(n int64)
}

// Options tune Export.
type Options struct {
	// WithoutMFA skips AdminGetUser, one call per user, and so the users'
	// MFA settings (the legacy SMS options from ListUsers are kept).
	WithoutMFA bool
	// Concurrency is the number of AdminGetUser calls in flight; default 4.
	// Cognito's default quota for user reads is 120 requests per second.
	Concurrency int
	// Retry is the backoff for throttled and failed calls.
	Retry Backoff
	// Progress, if set, counts users as they are written.
	Progress Progress
	// Now is the clock for the header; nil means time.Now.
	Now func() time.Time
}

// Backoff is the retry policy for throttling (TooManyRequestsException) and
// server errors: exponential from Base, capped at Max, with full jitter, at
// most Attempts tries in all.
type Backoff struct {
	Base     time.Duration // default 200ms
	Max      time.Duration // default 10s
	Attempts int           // default 10
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = 200 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 10 * time.Second
	}
	if b.Attempts <= 0 {
		b.Attempts = 10
	}
	return b
}

// Stats summarise an export.
type Stats struct {
	Users    int
	Groups   int
	Retries  int // throttled or failed calls that were tried again
	Vanished int // users deleted while the export ran, left out
}

// Export writes every user of the pool, with attributes, status, enabled
// flag, groups and MFA settings, to w as a backup (see Read), using the
// paginated ListUsers, ListGroups and ListUsersInGroup, and AdminGetUser for
// MFA settings. Throttled calls are retried with Options.Retry. The backup
// holds personal data: write it to a file only its owner can read.
func Export(ctx context.Context, api API, userPoolID string, w io.Writer, opts Options) (st Stats, err error) {
	switch {
	case api == nil:
		return st, errors.New("backup: Export: the API is nil; give a *cognitoidentityprovider.Client")
	case w == nil:
		return st, errors.New("backup: Export: the writer is nil; give the file to write the backup to")
	case userPoolID == "":
		return st, errors.New("backup: no user pool ID")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &retrier{b: opts.Retry.withDefaults()}
	defer func() { st.Retries = int(r.retries.Load()) }()

	var estimate int64
	err = r.do(ctx, "DescribeUserPool", func(ctx context.Context) error {
		out, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(userPoolID)})
		if err == nil && out.UserPool != nil {
			estimate = int64(out.UserPool.EstimatedNumberOfUsers)
		}
		return err
	})
	if err != nil {
		return st, err
	}
	if opts.Progress != nil && estimate > 0 {
		opts.Progress.SetTotal(estimate)
	}

	groups, members, err := readGroups(ctx, api, r, userPoolID)
	if err != nil {
		return st, err
	}
	bw, err := NewWriter(w, Header{UserPoolID: userPoolID, CreatedAt: opts.Now().UTC(), EstimatedUsers: estimate, WithMFA: !opts.WithoutMFA})
	if err != nil {
		return st, err
	}
	for _, g := range groups {
		if err := bw.Group(g); err != nil {
			return st, fmt.Errorf("backup: write group: %w", err)
		}
	}
	st.Groups = len(groups)

	var token *string
	for {
		var page *cip.ListUsersOutput
		err := r.do(ctx, "ListUsers", func(ctx context.Context) error {
			var err error
			page, err = api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(userPoolID), Limit: aws.Int32(60), PaginationToken: token})
			return err
		})
		if err != nil {
			return st, err
		}
		users := make([]*User, len(page.Users))
		for i, u := range page.Users {
			users[i] = fromListed(u, members)
		}
		if !opts.WithoutMFA {
			if err := readMFA(ctx, api, r, userPoolID, users, opts.Concurrency); err != nil {
				return st, err
			}
		}
		written := 0
		for _, u := range users {
			if u == nil {
				st.Vanished++
				continue
			}
			if err := bw.User(*u); err != nil {
				return st, fmt.Errorf("backup: write user: %w", err)
			}
			written++
		}
		st.Users += written
		if opts.Progress != nil {
			opts.Progress.Add(int64(written))
		}
		if aws.ToString(page.PaginationToken) == "" {
			break
		}
		token = page.PaginationToken
	}
	if err := bw.Close(); err != nil {
		return st, fmt.Errorf("backup: finish the file: %w", err)
	}
	return st, nil
}

// readGroups lists the groups and, per group, its members.
func readGroups(ctx context.Context, api API, r *retrier, pool string) ([]Group, map[string][]string, error) {
	var groups []Group
	var token *string
	for {
		var out *cip.ListGroupsOutput
		err := r.do(ctx, "ListGroups", func(ctx context.Context) error {
			var err error
			out, err = api.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(pool), Limit: aws.Int32(60), NextToken: token})
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		for _, g := range out.Groups {
			groups = append(groups, Group{Name: aws.ToString(g.GroupName), Description: aws.ToString(g.Description),
				Precedence: g.Precedence, RoleARN: aws.ToString(g.RoleArn)})
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		token = out.NextToken
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	members := map[string][]string{}
	for _, g := range groups {
		var token *string
		for {
			var out *cip.ListUsersInGroupOutput
			err := r.do(ctx, "ListUsersInGroup", func(ctx context.Context) error {
				var err error
				out, err = api.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(pool),
					GroupName: aws.String(g.Name), Limit: aws.Int32(60), NextToken: token})
				return err
			})
			if err != nil {
				return nil, nil, err
			}
			for _, u := range out.Users {
				name := aws.ToString(u.Username)
				members[name] = append(members[name], g.Name) // groups come sorted
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			token = out.NextToken
		}
	}
	return groups, members, nil
}

func fromListed(u ciptypes.UserType, members map[string][]string) *User {
	out := &User{
		Username:   aws.ToString(u.Username),
		Attributes: make(map[string]string, len(u.Attributes)),
		Status:     string(u.UserStatus),
		Enabled:    u.Enabled,
		CreatedAt:  aws.ToTime(u.UserCreateDate).UTC(),
		ModifiedAt: aws.ToTime(u.UserLastModifiedDate).UTC(),
		Groups:     slices.Clone(members[aws.ToString(u.Username)]),
	}
	for _, a := range u.Attributes {
		out.Attributes[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	for _, o := range u.MFAOptions {
		out.MFA.SMSOptions = append(out.MFA.SMSOptions, MFAOption{DeliveryMedium: string(o.DeliveryMedium), AttributeName: aws.ToString(o.AttributeName)})
	}
	return out
}

// readMFA fills in the MFA settings of one page of users, Concurrency calls
// at a time. A user deleted in the meantime becomes nil.
func readMFA(ctx context.Context, api API, r *retrier, pool string, users []*User, concurrency int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	for i := range users {
		g.Go(func() error {
			var out *cip.AdminGetUserOutput
			err := r.do(ctx, "AdminGetUser", func(ctx context.Context) error {
				var err error
				out, err = api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(users[i].Username)})
				return err
			})
			var gone *ciptypes.UserNotFoundException
			if errors.As(err, &gone) {
				users[i] = nil
				return nil
			}
			if err != nil {
				return err
			}
			users[i].MFA.Preferred = aws.ToString(out.PreferredMfaSetting)
			users[i].MFA.Enabled = slices.Clone(out.UserMFASettingList)
			return nil
		})
	}
	return g.Wait()
}

// retrier retries throttled and failed calls with exponential backoff.
type retrier struct {
	b       Backoff
	retries atomic.Int64
}

func (r *retrier) do(ctx context.Context, op string, call func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("backup: %s: %w", op, ctx.Err())
		}
		if !retryable(err) {
			return fmt.Errorf("backup: %s: %w", op, err)
		}
		if attempt >= r.b.Attempts {
			return fmt.Errorf("backup: %s: still failing after %d attempts; lower --concurrency or raise the pool's quota: %w", op, attempt, err)
		}
		r.retries.Add(1)
		wait := r.b.Base << min(attempt-1, 20)
		if wait > r.b.Max || wait <= 0 {
			wait = r.b.Max
		}
		wait = time.Duration(rand.Int64N(int64(wait)) + 1) // full jitter
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("backup: %s: %w", op, ctx.Err())
		case <-t.C:
		}
	}
}

// retryable reports throttling, Cognito's internal errors, server errors
// and network failures.
func retryable(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "TooManyRequestsException", "InternalErrorException", "ThrottlingException":
			return true
		}
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.HTTPStatusCode() >= 500 {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
