using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Archive.Packages;
using Archive.Records;
using Archive.Security;

namespace Archive.Registers;

/// <summary>What a caller gives to register a backlog batch (khối tài liệu chưa chỉnh lý).</summary>
public sealed record BacklogBatchInput
{
    /// <summary>Identifier (letters, digits, '.', '-', '_'; at most 64); generated (<c>BL-…</c>) when null.</summary>
    public string? Id { get; init; }

    /// <summary>The agency holding the batch (registered).</summary>
    public string? AgencyId { get; init; }

    /// <summary>Where it comes from (agency or unit, as written; at most 300 characters).</summary>
    public string? SourceAgency { get; init; }

    /// <summary>The fonds it belongs to, when known (registered, held by <see cref="AgencyId"/>).</summary>
    public string? FondsCode { get; init; }

    /// <summary>First year of the records.</summary>
    public int? FromYear { get; init; }

    /// <summary>Last year of the records (not before <see cref="FromYear"/>).</summary>
    public int? ToYear { get; init; }

    /// <summary>Volume in shelf metres (mét giá), at least 0.</summary>
    public decimal ShelfMetres { get; init; }

    /// <summary>Boxes, at least 0.</summary>
    public int Boxes { get; init; }

    /// <summary>Bundles, at least 0.</summary>
    public int Bundles { get; init; }

    /// <summary>Physical condition.</summary>
    public PhysicalCondition Condition { get; init; } = PhysicalCondition.Normal;

    /// <summary>Where it is kept: free text or a storage room code (at most 300 characters).</summary>
    public string? Location { get; init; }

    /// <summary>Notes (at most 2,000 characters).</summary>
    public string? Notes { get; init; }
}

/// <summary>A step of a batch's processing: a new status and/or the shelf metres processed so far.</summary>
public sealed record BacklogStatusInput
{
    /// <summary>The new status: the same or a later one (never back).</summary>
    public BacklogStatus Status { get; init; }

    /// <summary>Shelf metres processed so far (never less than before, never more than the batch); all of it when <see cref="BacklogStatus.Processed"/> and not given.</summary>
    public decimal? ProcessedMetres { get; init; }

    /// <summary>Optional note (at most 2,000 characters).</summary>
    public string? Note { get; init; }
}

/// <summary>What to list of the backlog register.</summary>
public sealed record BacklogQuery
{
    /// <summary>Only batches held by this agency.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Only batches of this fonds.</summary>
    public string? FondsCode { get; init; }

    /// <summary>Only batches in this status.</summary>
    public BacklogStatus? Status { get; init; }

    /// <summary>Resume after this batch id (the last one of the previous page).</summary>
    public string? After { get; init; }
}

/// <summary>Rule identifiers of the backlog register.</summary>
public static class BacklogRules
{
    /// <summary>The id has characters other than letters, digits, '.', '-', '_'.</summary>
    public const string IdFormat = "backlog.id-format";

    /// <summary>The holding agency is not registered.</summary>
    public const string AgencyUnknown = "backlog.agency-unknown";

    /// <summary>The fonds is not registered or is held by another agency.</summary>
    public const string FondsUnknown = "backlog.fonds-unknown";

    /// <summary>A year is out of range, or the last year is before the first.</summary>
    public const string Years = "backlog.years";

    /// <summary>A volume (metres, boxes, bundles) is negative.</summary>
    public const string Negative = "backlog.negative";

    /// <summary>The condition is not one of <see cref="PhysicalCondition"/>.</summary>
    public const string Condition = "backlog.condition";

    /// <summary>A status is not one of <see cref="BacklogStatus"/>, or goes back.</summary>
    public const string StatusBackward = "backlog.status-backward";

    /// <summary>The processed metres exceed the batch, or are less than recorded before.</summary>
    public const string ProcessedMetres = "backlog.processed-metres";

    /// <summary>A record file is already linked to another batch.</summary>
    public const string FileLinked = "backlog.file-linked";

    /// <summary>A record file belongs to a fonds another agency holds.</summary>
    public const string FileOtherAgency = "backlog.file-other-agency";
}

/// <summary>
/// The backlog register (issue #18 item 3): batches of un-arranged records (tài liệu tồn đọng, chưa chỉnh lý) an agency
/// received or found, their processing (chưa chỉnh lý → đang chỉnh lý → đã chỉnh lý, only forward, with the metres
/// processed as progress) and the record files produced from each. Every batch is a versioned package in
/// <see cref="BatchesRoot"/>, so each change is a version naming who and when, and appears in the audit trail
/// (<c>change</c>, object type <c>backlog</c>). With an <see cref="ArchiveCaller"/> the register is agency-scoped:
/// a batch is seen by its holding agency's staff and by supervisors, the Historical Archives and administrators
/// (otherwise answered as missing), and changed by its agency's staff or administrators (otherwise 403
/// <c>scope.agency</c>); without one (offline, the operator) everything.
/// </summary>
public sealed partial class BacklogService
{
    /// <summary>Storage root of batch packages (id = batch id).</summary>
    public const string BatchesRoot = "ocfl/backlog";

    /// <summary>The most record files one call links.</summary>
    public const int MaxLink = 1_000;

    private const decimal MaxMetres = 1_000_000m;

    private readonly PackageEntityStore<BacklogBatch> _store;
    private readonly AgencyRegistry _agencies;
    private readonly FondsRegistry _fonds;
    private readonly RecordFileService _files;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the service.</summary>
    /// <param name="batches">The package store of <see cref="BatchesRoot"/> (audited: open it through <c>ArchiveStorage.Open</c>).</param>
    /// <param name="agencies">Agencies (the holder must be registered).</param>
    /// <param name="fonds">Fonds (a batch's fonds must be registered and held by its agency).</param>
    /// <param name="files">Record files (linked files must exist and be readable).</param>
    /// <param name="policy">The access policy for callers (null: only the offline operator, no caller, may use the service).</param>
    /// <param name="timeProvider">Clock.</param>
    public BacklogService(IPackageStore batches, AgencyRegistry agencies, FondsRegistry fonds, RecordFileService files, IArchiveAccessPolicy? policy = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(files);
        _store = new PackageEntityStore<BacklogBatch>(batches, "backlog", "metadata/batch.json");
        _agencies = agencies;
        _fonds = fonds;
        _files = files;
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Registers a batch as <see cref="BacklogStatus.NotProcessed"/>.</summary>
    /// <param name="input">The batch.</param>
    /// <param name="caller">Who asks (null: the offline operator).</param>
    /// <param name="user">Who acts, recorded in the version and the audit trail.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArchiveValidationException">Every broken rule, by field; nothing is stored.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller is not of the holding agency (nor an administrator).</exception>
    /// <exception cref="ArchiveConflictException">A batch with this id exists.</exception>
    public async ValueTask<Versioned<BacklogBatch>> RegisterAsync(BacklogBatchInput input, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        RequirePolicy(caller);
        var errors = new List<ValidationError>();
        var id = input.Id?.Trim();
        if (string.IsNullOrEmpty(id))
        {
            id = "BL-" + _time.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        }
        else if (id.Length > 64 || !IdPattern().IsMatch(id))
        {
            errors.Add(new("id", BacklogRules.IdFormat, "The id holds at most 64 letters, digits, '.', '-' and '_'."));
        }

        var agencyId = input.AgencyId?.Trim();
        if (string.IsNullOrEmpty(agencyId))
        {
            errors.Add(new("agencyId", "required", "The holding agency is required."));
            agencyId = null;
        }

        if (caller is not null && agencyId is not null)
        {
            // Scope first: a caller learns nothing of another agency's registrations.
            await _policy!.RequireAgencyAsync(caller, agencyId, "backlog", cancellationToken).ConfigureAwait(false);
        }

        if (agencyId is not null && await _agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false) is null)
        {
            errors.Add(new("agencyId", BacklogRules.AgencyUnknown, $"Agency '{agencyId}' is not registered."));
        }

        var source = Text(input.SourceAgency, "sourceAgency", 300, required: true, errors);
        string? fondsCode = null;
        if (!string.IsNullOrWhiteSpace(input.FondsCode))
        {
            fondsCode = input.FondsCode.Trim();
            var fonds = (await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false))?.Value;
            if (fonds is null || (agencyId is not null && ArchiveAccessPolicy.CustodianOf(fonds) != agencyId))
            {
                errors.Add(new("fondsCode", BacklogRules.FondsUnknown, $"No fonds '{fondsCode}' is held by agency '{agencyId}'."));
            }
        }

        var maxYear = _time.GetUtcNow().Year + 1;
        if (input.FromYear is not { } from)
        {
            errors.Add(new("fromYear", "required", "The first year of the records is required."));
        }
        else if (from < 1000 || from > maxYear)
        {
            errors.Add(new("fromYear", BacklogRules.Years, $"The first year must be between 1000 and {maxYear}."));
        }

        if (input.ToYear is not { } to)
        {
            errors.Add(new("toYear", "required", "The last year of the records is required."));
        }
        else if (to < 1000 || to > maxYear)
        {
            errors.Add(new("toYear", BacklogRules.Years, $"The last year must be between 1000 and {maxYear}."));
        }
        else if (input.FromYear is { } f && f >= 1000 && to < f)
        {
            errors.Add(new("toYear", BacklogRules.Years, "The last year is before the first year."));
        }

        Metres(input.ShelfMetres, "shelfMetres", errors);
        if (input.Boxes < 0)
        {
            errors.Add(new("boxes", BacklogRules.Negative, "The number of boxes must not be negative."));
        }

        if (input.Bundles < 0)
        {
            errors.Add(new("bundles", BacklogRules.Negative, "The number of bundles must not be negative."));
        }

        if (!Enum.IsDefined(input.Condition))
        {
            errors.Add(new("condition", BacklogRules.Condition, "The condition is Good, Normal or Damaged."));
        }

        var location = Text(input.Location, "location", 300, required: false, errors);
        var notes = Text(input.Notes, "notes", 2000, required: false, errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var batch = new BacklogBatch
        {
            Id = id,
            AgencyId = agencyId!,
            SourceAgency = source!,
            FondsCode = fondsCode,
            FromYear = input.FromYear!.Value,
            ToYear = input.ToYear!.Value,
            ShelfMetres = input.ShelfMetres,
            Boxes = input.Boxes,
            Bundles = input.Bundles,
            Condition = input.Condition,
            Location = location,
            Notes = notes,
            Status = BacklogStatus.NotProcessed,
            RegisteredAt = _time.GetUtcNow(),
            RegisteredBy = user.Name,
        };
        var message = $"Register backlog batch {id} of agency {batch.AgencyId}: {Fmt(batch.ShelfMetres)} m, {batch.Boxes} boxes, {batch.Bundles} bundles";
        return await _store.CommitAsync(id, batch, 0, message, user, null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A batch (head version) the caller may see, or null (missing, or out of the caller's scope).</summary>
    public async ValueTask<Versioned<BacklogBatch>?> GetAsync(string id, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (string.IsNullOrWhiteSpace(id) || id.Trim().Length > 64 || !IdPattern().IsMatch(id.Trim()))
        {
            return null;
        }

        var batch = await _store.GetAsync(id.Trim(), null, cancellationToken).ConfigureAwait(false);
        return batch is not null && MaySee(caller, batch.Value) ? batch : null;
    }

    /// <summary>The version history of a batch the caller may see.</summary>
    /// <exception cref="ArchiveNotFoundException">No such batch in the caller's scope.</exception>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetHistoryAsync(string id, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        _ = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("backlog", id);
        return await _store.HistoryAsync(id.Trim(), cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("backlog", id);
    }

    /// <summary>The batches the caller may see, in id order, filtered by <paramref name="query"/> (streamed).</summary>
    /// <exception cref="ArchiveValidationException">The status is not one of <see cref="BacklogStatus"/>.</exception>
    public IAsyncEnumerable<Versioned<BacklogBatch>> ListAsync(BacklogQuery query, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Status is { } s && !Enum.IsDefined(s))
        {
            throw new ArchiveValidationException("status", BacklogRules.StatusBackward, "The status is NotProcessed, InProgress or Processed.");
        }

        return ListCoreAsync(query, caller, cancellationToken);
    }

    /// <summary>
    /// Records a processing step: a status the same or later than the batch's, and/or the metres processed so far (never
    /// less than before, never more than the batch; all of it when it becomes <see cref="BacklogStatus.Processed"/>). A
    /// new version; nothing changes on a refusal.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">No such batch in the caller's scope.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller may see but not change it.</exception>
    /// <exception cref="ArchiveValidationException">A rule is broken (named by field).</exception>
    /// <exception cref="ArchivePreconditionFailedException">The batch changed since <paramref name="expectedVersion"/>.</exception>
    public async ValueTask<Versioned<BacklogBatch>> ChangeStatusAsync(string id, BacklogStatusInput input, int? expectedVersion, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        RequirePolicy(caller);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await RequireChangeAsync(id, expectedVersion, caller, cancellationToken).ConfigureAwait(false);
            var b = current.Value;
            var errors = new List<ValidationError>();
            if (!Enum.IsDefined(input.Status))
            {
                errors.Add(new("status", BacklogRules.StatusBackward, "The status is NotProcessed, InProgress or Processed."));
            }
            else if (input.Status < b.Status)
            {
                errors.Add(new("status", BacklogRules.StatusBackward, $"The batch is {b.Status}: its status only moves forward (NotProcessed → InProgress → Processed)."));
            }

            var processed = input.ProcessedMetres ?? (input.Status == BacklogStatus.Processed ? b.ShelfMetres : b.ProcessedMetres);
            if (input.ProcessedMetres is { } given)
            {
                if (Metres(given, "processedMetres", errors))
                {
                    if (given > b.ShelfMetres)
                    {
                        errors.Add(new("processedMetres", BacklogRules.ProcessedMetres, $"The processed metres ({Fmt(given)}) exceed the batch ({Fmt(b.ShelfMetres)} m)."));
                    }
                    else if (given < b.ProcessedMetres)
                    {
                        errors.Add(new("processedMetres", BacklogRules.ProcessedMetres, $"The processed metres ({Fmt(given)}) are less than recorded before ({Fmt(b.ProcessedMetres)} m)."));
                    }
                    else if (given > 0 && input.Status == BacklogStatus.NotProcessed)
                    {
                        errors.Add(new("processedMetres", BacklogRules.ProcessedMetres, "A batch with metres processed is InProgress or Processed."));
                    }
                }
            }

            var note = Text(input.Note, "note", 2000, required: false, errors);
            if (errors.Count == 0 && input.Status == b.Status && processed == b.ProcessedMetres && note is null)
            {
                errors.Add(new("status", BacklogRules.StatusBackward, $"The batch is already {b.Status} with {Fmt(b.ProcessedMetres)} m processed: nothing to record."));
            }

            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

            var now = _time.GetUtcNow();
            var changed = b with
            {
                Status = input.Status,
                ProcessedMetres = input.Status == BacklogStatus.Processed ? b.ShelfMetres : processed,
                StartedAt = b.StartedAt ?? (input.Status >= BacklogStatus.InProgress ? now : null),
                FinishedAt = b.FinishedAt ?? (input.Status == BacklogStatus.Processed ? now : null),
                Steps = [.. b.Steps, new BacklogStep(input.Status, input.Status == BacklogStatus.Processed ? b.ShelfMetres : processed, now, user.Name, note)],
            };
            var message = input.Status == b.Status
                ? $"Backlog batch {b.Id}: {Fmt(changed.ProcessedMetres)} of {Fmt(b.ShelfMetres)} m processed"
                : $"Backlog batch {b.Id}: {b.Status} -> {input.Status} ({Fmt(changed.ProcessedMetres)} of {Fmt(b.ShelfMetres)} m processed)";
            return await _store.CommitAsync(b.Id, changed, current.Version, message, user, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Links record files produced from the batch: each must exist and be readable by the caller (one that is not is
    /// refused exactly as a missing one, <c>record-file.not-found</c>), belong to a fonds held by the batch's agency
    /// (<see cref="BacklogRules.FileOtherAgency"/>) and to no other batch (<see cref="BacklogRules.FileLinked"/>). A code
    /// linked already to this batch is kept once. A new version; nothing changes on a refusal.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">No such batch in the caller's scope.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller may see but not change it.</exception>
    /// <exception cref="ArchiveValidationException">A code is refused (named by index: <c>fileCodes[i]</c>).</exception>
    public async ValueTask<Versioned<BacklogBatch>> LinkFilesAsync(string id, IReadOnlyList<string> fileCodes, int? expectedVersion, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCodes);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        RequirePolicy(caller);

        // The request's own rules first (nothing about the batch is needed, nothing is revealed).
        if (fileCodes.Count == 0)
        {
            throw new ArchiveValidationException("fileCodes", "required", "Name at least one record file.");
        }

        if (fileCodes.Count > MaxLink)
        {
            throw new ArchiveValidationException("fileCodes", "max-count", $"At most {MaxLink} record files per call.");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await RequireChangeAsync(id, expectedVersion, caller, cancellationToken).ConfigureAwait(false);
            var b = current.Value;
            var errors = new List<ValidationError>();

            // Which batch holds each code now (one pass over the register; batches are few).
            var wanted = new HashSet<string>(fileCodes.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c.Trim()), StringComparer.Ordinal);
            var holder = new Dictionary<string, string>(StringComparer.Ordinal);
            await foreach (var other in _store.ListAsync(null, cancellationToken).ConfigureAwait(false))
            {
                foreach (var code in other.Value.FileCodes.Where(wanted.Contains))
                {
                    holder[code] = other.Value.Id;
                }
            }

            var codes = new List<string>(b.FileCodes);
            var seen = new HashSet<string>(b.FileCodes, StringComparer.Ordinal);
            for (var i = 0; i < fileCodes.Count; i++)
            {
                var field = $"fileCodes[{i}]";
                var code = fileCodes[i]?.Trim();
                if (string.IsNullOrEmpty(code))
                {
                    errors.Add(new(field, "required", "The record file code is required."));
                    continue;
                }

                var found = await _files.GetAsync(code, cancellationToken).ConfigureAwait(false);
                RecordFile file;
                try
                {
                    file = (caller is null ? found ?? throw new ArchiveNotFoundException("record-file", code)
                        : await _policy!.RequireReadAsync(caller, found, code, cancellationToken).ConfigureAwait(false)).Value;
                }
                catch (ArchiveNotFoundException)
                {
                    // A file the caller may not read is refused exactly as a missing one (the policy audited the refusal).
                    errors.Add(new(field, "record-file.not-found", $"No record file '{code}' you may read."));
                    continue;
                }

                var fonds = (await _fonds.GetAsync(file.FondsCode, cancellationToken).ConfigureAwait(false))?.Value;
                if (fonds is null || ArchiveAccessPolicy.CustodianOf(fonds) != b.AgencyId)
                {
                    errors.Add(new(field, BacklogRules.FileOtherAgency, $"Record file '{code}' belongs to a fonds agency '{b.AgencyId}' does not hold."));
                    continue;
                }

                if (holder.TryGetValue(code, out var otherId) && otherId != b.Id)
                {
                    errors.Add(new(field, BacklogRules.FileLinked, $"Record file '{code}' is already linked to backlog batch '{otherId}'."));
                    continue;
                }

                if (seen.Add(code))
                {
                    codes.Add(code);
                }
            }

            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

            var added = codes.Count - b.FileCodes.Count;
            if (added == 0)
            {
                return current;
            }

            return await _store.CommitAsync(b.Id, b with { FileCodes = codes }, current.Version, $"Backlog batch {b.Id}: {added} record files linked", user, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether the caller may see a batch: offline, its agency's staff, or a role reading across agencies.</summary>
    internal static bool MaySee(ArchiveCaller? caller, BacklogBatch batch)
        => caller is null || (caller.IsStaff && (caller.ReadsAcross || caller.Agencies.Contains(batch.AgencyId)));

    private async IAsyncEnumerable<Versioned<BacklogBatch>> ListCoreAsync(BacklogQuery query, ArchiveCaller? caller, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var agency = string.IsNullOrWhiteSpace(query.AgencyId) ? null : query.AgencyId.Trim();
        var fonds = string.IsNullOrWhiteSpace(query.FondsCode) ? null : query.FondsCode.Trim();
        await foreach (var item in _store.ListAsync(string.IsNullOrEmpty(query.After) ? null : query.After, cancellationToken).ConfigureAwait(false))
        {
            var b = item.Value;
            if ((agency is not null && b.AgencyId != agency)
                || (fonds is not null && b.FondsCode != fonds)
                || (query.Status is { } s && b.Status != s)
                || !MaySee(caller, b))
            {
                continue;
            }

            yield return item;
        }
    }

    private async ValueTask<Versioned<BacklogBatch>> RequireChangeAsync(string id, int? expectedVersion, ArchiveCaller? caller, CancellationToken cancellationToken)
    {
        var current = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("backlog", id);
        if (caller is not null)
        {
            await _policy!.RequireAgencyAsync(caller, current.Value.AgencyId, "backlog", cancellationToken).ConfigureAwait(false);
        }

        if (expectedVersion is { } v && v != current.Version)
        {
            throw new ArchivePreconditionFailedException("backlog", current.Value.Id, v, current.Version);
        }

        return current;
    }

    private void RequirePolicy(ArchiveCaller? caller)
    {
        if (caller is not null && _policy is null)
        {
            throw new InvalidOperationException("BacklogService was created without an IArchiveAccessPolicy, so it cannot check a caller's scope.");
        }
    }

    private static bool Metres(decimal value, string field, List<ValidationError> errors)
    {
        if (value < 0)
        {
            errors.Add(new(field, BacklogRules.Negative, "Shelf metres must not be negative."));
            return false;
        }

        if (value > MaxMetres)
        {
            errors.Add(new(field, "range", $"Shelf metres must be at most {MaxMetres.ToString(CultureInfo.InvariantCulture)}."));
            return false;
        }

        return true;
    }

    private static string? Text(string? value, string field, int max, bool required, List<ValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, "required", $"{field} is required."));
            }

            return null;
        }

        var text = value.Trim().Normalize(System.Text.NormalizationForm.FormC);
        if (text.Length > max)
        {
            errors.Add(new(field, "max-length", $"{field} is at most {max} characters."));
            return null;
        }

        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            errors.Add(new(field, "format", $"{field} must not hold control characters."));
            return null;
        }

        return text;
    }

    internal static string Fmt(decimal metres) => metres.ToString("0.###", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex IdPattern();
}
