// Command fn is a test function for lambdart: it echoes, fails, panics,
// sleeps or exits, as its input says.
package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type input struct {
	Action string `json:"action"`
}

func main() {
	lambda.Start(func(ctx context.Context, in input) (input, error) {
		switch in.Action {
		case "fail":
			return in, errors.New("failed on purpose")
		case "panic":
			panic("boom")
		case "sleep":
			time.Sleep(10 * time.Second)
		case "exit":
			os.Exit(3)
		}
		return in, nil
	})
}
