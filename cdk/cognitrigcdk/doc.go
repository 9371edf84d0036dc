// Package cognitrigcdk is an AWS CDK construct that deploys cognitrig: a
// Cognito user pool with every trigger wired to Lambda functions built
// from the handlers/ entry points, the DynamoDB tables they use,
// least-privilege permissions and CloudWatch alarms. Add it to a stack of
// your own with New; command app in this module synthesizes a stack with
// it. To a user pool your CDK app defines itself, Attach adds only the
// features you choose (see "Attaching to a pool of your own").
//
// This package lives in its own Go module (github.com/cognitrig/cognitrig/cdk),
// so that users of the cognitrig library never download the CDK.
//
// # Functions
//
// Props.Shape chooses one function for every trigger (SingleFunction,
// built from handlers/all) or one per concern (FunctionPerConcern):
//
//	entry point  triggers
//	customauth   DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse
//	tenancy      PreSignUp, PostConfirmation, PreTokenGeneration (V2_0, through PreTokenGenerationConfig)
//	migration    UserMigration (only with Props.Migration)
//	messages     CustomMessage; CustomEmailSender and, with SMS, CustomSMSSender (only with Props.CustomSenders)
//	authevents   PreAuthentication, PostAuthentication
//
// Every function runs on provided.al2023 on arm64, with a timeout of at
// most 4 seconds (Cognito waits 5), a log group with a retention, AWS
// X-Ray active tracing (FunctionProps.DisableTracing turns it off), and
// three alarms: errors, throttles, and a p99 duration close to the
// timeout. Every alarm notifies Cognitrig.AlarmTopic when it fires and
// when it clears: AlarmProps.Topic, or a topic the construct creates,
// encrypted with a rotated KMS key of its own that CloudWatch may use,
// TLS only, and open to the CloudWatch alarms of this account and region.
//
// Cognito invokes the custom email and SMS senders asynchronously, every
// other trigger synchronously (AWS: Amazon Cognito "Using Lambda
// triggers"). With Props.CustomSenders the function that serves them
// (messages, or all) gets a dead-letter queue, Cognitrig.DeadLetterQueue
// (SQS-managed encryption, TLS only, 14 days), where an event lands after
// Lambda's retries fail (AWS Lambda "Asynchronous invocation"), and an
// alarm on any message in it: a temporary password or code that never
// reached its user is where an operator sees it. The code comes from Props.Code: by default GoBuild, a local
// `go build` of handlers/NAME when the app synthesizes, without Docker.
//
// # Attaching to a pool of your own
//
// Attach takes an awscognito.UserPool of your app and Features, typed
// settings per feature (nil adds nothing), and adds exactly what those
// features need: the functions of their entry points, each wired to the
// union of its features' triggers, their tables, IAM statements and
// alarms, and the keys and secrets they use. With no feature it adds
// nothing at all.
//
//	feature            function    triggers
//	CustomAuth         customauth  DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse
//	Tenancy            tenancy     PreSignUp, PostConfirmation, PreTokenGenerationConfig V2_0 (V3_0 with MachineToMachineClaims)
//	Invitations        tenancy     PreSignUp, PostConfirmation
//	FederationLinking  tenancy     PreSignUp
//	InboundFederation  tenancy     InboundFederation V1_0
//	WelcomeEmail       tenancy     PostConfirmation
//	Migration          migration   UserMigration
//	CustomMessages     messages    CustomMessage
//	CustomSenders      messages    CustomEmailSender, and CustomSMSSender with SMS (V1_0)
//	AuthEvents         authevents  PreAuthentication, PostAuthentication
//
// Pre token generation V2_0 customizes the ID and access tokens of users;
// V3_0 also the access tokens of machine-to-machine client-credentials
// grants. Both need the Essentials or Plus feature plan (Amazon Cognito
// "Pre token generation Lambda trigger"), so Tenancy on a LITE pool is
// refused. The CDK's UserPool takes the custom sender key only when
// constructed (UserPoolProps.CustomSenderKmsKey): on a pool built without
// one, Attach sets LambdaConfig.KMSKeyID and the senders through the
// CloudFormation resource (as it does for the inbound federation trigger,
// which the CDK does not know); on a pool built with one, give that key as
// CustomSendersFeature.Key.
//
// With CustomAuth, an app client of the pool that signs users in with the
// password alone would hand out tokens without the sequence's later
// steps: when the app synthesizes, a client of the pool that allows SRP,
// USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH or USER_AUTH (or leaves
// ExplicitAuthFlows unset, which Cognito reads as SRP; Amazon Cognito API
// Reference, "CreateUserPoolClient"), or managed login with the Cognito
// user directory, fails the synth, naming the client and the flow, unless
// it is listed in CustomAuthFeature.PasswordClients (such as the client
// that migrates users).
//
// New is a thin layer on the same code: it makes the pool and its clients,
// then attaches the whole stack's features in its own scope, so that its
// logical IDs are those it always had.
//
// # Tables
//
// Every table is on-demand, with point-in-time recovery, a TTL attribute
// and deletion protection, and is kept when the stack is deleted. Their
// names are generated and passed to the functions in environment
// variables. The key schemas mirror the stores that use them:
//
//	table       variable                    partition     sort    TTL        store
//	tenancy     COGNITRIG_TENANCY_TABLE     pk (S)        sk (S)  ttl        tenancy/dynamostore
//	challenges  COGNITRIG_CHALLENGES_TABLE  pk (S)        -       expiresAt  customauth/records
//	migration   COGNITRIG_MIGRATION_TABLE   username (S)  -       expiresAt  migration/dynamotracker (Props.Migration only)
//	audit       COGNITRIG_AUDIT_TABLE       pk (S)        sk (S)  expiresAt  lifecycle/authpolicy (sign-in audit)
//	confirm     COGNITRIG_CONFIRM_TABLE     pk (S)        -       expiresAt  lifecycle/confirm (post-confirmation markers)
//
// The confirm table serves Props.WelcomeEmail: the tenancy function sends
// each confirmed user one welcome email however often Cognito retries the
// confirmation. It is created either way, and the functions get its name
// and access only with WelcomeEmail.
//
// The migration table also has the index outcome-lastSeen (outcome S,
// lastSeen N, all attributes), by which operators list the users left to
// migrate.
//
// # Permissions
//
// Each function's role allows only writing to its own log group, inline.
// Everything else is in a separate IAM policy attached to the role: the
// DynamoDB actions its stores call, on its tables only; the Cognito admin
// actions it calls, on this user pool only; ses:SendEmail on the
// identities of Props.EmailFrom; sns:Publish to phone numbers (not
// topics) with Props.SMS; kms:Decrypt on the sender key; kms:GenerateMac
// and kms:VerifyMac on the magic-link key (Props.MagicLinkKey), for the
// custom-auth function only. Keeping these out
// of the role's default policy avoids the dependency cycle pool ->
// function -> policy -> pool.
//
// # Secrets
//
// Every secret is an awssecretsmanager.ISecret that the function reads
// once when it starts (config.WithSecrets): the master key
// (Props.MasterKeySecret, CustomAuthFeature.MasterKeySecret; default:
// generated), the CAPTCHA secret key (CaptchaSettings.Secret), the legacy
// client secret (MigrationFeature.ClientSecret) and the migration name key
// (MigrationFeature.NameKeySecret; default: generated); New takes the
// last three in Props.Secrets, by variable. The function that reads one
// gets only the secret's ARN, in COGNITRIG_MASTER_KEY_SECRET_ARN,
// COGNITRIG_CAPTCHA_SECRET_ARN, COGNITRIG_LEGACY_CLIENT_SECRET_ARN or
// COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN (a secret imported by name: its
// name, since Secrets Manager misreads a partial ARN whose name ends in a
// hyphen and six characters), with
// secretsmanager:GetSecretValue on that secret alone (a secret imported
// by name: its partial ARN followed by "-??????") and kms:Decrypt on its
// key, through Secrets Manager, when it has a key of its own. So no
// secret is in the template or in the function's configuration (which
// anyone allowed lambda:GetFunctionConfiguration can read), and a rotated
// secret reaches every container started after the rotation. Refused: a
// secret variable (COGNITRIG_MASTER_KEY, COGNITRIG_CAPTCHA_SECRET,
// COGNITRIG_LEGACY_CLIENT_SECRET, COGNITRIG_LEGACY_NAME_KEY) or the
// variable naming its secret in a plain environment property
// (Props.Environment, AttachProps.Environment); a Secret of the app whose
// value the template holds (SecretStringValue in plain text, alone or
// joined with tokens) or that Secrets Manager generates in a form the
// function cannot use (JSON; a key that is not base64 of 32 or more
// bytes); a secret in another region; an ARN or name with a wildcard; a
// key given by its alias; and the CAPTCHA secret or the legacy client
// secret given as the same secret as another secret its function reads.
// A secret with a customer managed key must be imported with that key
// (awssecretsmanager.Secret_FromSecretAttributes with EncryptionKey), or
// the function is not allowed to decrypt it.
//
// # Clients
//
// The app client serves the custom authentication sequence, so it allows
// custom authentication and refresh only: SRP, the password flows,
// choice-based sign-in and managed login would each give tokens without
// the sequence's later steps. Asking for one (ClientProps.ExtraAuthFlows,
// ManagedLogin) fails at synth, naming the client and the flow, unless
// ClientProps.AllowSequenceBypass opts out. It does not reveal whether a
// user exists, and no client may write custom:tenantId. With
// Props.Migration a second client, MigrationClient, allows
// USER_PASSWORD_AUTH and refresh only (the one API flow that hands the
// password to the migration trigger): it never serves the sequence, synth
// warns that it bypasses it, and turning migration off removes it.
//
// # cdk-nag
//
// The construct passes the cdk-nag AwsSolutions and Serverless packs
// (TestCdkNag). What they flag that is a deliberate choice is suppressed
// on the one resource concerned, with the reason in the template
// (Metadata.cdk_nag), never stack-wide:
//
//	Serverless-LambdaDLQ         functions serving only synchronous triggers: Cognito shows the error to the caller; a DLQ applies to asynchronous invocations only
//	Serverless-SQSRedrivePolicy  the dead-letter queue: it is the DLQ itself, read by operators
//	AwsSolutions-SMG4            the generated master key: rotation invalidates outstanding codes, links and invitations; functions read it at start-up
//	AwsSolutions-SMG4            the generated name key: rotation splits one user name's migration records across keys
//	AwsSolutions-COG8            the user pool, unless FeaturePlan is PLUS: the owner's choice
//	AwsSolutions-COG2            the user pool: the custom-auth sequence is the second factor; Cognito MFA does not apply to CUSTOM_AUTH
//	AwsSolutions-IAM5            Resource::* on each role's default policy: X-Ray writes have no resource-level permissions
//	AwsSolutions-IAM5            IdentityPoolAccess: the wildcard is below ${cognito-identity.amazonaws.com:sub}/
//	Serverless-LambdaTracing     functions, only with DisableTracing: the owner's choice
//
// # Testing
//
// Synth tests pass Prebuilt with a directory of placeholder bootstrap
// files, so that they compile nothing:
//
//	c, err := cognitrigcdk.New(stack, "Cognitrig", cognitrigcdk.Props{Code: cognitrigcdk.Prebuilt(dir)})
//
// and inspect the template with the CDK assertions package.
package cognitrigcdk
