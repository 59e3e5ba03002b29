using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Archive.Integrations;

namespace Archive.Api.Contracts;

/// <summary>One committed change of a record file in the change feed.</summary>
public sealed record RecordChangeDto
{
    /// <summary>Opaque position of this change: pass it as <c>after</c> to read what came after it.</summary>
    [Required]
    public required string Cursor { get; init; }

    /// <summary>The record file's code.</summary>
    [Required]
    public required string FileCode { get; init; }

    /// <summary>The version committed; null for a destruction.</summary>
    public int? Version { get; init; }

    /// <summary>What happened: Created, Updated, Accessioned or Destroyed.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<RecordChangeKind>))]
    public required RecordChangeKind Kind { get; init; }

    /// <summary>When the change was committed (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who made it.</summary>
    [Required]
    public required string Actor { get; init; }

    /// <summary>Who made it, unambiguously (e.g. <c>apikey:…</c>), when known.</summary>
    public string? ActorId { get; init; }

    internal static RecordChangeDto From(RecordChange c) => new()
    {
        Cursor = c.Cursor,
        FileCode = c.FileCode,
        Version = c.Version,
        Kind = c.Kind,
        Timestamp = c.Timestamp,
        Actor = c.Actor,
        ActorId = c.ActorId,
    };
}

/// <summary>One page of the change feed.</summary>
public sealed record RecordChangePageDto
{
    /// <summary>The changes the caller may see, oldest first.</summary>
    [Required]
    public required IReadOnlyList<RecordChangeDto> Items { get; init; }

    /// <summary>Where to resume (pass as <c>after</c>); also when the page is empty.</summary>
    [Required]
    public required string NextCursor { get; init; }

    /// <summary>Whether more changes are already committed: read again at once; false when caught up (poll later).</summary>
    public required bool HasMore { get; init; }
}

/// <summary>Subscribes to webhook events of an agency.</summary>
public sealed record CreateWebhookRequest
{
    /// <summary>The agency whose events are delivered (the caller's own unless administrator).</summary>
    [Required]
    public string? AgencyId { get; init; }

    /// <summary>Where deliveries are POSTed: an absolute http(s) URL, not a private, loopback or link-local address unless the server allows it.</summary>
    [Required]
    public string? Url { get; init; }

    /// <summary>The event kinds wanted (names of <see cref="WebhookEventKind"/>): RecordFileChanged, Searchable, AccessionDone, RetentionDue, PlanTaskOverdue, HandoverReceived, HandoverAccepted.</summary>
    [Required]
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>The event kinds named; a name that is none stays as an undefined value, which the engine refuses (<c>webhook.events</c>).</summary>
    internal IReadOnlyList<WebhookEventKind>? EventKinds => Events?.Select(e => Enum.TryParse<WebhookEventKind>(e, ignoreCase: false, out var kind) && !int.TryParse(e, out _) ? kind : (WebhookEventKind)(-1)).ToList();

    /// <summary>A note for people (at most 300 characters).</summary>
    public string? Description { get; init; }

    /// <summary>A change-feed cursor to start after; absent: only changes after the subscription.</summary>
    public string? StartAfter { get; init; }
}

/// <summary>Enables or disables a subscription.</summary>
public sealed record UpdateWebhookRequest
{
    /// <summary>true: enable (the failure count is reset and delivery resumes at once); false: disable.</summary>
    public bool? Enabled { get; init; }
}

/// <summary>A webhook subscription (never with its secret).</summary>
public sealed record WebhookSubscriptionDto
{
    /// <summary>Identifier.</summary>
    [Required]
    public required string Id { get; init; }

    /// <summary>The agency whose events are delivered.</summary>
    [Required]
    public required string AgencyId { get; init; }

    /// <summary>Where deliveries are POSTed.</summary>
    [Required]
    public required string Url { get; init; }

    /// <summary>The event kinds delivered (names of <see cref="WebhookEventKind"/>).</summary>
    [Required]
    public required IReadOnlyList<string> Events { get; init; }

    /// <summary>A note for people.</summary>
    public string? Description { get; init; }

    /// <summary>Whether deliveries run.</summary>
    public required bool Enabled { get; init; }

    /// <summary>Why it is disabled, when it is.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>Who created it.</summary>
    [Required]
    public required string CreatedBy { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The change-feed position delivered up to.</summary>
    public string? Cursor { get; init; }

    /// <summary>Failed attempts since the last success.</summary>
    public required int ConsecutiveFailures { get; init; }

    /// <summary>When the last attempt was made.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the next attempt is due after a failure.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    internal static WebhookSubscriptionDto From(WebhookSubscription s) => new()
    {
        Id = s.Id,
        AgencyId = s.AgencyId,
        Url = s.Url,
        Events = s.Events.Select(e => e.ToString()).ToList(),
        Description = s.Description,
        Enabled = s.Enabled,
        DisabledReason = s.DisabledReason,
        CreatedBy = s.CreatedBy,
        CreatedAt = s.CreatedAt,
        UpdatedAt = s.UpdatedAt,
        Cursor = s.Cursor,
        ConsecutiveFailures = s.ConsecutiveFailures,
        LastAttemptAt = s.LastAttemptAt,
        NextAttemptAt = s.NextAttemptAt,
    };
}

/// <summary>A new subscription with its signing secret: shown this once, never again.</summary>
public sealed record WebhookCreatedDto
{
    /// <summary>The subscription.</summary>
    [Required]
    public required WebhookSubscriptionDto Subscription { get; init; }

    /// <summary>The HMAC-SHA256 signing secret; keep it: it is not shown again.</summary>
    [Required]
    public required string Secret { get; init; }
}

/// <summary>The subscriptions the caller may see.</summary>
public sealed record WebhookListDto
{
    /// <summary>The subscriptions, in id order.</summary>
    [Required]
    public required IReadOnlyList<WebhookSubscriptionDto> Items { get; init; }
}

/// <summary>One logged delivery attempt.</summary>
public sealed record WebhookDeliveryDto
{
    /// <summary>The log entry's id (pass as <c>after</c> to page).</summary>
    [Required]
    public required string Id { get; init; }

    /// <summary>The delivery id sent in <c>X-Archive-Delivery</c> (the same on every attempt of one event).</summary>
    [Required]
    public required string DeliveryId { get; init; }

    /// <summary>The event kind delivered.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<WebhookEventKind>))]
    public required WebhookEventKind Event { get; init; }

    /// <summary>The record file concerned.</summary>
    public string? FileCode { get; init; }

    /// <summary>Which attempt (1 = first).</summary>
    public required int Attempt { get; init; }

    /// <summary>When it was made.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The HTTP status answered, when one was.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Whether the receiver answered 2xx.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>How long it took (ms).</summary>
    public required long DurationMs { get; init; }

    /// <summary>What went wrong.</summary>
    public string? Error { get; init; }

    internal static WebhookDeliveryDto From(WebhookDeliveryAttempt a) => new()
    {
        Id = a.Id,
        DeliveryId = a.DeliveryId,
        Event = a.Event,
        FileCode = a.FileCode,
        Attempt = a.Attempt,
        At = a.At,
        StatusCode = a.StatusCode,
        Succeeded = a.Succeeded,
        DurationMs = a.DurationMs,
        Error = a.Error,
    };
}

/// <summary>A page of a subscription's delivery log.</summary>
public sealed record WebhookDeliveryPageDto
{
    /// <summary>The attempts, oldest first.</summary>
    [Required]
    public required IReadOnlyList<WebhookDeliveryDto> Items { get; init; }

    /// <summary>Pass as <c>after</c> for the next page; null on the last.</summary>
    public string? NextAfter { get; init; }
}
