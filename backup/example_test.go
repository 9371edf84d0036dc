package backup_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/cognitrig/cognitrig/backup"
)

// A backup restored one user at a time: a first pass lists the custom
// attributes (for a header when the target pool's is not at hand), the
// second writes the import CSVs. Follow-ups arrive as they are found.
func ExampleRestoreFrom() {
	var file bytes.Buffer
	w, _ := backup.NewWriter(&file, backup.Header{UserPoolID: "us-east-1_OLD", CreatedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	_ = w.Group(backup.Group{Name: "admins"})
	_ = w.User(backup.User{Username: "ann", Status: "CONFIRMED", Enabled: true, Groups: []string{"admins"},
		Attributes: map[string]string{"email": "ann@example.com", "email_verified": "true", "custom:plan": "pro"}})
	_ = w.User(backup.User{Username: "bob", Status: "CONFIRMED", Enabled: false,
		Attributes: map[string]string{"email": "bob@example.com", "email_verified": "true"}})
	_ = w.Close()

	custom, err := backup.CustomAttributes(bytes.NewReader(file.Bytes()))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := backup.NewReader(bytes.NewReader(file.Bytes()))
	if err != nil {
		fmt.Println(err)
		return
	}
	var users, memberships bytes.Buffer
	st, err := backup.RestoreFrom(r, &users, &memberships, backup.RestoreOptions{
		Header: []string{"email", "email_verified", "custom:plan", backup.ColumnMFAEnabled, backup.ColumnUsername},
		OnFollowUp: func(f backup.FollowUp) error {
			fmt.Printf("follow-up: %s %s\n", f.Username, f.Action)
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(users.String(), memberships.String())
	fmt.Println("custom attributes:", custom, "users:", st.Users, "memberships:", st.Memberships)
	// Output:
	// follow-up: bob disable
	// email,email_verified,custom:plan,cognito:mfa_enabled,cognito:username
	// ann@example.com,true,pro,false,ann
	// bob@example.com,true,,false,bob
	// group,username
	// admins,ann
	// custom attributes: [custom:plan] users: 2 memberships: 1
}
