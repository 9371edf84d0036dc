package deliver_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"

	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/triggers"
)

// A Message keeps its secret apart from its text: Text is for the Sender
// only, Masked is for everything that logs, and the secret itself prints
// masked.
func ExampleMessage() {
	m := deliver.Message{
		Channel: deliver.Email,
		To:      "jdoe@example.com",
		Subject: "Your sign-in code",
		Body:    "Your sign-in code is " + deliver.Placeholder + ".",
		Secret:  triggers.Secret("483920"),
	}
	fmt.Println(m.Masked())
	fmt.Println("secret:", m.Secret)
	fmt.Println("Text holds the code:", strings.Contains(m.Text(), m.Secret.Reveal()))

	// Output:
	// Your sign-in code is [REDACTED].
	// secret: [REDACTED]
	// Text holds the code: true
}

// Any function can be a Sender: here one that prints what it would send,
// without the secret.
func ExampleSenderFunc() {
	var sender deliver.Sender = deliver.SenderFunc(func(_ context.Context, m deliver.Message) error {
		fmt.Printf("%s to %s: %s\n", m.Channel, deliver.MaskAddress(m.To), m.Masked())
		return nil
	})
	err := sender.Send(context.Background(), deliver.Message{
		Channel: deliver.SMS,
		To:      "+15555550100",
		Body:    "Your code is " + deliver.Placeholder,
		Secret:  triggers.Secret("483920"),
	})
	if err != nil {
		log.Fatal(err)
	}

	// Output:
	// SMS to +1******0100: Your code is [REDACTED]
}

// Log is the development Sender: it logs the message instead of sending
// it, with the secret masked and the recipient partly masked.
func ExampleLog() {
	// A text handler without the time, so that the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	sender := deliver.Log{Logger: logger}
	err := sender.Send(context.Background(), deliver.Message{
		Channel: deliver.Email,
		To:      "jdoe@example.com",
		Subject: "Your sign-in code",
		Body:    "Your sign-in code is " + deliver.Placeholder + ".",
		Secret:  triggers.Secret("483920"),
	})
	if err != nil {
		log.Fatal(err)
	}

	// Output:
	// level=INFO msg="deliver: message not sent (development sender)" channel=EMAIL to=j***@example.com subject="Your sign-in code" text="Your sign-in code is [REDACTED]."
}

func ExampleMaskAddress() {
	fmt.Println(deliver.MaskAddress("jdoe@example.com"))
	fmt.Println(deliver.MaskAddress("+15555550100"))

	// Output:
	// j***@example.com
	// +1******0100
}

// CheckBody catches a template that would send no code, or two.
func ExampleCheckBody() {
	fmt.Println(deliver.CheckBody("Your code is " + deliver.Placeholder + "."))
	fmt.Println(deliver.CheckBody("Your code is below.") != nil)

	// Output:
	// <nil>
	// true
}
