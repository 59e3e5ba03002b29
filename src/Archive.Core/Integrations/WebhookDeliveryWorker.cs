using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Hosting;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Integrations;

/// <summary>
/// Delivers webhook events in the background (a hosted service; with several hosts on one store one delivers at a time,
/// under the lease <c>jobs/webhooks</c>). For each enabled subscription it reads the change feed from the subscription's
/// persisted cursor, scoped to the subscription's agency (files it holds, no Secret ones) — with the handover and due notices
/// the same trail holds (<see cref="WebhookEventKind"/>; the due scan runs first in a round, see <see cref="WebhookOptions.DueScanInterval"/>) —
/// and POSTs each wanted event as
/// JSON signed with the subscription's secret: <c>X-Archive-Signature: sha256=&lt;hex HMAC-SHA256(secret, timestamp + "." +
/// body)&gt;</c>, <c>X-Archive-Timestamp</c> (Unix seconds), <c>X-Archive-Delivery</c> (the same id on every attempt of an event)
/// and <c>X-Archive-Event</c>. The cursor moves only after a change's events were answered 2xx, so a delivery survives a
/// restart (at least once: a crash between the answer and the saved cursor repeats it with the same delivery id). A failed
/// attempt waits with exponential backoff; after <see cref="WebhookOptions.MaxConsecutiveFailures"/> the subscription is
/// disabled until someone enables it. Every attempt is logged (status, duration, error). It reads only what is committed,
/// so it never blocks or slows the write path.
/// </summary>
public sealed partial class WebhookDeliveryWorker : BackgroundService
{
    /// <summary>The lease under which one host delivers.</summary>
    public const string LeaseName = "jobs/webhooks";

    private const int ChangesPerRound = 100;

    private readonly WebhookService _subscriptions;
    private readonly ChangeFeedService _feed;
    private readonly RecordFileService _files;
    private readonly StorageLeases _leases;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private DateTimeOffset? _lastScan;

    /// <summary>Creates the worker.</summary>
    public WebhookDeliveryWorker(WebhookService subscriptions, ChangeFeedService feed, RecordFileService files, StorageLeases leases, WebhookUrlGuard guard, IOptions<WebhookOptions> options, TimeProvider? timeProvider = null, ILogger<WebhookDeliveryWorker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(options);
        _subscriptions = subscriptions;
        _feed = feed;
        _files = files;
        _leases = leases;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
#pragma warning disable CA2000 // owned by the HttpClient (disposeHandler: true)
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, ct) => guard.ConnectAsync(context.DnsEndPoint, ct),
        };
#pragma warning restore CA2000
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The signature header value of <paramref name="body"/> sent at <paramref name="timestamp"/>: <c>sha256=</c> + hex HMAC-SHA256(secret, timestamp + "." + body).</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(timestamp);
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>One round over every subscription (what the background loop does every <see cref="WebhookOptions.PollInterval"/>); returns the attempts made.</summary>
    public async ValueTask<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var subscriptions = new List<WebhookService.StoredSubscription>();
        await foreach (var stored in _subscriptions.ListStoredAsync(cancellationToken).ConfigureAwait(false))
        {
            subscriptions.Add(stored);
        }

        // The timed notices are written only while an enabled subscription wants them (none in a store without one).
        bool Wanted(WebhookEventKind kind) => subscriptions.Any(x => x.Subscription.Enabled && x.Subscription.Events.Contains(kind));
        await ScanIfDueAsync(Wanted(WebhookEventKind.RetentionDue), Wanted(WebhookEventKind.PlanTaskOverdue), cancellationToken).ConfigureAwait(false);
        var attempts = 0;
        foreach (var stored in subscriptions)
        {
            var s = stored.Subscription;
            if (!s.Enabled || (s.NextAttemptAt is { } due && due > _time.GetUtcNow()))
            {
                continue;
            }

            try
            {
                attempts += await DeliverAsync(stored, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One subscription's failure (a damaged object, an unexpected answer) must not stop the others nor the host.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogRoundFailed(_logger, s.Id, ex);
            }
        }

        return attempts;
    }

    /// <summary>The scan for record files falling due and overdue plan tasks, run by <see cref="RunOnceAsync"/> every <see cref="WebhookOptions.DueScanInterval"/> (none when null).</summary>
    internal WebhookDueScanner? DueScanner { get; init; }

    private async ValueTask ScanIfDueAsync(bool retention, bool plans, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (DueScanner is null || !(retention || plans) || (_lastScan is { } last && now - last < _options.DueScanInterval))
        {
            return;
        }

        try
        {
            await DueScanner.ScanAsync(retention, plans, cancellationToken).ConfigureAwait(false);
            _lastScan = now;
        }
#pragma warning disable CA1031 // A failed scan (a damaged plan, the store) must not stop the deliveries; it is tried again next round.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogScanFailed(_logger, ex);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DeliveryEnabled)
        {
            return;
        }

        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lease = await _leases.TryAcquireAsync(LeaseName, stoppingToken).ConfigureAwait(false);
                if (lease is null)
                {
                    await Task.Delay(_options.PollInterval * 5, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await using (lease.ConfigureAwait(false))
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                    while (!linked.IsCancellationRequested)
                    {
                        await RunOnceAsync(linked.Token).ConfigureAwait(false);
                        await Task.Delay(_options.PollInterval, _time, linked.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // The lease was lost: take it again when free.
            }
#pragma warning disable CA1031 // The worker outlives a failing round (listing the store, the lease): a background failure must not stop the host.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogRoundFailed(_logger, "*", ex);
                await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<int> DeliverAsync(WebhookService.StoredSubscription stored, CancellationToken cancellationToken)
    {
        var s = stored.Subscription;
        var caller = ArchiveCaller.Authenticated(new ArchiveUser("webhook:" + s.Id), [ArchiveRoles.Archivist], [s.AgencyId], secretClearance: false, principalId: "webhook:" + s.Id);
        var page = await _feed.ReadForWebhooksAsync(s.Cursor, ChangesPerRound, caller, s.AgencyId, cancellationToken).ConfigureAwait(false);
        var attempts = 0;
        var cursor = s.Cursor;
        foreach (var entry in page.Items)
        {
            var events = (entry.Change is { } change ? EventsOf(s, change).Select(e => Event.Of(s, change, e.Kind, e.Name)) : EventsOf(s, entry.Notice!)).ToList();
            if (entry.Change is { } changed && events.Any(e => e.Kind == WebhookEventKind.Searchable)
                && (await _files.GetProjectionAsync(changed.FileCode, changed.Version!.Value, cancellationToken).ConfigureAwait(false)).State != ProjectionState.Searchable)
            {
                // Not searchable yet: none of this change's events is sent (so none is sent twice); it and what follows wait for the next round.
                await SaveCursorAsync(s.Id, cursor, cancellationToken).ConfigureAwait(false);
                return attempts;
            }

            foreach (var e in events)
            {
                attempts++;
                if (!await AttemptAsync(stored, e, cancellationToken).ConfigureAwait(false))
                {
                    await SaveCursorAsync(s.Id, cursor, cancellationToken).ConfigureAwait(false);
                    return attempts;
                }

                // A success clears the failures (the next event of the change starts a fresh count).
                stored = stored with { Subscription = stored.Subscription with { ConsecutiveFailures = 0 } };
            }

            cursor = ChangeFeedService.EncodeCursor(entry.Sequence);
            await SaveCursorAsync(s.Id, cursor, cancellationToken).ConfigureAwait(false);
        }

        // Past the events the subscription does not see.
        await SaveCursorAsync(s.Id, page.NextCursor, cancellationToken).ConfigureAwait(false);

        return attempts;
    }

    private async ValueTask SaveCursorAsync(string id, string? cursor, CancellationToken cancellationToken)
        => await _subscriptions.SaveProgressAsync(id, x => x.Cursor == cursor ? x : x with { Cursor = cursor }, cancellationToken).ConfigureAwait(false);

    private static IEnumerable<(WebhookEventKind Kind, string Name)> EventsOf(WebhookSubscription s, RecordChange change)
    {
        if (s.Events.Contains(WebhookEventKind.RecordFileChanged))
        {
            yield return (WebhookEventKind.RecordFileChanged, "record-file.changed");
        }

        if (change.Kind == RecordChangeKind.Accessioned && s.Events.Contains(WebhookEventKind.AccessionDone))
        {
            yield return (WebhookEventKind.AccessionDone, "accession.done");
        }

        if (change.Version is not null && s.Events.Contains(WebhookEventKind.Searchable))
        {
            yield return (WebhookEventKind.Searchable, "record-file.searchable");
        }
    }

    private static IEnumerable<Event> EventsOf(WebhookSubscription s, WebhookNotice notice)
    {
        if (s.Events.Contains(notice.Kind))
        {
            var name = NameOf(notice.Kind);
            yield return new Event(notice.Kind, name, $"{s.Id}.{notice.DeliveryKey}.{name}", notice.OccurredAt, notice.FileCode, notice.Data);
        }
    }

    /// <summary>The wire name of an event kind (<c>X-Archive-Event</c>, the payload's <c>event</c>).</summary>
    public static string NameOf(WebhookEventKind kind) => kind switch
    {
        WebhookEventKind.RecordFileChanged => "record-file.changed",
        WebhookEventKind.Searchable => "record-file.searchable",
        WebhookEventKind.AccessionDone => "accession.done",
        WebhookEventKind.RetentionDue => "retention.due",
        WebhookEventKind.PlanTaskOverdue => "plan-task.overdue",
        WebhookEventKind.HandoverReceived => "handover.received",
        WebhookEventKind.HandoverAccepted => "handover.accepted",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>One event to deliver: its kind and name, delivery id, time, record file and payload data.</summary>
    private sealed record Event(WebhookEventKind Kind, string Name, string DeliveryId, DateTimeOffset OccurredAt, string? FileCode, object Data)
    {
        public static Event Of(WebhookSubscription s, RecordChange change, WebhookEventKind kind, string name)
            => new(kind, name, $"{s.Id}.{change.Sequence.ToString(CultureInfo.InvariantCulture)}.{name}", change.Timestamp, change.FileCode, new
            {
                fileCode = change.FileCode,
                version = change.Version,
                kind = change.Kind.ToString(),
                actor = change.Actor,
                cursor = change.Cursor,
            });
    }

    private async ValueTask<bool> AttemptAsync(WebhookService.StoredSubscription stored, Event e, CancellationToken cancellationToken)
    {
        var s = stored.Subscription;
        var (kind, name, deliveryId) = (e.Kind, e.Name, e.DeliveryId);
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = deliveryId,
            @event = name,
            subscriptionId = s.Id,
            agencyId = s.AgencyId,
            occurredAt = e.OccurredAt,
            data = e.Data,
        }, WebhookService.Json);
        var now = _time.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var attempt = s.ConsecutiveFailures + 1;
        int? status = null;
        string? error = null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, s.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.TryAddWithoutValidation("X-Archive-Signature", Sign(stored.Secret, timestamp, body));
            request.Headers.TryAddWithoutValidation("X-Archive-Timestamp", timestamp);
            request.Headers.TryAddWithoutValidation("X-Archive-Delivery", deliveryId);
            request.Headers.TryAddWithoutValidation("X-Archive-Event", name);
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Archive-Webhooks", "1"));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = $"HTTP {status} {response.ReasonPhrase}";
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"No answer within {_options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
        }
        catch (HttpRequestException ex)
        {
            error = ex.Message;
        }

        var duration = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var ok = error is null;
        var entry = new WebhookDeliveryAttempt
        {
            Id = now.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
            DeliveryId = deliveryId,
            Event = kind,
            FileCode = e.FileCode,
            Attempt = attempt,
            At = now,
            StatusCode = status,
            Succeeded = ok,
            DurationMs = duration,
            Error = error is { Length: > 500 } ? error[..500] : error,
        };
        await _subscriptions.LogAttemptAsync(s.Id, entry, _options.MaxLogEntries, cancellationToken).ConfigureAwait(false);
        if (ok)
        {
            if (s.ConsecutiveFailures != 0 || s.NextAttemptAt is not null)
            {
                await _subscriptions.SaveProgressAsync(s.Id, x => x with { ConsecutiveFailures = 0, NextAttemptAt = null, LastAttemptAt = now }, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }

        LogAttemptFailed(_logger, s.Id, deliveryId, attempt, error!);
        var disable = attempt >= _options.MaxConsecutiveFailures;
        var wait = Backoff(attempt);
        await _subscriptions.SaveProgressAsync(s.Id, x => x with
        {
            ConsecutiveFailures = attempt,
            LastAttemptAt = now,
            NextAttemptAt = now + wait,
            Enabled = !disable && x.Enabled,
            DisabledReason = disable ? $"Disabled after {attempt} consecutive failed deliveries (last: {entry.Error})" : x.DisabledReason,
            UpdatedAt = disable ? now : x.UpdatedAt,
        }, cancellationToken).ConfigureAwait(false);
        if (disable)
        {
            LogDisabled(_logger, s.Id, attempt);
            await _subscriptions.AuditWorkerAsync(s.Id, $"Webhook subscription disabled after {attempt} consecutive failed deliveries", cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var wait = TimeSpan.FromTicks((long)Math.Min(_options.InitialBackoff.Ticks * factor, _options.MaxBackoff.Ticks));
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    [LoggerMessage(EventId = 1660, EventName = "WebhookAttemptFailed", Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} of subscription {SubscriptionId} failed (attempt {Attempt}): {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string subscriptionId, string deliveryId, int attempt, string error);

    [LoggerMessage(EventId = 1661, EventName = "WebhookSubscriptionDisabled", Level = LogLevel.Warning, Message = "Webhook subscription {SubscriptionId} disabled after {Failures} consecutive failed deliveries.")]
    private static partial void LogDisabled(ILogger logger, string subscriptionId, int failures);

    [LoggerMessage(EventId = 1662, EventName = "WebhookRoundFailed", Level = LogLevel.Error, Message = "Webhook delivery for subscription {SubscriptionId} failed; retried at the next round.")]
    private static partial void LogRoundFailed(ILogger logger, string subscriptionId, Exception exception);

    [LoggerMessage(EventId = 1664, EventName = "WebhookDueScanFailed", Level = LogLevel.Error, Message = "The webhook scan for record files falling due and overdue plan tasks failed; tried again at the next round.")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
