package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"smkbot/bot"
	"smkbot/flows/onboarding"
	"smkbot/storage"
)

func migrate(ctx context.Context, cfg Config, stdout io.Writer) error {
	if err := storage.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

// invite creates an invite from the command line, which is how the very
// first administrator gets into the bot.
func invite(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	fs.SetOutput(stdout)
	role := fs.String("role", "", "role to grant: "+roleList())
	org := fs.Int64("org", 0, "organisation id (required for quality_manager, auditor, teacher)")
	uses := fs.Int("uses", 1, "how many people may use the invite")
	ttl := fs.Duration("ttl", 7*24*time.Hour, "how long the invite stays valid")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	r := storage.Role(*role)
	switch {
	case !r.Valid():
		return fmt.Errorf("invite: -role must be one of %s", roleList())
	case r.OrgScoped() && *org == 0:
		return fmt.Errorf("invite: role %s belongs to an organisation: give -org ID", r)
	case *uses < 1 || *uses > 1000:
		return fmt.Errorf("invite: -uses must be between 1 and 1000")
	case *ttl < time.Minute:
		return fmt.Errorf("invite: -ttl must be at least 1m")
	}
	if err := storage.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	code, _, err := store.CreateInvite(ctx, 0, r, *org, *uses, *ttl)
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	if cfg.Token == "" {
		// Without a token the bot's username is unknown; the console takes
		// the code as /start <code>.
		fmt.Fprintf(stdout, "/start %s\n%s\n", code, code)
		return nil
	}
	client, err := bot.NewClient(ctx, cfg.Token, cfg.APIEndpoint, time.Minute)
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	fmt.Fprintf(stdout, "%s\n%s\n", onboarding.DeepLink(client.Username(), code), code)
	return nil
}

func roleList() string {
	var names []string
	for _, r := range storage.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// healthcheck asks the bot's own /healthz; the container image has no
// shell or curl to do it.
func healthcheck(ctx context.Context, cfg Config) error {
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s", resp.Status)
	}
	return nil
}
