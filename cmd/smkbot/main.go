// Command smkbot runs the association's quality management bot.
//
//	smkbot [serve]     run the bot (the console when TELEGRAM_BOT_TOKEN is unset)
//	smkbot migrate     apply the database migrations and exit
//	smkbot invite      create an invite and print its deep link
//	smkbot console     chat with the bot in the terminal through a fake Telegram
//	smkbot healthcheck ask a running bot's /healthz (for container health checks)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	_ "time/tzdata" // the zone database inside the binary: the image has none
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile := cpuProfile(os.Getenv("SMKBOT_CPUPROFILE"))
	err := Main(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout)
	stopProfile()
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "smkbot:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `usage: smkbot [command] [flags]

commands:
  serve        run the bot (default); without TELEGRAM_BOT_TOKEN it opens the console
  migrate      apply the database migrations and exit
  invite       create an invite: -role ROLE [-org ID] [-uses N] [-ttl DURATION]
  console      chat with the bot in this terminal through an in-process fake Telegram
  healthcheck  exit 0 when the bot at HTTP_ADDR answers /healthz

configuration is the environment; see README.md.
`

// Main runs one subcommand. It is main without the process: tests call it.
func Main(ctx context.Context, args []string, lookup func(string) (string, bool), stdin io.Reader, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := LoadConfig(lookup)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch cmd {
	case "serve":
		if cfg.Token == "" {
			log.Info("TELEGRAM_BOT_TOKEN is not set: opening the console")
			return console(ctx, cfg, stdin, stdout)
		}
		return run(ctx, cfg, log, nil)
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "invite":
		return invite(ctx, cfg, args, stdout)
	case "console":
		return console(ctx, cfg, stdin, stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg)
	}
	fmt.Fprintf(stdout, "unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

// cpuProfile writes a CPU profile of the whole run to path when it is set
// (SMKBOT_CPUPROFILE, undocumented: for the load tool and for finding a
// bottleneck). It returns the function that finishes the profile.
func cpuProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smkbot: SMKBOT_CPUPROFILE:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "smkbot: SMKBOT_CPUPROFILE:", err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
