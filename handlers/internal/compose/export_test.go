package compose

import (
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// NewDeps returns the Deps that Build makes, with the AWS SDK
// configuration cfg.
func NewDeps(lookup func(string) (string, bool), cfg aws.Config) *Deps {
	return &Deps{Lookup: lookup, awsConfig: func() (aws.Config, error) { return cfg, nil }}
}

// BuildLazy is Main's build: the AWS SDK configuration loaded by load on
// first use.
func BuildLazy(lookup func(string) (string, bool), load func() (aws.Config, error), stdout io.Writer, concerns ...Concern) (*Function, error) {
	return build(lookup, load, false, stdout, concerns...)
}
