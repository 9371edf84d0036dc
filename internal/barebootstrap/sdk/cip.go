//go:build !bare_select || bare_cip

package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func init() {
	clientMakers = append(clientMakers, func(cfg aws.Config) any { return cip.NewFromConfig(cfg) })
}
