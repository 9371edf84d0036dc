package backup_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/backup"
	"github.com/cognitrig/cognitrig/internal/awsfake"
)

const poolID = "us-east-1_SOURCE"

var base = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

// population builds n users with varied attributes, statuses, flags, MFA
// settings and groups, adds them to a fake pool and returns them by name.
func population(fake *awsfake.Cognito, n int) (map[string]awsfake.CognitoUser, map[string][]string) {
	pool := fake.AddPool(poolID, "source", "custom:tenant_id", "custom:plan")
	users := make(map[string]awsfake.CognitoUser, n)
	groups := map[string][]string{}
	statuses := []string{"CONFIRMED", "UNCONFIRMED", "RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"}
	for i := range n {
		name := fmt.Sprintf("user-%05d", i)
		attrs := map[string]string{
			"sub":              fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			"email":            name + "@example.com",
			"email_verified":   fmt.Sprint(i%2 == 0),
			"given_name":       []string{"Zoë", "José, Jr.", `Anna "Nan"`, "李"}[i%4],
			"family_name":      fmt.Sprintf("Family%d", i),
			"custom:tenant_id": fmt.Sprintf("tenant-%d", i%37),
		}
		if i%3 == 0 {
			attrs["phone_number"] = fmt.Sprintf("+1555%07d", i)
			attrs["phone_number_verified"] = "true"
		}
		if i%13 == 0 {
			attrs["address"] = "1 Main St\nSpringfield, \"IL\""
		}
		if i%17 == 0 {
			attrs["custom:legacy_only"] = "not in the target pool's schema"
		}
		u := awsfake.CognitoUser{
			Username: name, Attributes: attrs, Status: statuses[i%len(statuses)], Enabled: i%7 != 0,
			Created:  base.Add(time.Duration(i) * time.Minute),
			Modified: base.Add(time.Duration(i)*time.Minute + 1500*time.Millisecond),
		}
		switch {
		case i%500 == 499:
			u.Status = "EXTERNAL_PROVIDER"
			u.Username = "Google_" + name
		case i%3 == 0 && i%5 != 0:
			u.PreferredMFA, u.MFASettings = "SMS_MFA", []string{"SMS_MFA"}
		case i%5 == 0:
			u.PreferredMFA, u.MFASettings = "SOFTWARE_TOKEN_MFA", []string{"SOFTWARE_TOKEN_MFA"}
			if i%3 == 0 {
				u.MFASettings = append(u.MFASettings, "SMS_MFA")
			}
		}
		if i%11 == 0 && attrs["phone_number"] != "" {
			u.MFAOptions = []awsfake.CognitoMFAOption{{DeliveryMedium: "SMS", AttributeName: "phone_number"}}
		}
		pool.AddUser(u)
		users[u.Username] = u
		switch {
		case i%50 == 0:
			groups["admins"] = append(groups["admins"], u.Username)
		case i%4 == 1:
			groups["staff"] = append(groups["staff"], u.Username)
		}
		if i%9 == 0 {
			groups["beta"] = append(groups["beta"], u.Username)
		}
	}
	p1, p5 := int32(1), int32(5)
	pool.AddGroup(awsfake.CognitoGroup{Name: "admins", Description: "Administrators, all of them", Precedence: &p1, RoleARN: "arn:aws:iam::123456789012:role/admin"}, groups["admins"]...)
	pool.AddGroup(awsfake.CognitoGroup{Name: "staff", Precedence: &p5}, groups["staff"]...)
	pool.AddGroup(awsfake.CognitoGroup{Name: "beta", Description: "Beta testers"}, groups["beta"]...)
	// Enough empty groups that ListGroups needs more than one page.
	for i := range 62 {
		pool.AddGroup(awsfake.CognitoGroup{Name: fmt.Sprintf("empty-%02d", i)})
	}
	return users, groups
}

var fastRetry = backup.Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond, Attempts: 8}

type countingProgress struct {
	total atomic.Int64
	done  atomic.Int64
}

func (p *countingProgress) SetTotal(n int64) { p.total.Store(n) }
func (p *countingProgress) Add(n int64)      { p.done.Add(n) }

// TestBackupRestoreRoundTrip backs up 10,000 users through the paginated
// API of a throttling fake, then restores them, and checks both files field
// by field against the pool.
func TestBackupRestoreRoundTrip(t *testing.T) {
	const n = 10_000
	fake := awsfake.NewCognito(t)
	fake.ThrottleEvery(17)
	users, groups := population(fake, n)
	api := fake.Client()
	prog := &countingProgress{}

	var file bytes.Buffer
	st, err := backup.Export(context.Background(), api, poolID, &file, backup.Options{Concurrency: 8, Retry: fastRetry, Progress: prog,
		Now: func() time.Time { return base }})
	if err != nil {
		t.Fatal(err)
	}
	// Retries cover every throttled call, and the odd connection the SDK
	// drops mid-body under load (aws/aws-sdk-go-v2#1825), also retried.
	if st.Users != n || st.Groups != 65 || fake.Throttled() == 0 || st.Retries < fake.Throttled() {
		t.Fatalf("stats %+v, throttled %d", st, fake.Throttled())
	}
	if prog.total.Load() != n || prog.done.Load() != n {
		t.Fatalf("progress %d/%d", prog.done.Load(), prog.total.Load())
	}
	if got := fake.Calls("ListUsers"); got < n/60 {
		t.Fatalf("%d ListUsers calls: not paginated?", got)
	}

	b, err := backup.Read(bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if b.Header.UserPoolID != poolID || !b.Header.CreatedAt.Equal(base) || b.Header.EstimatedUsers != n || !b.Header.WithMFA {
		t.Fatalf("header %+v", b.Header)
	}
	if len(b.Users) != n {
		t.Fatalf("%d users in the backup", len(b.Users))
	}
	checkGroups(t, b.Groups)
	memberOf := map[string][]string{}
	for g, names := range groups {
		for _, name := range names {
			memberOf[name] = append(memberOf[name], g)
		}
	}
	seen := map[string]bool{}
	for _, got := range b.Users {
		want, ok := users[got.Username]
		if !ok || seen[got.Username] {
			t.Fatalf("unexpected or repeated user %q", got.Username)
		}
		seen[got.Username] = true
		checkUser(t, got, want, memberOf[want.Username])
	}

	// Restore with the target pool's header, read through the same
	// throttling.
	header, err := backup.CSVHeader(context.Background(), api, poolID, fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	var usersCSV, membersCSV bytes.Buffer
	rs, err := backup.Restore(b, &usersCSV, &membersCSV, backup.RestoreOptions{Header: header})
	if err != nil {
		t.Fatal(err)
	}
	checkImportCSV(t, usersCSV.Bytes(), header, users)
	checkMembershipCSV(t, membersCSV.Bytes(), groups, users)
	checkFollowUps(t, rs, users)
	if rs.DroppedAttributes["sub"] != rs.Users || rs.DroppedAttributes["custom:legacy_only"] == 0 {
		t.Fatalf("dropped attributes: %v", rs.DroppedAttributes)
	}
}

func checkGroups(t *testing.T, got []backup.Group) {
	t.Helper()
	if len(got) != 65 || !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Name < got[j].Name }) {
		t.Fatalf("%d groups, sorted %v", len(got), sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Name < got[j].Name }))
	}
	byName := map[string]backup.Group{}
	for _, g := range got {
		byName[g.Name] = g
	}
	a := byName["admins"]
	if a.Description != "Administrators, all of them" || a.Precedence == nil || *a.Precedence != 1 || a.RoleARN != "arn:aws:iam::123456789012:role/admin" {
		t.Fatalf("admins: %+v", a)
	}
	if s := byName["staff"]; s.Precedence == nil || *s.Precedence != 5 || s.Description != "" {
		t.Fatalf("staff: %+v", s)
	}
	if b := byName["beta"]; b.Precedence != nil || b.Description != "Beta testers" {
		t.Fatalf("beta: %+v", b)
	}
}

func checkUser(t *testing.T, got backup.User, want awsfake.CognitoUser, groups []string) {
	t.Helper()
	fail := func(field string, g, w any) { t.Fatalf("user %s: %s = %v, want %v", want.Username, field, g, w) }
	if fmt.Sprint(got.Attributes) != fmt.Sprint(want.Attributes) {
		fail("attributes", got.Attributes, want.Attributes)
	}
	if got.Status != want.Status {
		fail("status", got.Status, want.Status)
	}
	if got.Enabled != want.Enabled {
		fail("enabled", got.Enabled, want.Enabled)
	}
	if !got.CreatedAt.Equal(want.Created) || !got.ModifiedAt.Equal(want.Modified) {
		fail("dates", []time.Time{got.CreatedAt, got.ModifiedAt}, []time.Time{want.Created, want.Modified})
	}
	sort.Strings(groups)
	if !slices.Equal(got.Groups, groups) && (len(got.Groups) != 0 || len(groups) != 0) {
		fail("groups", got.Groups, groups)
	}
	if got.MFA.Preferred != want.PreferredMFA || !slices.Equal(got.MFA.Enabled, want.MFASettings) {
		fail("mfa", got.MFA, want)
	}
	if len(got.MFA.SMSOptions) != len(want.MFAOptions) {
		fail("mfa options", got.MFA.SMSOptions, want.MFAOptions)
	}
	for i, o := range want.MFAOptions {
		if got.MFA.SMSOptions[i] != (backup.MFAOption{DeliveryMedium: o.DeliveryMedium, AttributeName: o.AttributeName}) {
			fail("mfa option", got.MFA.SMSOptions[i], o)
		}
	}
}

func checkImportCSV(t *testing.T, data []byte, header []string, users map[string]awsfake.CognitoUser) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], header) {
		t.Fatalf("header %v, want %v", rows[0], header)
	}
	col := map[string]int{}
	for i, c := range header {
		col[c] = i
	}
	imported := 0
	for _, u := range users {
		if u.Status != "EXTERNAL_PROVIDER" {
			imported++
		}
	}
	if len(rows)-1 != imported {
		t.Fatalf("%d rows, want %d", len(rows)-1, imported)
	}
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		name := row[col["cognito:username"]]
		u, ok := users[name]
		if !ok || seen[name] || u.Status == "EXTERNAL_PROVIDER" {
			t.Fatalf("row for %q: known %v, repeated %v", name, ok, seen[name])
		}
		seen[name] = true
		for c, i := range col {
			var want string
			switch c {
			case "cognito:username":
				want = u.Username
			case "cognito:mfa_enabled":
				want = fmt.Sprint((slices.Contains(u.MFASettings, "SMS_MFA") || len(u.MFAOptions) > 0) && u.Attributes["phone_number"] != "")
			case "email_verified", "phone_number_verified":
				want = "false"
				if u.Attributes[c] == "true" {
					want = "true"
				}
			default:
				want = u.Attributes[c]
			}
			if row[i] != want {
				t.Fatalf("user %s column %s = %q, want %q", name, c, row[i], want)
			}
		}
	}
}

func checkMembershipCSV(t *testing.T, data []byte, groups map[string][]string, users map[string]awsfake.CognitoUser) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"group", "username"}) {
		t.Fatalf("header %v", rows[0])
	}
	var got, want []string
	for _, r := range rows[1:] {
		got = append(got, r[0]+"/"+r[1])
	}
	for g, names := range groups {
		for _, name := range names {
			if users[name].Status != "EXTERNAL_PROVIDER" {
				want = append(want, g+"/"+name)
			}
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%d memberships, want %d", len(got), len(want))
	}
}

func checkFollowUps(t *testing.T, rs backup.RestoreStats, users map[string]awsfake.CognitoUser) {
	t.Helper()
	count := map[string]int{}
	for _, f := range rs.FollowUps {
		count[f.Action]++
	}
	var skipped, disabled, mfa int
	for _, u := range users {
		if u.Status == "EXTERNAL_PROVIDER" {
			skipped++
			continue
		}
		if !u.Enabled {
			disabled++
		}
		if slices.Contains(u.MFASettings, "SOFTWARE_TOKEN_MFA") {
			mfa++
		}
	}
	if count[backup.FollowUpSkipped] != skipped || count[backup.FollowUpDisable] != disabled || count[backup.FollowUpMFA] != mfa {
		t.Fatalf("follow-ups %v, want skipped %d disabled %d mfa %d", count, skipped, disabled, mfa)
	}
}

func TestExportWithoutMFASkipsAdminGetUser(t *testing.T) {
	fake := awsfake.NewCognito(t)
	users, _ := population(fake, 130)
	var file bytes.Buffer
	if _, err := backup.Export(context.Background(), fake.Client(), poolID, &file, backup.Options{WithoutMFA: true}); err != nil {
		t.Fatal(err)
	}
	if fake.Calls("AdminGetUser") != 0 {
		t.Fatalf("%d AdminGetUser calls", fake.Calls("AdminGetUser"))
	}
	b, err := backup.Read(&file)
	if err != nil {
		t.Fatal(err)
	}
	if b.Header.WithMFA || len(b.Users) != 130 {
		t.Fatalf("header %+v, %d users", b.Header, len(b.Users))
	}
	for _, u := range b.Users {
		if u.MFA.Preferred != "" || len(u.MFA.Enabled) != 0 || len(u.MFA.SMSOptions) != len(users[u.Username].MFAOptions) {
			t.Fatalf("user %s MFA %+v", u.Username, u.MFA)
		}
	}
}

// vanishing deletes a user from the fake just before its AdminGetUser, as
// if it were deleted while the backup ran.
type vanishing struct {
	backup.API
	fake *awsfake.Cognito
	once sync.Once
}

func (v *vanishing) AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error) {
	if aws.ToString(in.Username) == "user-00042" {
		v.once.Do(func() { v.fake.Pool(poolID).DeleteUser("user-00042") })
	}
	return v.API.AdminGetUser(ctx, in, opts...)
}

func TestExportLeavesOutUsersDeletedMeanwhile(t *testing.T) {
	fake := awsfake.NewCognito(t)
	population(fake, 100)
	var file bytes.Buffer
	st, err := backup.Export(context.Background(), &vanishing{API: fake.Client(), fake: fake}, poolID, &file, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backup.Read(&file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Vanished != 1 || st.Users != 99 || len(b.Users) != 99 {
		t.Fatalf("stats %+v, %d users", st, len(b.Users))
	}
}

func TestExportFailures(t *testing.T) {
	fake := awsfake.NewCognito(t)
	population(fake, 10)
	api := fake.Client()
	var file bytes.Buffer

	_, err := backup.Export(context.Background(), api, "us-east-1_NOPE", &file, backup.Options{Retry: fastRetry})
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") || fake.Calls("DescribeUserPool") != 1 {
		t.Fatalf("unknown pool: %v (%d calls: not retried)", err, fake.Calls("DescribeUserPool"))
	}
	if _, err := backup.Export(context.Background(), api, "", &file, backup.Options{}); err == nil {
		t.Fatal("empty pool ID accepted")
	}

	fake.ThrottleEvery(1) // always throttled
	_, err = backup.Export(context.Background(), api, poolID, &file, backup.Options{Retry: backup.Backoff{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3}})
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") || !strings.Contains(err.Error(), "TooManyRequestsException") {
		t.Fatalf("persistent throttling: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err = backup.Export(ctx, api, poolID, &file, backup.Options{Retry: backup.Backoff{Base: time.Hour, Max: time.Hour, Attempts: 5}})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("cancel during backoff: %v after %v", err, time.Since(start))
	}
}

func TestReadRefusesDamagedFiles(t *testing.T) {
	fake := awsfake.NewCognito(t)
	population(fake, 5)
	var file bytes.Buffer
	if _, err := backup.Export(context.Background(), fake.Client(), poolID, &file, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(file.String(), "\n"), "\n")
	join := func(ls ...string) string { return strings.Join(ls, "") }
	last := len(lines) - 1
	firstUser := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, `"type":"user"`) })
	cases := map[string]string{
		"empty":              "",
		"no header":          join(lines[1:]...),
		"cut short":          join(lines[:last]...),
		"a user lost":        join(append(slices.Clone(lines[:firstUser]), lines[firstUser+1:]...)...),
		"data after footer":  join(lines...) + "\n" + lines[firstUser],
		"two headers":        lines[0] + join(lines...),
		"not JSON":           lines[0] + "{oops\n",
		"unknown type":       lines[0] + `{"type":"weird"}` + "\n",
		"group after users":  join(lines[:last]...) + `{"type":"group","name":"late"}` + "\n" + lines[last],
		"user without name":  lines[0] + `{"type":"user"}` + "\n",
		"other version":      strings.Replace(file.String(), `"version":1`, `"version":2`, 1),
		"other format":       strings.Replace(file.String(), `"format":"cognitrig-backup"`, `"format":"x"`, 1),
		"group without name": lines[0] + `{"type":"group"}` + "\n",
	}
	for name, content := range cases {
		if _, err := backup.Read(strings.NewReader(content)); err == nil {
			t.Errorf("%s: Read accepted it", name)
		}
		if err := drain(content); err == nil {
			t.Errorf("%s: Reader reached io.EOF without an error", name)
		}
		if _, err := backup.CustomAttributes(strings.NewReader(content)); err == nil {
			t.Errorf("%s: CustomAttributes accepted it", name)
		}
	}
	if err := drain(file.String()); err != nil {
		t.Fatalf("the intact file, streamed: %v", err)
	}
	if _, err := backup.Read(strings.NewReader(file.String())); err != nil {
		t.Fatalf("the intact file: %v", err)
	}
}

func TestRestoreHeaders(t *testing.T) {
	b := &backup.Backup{Users: []backup.User{
		{Username: "a", Enabled: true, Attributes: map[string]string{"email": "a@example.com", "custom:z": "1", "custom:a": "2", "sub": "s"}},
	}}
	h := backup.DefaultCSVHeader(b)
	if strings.Join(h[len(h)-4:], ",") != "custom:a,custom:z,cognito:mfa_enabled,cognito:username" {
		t.Fatalf("default header tail %v", h[len(h)-4:])
	}
	var u, m bytes.Buffer
	for _, bad := range [][]string{{"email", "cognito:mfa_enabled"}, {"email", "cognito:username"}, {"email", "email", "cognito:mfa_enabled", "cognito:username"}, {"", "cognito:mfa_enabled", "cognito:username"}} {
		if _, err := backup.Restore(b, &u, &m, backup.RestoreOptions{Header: bad}); err == nil {
			t.Errorf("header %v accepted", bad)
		}
	}
	st, err := backup.Restore(b, &u, &m, backup.RestoreOptions{Header: []string{"email", "cognito:mfa_enabled", "cognito:username"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.DroppedAttributes["custom:a"] != 1 || st.DroppedAttributes["sub"] != 1 || st.Users != 1 {
		t.Fatalf("stats %+v", st)
	}
	var g bytes.Buffer
	p := int32(3)
	if err := backup.WriteGroups([]backup.Group{{Name: "ops", Description: "On call, 24/7", Precedence: &p}, {Name: "x"}}, &g); err != nil {
		t.Fatal(err)
	}
	if g.String() != "name,description,precedence,roleArn\nops,\"On call, 24/7\",3,\nx,,,\n" {
		t.Fatalf("groups CSV %q", g.String())
	}
}

func TestCSVHeader(t *testing.T) {
	fake := awsfake.NewCognito(t)
	population(fake, 3)
	api := fake.Client()
	ctx := context.Background()

	// Request 1 passes, request 2 (the header) is throttled, 3 passes.
	fake.ThrottleEvery(2)
	if _, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)}); err != nil {
		t.Fatal(err)
	}
	header, err := backup.CSVHeader(ctx, api, poolID, fastRetry)
	if err != nil {
		t.Fatalf("throttled once: %v", err)
	}
	if fake.Calls("GetCSVHeader") != 2 || fake.Throttled() != 1 {
		t.Fatalf("%d GetCSVHeader calls, %d throttled: the throttled call was not retried", fake.Calls("GetCSVHeader"), fake.Throttled())
	}
	if !slices.Contains(header, backup.ColumnUsername) || !slices.Contains(header, "email") {
		t.Fatalf("header %v", header)
	}

	fake.ThrottleEvery(1)
	_, err = backup.CSVHeader(ctx, api, poolID, backup.Backoff{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3})
	if err == nil || !strings.Contains(err.Error(), "GetCSVHeader") || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("persistent throttling: %v", err)
	}

	fake.ThrottleEvery(0)
	before := fake.Calls("GetCSVHeader")
	if _, err := backup.CSVHeader(ctx, api, "us-east-1_NOPE", fastRetry); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") || fake.Calls("GetCSVHeader") != before+1 {
		t.Fatalf("unknown pool: %v (%d calls: must not be retried)", err, fake.Calls("GetCSVHeader")-before)
	}
	if _, err := backup.CSVHeader(ctx, api, "", fastRetry); err == nil {
		t.Fatal("empty pool ID accepted")
	}
}

// drain reads content through a Reader to its end; it returns nil only if
// Next ended with io.EOF.
func drain(content string) error {
	r, err := backup.NewReader(strings.NewReader(content))
	if err != nil {
		return err
	}
	for range 1_000_000 {
		if _, err := r.Next(); err != nil {
			if err == io.EOF {
				// io.EOF again: the end stays the end.
				if _, again := r.Next(); again != io.EOF {
					return fmt.Errorf("Next after io.EOF: %v", again)
				}
				return nil
			}
			return err
		}
	}
	return errors.New("Next never ended")
}

// TestRestoreFromMatchesRestore: streaming the backup one user at a time
// writes the very CSVs that Restore writes from memory.
func TestRestoreFromMatchesRestore(t *testing.T) {
	fake := awsfake.NewCognito(t)
	population(fake, 1200)
	var file bytes.Buffer
	if _, err := backup.Export(context.Background(), fake.Client(), poolID, &file, backup.Options{Retry: fastRetry}); err != nil {
		t.Fatal(err)
	}
	b, err := backup.Read(bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var wantUsers, wantMembers bytes.Buffer
	want, err := backup.Restore(b, &wantUsers, &wantMembers, backup.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}

	custom, err := backup.CustomAttributes(bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if header := backup.HeaderWith(custom); !slices.Equal(header, backup.DefaultCSVHeader(b)) {
		t.Fatalf("HeaderWith(CustomAttributes) = %v, want %v", header, backup.DefaultCSVHeader(b))
	}
	r, err := backup.NewReader(bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if r.Header() != b.Header || !reflect.DeepEqual(r.Groups(), b.Groups) {
		t.Fatalf("header %+v, %d groups", r.Header(), len(r.Groups()))
	}
	var gotUsers, gotMembers bytes.Buffer
	got, err := backup.RestoreFrom(r, &gotUsers, &gotMembers, backup.RestoreOptions{Header: backup.HeaderWith(custom)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotUsers.Bytes(), wantUsers.Bytes()) || !bytes.Equal(gotMembers.Bytes(), wantMembers.Bytes()) {
		t.Fatal("the streamed CSVs differ from Restore's")
	}
	if !reflect.DeepEqual(got, want) || got.Users < 1000 {
		t.Fatalf("stats %+v, want %+v", got, want)
	}

	// Follow-ups handed over one at a time: the same ones, none held.
	var handed []backup.FollowUp
	r, err = backup.NewReader(bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	st, err := backup.RestoreFrom(r, io.Discard, io.Discard, backup.RestoreOptions{Header: backup.HeaderWith(custom),
		OnFollowUp: func(f backup.FollowUp) error { handed = append(handed, f); return nil }})
	if err != nil || st.FollowUps != nil || !reflect.DeepEqual(handed, want.FollowUps) || !reflect.DeepEqual(st.FollowUpCounts, want.FollowUpCounts) {
		t.Fatalf("OnFollowUp: %v, held %d, handed %d of %d", err, len(st.FollowUps), len(handed), len(want.FollowUps))
	}
	if len(want.FollowUpCounts) != 3 {
		t.Fatalf("follow-up counts %v: the population should need every kind", want.FollowUpCounts)
	}
	r, _ = backup.NewReader(bytes.NewReader(file.Bytes()))
	full := errors.New("disk full")
	if _, err := backup.RestoreFrom(r, io.Discard, io.Discard, backup.RestoreOptions{Header: backup.HeaderWith(custom),
		OnFollowUp: func(backup.FollowUp) error { return full }}); !errors.Is(err, full) {
		t.Fatalf("a failing OnFollowUp: %v", err)
	}

	// A file cut short is reported at its end, after the users before it.
	cut := file.Bytes()[:bytes.LastIndex(bytes.TrimSuffix(file.Bytes(), []byte("\n")), []byte("\n"))+1]
	r, err = backup.NewReader(bytes.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.RestoreFrom(r, io.Discard, io.Discard, backup.RestoreOptions{Header: backup.HeaderWith(custom)}); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("cut short: %v", err)
	}
	if _, err := backup.RestoreFrom(r, io.Discard, io.Discard, backup.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "Header") {
		t.Fatalf("no header: %v", err)
	}
}
