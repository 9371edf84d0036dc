package sns_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cognitrig/cognitrig/delivery"
	"github.com/cognitrig/cognitrig/delivery/sns"
)

// A Sender sends the text of the custom SMS sender trigger through Amazon
// SNS, as a transactional SMS. A local server stands in for the SNS
// endpoint here; deployed, the client comes from awssns.NewFromConfig(cfg).
func ExampleSender() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil { // SNS speaks the query protocol
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Printf("SNS received %s to %s\n", r.PostForm.Get("Action"), r.PostForm.Get("PhoneNumber"))
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>`)
	}))
	defer srv.Close()

	client := awssns.New(awssns.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("example", "example", ""),
	})
	sender := &sns.Sender{Client: client, SenderID: "Example"}
	if err := sender.SendSMS(context.Background(), delivery.SMS{To: "+15555550100", Text: "Your code is 483920"}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent")

	// Output:
	// SNS received Publish to +15555550100
	// sent
}
