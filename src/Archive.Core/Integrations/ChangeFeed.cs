using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Archive.Audit;
using Archive.Records;
using Archive.Security;

namespace Archive.Integrations;

/// <summary>What happened to a record file in one committed change.</summary>
public enum RecordChangeKind
{
    /// <summary>The record file was created (its first version: created, imported, received).</summary>
    Created = 0,

    /// <summary>A new version was committed (metadata, documents, contents, weeding, legal hold, location...).</summary>
    Updated = 1,

    /// <summary>The Historical Archives accessioned it (a new version marking it accessioned).</summary>
    Accessioned = 2,

    /// <summary>It was destroyed under an approved disposition decision.</summary>
    Destroyed = 3,
}

/// <summary>One committed change of a record file, as the change feed reports it.</summary>
public sealed record RecordChange
{
    /// <summary>Opaque position of this change in the feed: pass it as <c>after</c> to read what came after it.</summary>
    public required string Cursor { get; init; }

    /// <summary>The audit trail's sequence of the change (what the cursor encodes; increasing, never reused).</summary>
    public required long Sequence { get; init; }

    /// <summary>The record file's code (its identifier).</summary>
    public required string FileCode { get; init; }

    /// <summary>The version the change committed; null for a destruction.</summary>
    public int? Version { get; init; }

    /// <summary>What happened.</summary>
    public required RecordChangeKind Kind { get; init; }

    /// <summary>When the change was committed (the audit trail's time, UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who made it (the user name recorded with the version).</summary>
    public required string Actor { get; init; }

    /// <summary>Who made it, unambiguously (e.g. <c>apikey:…</c>), when known.</summary>
    public string? ActorId { get; init; }
}

/// <summary>One page of the change feed.</summary>
/// <param name="Items">The changes the caller may see, oldest first.</param>
/// <param name="NextCursor">Where to resume (pass as <c>after</c>): the position after the last change examined, also when none was visible; the same cursor as given when nothing newer exists yet.</param>
/// <param name="HasMore">Whether more changes are already committed after <paramref name="NextCursor"/> (read again at once); false when the feed is caught up.</param>
public sealed record RecordChangePage(IReadOnlyList<RecordChange> Items, string NextCursor, bool HasMore);

/// <summary>Rule identifiers of the change feed.</summary>
public static class ChangeFeedRules
{
    /// <summary>The cursor is not one the feed gave out.</summary>
    public const string CursorInvalid = "changes.cursor-invalid";

    /// <summary>The page size is out of range.</summary>
    public const string LimitRange = "changes.limit-range";
}

/// <summary>
/// The change feed (issue #19 item 1): every committed change of a record file after an opaque cursor, oldest first. It is
/// derived from the append-only audit trail — the <see cref="AuditActions.Change"/> events the audit journal appends for
/// every committed record-file version and the <see cref="AuditActions.Disposition"/> events of destructions — so there is
/// no second log: a cursor is a position in the trail, stable across restarts and across hosts sharing the store. Reads,
/// refusals and failed attempts are not changes and are skipped. With an <see cref="ArchiveCaller"/> the feed is scoped:
/// staff only; a change is shown when the caller may read the record file today (custody, clearance: a Secret record
/// file's changes are invisible without clearance); changes of a destroyed record file only to callers who read across
/// agencies and hold clearance (the tombstone is not consulted). Without a caller (the operator, offline) every change.
/// </summary>
public sealed partial class ChangeFeedService
{
    /// <summary>The most changes one page returns.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The default page size.</summary>
    public const int DefaultLimit = 100;

    private const string CursorPrefix = "ch1.";

    private const int MaxAuditPagesPerRead = 4;

    private readonly IAuditLog _log;
    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly IArchiveAccessPolicy? _policy;

    /// <summary>Creates the feed.</summary>
    /// <param name="log">The audit log it reads.</param>
    /// <param name="files">Record files (to scope changes to the caller).</param>
    /// <param name="fonds">Fonds (custody, for the agency filter).</param>
    /// <param name="policy">The access policy (required for calls with a caller).</param>
    public ChangeFeedService(IAuditLog log, RecordFileService files, FondsRegistry fonds, IArchiveAccessPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        _log = log;
        _files = files;
        _fonds = fonds;
        _policy = policy;
    }

    /// <summary>The cursor of the start of the feed (before every change).</summary>
    public static string Start => EncodeCursor(0);

    /// <summary>The cursor of a position (an audit sequence) in the feed.</summary>
    public static string EncodeCursor(long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return CursorPrefix + Base64Url.EncodeToString(Encoding.ASCII.GetBytes(sequence.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The audit sequence a cursor names; a validation error naming <paramref name="field"/> when it is not a feed cursor.</summary>
    /// <exception cref="ArchiveValidationException">Not a cursor of this feed (<see cref="ChangeFeedRules.CursorInvalid"/>).</exception>
    public static long DecodeCursor(string? cursor, string field = "after")
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return 0;
        }

        if (cursor.Length <= 64 && cursor.StartsWith(CursorPrefix, StringComparison.Ordinal))
        {
            try
            {
                var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor.AsSpan(CursorPrefix.Length)));
                if (text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit)
                    && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                    && EncodeCursor(sequence) == cursor)
                {
                    return sequence;
                }
            }
            catch (FormatException)
            {
                // falls through to the refusal
            }
        }

        throw new ArchiveValidationException(field, ChangeFeedRules.CursorInvalid, $"'{field}' is not a cursor of the change feed (give nothing to start at the beginning, or a cursor the feed returned).");
    }

    /// <summary>
    /// The changes after <paramref name="after"/> (null: from the beginning) that <paramref name="caller"/> may see, at most
    /// <paramref name="limit"/>, oldest first. A page may hold fewer (even none) with <see cref="RecordChangePage.HasMore"/>
    /// when the trail holds many other events; resume at <see cref="RecordChangePage.NextCursor"/>.
    /// </summary>
    /// <param name="after">A cursor from an earlier page or change; null or empty for the beginning.</param>
    /// <param name="limit">Most changes returned (1..<see cref="MaxLimit"/>).</param>
    /// <param name="caller">Who asks (scoped as the class describes); null for the operator (everything).</param>
    /// <param name="agencyId">Only record files whose fonds this agency holds today (custody); destructions are then left out (the file is gone).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArchiveValidationException">A bad cursor or limit (field <c>after</c> / <c>limit</c>).</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller is not staff (<see cref="AccessRules.StaffOnly"/>).</exception>
    public async ValueTask<RecordChangePage> ReadAsync(string? after, int limit = DefaultLimit, ArchiveCaller? caller = null, string? agencyId = null, CancellationToken cancellationToken = default)
    {
        var errors = new List<ValidationError>();
        long start = 0;
        try
        {
            start = DecodeCursor(after);
        }
        catch (ArchiveValidationException ex)
        {
            errors.AddRange(ex.Errors);
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors.Add(new ValidationError("limit", ChangeFeedRules.LimitRange, $"'limit' must be between 1 and {MaxLimit}."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        if (caller is not null)
        {
            var policy = _policy ?? throw new InvalidOperationException("The change feed needs an IArchiveAccessPolicy to answer a caller.");
            if (!caller.IsStaff)
            {
                await policy.AuditDeniedAsync(caller, "changes", null, "staff only", cancellationToken).ConfigureAwait(false);
                throw new ArchiveAccessDeniedException("changes", AccessRules.StaffOnly, "The change feed is open to agency staff, supervisors and administrators only.");
            }
        }

        var visible = new Dictionary<string, bool>(StringComparer.Ordinal);
        var (items, position, hasMore) = await WalkAsync(start, limit, async record =>
            ToChange(record) is { } change && await MaySeeAsync(change, caller, agencyId, visible, cancellationToken).ConfigureAwait(false) ? change : null, cancellationToken).ConfigureAwait(false);
        return new RecordChangePage(items, EncodeCursor(position), hasMore);
    }

    /// <summary>
    /// Walks the trail after <paramref name="start"/>, offering every record to <paramref name="select"/> until it has
    /// chosen <paramref name="limit"/> items or <see cref="MaxAuditPagesPerRead"/> pages were read (bounded work per call).
    /// Every event is examined (not filtered by the trail), so the position moves past reads and other events too, up to
    /// the last record examined. <c>HasMore</c>: the walk stopped before the tail (resume at the position).
    /// </summary>
    private async ValueTask<(List<T> Items, long Position, bool HasMore)> WalkAsync<T>(long start, int limit, Func<AuditRecord, ValueTask<T?>> select, CancellationToken cancellationToken)
        where T : class
    {
        var items = new List<T>(Math.Min(limit, 100));
        var position = start;
        for (var pages = 0; pages < MaxAuditPagesPerRead; pages++)
        {
            var page = await _log.QueryAsync(new AuditQuery { Cursor = position, PageSize = MaxLimit }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Records)
            {
                if (items.Count == limit)
                {
                    return (items, position, true);
                }

                if (await select(record).ConfigureAwait(false) is { } item)
                {
                    items.Add(item);
                }

                position = record.Sequence;
            }

            if (page.NextCursor is not { } next)
            {
                return (items, position, false); // caught up with the tail
            }

            position = Math.Max(position, next);
            if (items.Count == limit)
            {
                return (items, position, true);
            }
        }

        return (items, position, true);
    }

    /// <summary>The change an audit record proves, or null when it is not a committed record-file change.</summary>
    public static RecordChange? ToChange(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Event;
        if (e.Outcome != AuditOutcome.Success || e.ObjectType != "record-file" || string.IsNullOrEmpty(e.ObjectId))
        {
            return null;
        }

        if (e.Action == AuditActions.Disposition)
        {
            return new RecordChange
            {
                Cursor = EncodeCursor(record.Sequence),
                Sequence = record.Sequence,
                FileCode = e.ObjectId,
                Kind = RecordChangeKind.Destroyed,
                Timestamp = record.Timestamp,
                Actor = e.Actor,
                ActorId = e.ActorId,
            };
        }

        if (e.Action != AuditActions.Change || e.Detail is null || VersionDetail().Match(e.Detail) is not { Success: true } m
            || !int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return null;
        }

        var message = e.Detail[m.Length..];
        var kind = version == 1 ? RecordChangeKind.Created
            : message.StartsWith("Accessioned by the Historical Archives", StringComparison.Ordinal) ? RecordChangeKind.Accessioned
            : RecordChangeKind.Updated;
        return new RecordChange
        {
            Cursor = EncodeCursor(record.Sequence),
            Sequence = record.Sequence,
            FileCode = e.ObjectId,
            Version = version,
            Kind = kind,
            Timestamp = record.Timestamp,
            Actor = e.Actor,
            ActorId = e.ActorId,
        };
    }

    private async ValueTask<bool> MaySeeAsync(RecordChange change, ArchiveCaller? caller, string? agencyId, Dictionary<string, bool> known, CancellationToken cancellationToken)
    {
        if (caller is null && agencyId is null)
        {
            return true;
        }

        if (known.TryGetValue(change.FileCode, out var seen))
        {
            return seen;
        }

        var file = await _files.GetAsync(change.FileCode, cancellationToken).ConfigureAwait(false);
        if (file is null)
        {
            seen = agencyId is null && (caller is null || (caller.ReadsAcross && caller.HasSecretClearance));
        }
        else
        {
            seen = (caller is null || await _policy!.CanReadAsync(caller, file.Value, cancellationToken).ConfigureAwait(false))
                && (agencyId is null || await CustodianAsync(file.Value.FondsCode, cancellationToken).ConfigureAwait(false) == agencyId);
        }

        known[change.FileCode] = seen;
        return seen;
    }

    private async ValueTask<string?> CustodianAsync(string fondsCode, CancellationToken cancellationToken)
    {
        var fonds = await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
        return fonds is null ? null : fonds.Value.CustodianAgencyId ?? fonds.Value.AgencyId;
    }

    [GeneratedRegex(@"\Av([0-9]{1,9}): ", RegexOptions.CultureInvariant)]
    private static partial Regex VersionDetail();
}
