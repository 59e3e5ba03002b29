using System.Text.Json.Serialization;

namespace Archive.Integrations;

/// <summary>The kinds of event a webhook subscription receives.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookEventKind>))]
public enum WebhookEventKind
{
    /// <summary>A record file of the agency was created, changed, accessioned or destroyed (<c>record-file.changed</c>; one per change of the feed).</summary>
    RecordFileChanged = 0,

    /// <summary>The background search projection finished a changed version: it is searchable (<c>record-file.searchable</c>).</summary>
    Searchable = 1,

    /// <summary>The Historical Archives accessioned a record file of the agency (<c>accession.done</c>).</summary>
    AccessionDone = 2,

    /// <summary>
    /// A record file the agency holds falls due — for transfer to the Historical Archives (permanent files) or for appraisal
    /// (fixed-term files) — within <see cref="WebhookOptions.DueDaysAhead"/> days (30, as Decree 30 asks), or is due and not yet
    /// acted on (<c>retention.due</c>; once per file, kind of due and due date; Secret files left out).
    /// </summary>
    RetentionDue = 3,

    /// <summary>A task of a reorganisation plan led by the agency passed its deadline without being done (<c>plan-task.overdue</c>; once per task and deadline).</summary>
    PlanTaskOverdue = 4,

    /// <summary>A handover package addressed to the agency was uploaded and verified, and awaits its acceptance (<c>handover.received</c>; receipts at <c>/handover-receipts</c>).</summary>
    HandoverReceived = 5,

    /// <summary>The agency accepted a handover package: custody of the fonds passed to it (<c>handover.accepted</c>; also a package received and accepted in one step at the console).</summary>
    HandoverAccepted = 6,
}

/// <summary>Rule identifiers of webhook subscriptions.</summary>
public static class WebhookRules
{
    /// <summary>The URL is missing, not absolute, too long, or carries user information or a fragment.</summary>
    public const string UrlFormat = "webhook.url-format";

    /// <summary>The URL's scheme is not http or https.</summary>
    public const string UrlScheme = "webhook.url-scheme";

    /// <summary>The URL's host is or resolves to a loopback, link-local, private, unique-local, multicast or unspecified address, or to this host (SSRF), and configuration does not allow it.</summary>
    public const string UrlPrivate = "webhook.url-private";

    /// <summary>The URL's host name does not resolve.</summary>
    public const string UrlUnresolved = "webhook.url-unresolved";

    /// <summary>No event kind, or one that is not a <see cref="WebhookEventKind"/>.</summary>
    public const string Events = "webhook.events";

    /// <summary>The agency is not registered.</summary>
    public const string AgencyUnknown = "webhook.agency-unknown";

    /// <summary>The description is too long or holds control characters.</summary>
    public const string Description = "webhook.description";
}

/// <summary>Webhook delivery settings (<c>Archive:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>Whether this host runs the delivery worker (default true; with several hosts one delivers at a time, by lease).</summary>
    public bool DeliveryEnabled { get; set; } = true;

    /// <summary>
    /// Whether a subscription URL may name (or resolve to) a loopback, link-local, private, unique-local, multicast or
    /// unspecified address or this host (default false: refused at subscription and at connect time, against SSRF).
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Host names (exact, case-insensitive) allowed whatever they resolve to — e.g. an integration server on the agency's own network.</summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>Consecutive failed attempts after which a subscription is disabled (default 10; an administrator or the agency re-enables it).</summary>
    public int MaxConsecutiveFailures { get; set; } = 10;

    /// <summary>The wait after the first failed attempt; doubled after each further one (default 10 s).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between attempts (default 1 h).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one delivery may take, connect to response (default 10 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the worker looks for new events (default 2 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Delivery log entries kept per subscription (oldest removed first; default 1,000).</summary>
    public int MaxLogEntries { get; set; } = 1_000;

    /// <summary>How often the delivery worker looks for record files falling due and overdue plan tasks (default 1 h; the first look at start).</summary>
    public TimeSpan DueScanInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many days before a record file falls due <c>retention.due</c> is sent (default 30, Decree 30/2020/ND-CP).</summary>
    public int DueDaysAhead { get; set; } = 30;
}

/// <summary>What a caller gives to subscribe.</summary>
public sealed record WebhookSubscriptionInput
{
    /// <summary>The agency whose events are delivered (the caller's own, unless administrator).</summary>
    public string? AgencyId { get; init; }

    /// <summary>Where deliveries are POSTed: an absolute http(s) URL (SSRF rules apply).</summary>
    public string? Url { get; init; }

    /// <summary>The event kinds wanted (at least one).</summary>
    public IReadOnlyList<WebhookEventKind>? Events { get; init; }

    /// <summary>A note for people (at most 300 characters).</summary>
    public string? Description { get; init; }

    /// <summary>Where in the change feed deliveries start: null for "from now" (only changes after the subscription).</summary>
    public string? StartAfter { get; init; }
}

/// <summary>A webhook subscription as stored (without its secret, which only <see cref="WebhookSubscriptionCreated"/> carries, once).</summary>
public sealed record WebhookSubscription
{
    /// <summary>Identifier (<c>wh-</c> + 20 hex).</summary>
    public required string Id { get; init; }

    /// <summary>The agency whose events are delivered.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Where deliveries are POSTed.</summary>
    public required string Url { get; init; }

    /// <summary>The event kinds delivered.</summary>
    public required IReadOnlyList<WebhookEventKind> Events { get; init; }

    /// <summary>A note for people.</summary>
    public string? Description { get; init; }

    /// <summary>Whether deliveries run.</summary>
    public required bool Enabled { get; init; }

    /// <summary>Why it is disabled (e.g. after too many consecutive failures), when it is.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>Who created it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The change-feed position delivered up to (the cursor persisted by the worker).</summary>
    public string? Cursor { get; init; }

    /// <summary>Failed attempts since the last success.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the last attempt was made.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the next attempt is due after a failure (backoff).</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}

/// <summary>A new subscription with its signing secret — shown once, never returned again.</summary>
/// <param name="Subscription">The subscription.</param>
/// <param name="Secret">The HMAC-SHA256 signing secret (<c>whsec_</c> + 256 random bits, base64url).</param>
public sealed record WebhookSubscriptionCreated(WebhookSubscription Subscription, string Secret);

/// <summary>A change of a subscription: enable or disable it.</summary>
public sealed record WebhookSubscriptionUpdate
{
    /// <summary>Enable (also resets the failure count and retries at once) or disable; null leaves it.</summary>
    public bool? Enabled { get; init; }
}

/// <summary>One delivery attempt as logged.</summary>
public sealed record WebhookDeliveryAttempt
{
    /// <summary>The log entry's key (ordered by time; pass as <c>after</c> to page).</summary>
    public required string Id { get; init; }

    /// <summary>The delivery id sent in <c>X-Archive-Delivery</c> (the same on every attempt of one event: receivers de-duplicate on it).</summary>
    public required string DeliveryId { get; init; }

    /// <summary>The event kind delivered.</summary>
    public required WebhookEventKind Event { get; init; }

    /// <summary>The record file concerned.</summary>
    public string? FileCode { get; init; }

    /// <summary>Which attempt of this delivery (1 = first).</summary>
    public required int Attempt { get; init; }

    /// <summary>When it was made.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The HTTP status answered, when one was.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Whether the receiver answered 2xx.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>How long it took, in milliseconds.</summary>
    public required long DurationMs { get; init; }

    /// <summary>What went wrong (no secret, at most 500 characters).</summary>
    public string? Error { get; init; }
}
