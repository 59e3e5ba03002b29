using System.Globalization;
using System.Text.RegularExpressions;
using Archive.Audit;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Packages;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Archive.Storage;

namespace Archive.Disposition;

/// <summary>
/// Destruction of record files under an approved disposition decision (Circular 06/2025): propose (list, explanatory
/// note, council minutes, decision), approve (by someone else), execute. A file under legal hold, whose retention has
/// not run out (permanent never does), accessioned or unfinished is refused, with the rule. A destroyed file's
/// package is purged and removed from the search index; a tombstone (what, why, who, when, SHA-256 of its inventory)
/// stays in the decision's package, and a <see cref="AuditActions.Disposition"/> event is appended per file.
/// </summary>
/// <remarks>
/// Decisions are packages in <c>ocfl/dispositions</c> (every version audited like other entities). Execution is
/// resumable: the tombstones are committed before anything is destroyed (status <see cref="DispositionStatus.Executing"/>),
/// so executing again after a crash finishes the purge. On a store with WORM retention (S3 Object Lock) a delete only
/// hides the current version behind a delete marker and a locked version cannot be removed at all: the result says so.
/// </remarks>
public sealed partial class DispositionService
{
    /// <summary>Storage root of decision packages.</summary>
    public const string DecisionsRoot = "ocfl/dispositions";

    private const string MetadataPath = "metadata/decision.json";
    private const int MaxFiles = 10_000;

    private readonly PackageEntityStore<DispositionDecision> _store;
    private readonly ArchiveStorage _storage;
    private readonly RecordFileService _files;
    private readonly IAuditTrail _audit;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the service.</summary>
    /// <param name="decisions">The package store of <see cref="DecisionsRoot"/>.</param>
    /// <param name="storage">The engine's storage (record file packages).</param>
    /// <param name="files">Record files (a destroyed file leaves the search index through them, against their projections).</param>
    /// <param name="audit">The audit trail.</param>
    /// <param name="timeProvider">Clock.</param>
    public DispositionService(IPackageStore decisions, ArchiveStorage storage, RecordFileService files, IAuditTrail audit, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(audit);
        _store = new PackageEntityStore<DispositionDecision>(decisions, "disposition-decision", MetadataPath);
        _storage = storage;
        _files = files;
        _audit = audit;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The decision (head version), or null.</summary>
    public ValueTask<Versioned<DispositionDecision>?> GetAsync(string id, CancellationToken cancellationToken = default)
        => _store.GetAsync(id, null, cancellationToken);

    /// <summary>Records a proposed decision.</summary>
    /// <exception cref="ArchiveValidationException">Every broken rule, by field; nothing is stored.</exception>
    /// <exception cref="ArchiveConflictException">A decision with this id exists.</exception>
    public async ValueTask<Versioned<DispositionDecision>> ProposeAsync(DispositionDecisionInput input, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var errors = new List<ValidationError>();
        var (id, number, legalBasis, minutes, agency, codes) = Check(input, errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var decision = new DispositionDecision
        {
            Id = id!,
            DecisionNumber = number!,
            DecisionDate = input.DecisionDate!.Value,
            LegalBasis = legalBasis!,
            CouncilMinutesReference = minutes!,
            AgencyId = agency!,
            ExplanatoryNote = string.IsNullOrWhiteSpace(input.ExplanatoryNote) ? null : input.ExplanatoryNote.Trim(),
            FileCodes = codes,
            ProposedBy = user.Name,
            ProposedAt = _time.GetUtcNow(),
            Status = DispositionStatus.Proposed,
        };
        return await _store.CommitAsync(decision.Id, decision, 0, $"Propose destruction decision {decision.DecisionNumber} ({codes.Count} files)", user, null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rules a proposal breaks (by field), without storing anything: what <see cref="ProposeAsync"/> would refuse.</summary>
    internal static List<ValidationError> ProposalErrors(DispositionDecisionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<ValidationError>();
        _ = Check(input, errors);
        return errors;
    }

    private static (string? Id, string? Number, string? LegalBasis, string? Minutes, string? Agency, List<string> Codes) Check(DispositionDecisionInput input, List<ValidationError> errors)
    {
        var id = Required(input.Id, "id", 64, errors);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            errors.Add(new ValidationError("id", "format", "The id may hold letters, digits, '.', '-' and '_' only."));
        }

        var number = Required(input.DecisionNumber, "decisionNumber", 100, errors);
        var legalBasis = Required(input.LegalBasis, "legalBasis", 500, errors);
        var minutes = Required(input.CouncilMinutesReference, "councilMinutesReference", 500, errors);
        var agency = Required(input.AgencyId, "agencyId", 64, errors);
        if (input.DecisionDate is null)
        {
            errors.Add(new ValidationError("decisionDate", "required", "The decision date is required."));
        }

        var codes = (input.FileCodes ?? []).Select(c => c?.Trim() ?? string.Empty).ToList();
        if (codes.Count == 0)
        {
            errors.Add(new ValidationError("fileCodes", "required", "The list of record files to destroy is required."));
        }
        else if (codes.Count > MaxFiles)
        {
            errors.Add(new ValidationError("fileCodes", "max-count", $"At most {MaxFiles} files per decision."));
        }
        else if (codes.Any(string.IsNullOrEmpty))
        {
            errors.Add(new ValidationError("fileCodes", "required", "Every listed file code must be non-empty."));
        }
        else if (codes.Distinct(StringComparer.Ordinal).Count() != codes.Count)
        {
            errors.Add(new ValidationError("fileCodes", "unique", "A file is listed twice."));
        }

        return (id, number, legalBasis, minutes, agency, codes);
    }

    /// <summary>Approves a proposed decision. The approver must not be the proposer.</summary>
    /// <exception cref="ArchiveNotFoundException">No such decision.</exception>
    /// <exception cref="ArchiveValidationException">Self-approval (<see cref="DispositionRules.SelfApproval"/>).</exception>
    /// <exception cref="ArchiveConflictException">The decision is not proposed (<see cref="DispositionRules.InvalidState"/>).</exception>
    public async ValueTask<Versioned<DispositionDecision>> ApproveAsync(string id, ArchiveUser approver, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(approver);
        approver.Validate();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await _store.GetAsync(id, null, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("disposition-decision", id);
            if (current.Value.Status != DispositionStatus.Proposed)
            {
                throw new ArchiveConflictException("disposition-decision", id, DispositionRules.InvalidState, $"Decision '{id}' is {current.Value.Status}, not proposed.");
            }

            if (string.Equals(current.Value.ProposedBy, approver.Name, StringComparison.OrdinalIgnoreCase))
            {
                await DeniedAsync(id, approver, DispositionRules.SelfApproval, cancellationToken).ConfigureAwait(false);
                throw new ArchiveValidationException("approvedBy", DispositionRules.SelfApproval, $"Decision '{id}' was proposed by '{current.Value.ProposedBy}', who cannot approve it too.");
            }

            var next = current.Value with { Status = DispositionStatus.Approved, ApprovedBy = approver.Name, ApprovedAt = _time.GetUtcNow() };
            return await _store.CommitAsync(id, next, current.Version, $"Approve destruction decision {next.DecisionNumber}", approver, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Executes an approved decision (or resumes an interrupted execution): checks every listed file, destroys the
    /// eligible ones, and returns the decision with a result per file.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">No such decision.</exception>
    /// <exception cref="ArchiveConflictException">The decision is not approved (<see cref="DispositionRules.NotApproved"/>).</exception>
    public async ValueTask<Versioned<DispositionDecision>> ExecuteAsync(string id, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await _store.GetAsync(id, null, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("disposition-decision", id);
            var d = current.Value;
            if (d.Status == DispositionStatus.Executed)
            {
                return current;
            }

            if (d.Status is not (DispositionStatus.Approved or DispositionStatus.Executing))
            {
                await DeniedAsync(id, user, DispositionRules.NotApproved, cancellationToken).ConfigureAwait(false);
                throw new ArchiveConflictException("disposition-decision", id, DispositionRules.NotApproved, $"Decision '{id}' is {d.Status}: only an approved decision can be executed.");
            }

            if (d.Status == DispositionStatus.Approved)
            {
                current = await PrepareAsync(current, user, cancellationToken).ConfigureAwait(false);
                d = current.Value;
            }

            // Destroy the pending files (tombstones are committed).
            var results = d.Results.ToList();
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Outcome == DispositionFileOutcome.Pending)
                {
                    var tombstone = await ReadTombstoneAsync(d.Id, results[i].FileCode, cancellationToken).ConfigureAwait(false);
                    results[i] = await DestroyAsync(d, results[i].FileCode, tombstone, user, cancellationToken).ConfigureAwait(false);
                }
            }

            var done = d with { Status = DispositionStatus.Executed, Results = results };
            var destroyed = results.Count(r => r.Outcome == DispositionFileOutcome.Destroyed);
            return await _store.CommitAsync(id, done, current.Version, $"Executed destruction decision {d.DecisionNumber}: {destroyed} of {results.Count} files destroyed", user, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The destruction record data: the decision, per-file results and tombstones.</summary>
    public async ValueTask<DestructionRecord?> GetDestructionRecordAsync(string id, CancellationToken cancellationToken = default)
    {
        var current = await _store.GetAsync(id, null, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return null;
        }

        var tombstones = new List<DestructionTombstone>();
        foreach (var r in current.Value.Results.Where(r => r.Outcome is DispositionFileOutcome.Destroyed or DispositionFileOutcome.Pending or DispositionFileOutcome.Failed))
        {
            if (await ReadTombstoneAsync(id, r.FileCode, cancellationToken).ConfigureAwait(false) is { } t)
            {
                tombstones.Add(t);
            }
        }

        return new DestructionRecord { Decision = current.Value, Tombstones = tombstones, StorageNote = StorageNote() };
    }

    /// <summary>The tombstone path of a file in the decision package.</summary>
    public static string TombstonePath(string fileCode) => "tombstones/" + Uri.EscapeDataString(fileCode) + ".json";

    private string? StorageNote() => _storage.Objects.GetRetention() is { Enforcement: RetentionEnforcement.Worm }
        ? $"The object store ({_storage.Objects.SystemName}) enforces WORM retention: a delete hides the current object version behind a delete marker; earlier versions stay until the bucket's lifecycle removes them, and versions under Object Lock retention or legal hold cannot be deleted before it ends."
        : null;

    private async ValueTask<Versioned<DispositionDecision>> PrepareAsync(Versioned<DispositionDecision> current, ArchiveUser user, CancellationToken cancellationToken)
    {
        var d = current.Value;
        var now = _time.GetUtcNow();
        var results = new List<DispositionFileResult>();
        var tombstones = new List<(string Path, byte[] Json)>();
        foreach (var code in d.FileCodes)
        {
            var file = await _files.GetAsync(code, cancellationToken).ConfigureAwait(false);
            var inventory = file is null ? null : await _storage.Files.GetInventoryAsync(code, cancellationToken).ConfigureAwait(false);
            if (file is null || inventory is null)
            {
                results.Add(new DispositionFileResult(code, DispositionFileOutcome.Refused, DispositionRules.NotFound, $"Record file '{code}' does not exist."));
                continue;
            }

            if (Check(file.Value, d, now) is { } refusal)
            {
                results.Add(refusal);
                continue;
            }

            var contents = inventory.Versions.SelectMany(v => v.Files).Where(f => f.LogicalPath.StartsWith("content/", StringComparison.Ordinal)).DistinctBy(f => f.Sha256).ToList();
            var f = file.Value;
            var tombstone = new DestructionTombstone
            {
                FileCode = f.FileCode,
                FondsCode = f.FondsCode,
                OrganId = f.OrganId,
                Title = f.Title,
                FileNotation = f.FileNotation,
                Rights = f.Rights,
                SheetNumber = f.SheetNumber,
                NonArchivalReason = f.NonArchival?.Reason,
                Maintenance = f.Maintenance,
                ScheduleItemCode = f.ScheduleItemCode,
                ClosingYear = RetentionPlanner.ClosingYear(f),
                StartDate = f.StartDate,
                EndDate = f.EndDate,
                DocTotal = f.DocTotal,
                PageTotal = f.PageTotal,
                DecisionId = d.Id,
                DecisionNumber = d.DecisionNumber,
                DestroyedBy = user.Name,
                DestroyedAt = now,
                HeadVersion = inventory.Head,
                InventoryDigest = inventory.InventoryDigest,
                ContentFiles = contents.Count,
                ContentBytes = contents.Sum(c => c.Length),
            };
            tombstones.Add((TombstonePath(code), ArchiveJson.Serialize(tombstone)));
            results.Add(new DispositionFileResult(code, DispositionFileOutcome.Pending));
        }

        var executing = d with { Status = DispositionStatus.Executing, ExecutedBy = user.Name, ExecutedAt = now, Results = results };
        var streams = new List<MemoryStream>();
        try
        {
            var stored = await _store.CommitAsync(d.Id, executing, current.Version, $"Start destruction decision {d.DecisionNumber}: {tombstones.Count} eligible, {results.Count - tombstones.Count} refused", user, commit =>
            {
                foreach (var (path, json) in tombstones)
                {
                    var s = new MemoryStream(json, writable: false);
                    streams.Add(s);
                    commit.Put(path, s);
                }
            }, null, cancellationToken).ConfigureAwait(false);

            foreach (var r in results.Where(r => r.Outcome == DispositionFileOutcome.Refused))
            {
                await _audit.AppendAsync(Event(user, d, r.FileCode, AuditOutcome.Denied, $"Refused by {r.Rule}: {r.Detail}"), cancellationToken).ConfigureAwait(false);
            }

            return stored;
        }
        finally
        {
            foreach (var s in streams)
            {
                s.Dispose();
            }
        }
    }

    private static DispositionFileResult? Check(RecordFile f, DispositionDecision d, DateTimeOffset now)
    {
        if (f.LegalHold)
        {
            return new(f.FileCode, DispositionFileOutcome.Refused, DispositionRules.LegalHold, $"Record file '{f.FileCode}' is under legal hold (frozen by a competent authority) and is never destroyed.");
        }

        if (f.AccessionedAt is not null)
        {
            return new(f.FileCode, DispositionFileOutcome.Refused, DispositionRules.Accessioned, $"Record file '{f.FileCode}' was accessioned by the Historical Archives.");
        }

        if (!string.Equals(f.OrganId, d.AgencyId, StringComparison.Ordinal))
        {
            return new(f.FileCode, DispositionFileOutcome.Refused, DispositionRules.OtherAgency, $"Record file '{f.FileCode}' belongs to agency '{f.OrganId}', not '{d.AgencyId}'.");
        }

        if (f.Status != RecordFileStatus.Finished)
        {
            return new(f.FileCode, DispositionFileOutcome.Refused, DispositionRules.Unfinished, $"Record file '{f.FileCode}' is not finished.");
        }

        // A file marked non-archival (duplicate, reference copy...) may be destroyed regardless of its retention.
        if (f.NonArchival is null)
        {
            if (RetentionPlanner.AppraisalDueYear(f) is not { } due)
            {
                return new(f.FileCode, DispositionFileOutcome.Refused, DispositionRules.RetentionPermanent, $"Record file '{f.FileCode}' is kept {f.Maintenance}: its retention never runs out.");
            }

            if (due > now.Year)
            {
                return new(f.FileCode, DispositionFileOutcome.Refused, DispositionRules.RetentionNotExpired, $"Record file '{f.FileCode}' is kept {f.Maintenance} from {RetentionPlanner.ClosingYear(f)}: not before {due.ToString(CultureInfo.InvariantCulture)}.");
            }
        }

        return null;
    }

    /// <summary>
    /// Destroys one record file under its lock (<see cref="RecordFileService.DestroyLockedAsync"/>): no change commits
    /// between the check of its inventory and the purge, and no projection of the engine brings it back into the index.
    /// </summary>
    private ValueTask<DispositionFileResult> DestroyAsync(DispositionDecision d, string code, DestructionTombstone? tombstone, ArchiveUser user, CancellationToken cancellationToken)
        => _files.DestroyLockedAsync(code, () => DestroyLockedAsync(d, code, tombstone, user, cancellationToken), cancellationToken);

    private async ValueTask<DispositionFileResult> DestroyLockedAsync(DispositionDecision d, string code, DestructionTombstone? tombstone, ArchiveUser user, CancellationToken cancellationToken)
    {
        var inventory = await _storage.Files.GetInventoryAsync(code, cancellationToken).ConfigureAwait(false);
        if (inventory is not null)
        {
            if (tombstone is null || !string.Equals(inventory.InventoryDigest, tombstone.InventoryDigest, StringComparison.Ordinal))
            {
                // Changed since the check (e.g. a legal hold was placed): refuse rather than destroy unchecked content.
                var changed = new DispositionFileResult(code, DispositionFileOutcome.Refused, DispositionRules.ChangedDuringDisposition, $"Record file '{code}' changed after the decision was checked; propose it again.");
                await _audit.AppendAsync(Event(user, d, code, AuditOutcome.Denied, changed.Detail!), cancellationToken).ConfigureAwait(false);
                return changed;
            }

            // Asked before anything is removed, so a package store that cannot destroy leaves the record file whole.
            var purger = _storage.Files.GetService<IPackagePurger>()
                ?? throw new NotSupportedException($"The package store of record files ({_storage.Files.GetType().Name}) cannot purge packages ({nameof(IPackagePurger)}); destruction is not possible with it.");
            var file = await _files.GetAsync(code, cancellationToken).ConfigureAwait(false);
            var ids = new List<string> { SearchProjection.RecordFileId(code) };
            ids.AddRange((file?.Value.Documents ?? []).Select(doc => SearchProjection.DocumentId(code, doc.DocOrdinal)));
            // The flag first, then the index: a crash in between cannot have a pending-index run bring the documents back.
            // With the destroyed head version: an index shared by several hosts then refuses a late write of any version
            // up to it (e.g. another host's index update of the last change), instead of bringing the documents back;
            // this engine's own projections in flight leave the record file out (RecordIndexer.RemoveDestroyedAsync).
            await _files.RemoveFromSearchAsync(code, ids, inventory.Head, cancellationToken).ConfigureAwait(false);
            try
            {
                await purger.PurgeAsync(code, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectLockedException ex)
            {
                var locked = new DispositionFileResult(code, DispositionFileOutcome.Failed, DispositionRules.StorageLocked, $"The storage refused to delete '{ex.Key}': {ex.Reason}. The record file's data is NOT destroyed (its package may be partly hidden); retry after the storage retention ends.");
                await _audit.AppendAsync(Event(user, d, code, AuditOutcome.Failure, locked.Detail!), cancellationToken).ConfigureAwait(false);
                return locked;
            }
        }

        var note = StorageNote();
        var result = new DispositionFileResult(code, DispositionFileOutcome.Destroyed, null, note);
        await _audit.AppendAsync(Event(user, d, code, AuditOutcome.Success,
            $"Destroyed under decision {d.DecisionNumber} ({d.LegalBasis}); inventory SHA-256 {tombstone?.InventoryDigest}" + (note is null ? string.Empty : "; " + note)), cancellationToken).ConfigureAwait(false);
        return result;
    }

    internal async ValueTask<DestructionTombstone?> ReadTombstoneAsync(string id, string code, CancellationToken cancellationToken)
    {
        var content = await _store.Packages.OpenFileAsync(id, TombstonePath(code), null, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            return await ArchiveJson.DeserializeAsync<DestructionTombstone>(content.Stream, $"tombstone of '{code}' in decision '{id}'", cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DeniedAsync(string id, ArchiveUser user, string rule, CancellationToken cancellationToken)
        => await _audit.AppendAsync(new AuditEvent
        {
            Action = AuditActions.Disposition,
            Actor = user.Name,
            ObjectType = "disposition-decision",
            ObjectId = id,
            Outcome = AuditOutcome.Denied,
            Detail = "Refused: " + rule,
        }, cancellationToken).ConfigureAwait(false);

    private static AuditEvent Event(ArchiveUser user, DispositionDecision d, string code, AuditOutcome outcome, string detail) => new()
    {
        Action = AuditActions.Disposition,
        Actor = user.Name,
        ObjectType = "record-file",
        ObjectId = code,
        Outcome = outcome,
        Detail = $"Decision {d.Id} ({d.DecisionNumber}): {detail}",
    };

    private static string? Required(string? value, string field, int max, List<ValidationError> errors)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v))
        {
            errors.Add(new ValidationError(field, "required", $"'{field}' is required."));
            return null;
        }

        if (v.Length > max)
        {
            errors.Add(new ValidationError(field, "max-length", $"'{field}' must be at most {max} characters."));
        }

        return v;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex IdPattern();
}
