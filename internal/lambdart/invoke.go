package lambdart

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// InvokeAPI serves Lambda's Invoke API (POST
// /2015-03-31/functions/{name}/invocations) for a set of local functions,
// the way an AWS SDK Lambda client expects it: status 200, the function's
// payload, and X-Amz-Function-Error: Unhandled when the function failed.
// Tools that call Lambda (cognito-local, SAM-less tests) can point their
// Lambda endpoint at it.
type InvokeAPI struct {
	mu        sync.RWMutex
	functions map[string]*Function
}

// NewInvokeAPI returns an InvokeAPI for the named functions.
func NewInvokeAPI(functions map[string]*Function) *InvokeAPI {
	m := make(map[string]*Function, len(functions))
	for k, v := range functions {
		m[k] = v
	}
	return &InvokeAPI{functions: m}
}

// Close stops every function.
func (a *InvokeAPI) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for _, f := range a.functions {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// ServeHTTP implements http.Handler.
func (a *InvokeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2015-03-31/functions/"
	name, rest, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, prefix), "/")
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, prefix) || !ok || rest != "invocations" {
		writeAWSError(w, http.StatusNotFound, "ResourceNotFoundException", "only POST "+prefix+"{name}/invocations is served")
		return
	}
	name = functionName(name)
	a.mu.RLock()
	fn := a.functions[name]
	a.mu.RUnlock()
	if fn == nil {
		writeAWSError(w, http.StatusNotFound, "ResourceNotFoundException",
			fmt.Sprintf("Function not found: %s (served: %s)", name, strings.Join(a.names(), ", ")))
		return
	}
	if t := r.Header.Get("X-Amz-Invocation-Type"); t != "" && t != "RequestResponse" {
		writeAWSError(w, http.StatusBadRequest, "InvalidParameterValueException", "only RequestResponse invocations are served")
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
	if err != nil {
		writeAWSError(w, http.StatusBadRequest, "InvalidRequestContentException", "could not read the payload")
		return
	}
	res, err := fn.Invoke(r.Context(), payload)
	if err != nil {
		writeAWSError(w, http.StatusInternalServerError, "ServiceException", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if res.FunctionError != "" {
		w.Header().Set("X-Amz-Function-Error", res.FunctionError)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
}

// functionName accepts a name, a partial ARN or a full ARN, with or
// without a qualifier, as Lambda does.
func functionName(s string) string {
	if i := strings.LastIndex(s, ":function:"); i >= 0 {
		s = s[i+len(":function:"):]
	}
	name, _, _ := strings.Cut(s, ":")
	return name
}

func (a *InvokeAPI) names() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]string, 0, len(a.functions))
	for k := range a.functions {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func writeAWSError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": msg})
}
