package httpsource_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/httpsource"
)

func ExampleNew() {
	// A stand-in for the legacy identity service.
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth2/token":
			if r.PostFormValue("password") != "password" {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error":"invalid_grant"}`)
				return
			}
			fmt.Fprint(w, `{"access_token":"eyJ...","token_type":"Bearer","expires_in":300}`)
		case "/userinfo":
			fmt.Fprint(w, `{"sub":"42","email":"jdoe@example.com","email_verified":true}`)
		}
	}))
	defer idp.Close()

	src, err := httpsource.New(httpsource.Config{
		TokenURL:     idp.URL + "/oauth2/token",
		UserInfoURL:  idp.URL + "/userinfo",
		ClientID:     "migration-trigger",
		ClientSecret: "from-secrets-manager",
		Scope:        "openid email",
	})
	if err != nil {
		panic(err)
	}
	u, err := src.Authenticate(context.Background(), "jdoe", "password")
	fmt.Println(u.Username, u.Fields["email"], u.Fields["email_verified"], err)
	_, err = src.Authenticate(context.Background(), "jdoe", "guess")
	fmt.Println(errors.Is(err, migration.ErrWrongPassword))
	// Output:
	// jdoe jdoe@example.com true <nil>
	// true
}
