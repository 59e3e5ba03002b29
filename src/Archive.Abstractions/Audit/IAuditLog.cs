namespace Archive.Audit;

/// <summary>
/// The full audit log: <see cref="IAuditTrail"/> (append) plus what auditors need — query, verification of the hash
/// chain and signed checkpoints.
/// </summary>
public interface IAuditLog : IAuditTrail
{
    /// <summary>One page of records matching <paramref name="query"/>, in sequence order (ascending or descending).</summary>
    /// <exception cref="ArchiveValidationException">A filter or paging value is out of range.</exception>
    ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Walks the whole chain (streaming: memory does not grow with the number of records) and every checkpoint, and
    /// reports each problem found: edited, removed, reordered or truncated records, forged or unsigned checkpoints.
    /// </summary>
    ValueTask<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes a (signed, when a certificate is configured) checkpoint at the current tail; null when the log is empty.</summary>
    ValueTask<AuditCheckpoint?> CheckpointAsync(CancellationToken cancellationToken = default);
}

/// <summary>Filters and paging of <see cref="IAuditLog.QueryAsync"/>. Every filter is optional; they combine with AND.</summary>
public sealed record AuditQuery
{
    /// <summary>Only records stamped at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only records stamped before this instant (exclusive).</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only this actor (exact, case-insensitive).</summary>
    public string? Actor { get; init; }

    /// <summary>Only this principal (<see cref="AuditEvent.ActorId"/>, exact, case-sensitive).</summary>
    public string? ActorId { get; init; }

    /// <summary>Only this action (exact, e.g. <c>change</c>).</summary>
    public string? Action { get; init; }

    /// <summary>Only this object type (exact).</summary>
    public string? ObjectType { get; init; }

    /// <summary>Only this object id (exact).</summary>
    public string? ObjectId { get; init; }

    /// <summary>Only this outcome.</summary>
    public AuditOutcome? Outcome { get; init; }

    /// <summary>Newest first (descending sequence) when true; oldest first otherwise.</summary>
    public bool NewestFirst { get; init; }

    /// <summary>
    /// Paging cursor: start after this sequence (oldest first) or before it (newest first); the
    /// <see cref="AuditPage.NextCursor"/> of the previous page.
    /// </summary>
    public long? Cursor { get; init; }

    /// <summary>Most records per page, 1..1000 (default 100).</summary>
    public int PageSize { get; init; } = 100;
}

/// <summary>One page of audit records.</summary>
/// <param name="Records">The matching records, in the requested order.</param>
/// <param name="NextCursor">Pass as <see cref="AuditQuery.Cursor"/> for the next page; null when nothing more can match.</param>
/// <param name="Scanned">How many stored records were read to build the page.</param>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Records, long? NextCursor, long Scanned);

/// <summary>A checkpoint: the hash of the chain at a sequence, optionally signed (detached CMS).</summary>
public sealed record AuditCheckpoint
{
    /// <summary>The sequence of the record whose hash is pinned.</summary>
    public required long Sequence { get; init; }

    /// <summary>The record's hash (hex SHA-256).</summary>
    public required string Hash { get; init; }

    /// <summary>When the checkpoint was written (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Base64 detached CMS signature over the canonical (sequence, hash, timestamp); null when unsigned.</summary>
    public string? Signature { get; init; }

    /// <summary>Subject of the signing certificate, for people; null when unsigned.</summary>
    public string? Signer { get; init; }

    /// <summary>SHA-256 thumbprint (hex) of the signing certificate; null when unsigned.</summary>
    public string? SignerThumbprint { get; init; }
}

/// <summary>Kinds of problem the verification of the audit log (<c>IAuditLog.VerifyAsync</c>) reports.</summary>
public enum AuditProblemKind
{
    /// <summary>A record's content does not hash to its stored hash (its bytes were edited).</summary>
    Edited,

    /// <summary>A record is missing from the sequence (a gap).</summary>
    Removed,

    /// <summary>A record is not where it belongs: its sequence differs from its key, or its previous hash does not match the record before it.</summary>
    Reordered,

    /// <summary>The tail is shorter than a checkpoint says, or a checkpoint's hash differs from the record it pins.</summary>
    Truncated,

    /// <summary>A checkpoint's signature is invalid, or it was signed by an untrusted certificate.</summary>
    BadSignature,

    /// <summary>A checkpoint carries no signature (a warning: no signing certificate was configured).</summary>
    Unsigned,

    /// <summary>A stored object could not be read or parsed.</summary>
    Unreadable,
}

/// <summary>One problem found by verification.</summary>
/// <param name="Sequence">The sequence concerned.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Detail">Expected and actual values, for a person.</param>
/// <param name="IsWarning">True for warnings (e.g. unsigned checkpoints) that do not make the log invalid.</param>
public sealed record AuditProblem(long Sequence, AuditProblemKind Kind, string Detail, bool IsWarning = false);

/// <summary>The result of <see cref="IAuditLog.VerifyAsync"/>.</summary>
public sealed record AuditVerification
{
    /// <summary>When the check ran.</summary>
    public required DateTimeOffset CheckedAt { get; init; }

    /// <summary>Records read and re-hashed.</summary>
    public required long RecordsChecked { get; init; }

    /// <summary>Checkpoints read and checked.</summary>
    public required long CheckpointsChecked { get; init; }

    /// <summary>Highest sequence found.</summary>
    public required long LastSequence { get; init; }

    /// <summary>Hash of the last record found (empty when the log is empty).</summary>
    public required string LastHash { get; init; }

    /// <summary>Every problem and warning, in sequence order (at most a configured number are kept; see <see cref="ProblemsTruncated"/>).</summary>
    public required IReadOnlyList<AuditProblem> Problems { get; init; }

    /// <summary>True when more problems were found than kept.</summary>
    public bool ProblemsTruncated { get; init; }

    /// <summary>Whether the log is intact (no problem other than warnings).</summary>
    public bool IsValid => !ProblemsTruncated && Problems.All(p => p.IsWarning);
}
