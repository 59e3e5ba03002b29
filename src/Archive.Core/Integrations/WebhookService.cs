using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Archive.Audit;
using Archive.Records;
using Archive.Security;
using Archive.Storage;

namespace Archive.Integrations;

/// <summary>One page of a subscription's delivery log.</summary>
/// <param name="Items">The attempts, oldest first.</param>
/// <param name="NextAfter">Pass as <c>after</c> for the next page; null on the last.</param>
public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryAttempt> Items, string? NextAfter);

/// <summary>
/// Webhook subscriptions (issue #19 item 1): per agency and event kind, each an object in the archive's store
/// (<c>webhooks/subscriptions/&lt;id&gt;.json</c>, written whole, atomically) with its signing secret, its delivery cursor in
/// the change feed and its failure count; every attempt in its delivery log (<c>webhooks/deliveries/&lt;id&gt;/</c>). So a
/// subscription, its progress and its log are the same on every host sharing the store and survive restarts. With an
/// <see cref="ArchiveCaller"/> the service is agency-scoped: a subscription is seen and changed by its agency's staff and by
/// administrators (otherwise answered as missing); creating one for another agency is refused (403 <c>scope.agency</c>).
/// Without a caller (offline, the operator) everything. Every create, enable, disable and delete is audited
/// (<see cref="AuditActions.Change"/>, object type <see cref="ObjectType"/>). The signing secret is returned once, by
/// <see cref="CreateAsync"/>, and never again.
/// </summary>
public sealed class WebhookService
{
    /// <summary>The object type of subscriptions in the audit trail.</summary>
    public const string ObjectType = "webhook-subscription";

    /// <summary>Prefix of subscription objects.</summary>
    public const string SubscriptionsPrefix = "webhooks/subscriptions/";

    /// <summary>Prefix of delivery logs.</summary>
    public const string DeliveriesPrefix = "webhooks/deliveries/";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IObjectStore _store;
    private readonly AgencyRegistry _agencies;
    private readonly WebhookUrlGuard _guard;
    private readonly IAuditTrail? _audit;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly IAuditLog? _log;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    public WebhookService(IObjectStore store, AgencyRegistry agencies, WebhookUrlGuard guard, IAuditTrail? audit = null, IArchiveAccessPolicy? policy = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(guard);
        _store = store;
        _agencies = agencies;
        _guard = guard;
        _audit = audit;
        _log = audit as IAuditLog;
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Subscribes: checks every field (the URL by the SSRF rules), stores the subscription, returns it with its secret (shown once).</summary>
    /// <exception cref="ArchiveValidationException">Every broken rule, by field (<c>agencyId</c>, <c>url</c>, <c>events</c>, <c>description</c>, <c>startAfter</c>); nothing stored.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The agency is not the caller's (<c>scope.agency</c>).</exception>
    public async ValueTask<WebhookSubscriptionCreated> CreateAsync(WebhookSubscriptionInput input, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        var errors = new List<ValidationError>();
        var agencyId = input.AgencyId?.Trim();
        if (string.IsNullOrEmpty(agencyId))
        {
            errors.Add(new ValidationError("agencyId", "required", "'agencyId' is required."));
        }
        else if (await _agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false) is null)
        {
            errors.Add(new ValidationError("agencyId", WebhookRules.AgencyUnknown, $"The agency '{agencyId}' is not registered."));
        }

        var events = input.Events?.Distinct().ToList() ?? [];
        if (input.Events is null)
        {
            errors.Add(new ValidationError("events", "required", "'events' is required."));
        }
        else if (events.Count == 0 || events.Any(e => !Enum.IsDefined(e)))
        {
            errors.Add(new ValidationError("events", WebhookRules.Events, "'events' must name at least one event kind: " + string.Join(", ", Enum.GetNames<WebhookEventKind>()) + "."));
        }

        var description = input.Description?.Trim();
        if (description is { Length: > 300 } || (description?.Any(char.IsControl) ?? false))
        {
            errors.Add(new ValidationError("description", WebhookRules.Description, "'description' must be at most 300 characters without control characters."));
        }

        string? cursor = null;
        if (!string.IsNullOrEmpty(input.StartAfter))
        {
            try
            {
                ChangeFeedService.DecodeCursor(input.StartAfter, "startAfter");
                cursor = input.StartAfter;
            }
            catch (ArchiveValidationException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        Uri? url = null;
        if (string.IsNullOrWhiteSpace(input.Url))
        {
            errors.Add(new ValidationError("url", "required", "'url' is required."));
        }
        else
        {
            try
            {
                url = await _guard.CheckAsync(input.Url, cancellationToken).ConfigureAwait(false);
            }
            catch (ArchiveValidationException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        if (caller is not null)
        {
            await Policy.RequireAgencyAsync(caller, agencyId!, ObjectType, cancellationToken).ConfigureAwait(false);
        }

        // "From now": the feed's position at creation, so only later changes are delivered.
        cursor ??= await CurrentCursorAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var secret = "whsec_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var subscription = new WebhookSubscription
        {
            Id = "wh-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            AgencyId = agencyId!,
            Url = url!.AbsoluteUri,
            Events = events,
            Description = string.IsNullOrEmpty(description) ? null : description,
            Enabled = true,
            CreatedBy = caller?.Actor ?? user.Name,
            CreatedAt = now,
            UpdatedAt = now,
            Cursor = cursor,
        };
        await PutAsync(new StoredSubscription { Subscription = subscription, Secret = secret }, createOnly: true, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, user, subscription.Id, $"Webhook subscription created for agency {subscription.AgencyId}: {string.Join(",", events)} to {url.GetLeftPart(UriPartial.Path)}", cancellationToken).ConfigureAwait(false);
        return new WebhookSubscriptionCreated(subscription, secret);
    }

    /// <summary>The subscriptions the caller may see (of <paramref name="agencyId"/> when given), in id order.</summary>
    public async IAsyncEnumerable<WebhookSubscription> ListAsync(string? agencyId, ArchiveCaller? caller, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var stored in ListStoredAsync(cancellationToken).ConfigureAwait(false))
        {
            if ((agencyId is null || stored.Subscription.AgencyId == agencyId) && MaySee(caller, stored.Subscription))
            {
                yield return stored.Subscription;
            }
        }
    }

    /// <summary>A subscription; null when there is none or the caller may not see it.</summary>
    public async ValueTask<WebhookSubscription?> GetAsync(string id, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        var stored = await ReadAsync(id, cancellationToken).ConfigureAwait(false);
        return stored is not null && MaySee(caller, stored.Subscription) ? stored.Subscription : null;
    }

    /// <summary>Enables (resetting the failure count; the next attempt is at once) or disables a subscription.</summary>
    /// <exception cref="ArchiveNotFoundException">No such subscription the caller may see.</exception>
    public async ValueTask<WebhookSubscription> UpdateAsync(string id, WebhookSubscriptionUpdate update, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(user);
        var stored = await ReadAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null || !MaySee(caller, stored.Subscription))
        {
            throw new ArchiveNotFoundException(ObjectType, id);
        }

        if (update.Enabled is not { } enabled)
        {
            return stored.Subscription;
        }

        var s = stored.Subscription;
        var next = enabled
            ? s with { Enabled = true, DisabledReason = null, ConsecutiveFailures = 0, NextAttemptAt = null, UpdatedAt = _time.GetUtcNow() }
            : s with { Enabled = false, DisabledReason = "Disabled by " + (caller?.Actor ?? user.Name), UpdatedAt = _time.GetUtcNow() };
        await PutAsync(stored with { Subscription = next }, createOnly: false, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, user, id, enabled ? "Webhook subscription enabled" : "Webhook subscription disabled", cancellationToken).ConfigureAwait(false);
        return next;
    }

    /// <summary>Deletes a subscription and its delivery log; false when there is none the caller may see.</summary>
    public async ValueTask<bool> DeleteAsync(string id, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var stored = await ReadAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null || !MaySee(caller, stored.Subscription))
        {
            return false;
        }

        await _store.DeleteAsync(SubscriptionKey(id), cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, user, id, $"Webhook subscription of agency {stored.Subscription.AgencyId} deleted", cancellationToken).ConfigureAwait(false);
        await foreach (var item in _store.ListAsync(DeliveriesPrefix + id + "/", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await _store.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>A page of a subscription's delivery log, oldest first, after <paramref name="after"/> (an attempt's id).</summary>
    /// <exception cref="ArchiveNotFoundException">No such subscription the caller may see.</exception>
    /// <exception cref="ArchiveValidationException"><c>limit</c> out of 1..1000.</exception>
    public async ValueTask<WebhookDeliveryPage> ListDeliveriesAsync(string id, string? after, int limit, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000)
        {
            throw new ArchiveValidationException("limit", "range", "'limit' must be between 1 and 1000.");
        }

        if (await GetAsync(id, caller, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ArchiveNotFoundException(ObjectType, id);
        }

        var items = new List<WebhookDeliveryAttempt>();
        string? next = null;
        await foreach (var item in _store.ListAsync(DeliveriesPrefix + id + "/", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var name = item.Key[(DeliveriesPrefix.Length + id.Length + 1)..];
            if (after is not null && string.CompareOrdinal(name, after) <= 0)
            {
                continue;
            }

            if (items.Count == limit)
            {
                next = items[^1].Id;
                break;
            }

            if (await ReadJsonAsync<WebhookDeliveryAttempt>(item.Key, cancellationToken).ConfigureAwait(false) is { } attempt)
            {
                items.Add(attempt);
            }
        }

        return new WebhookDeliveryPage(items, next);
    }

    // ------------------------------------------------------------------ for the delivery worker

    internal async IAsyncEnumerable<StoredSubscription> ListStoredAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _store.ListAsync(SubscriptionsPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (item.Key.EndsWith(".json", StringComparison.Ordinal) && await ReadJsonAsync<StoredSubscription>(item.Key, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                yield return stored;
            }
        }
    }

    internal async ValueTask<StoredSubscription?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return null;
        }

        return await ReadJsonAsync<StoredSubscription>(SubscriptionKey(id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Saves the worker's progress (cursor, failures, backoff, disabling) over the stored subscription as it is now, unless it was deleted meanwhile.</summary>
    internal async ValueTask SaveProgressAsync(string id, Func<WebhookSubscription, WebhookSubscription> change, CancellationToken cancellationToken)
    {
        var stored = await ReadAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return;
        }

        var next = change(stored.Subscription);
        if (!ReferenceEquals(next, stored.Subscription))
        {
            await PutAsync(stored with { Subscription = next }, createOnly: false, cancellationToken).ConfigureAwait(false);
        }
    }

    internal async ValueTask LogAttemptAsync(string subscriptionId, WebhookDeliveryAttempt attempt, int keep, CancellationToken cancellationToken)
    {
        await _store.PutBytesAsync(DeliveriesPrefix + subscriptionId + "/" + attempt.Id, JsonSerializer.SerializeToUtf8Bytes(attempt, Json), new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        if (keep <= 0)
        {
            return;
        }

        // Oldest first beyond the limit (keys sort by time).
        var keys = new List<string>();
        await foreach (var item in _store.ListAsync(DeliveriesPrefix + subscriptionId + "/", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(item.Key);
        }

        for (var i = 0; i < keys.Count - keep; i++)
        {
            await _store.DeleteAsync(keys[i], cancellationToken).ConfigureAwait(false);
        }
    }

    internal ValueTask AuditWorkerAsync(string id, string detail, CancellationToken cancellationToken)
        => AuditAsync(null, new ArchiveUser("webhook-delivery"), id, detail, cancellationToken);

    private static string SubscriptionKey(string id) => SubscriptionsPrefix + id + ".json";

    private IArchiveAccessPolicy Policy => _policy ?? throw new InvalidOperationException("Webhook subscriptions need an IArchiveAccessPolicy to answer a caller.");

    private static bool MaySee(ArchiveCaller? caller, WebhookSubscription s)
        => caller is null || caller.WritesAcross || (caller.IsStaff && caller.Agencies.Contains(s.AgencyId));

    private async ValueTask<string> CurrentCursorAsync(CancellationToken cancellationToken)
    {
        if (_log is null)
        {
            return ChangeFeedService.Start;
        }

        var newest = await _log.QueryAsync(new AuditQuery { NewestFirst = true, PageSize = 1 }, cancellationToken).ConfigureAwait(false);
        return ChangeFeedService.EncodeCursor(newest.Records.Count == 0 ? 0 : newest.Records[0].Sequence);
    }

    private async ValueTask PutAsync(StoredSubscription stored, bool createOnly, CancellationToken cancellationToken)
        => await _store.PutBytesAsync(SubscriptionKey(stored.Subscription.Id), JsonSerializer.SerializeToUtf8Bytes(stored, Json), new PutObjectOptions { CreateOnly = createOnly, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);

    private async ValueTask<T?> ReadJsonAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        var content = await _store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            try
            {
                return await JsonSerializer.DeserializeAsync<T>(content.Stream, Json, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    private async ValueTask AuditAsync(ArchiveCaller? caller, ArchiveUser user, string id, string detail, CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return;
        }

        var e = caller?.ToAuditEvent(AuditActions.Change) ?? new AuditEvent { Action = AuditActions.Change, Actor = user.Name, ActorId = user.Address };
        await _audit.AppendAsync(e with { ObjectType = ObjectType, ObjectId = id, Detail = detail }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A subscription with its secret, as stored.</summary>
    internal sealed record StoredSubscription
    {
        public required WebhookSubscription Subscription { get; init; }

        public required string Secret { get; init; }
    }
}
