using System.Globalization;
using System.Text.Json;
using Archive.Audit;
using Archive.Reorganisation;
using Archive.Retention;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Integrations;

/// <summary>
/// The time-driven webhook events (issue #19 item 1): looks, as of today, for record files falling due within
/// <see cref="WebhookOptions.DueDaysAhead"/> days — permanent files for transfer to the Historical Archives, fixed-term files for
/// appraisal, by the <see cref="RetentionPlanner"/>'s due years (a file due in year Y is due on 1 January Y) — and for plan tasks
/// past their deadline and not done. Each subject (file, kind of due and due date; plan, task and deadline) is noticed
/// <b>once</b>: the notice's key <c>jobs/webhooks/notices/…</c> is created create-only in the store (two hosts cannot both
/// create it), then the notice is appended to the audit trail (<see cref="ChangeFeedService.NoticeAction"/>), then marked sent
/// (<c>jobs/webhooks/notices-sent/…</c>). A key without its mark older than <see cref="RecoveryAge"/> (a host stopped between the
/// two) is written again; the delivery id comes from the subject, so receivers see one delivery. Delivery then runs through the
/// subscriptions' cursors like every other event (signed, retried, logged, scoped to the agency, Secret files left out).
/// Files under legal hold, unfinished, weeded or accessioned files are not due (as in the planner's reports).
/// </summary>
internal sealed partial class WebhookDueScanner
{
    /// <summary>Prefix of the once-only keys.</summary>
    public const string NoticesPrefix = "jobs/webhooks/notices/";

    /// <summary>Prefix of the marks of notices appended to the trail.</summary>
    public const string SentPrefix = "jobs/webhooks/notices-sent/";

    /// <summary>How old a key without its mark must be before it is written again (its writer stopped).</summary>
    public static readonly TimeSpan RecoveryAge = TimeSpan.FromMinutes(10);

    private readonly IObjectStore _store;
    private readonly IAuditTrail _audit;
    private readonly RetentionPlanner _planner;
    private readonly ReorganisationService? _events;
    private readonly ReorganisationPlanService? _plans;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public WebhookDueScanner(IObjectStore store, IAuditTrail audit, RetentionPlanner planner, ReorganisationService? events, ReorganisationPlanService? plans, WebhookOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _audit = audit;
        _planner = planner;
        _events = events;
        _plans = plans;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    private sealed record Pending(string Action, string ObjectType, string ObjectId, string Detail, DateTimeOffset CreatedAt);

    /// <summary>One scan as of today (the clock's UTC date) of record files falling due and/or overdue plan tasks; returns the notices appended to the audit trail.</summary>
    public async ValueTask<int> ScanAsync(bool retention = true, bool plans = true, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var known = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var o in _store.ListAsync(NoticesPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            known.Add(o.Key[NoticesPrefix.Length..]);
        }

        var sent = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var o in _store.ListAsync(SentPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            sent.Add(o.Key[SentPrefix.Length..]);
        }

        var written = 0;
        foreach (var subject in known.Where(k => !sent.Contains(k)))
        {
            written += await RecoverAsync(subject, now, cancellationToken).ConfigureAwait(false);
        }

        // 1 January of the due year is the due date; notice from DueDaysAhead days before it (and while it stays due).
        var horizon = today.AddDays(Math.Max(0, _options.DueDaysAhead));
        foreach (var (due, report) in retention
            ? new[]
            {
                ("transfer", await _planner.DueForTransferAsync(horizon, null, cancellationToken).ConfigureAwait(false)),
                ("appraisal", await _planner.DueForAppraisalAsync(horizon, null, cancellationToken).ConfigureAwait(false)),
            }
            : [])
        {
            foreach (var item in report.Due)
            {
                var dueDate = new DateOnly(item.DueYear, 1, 1);
                var subject = $"retention/{due}/{Escape(item.FileCode)}/{dueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
                if (!known.Contains(subject))
                {
                    written += await EmitAsync(subject, new Pending(ChangeFeedService.NoticeAction, "record-file", item.FileCode, ChangeFeedService.RetentionNoticeDetail(due, dueDate), now), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (plans && _events is not null && _plans is not null)
        {
            foreach (var ev in await _events.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                var plan = await _plans.GetAsync(ev.Value.Id, cancellationToken).ConfigureAwait(false);
                foreach (var task in plan?.Value.Tasks ?? [])
                {
                    if (task.Status == PlanTaskStatus.Done || task.Deadline is not { } deadline || deadline >= today)
                    {
                        continue;
                    }

                    var subject = $"plan-task/{Escape(ev.Value.Id)}/{Escape(task.Id)}/{deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
                    if (!known.Contains(subject))
                    {
                        written += await EmitAsync(subject, new Pending(ChangeFeedService.NoticeAction, ChangeFeedService.PlanObject, ev.Value.Id, ChangeFeedService.PlanTaskNoticeDetail(task.Id, task.AgencyId, deadline, task.Title), now), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        return written;
    }

    private async ValueTask<int> EmitAsync(string subject, Pending notice, CancellationToken cancellationToken)
    {
        try
        {
            await _store.PutBytesAsync(NoticesPrefix + subject, JsonSerializer.SerializeToUtf8Bytes(notice, WebhookService.Json), new PutObjectOptions { CreateOnly = true, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            return 0; // another host (or an earlier scan) has it
        }

        return await AppendAsync(subject, notice, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<int> RecoverAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var content = await _store.GetAsync(NoticesPrefix + subject, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return 0;
        }

        Pending? notice;
        await using (content.ConfigureAwait(false))
        {
            try
            {
                notice = await JsonSerializer.DeserializeAsync<Pending>(content.Stream, WebhookService.Json, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                notice = null;
            }
        }

        if (notice is null || now - notice.CreatedAt < RecoveryAge)
        {
            return 0; // being written by its host, or unreadable (left for people; it is never noticed twice)
        }

        LogRecovered(_logger, subject);
        return await AppendAsync(subject, notice, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<int> AppendAsync(string subject, Pending notice, CancellationToken cancellationToken)
    {
        await _audit.AppendAsync(new AuditEvent
        {
            Action = notice.Action,
            Actor = "system:webhooks",
            ObjectType = notice.ObjectType,
            ObjectId = notice.ObjectId,
            Detail = notice.Detail,
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.PutBytesAsync(SentPrefix + subject, ReadOnlyMemory<byte>.Empty, new PutObjectOptions { CreateOnly = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // marked already
        }

        return 1;
    }

    /// <summary>A key segment for an identifier: file codes and ids hold '.', '-' and letters; anything else is hex-escaped.</summary>
    private static string Escape(string value)
        => string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c.ToString() : "%" + ((int)c).ToString("X4", CultureInfo.InvariantCulture)));

    [LoggerMessage(EventId = 1663, EventName = "WebhookNoticeRecovered", Level = LogLevel.Warning, Message = "Webhook notice {Subject} was claimed but not recorded (its host stopped); it is recorded now.")]
    private static partial void LogRecovered(ILogger logger, string subject);
}
