package cognitrigcdk

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
)

// GoBuild returns a CodeFunc that builds handlers/NAME of the Go module at
// source with the local Go toolchain when the app synthesizes (no Docker):
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -buildvcs=false -o ASSET/bootstrap ./handlers/NAME
//
// The asset is hashed by its output, so a deployment updates a function
// exactly when its binary changes. A failed build stops the synth with the
// compiler's output.
func GoBuild(source string) CodeFunc { return GoBuildWithTags(source) }

// NoSendersTag is the build tag that leaves the custom email and SMS
// senders, and the AWS Encryption SDK they decrypt with (6 to 8 MB of
// the binary), out of handlers/all and handlers/messages. New builds with
// it unless Props.CustomSenders is set; such a function refuses to start
// if COGNITRIG_KMS_KEY_ARN is set anyway.
const NoSendersTag = "cognitrig_nosenders"

// GoBuildWithTags is GoBuild with build tags besides lambda.norpc, such as
// NoSendersTag.
func GoBuildWithTags(source string, tags ...string) CodeFunc {
	tags = append([]string{"lambda.norpc"}, tags...)
	return func(handler string) awslambda.Code {
		return awslambda.Code_FromAsset(jsii.String(filepath.Join(source, "handlers", handler)), &awss3assets.AssetOptions{
			DisplayName:   jsii.String("cognitrig handlers/" + handler),
			AssetHashType: awscdk.AssetHashType_OUTPUT,
			Bundling: &awscdk.BundlingOptions{
				// Never used: the local bundler builds or stops the synth,
				// but CDK requires an image.
				Image: awscdk.DockerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/golang:1.26")),
				Local: &localGoBuild{source: source, handler: handler, tags: tags},
			},
		})
	}
}

// Prebuilt returns a CodeFunc that takes each function's code from
// dir/NAME, a directory holding a bootstrap executable: the layout `make
// build` writes to dist/. Synth tests use it with placeholder files.
func Prebuilt(dir string) CodeFunc {
	return func(handler string) awslambda.Code {
		return awslambda.Code_FromAsset(jsii.String(filepath.Join(dir, handler)), nil)
	}
}

// localGoBuild is the awscdk.ILocalBundling that GoBuild uses.
type localGoBuild struct {
	source, handler string
	tags            []string
}

// TryBundle builds the handler into outputDir. It never returns false,
// which would make CDK fall back to Docker: a failed build panics with
// the compiler's output, and the synth stops with it.
func (b *localGoBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := buildHandler(ctx, b.source, b.handler, *outputDir, b.tags); err != nil {
		panic(err)
	}
	return jsii.Bool(true)
}

// BuildHandler builds handlers/handler of the Go module at source into
// outDir/bootstrap, for the provided.al2023 runtime on arm64.
func BuildHandler(ctx context.Context, source, handler, outDir string) error {
	if err := buildHandler(ctx, source, handler, outDir, []string{"lambda.norpc"}); err != nil {
		return fmt.Errorf("cognitrigcdk: %w", err)
	}
	return nil
}

func buildHandler(ctx context.Context, source, handler, outDir string, tags []string) error {
	if err := checkHandler(source, handler); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", strings.Join(tags, ","), "-trimpath", "-buildvcs=false",
		"-o", filepath.Join(outDir, "bootstrap"), "./handlers/"+handler)
	cmd.Dir = source
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./handlers/%s in %s: %w\n%s", handler, source, err, strings.TrimSpace(out.String()))
	}
	return nil
}

// checkHandler reports whether source/handlers/handler is a directory of
// Go files.
func checkHandler(source, handler string) error {
	dir := filepath.Join(source, "handlers", handler)
	gos, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(gos) == 0 {
		return fmt.Errorf("no Go entry point in %s: write handlers/%s, or deploy the SingleFunction shape (handlers/all), or set Props.Code", dir, handler)
	}
	return nil
}

// FindSource walks up from dir to the first directory that holds both a
// go.mod and a handlers directory: the Go module whose entry points the
// functions are built from. (The cdk module itself has no handlers
// directory, so a walk that starts inside it goes on to the main module.)
func FindSource(dir string) (string, error) {
	source, err := findSource(dir)
	if err != nil {
		return "", fmt.Errorf("cognitrigcdk: %w", err)
	}
	return source, nil
}

// NewApp returns a CDK app for a command run from dir (its working
// directory) and the source module FindSource finds from there. The app
// writes its cloud assembly to outdir, or, when outdir is empty, to
// $CDK_OUTDIR (which the AWS CDK CLI sets), or else to cdk.out in the source
// module. The caller calls jsii.Close when done.
func NewApp(dir, outdir string) (awscdk.App, string, error) {
	source, err := FindSource(dir)
	if err != nil {
		return nil, "", err
	}
	outdir = cmp.Or(outdir, os.Getenv("CDK_OUTDIR"), filepath.Join(source, "cdk.out"))
	return awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)}), source, nil
}

func findSource(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find source: %w", err)
	}
	for d := dir; ; {
		if isFile(filepath.Join(d, "go.mod")) && isDir(filepath.Join(d, "handlers")) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("no Go module with a handlers directory above " + dir + ": set Props.Source (or Props.Code)")
		}
		d = parent
	}
}

func isFile(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }
func isDir(p string) bool  { st, err := os.Stat(p); return err == nil && st.IsDir() }
