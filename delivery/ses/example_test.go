package ses_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/cognitrig/cognitrig/delivery"
	"github.com/cognitrig/cognitrig/delivery/ses"
	"github.com/cognitrig/cognitrig/triggers"
)

// A Sender sends a custom-authentication code through Amazon SES v2. A
// local server stands in for the SES endpoint here; deployed, the client
// comes from sesv2.NewFromConfig(cfg) and needs no BaseEndpoint.
func ExampleSender() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct { // the part of SendEmail's JSON request that is printed
			Destination struct{ ToAddresses []string }
			Content     struct {
				Simple struct{ Subject struct{ Data string } }
			}
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Printf("SES received %s %s -> %s, %q\n", r.Method, r.URL.Path,
			in.Destination.ToAddresses, in.Content.Simple.Subject.Data)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"MessageId":"0100-example"}`)
	}))
	defer srv.Close()

	client := sesv2.New(sesv2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("example", "example", ""),
	})
	sender := &ses.Sender{Client: client, From: "no-reply@example.com"}
	err := sender.Send(context.Background(), delivery.Message{
		Channel: delivery.ChannelEmail,
		To:      "jdoe@example.com",
		Subject: "Your sign-in code",
		Body:    "Your sign-in code is " + delivery.Placeholder + ".",
		Secret:  triggers.Secret("483920"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent")

	// Output:
	// SES received POST /v2/email/outbound-emails -> [jdoe@example.com], "Your sign-in code"
	// sent
}
