using System.Globalization;
using Archive;
using Archive.Integrations;

/// <summary>
/// The change feed and webhook subscriptions offline (issue #19 item 1): <c>changes list</c> and
/// <c>webhook add|list|enable|disable|remove|deliveries</c>, on the engine's <see cref="ChangeFeedService"/> and
/// <see cref="WebhookService"/> of the data folder, as the operator (no caller: every agency, every change). The server
/// delivers (the CLI only manages subscriptions; the next server start picks them up).
/// </summary>
internal sealed partial class ExchangeCommand
{
    // A property, not a field: VerbList (ExchangeCommand.cs) spreads it, and static field initialisers of partial files run in no defined order.
    private static Verb[] IntegrationVerbs =>
    [
        new("changes list", "[--after CURSOR] [--limit N] [--agency ID]",
            "Lists committed record-file changes after a cursor, oldest first (cursor, file code, version, kind, time, actor), then the cursor to resume at on stderr.",
            ["after", "limit", "agency"], [], null),
        new("webhook add", "--agency ID --url URL --events RecordFileChanged,Searchable,AccessionDone,RetentionDue,PlanTaskOverdue,HandoverReceived,HandoverAccepted [--description TEXT] [--start-after CURSOR]",
            "Subscribes a URL to an agency's events; prints the id, then the signing secret (shown once). The URL is checked by the SSRF rules of Archive:Webhooks.",
            ["agency", "url", "events", "description", "start-after"], [], null),
        new("webhook list", "[--agency ID]",
            "Lists the webhook subscriptions: id, agency, enabled, events, URL, failures, cursor.",
            ["agency"], [], null),
        new("webhook enable", "--id ID",
            "Enables a subscription (after it was disabled by hand or by repeated failures); the failure count is reset.",
            ["id"], [], null),
        new("webhook disable", "--id ID",
            "Disables a subscription: nothing is delivered until it is enabled again (its cursor is kept).",
            ["id"], [], null),
        new("webhook remove", "--id ID",
            "Deletes a subscription and its delivery log.",
            ["id"], [], null),
        new("webhook deliveries", "--id ID [--after ENTRY] [--limit N]",
            "Lists a subscription's delivery log, oldest first: time, delivery id, event, attempt, status, duration, error.",
            ["id", "after", "limit"], [], null),
    ];

    private static bool IsIntegrationVerb(string name) => name.StartsWith("changes ", StringComparison.Ordinal) || name.StartsWith("webhook ", StringComparison.Ordinal);

    private static List<WebhookEventKind>? EventKindsOf(string? value)
    {
        var kinds = new List<WebhookEventKind>();
        foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<WebhookEventKind>(part, ignoreCase: true, out var kind) || int.TryParse(part, out _))
            {
                return null;
            }

            kinds.Add(kind);
        }

        return kinds;
    }

    /// <summary>The usage errors of the change-feed and webhook verbs (values that cannot be read; the engine checks the rest).</summary>
    private string? CheckIntegration()
    {
        string? Need(params string[] names) => names.FirstOrDefault(n => !_options.ContainsKey(n)) is { } missing ? $"Missing option --{missing}." : null;
        string? Limit() => _options.TryGetValue("limit", out var v) && !int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $"Option --limit must be a whole number, not '{v}'." : null;
        return _verb!.Name switch
        {
            "changes list" => Limit(),
            "webhook add" => Need("agency", "url", "events")
                ?? (EventKindsOf(_options["events"]) is null ? $"Option --events lists RecordFileChanged, Searchable, AccessionDone, RetentionDue, PlanTaskOverdue, HandoverReceived, HandoverAccepted (comma-separated), not '{_options["events"]}'." : null),
            "webhook list" => null,
            "webhook deliveries" => Need("id") ?? Limit(),
            _ => Need("id"),
        };
    }

    private sealed partial class Run
    {
        public async Task<int> IntegrationAsync()
        {
            var webhooks = services.GetRequiredService<WebhookService>();
            int? Limit() => Option("limit") is { } l ? int.Parse(l, NumberStyles.None, CultureInfo.InvariantCulture) : null;
            switch (command._verb!.Name)
            {
                case "changes list":
                {
                    var feed = services.GetRequiredService<ChangeFeedService>();
                    var page = await feed.ReadAsync(Option("after"), Limit() ?? ChangeFeedService.DefaultLimit, caller: null, Option("agency"), cancellationToken).ConfigureAwait(false);
                    foreach (var c in page.Items)
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{c.Cursor}\t{c.FileCode}\t{(c.Version is { } v ? "v" + v : "-")}\t{c.Kind}\t{c.Timestamp:O}\t{c.Actor}")).ConfigureAwait(false);
                    }

                    await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{page.Items.Count} changes; next: --after {page.NextCursor}{(page.HasMore ? " (more are waiting)" : string.Empty)}")).ConfigureAwait(false);
                    return Success;
                }

                case "webhook add":
                {
                    var input = new WebhookSubscriptionInput
                    {
                        AgencyId = Option("agency"),
                        Url = Option("url"),
                        Events = EventKindsOf(Option("events")),
                        Description = Option("description"),
                        StartAfter = Option("start-after"),
                    };
                    var created = await webhooks.CreateAsync(input, caller: null, User, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync(created.Subscription.Id).ConfigureAwait(false);
                    await output.WriteLineAsync(created.Secret).ConfigureAwait(false);
                    await error.WriteLineAsync($"Subscribed {created.Subscription.Url} to {string.Join(",", created.Subscription.Events)} of agency {created.Subscription.AgencyId}. The secret (second line) is shown once: keep it to verify signatures.").ConfigureAwait(false);
                    return Success;
                }

                case "webhook list":
                {
                    var count = 0;
                    await foreach (var s in webhooks.ListAsync(Option("agency"), caller: null, cancellationToken).ConfigureAwait(false))
                    {
                        count++;
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{s.Id}\t{s.AgencyId}\t{(s.Enabled ? "enabled" : "disabled")}\t{string.Join(",", s.Events)}\t{s.Url}\t{s.ConsecutiveFailures} failures\t{s.Cursor}{(s.DisabledReason is null ? string.Empty : "\t" + s.DisabledReason)}")).ConfigureAwait(false);
                    }

                    await error.WriteLineAsync(count.ToString(CultureInfo.InvariantCulture) + " subscriptions").ConfigureAwait(false);
                    return Success;
                }

                case "webhook enable" or "webhook disable":
                {
                    var enable = command._verb.Name == "webhook enable";
                    var s = await webhooks.UpdateAsync(Option("id")!, new WebhookSubscriptionUpdate { Enabled = enable }, caller: null, User, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"{s.Id}\t{(s.Enabled ? "enabled" : "disabled")}").ConfigureAwait(false);
                    return Success;
                }

                case "webhook remove":
                {
                    if (!await webhooks.DeleteAsync(Option("id")!, caller: null, User, cancellationToken).ConfigureAwait(false))
                    {
                        throw new ArchiveNotFoundException(WebhookService.ObjectType, Option("id")!);
                    }

                    await output.WriteLineAsync($"{Option("id")}\tremoved").ConfigureAwait(false);
                    return Success;
                }

                default:
                {
                    var page = await webhooks.ListDeliveriesAsync(Option("id")!, Option("after"), Limit() ?? 100, caller: null, cancellationToken).ConfigureAwait(false);
                    foreach (var a in page.Items)
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{a.Id}\t{a.At:O}\t{a.DeliveryId}\t{a.Event}\tattempt {a.Attempt}\t{(a.StatusCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "-")}\t{a.DurationMs} ms\t{(a.Succeeded ? "ok" : a.Error)}")).ConfigureAwait(false);
                    }

                    await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{page.Items.Count} attempts{(page.NextAfter is null ? string.Empty : "; next: --after " + page.NextAfter)}")).ConfigureAwait(false);
                    return Success;
                }
            }
        }
    }
}
