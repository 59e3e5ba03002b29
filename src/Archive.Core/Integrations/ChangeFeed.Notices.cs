using System.Globalization;
using System.Text.RegularExpressions;
using Archive.Audit;
using Archive.Exchange;
using Archive.Security;

namespace Archive.Integrations;

/// <summary>
/// An event for webhook subscribers other than a record-file change, proven by one audit record: a handover package received
/// (verified, awaiting acceptance) or accepted, or a notice the due scan wrote (retention due, plan task overdue).
/// </summary>
/// <param name="Sequence">The audit record's sequence (the feed position).</param>
/// <param name="Kind">The event kind.</param>
/// <param name="OccurredAt">When it was recorded.</param>
/// <param name="AgencyId">The agency it is delivered to (the receiving agency; the agency leading the task); null for a record-file notice, which goes to the agency holding the file.</param>
/// <param name="FileCode">The record file, for a retention notice.</param>
/// <param name="DeliveryKey">What makes the delivery id: the audit sequence, or for a due notice its subject and due date (so a notice written twice after a crash is one delivery to receivers).</param>
/// <param name="Data">The payload's <c>data</c>.</param>
internal sealed record WebhookNotice(long Sequence, WebhookEventKind Kind, DateTimeOffset OccurredAt, string? AgencyId, string? FileCode, string DeliveryKey, IReadOnlyDictionary<string, object?> Data);

/// <summary>One position of the webhook feed: a record-file change or a notice.</summary>
internal sealed record WebhookFeedEntry(long Sequence, RecordChange? Change, WebhookNotice? Notice);

/// <summary>One page of the webhook feed.</summary>
internal sealed record WebhookFeedPage(IReadOnlyList<WebhookFeedEntry> Items, string NextCursor);

/// <content>The webhook side of the feed: handover and due notices from the same audit trail, on the same cursor.</content>
public sealed partial class ChangeFeedService
{
    /// <summary>The audit action of the notices the due scan writes (<see cref="WebhookDueScanner"/>).</summary>
    public const string NoticeAction = "webhook.notice";

    /// <summary>The audit object type of handover receipts (the exchange's receipt jobs).</summary>
    internal const string HandoverReceiptObject = "handover-receipt";

    /// <summary>The audit object type of handover packages received (<see cref="Archive.Handover.HandoverService.ReceiveAsync"/>).</summary>
    internal const string HandoverPackageObject = "handover-package";

    /// <summary>The audit object type of reorganisation plans (plan-task notices).</summary>
    internal const string PlanObject = "reorganisation-plan";

    /// <summary>The exchange's job records (to learn a receipt's agencies); handover receipts are not delivered when null.</summary>
    internal PackageJobStore? HandoverJobs { get; init; }

    /// <summary>
    /// The record-file changes and notices after <paramref name="after"/> that a webhook subscription of <paramref name="agencyId"/>
    /// (acting as <paramref name="caller"/>, without clearance) may see, oldest first, on the change feed's cursor.
    /// </summary>
    internal async ValueTask<WebhookFeedPage> ReadForWebhooksAsync(string? after, int limit, ArchiveCaller caller, string agencyId, CancellationToken cancellationToken)
    {
        var visible = new Dictionary<string, bool>(StringComparer.Ordinal);
        var (items, position, _) = await WalkAsync(DecodeCursor(after), limit, async record =>
        {
            if (ToChange(record) is { } change)
            {
                return await MaySeeAsync(change, caller, agencyId, visible, cancellationToken).ConfigureAwait(false) ? new WebhookFeedEntry(record.Sequence, change, null) : null;
            }

            return await ToNoticeAsync(record, cancellationToken).ConfigureAwait(false) is { } notice
                && await VisibleAsync(notice, caller, agencyId, cancellationToken).ConfigureAwait(false) is { } seen
                ? new WebhookFeedEntry(record.Sequence, null, seen)
                : null;
        }, cancellationToken).ConfigureAwait(false);
        return new WebhookFeedPage(items, EncodeCursor(position));
    }

    /// <summary>The notice an audit record proves, or null when it is none.</summary>
    internal async ValueTask<WebhookNotice?> ToNoticeAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        var e = record.Event;
        if (e.Outcome != AuditOutcome.Success || string.IsNullOrEmpty(e.ObjectId) || e.Detail is null)
        {
            return null;
        }

        var sequence = record.Sequence.ToString(CultureInfo.InvariantCulture);
        if (e.Action == AuditActions.Import && e.ObjectType == HandoverReceiptObject && e.Detail.StartsWith("Verified: ", StringComparison.Ordinal))
        {
            // Received: the upload of a receipt was verified in full; the package awaits the receiving agency's acceptance.
            var job = HandoverJobs is null ? null : await HandoverJobs.GetAsync(e.ObjectId, cancellationToken).ConfigureAwait(false);
            if (job is null || job.Kind != PackageJobKind.HandoverReceipt)
            {
                return null; // removed since (nothing to tell whom it concerns)
            }

            return new WebhookNotice(record.Sequence, WebhookEventKind.HandoverReceived, record.Timestamp, job.ToAgencyId, null, sequence, new Dictionary<string, object?>
            {
                ["receiptId"] = job.Id,
                ["receivingAgencyId"] = job.ToAgencyId,
                ["handingAgencyId"] = job.FromAgencyId,
                ["fondsCode"] = job.FondsCode,
                ["files"] = job.FilesTotal,
                ["bytes"] = job.BytesTotal,
                ["sealed"] = job.Sealed,
                ["actor"] = e.Actor,
            });
        }

        if (e.Action == AuditActions.Import && e.ObjectType == HandoverPackageObject && AcceptedDetail().Match(e.Detail) is { Success: true } accepted)
        {
            var receiving = accepted.Groups[1].Value;
            var fondsCode = accepted.Groups[2].Value;
            var fonds = fondsCode.Length == 0 ? null : await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
            return new WebhookNotice(record.Sequence, WebhookEventKind.HandoverAccepted, record.Timestamp, receiving, null, sequence, new Dictionary<string, object?>
            {
                ["package"] = e.ObjectId,
                ["receivingAgencyId"] = receiving,
                ["fondsCode"] = fondsCode.Length == 0 ? null : fondsCode,
                ["creatingAgencyId"] = fonds?.Value.AgencyId,
                ["actor"] = e.Actor,
            });
        }

        if (e.Action != NoticeAction)
        {
            return null;
        }

        if (e.ObjectType == "record-file" && RetentionDetail().Match(e.Detail) is { Success: true } due)
        {
            var dueDate = DateOnly.ParseExact(due.Groups[2].ValueSpan, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            return new WebhookNotice(record.Sequence, WebhookEventKind.RetentionDue, record.Timestamp, null, e.ObjectId, $"{e.ObjectId}.{due.Groups[1].Value}.{due.Groups[2].Value}", new Dictionary<string, object?>
            {
                ["fileCode"] = e.ObjectId,
                ["due"] = due.Groups[1].Value,
                ["dueDate"] = dueDate,
            });
        }

        if (e.ObjectType == PlanObject && PlanTaskDetail().Match(e.Detail) is { Success: true } task)
        {
            var deadline = DateOnly.ParseExact(task.Groups[3].ValueSpan, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            return new WebhookNotice(record.Sequence, WebhookEventKind.PlanTaskOverdue, record.Timestamp, task.Groups[2].Value, null, $"{e.ObjectId}.{task.Groups[1].Value}.{task.Groups[3].Value}", new Dictionary<string, object?>
            {
                ["eventId"] = e.ObjectId,
                ["taskId"] = task.Groups[1].Value,
                ["agencyId"] = task.Groups[2].Value,
                ["deadline"] = deadline,
                ["title"] = task.Groups[4].Value,
            });
        }

        return null;
    }

    /// <summary>The detail of a retention notice: <c>Retention due: transfer|appraisal on yyyy-MM-dd</c>.</summary>
    internal static string RetentionNoticeDetail(string due, DateOnly dueDate)
        => $"Retention due: {due} on {dueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>The detail of a plan-task notice.</summary>
    internal static string PlanTaskNoticeDetail(string taskId, string agencyId, DateOnly deadline, string title)
        => $"Plan task {taskId} of agency {agencyId} overdue since {deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: {title}";

    /// <summary>The notice as the subscription sees it (a record-file notice with the file's fonds and title), or null when it may not see it.</summary>
    private async ValueTask<WebhookNotice?> VisibleAsync(WebhookNotice notice, ArchiveCaller caller, string agencyId, CancellationToken cancellationToken)
    {
        if (notice.FileCode is not { } fileCode)
        {
            return string.Equals(notice.AgencyId, agencyId, StringComparison.Ordinal) ? notice : null;
        }

        // A record-file notice follows the feed's rule for the file: held by the agency today, readable without clearance
        // (a Secret file is never described to a subscription).
        var file = await _files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false);
        if (file is null
            || !await _policy!.CanReadAsync(caller, file.Value, cancellationToken).ConfigureAwait(false)
            || await CustodianAsync(file.Value.FondsCode, cancellationToken).ConfigureAwait(false) != agencyId)
        {
            return null;
        }

        return notice with
        {
            AgencyId = agencyId,
            Data = new Dictionary<string, object?>(notice.Data)
            {
                ["fondsCode"] = file.Value.FondsCode,
                ["title"] = file.Value.Title,
            },
        };
    }

    [GeneratedRegex(@"\AAccepted for agency (\S+); fonds (\S*)\z", RegexOptions.CultureInvariant)]
    private static partial Regex AcceptedDetail();

    [GeneratedRegex(@"\ARetention due: (transfer|appraisal) on ([0-9]{4}-[0-9]{2}-[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex RetentionDetail();

    [GeneratedRegex(@"\APlan task (\S+) of agency (\S+) overdue since ([0-9]{4}-[0-9]{2}-[0-9]{2}): (.*)\z", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex PlanTaskDetail();
}
