package lambdart

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

func TestInvokeAPI(t *testing.T) {
	fn, err := Start(Config{Name: "fn", Binary: buildTestFunction(t), Timeout: 2 * time.Second, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	api := NewInvokeAPI(map[string]*Function{"fn": fn})
	defer api.Close()
	srv := httptest.NewServer(api)
	defer srv.Close()

	post := func(path, body string) *http.Response {
		t.Helper()
		resp, err := http.Post(srv.URL+path, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post("/2015-03-31/functions/fn/invocations", `{"action":"echo"}`)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Function-Error") != "" || string(body) != `{"action":"echo"}` {
		t.Errorf("echo: %d %q %s", resp.StatusCode, resp.Header.Get("X-Amz-Function-Error"), body)
	}
	resp = post("/2015-03-31/functions/arn:aws:lambda:local:000000000000:function:fn:$LATEST/invocations", `{"action":"fail"}`)
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Function-Error") != "Unhandled" || !strings.Contains(string(body), "failed on purpose") {
		t.Errorf("fail: %d %q %s", resp.StatusCode, resp.Header.Get("X-Amz-Function-Error"), body)
	}
	resp = post("/2015-03-31/functions/nope/invocations", `{}`)
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || !strings.Contains(string(body), "served: fn") {
		t.Errorf("unknown function: %d %s", resp.StatusCode, body)
	}

	// The AWS SDK's own Lambda client works against it.
	client := lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("fn"), Payload: []byte(`{"action":"fail"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "failed on purpose") {
		t.Errorf("SDK invoke: %q %s", aws.ToString(out.FunctionError), out.Payload)
	}
}
