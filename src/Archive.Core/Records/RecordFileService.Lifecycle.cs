
namespace Archive.Records;

public sealed partial class RecordFileService
{
    // ----------------------------------------------------------------------------------------------- weeding, hold, accession

    /// <summary>
    /// Weeds out a whole record file (<paramref name="docOrdinal"/> null) or one document as non-archival material
    /// (books, newspapers, drafts, reference copies...). Weeded material is listed apart
    /// (<see cref="ListNonArchivalAsync"/>), excluded from the totals, and never appears in transfer lists.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The reason is missing.</exception>
    public ValueTask<WriteResult<RecordFile>> MarkNonArchivalAsync(string fileCode, int? docOrdinal, NonArchivalKind kind, string reason, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArchiveValidationException("reason", "weeding.reason-required", "Weeding material out requires a reason.");
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArchiveValidationException("kind", "enum", $"'{kind}' is not a kind of non-archival material: one of {string.Join(", ", Enum.GetNames<NonArchivalKind>())}.");
        }

        var mark = new NonArchivalMark(kind, Clean(reason)!, _time.GetUtcNow(), user.Name);
        var target = docOrdinal is { } o ? $"document {o} of {fileCode}" : fileCode;
        return MutateAsync(fileCode, expectedVersion, user, false, $"Weed out {target} as non-archival ({kind}): {mark.Reason}", (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            if (docOrdinal is { } ord)
            {
                _ = FindDocument(c, ord);
                return ValueTask.FromResult(new Mutation(c with { Documents = c.Documents.Select(d => d.DocOrdinal == ord ? d with { NonArchival = mark } : d).ToList() }));
            }

            return ValueTask.FromResult(new Mutation(c with { NonArchival = mark }));
        }, cancellationToken);
    }

    /// <summary>Takes a weeding mark back (a review decision reversed); the history keeps both.</summary>
    public ValueTask<WriteResult<RecordFile>> ClearNonArchivalAsync(string fileCode, int? docOrdinal, string reason, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArchiveValidationException("reason", "weeding.reason-required", "Taking a weeding mark back requires a reason.");
        }

        var target = docOrdinal is { } o ? $"document {o} of {fileCode}" : fileCode;
        return MutateAsync(fileCode, expectedVersion, user, false, $"Keep {target} as archival: {Clean(reason)}", (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            if (docOrdinal is { } ord)
            {
                _ = FindDocument(c, ord);
                return ValueTask.FromResult(new Mutation(c with { Documents = c.Documents.Select(d => d.DocOrdinal == ord ? d with { NonArchival = null } : d).ToList() }));
            }

            return ValueTask.FromResult(new Mutation(c with { NonArchival = null }));
        }, cancellationToken);
    }

    /// <summary>
    /// Places or lifts a legal hold (freeze by a competent authority). A held file refuses every other change and is
    /// left out of appraisal and transfer lists (reported apart as withheld) — it is never destroyed.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The reason (e.g. the authority's decision) is missing.</exception>
    public ValueTask<WriteResult<RecordFile>> SetLegalHoldAsync(string fileCode, bool hold, string reason, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArchiveValidationException("reason", "legal-hold.reason-required", "A legal hold is placed or lifted by a decision: give it as the reason.");
        }

        return MutateAsync(fileCode, expectedVersion, user, true, $"{(hold ? "Place" : "Lift")} legal hold on {fileCode}: {Clean(reason)}", (current, fonds, errors, warnings, ct)
            => ValueTask.FromResult(new Mutation(current.Value with { LegalHold = hold })), cancellationToken);
    }

    /// <summary>
    /// Records that the Historical Archives accessioned the file (after a transfer). Only finished, permanent,
    /// archival files can be accessioned; afterwards the file is read-only here.
    /// </summary>
    /// <exception cref="ArchiveConflictException">The file is not permanent, unfinished or weeded out (<see cref="ConflictRules.InvalidState"/>).</exception>
    public ValueTask<WriteResult<RecordFile>> MarkAccessionedAsync(string fileCode, DateTimeOffset accessionedAt, string reference, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new ArchiveValidationException("reference", "accession.reference-required", "Give the transfer record (biên bản thu nộp) as the reference.");
        }

        return MutateAsync(fileCode, expectedVersion, user, false, $"Accessioned by the Historical Archives: {Clean(reference)}", (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            if (!c.Maintenance.IsPermanent || c.Status != RecordFileStatus.Finished || c.NonArchival is not null)
            {
                throw new ArchiveConflictException("record-file", fileCode, ConflictRules.InvalidState, "Only finished, permanent, archival record files are accessioned by the Historical Archives.");
            }

            return ValueTask.FromResult(new Mutation(c with { AccessionedAt = accessionedAt }));
        }, cancellationToken);
    }
}
