// Package attach wires Lambda functions to the triggers of a Cognito user
// pool that CDK does not manage (made in the console, by CloudFormation
// elsewhere or by Terraform), for `cognitrig attach` and `cognitrig detach`.
//
// Cognito's UpdateUserPool sets every setting the request leaves out to its
// default ("If you don't provide a value for an attribute, Amazon Cognito
// sets it to its default value", Amazon Cognito API Reference,
// "UpdateUserPool"). So Plan reads the pool as DescribeUserPool returns it,
// copies every setting that UpdateUserPool accepts back into the request
// unchanged, and changes only LambdaConfig. Where a setting cannot be
// written back as it was, Plan refuses and names it, rather than letting
// the update reset it.
//
// Apply then calls UpdateUserPool and grants cognito-idp.amazonaws.com
// lambda:InvokeFunction on the function with the pool's ARN as the source
// ARN ("Using Lambda triggers", Amazon Cognito Developer Guide: a function
// needs a resource-based policy that lets the user pool invoke it).
package attach
