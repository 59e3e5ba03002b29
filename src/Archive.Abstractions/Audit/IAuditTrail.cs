namespace Archive.Audit;

/// <summary>How an audited action ended (PREMIS <c>eventOutcome</c>).</summary>
public enum AuditOutcome
{
    /// <summary>The action was carried out.</summary>
    Success = 0,

    /// <summary>The action was attempted and failed (bad input, conflict, verification failure...).</summary>
    Failure = 1,

    /// <summary>The caller was not allowed to do it (authentication failure, missing role, other agency's records).</summary>
    Denied = 2,
}

/// <summary>
/// One audited action, PREMIS-style: who (<see cref="Actor"/>), what (<see cref="Action"/> on <see cref="ObjectType"/>
/// <see cref="ObjectId"/>), when (stamped by the trail), outcome. Actions are dotted lower-case verbs, e.g.
/// <c>content.read</c>, <c>recordfile.update</c>, <c>handover.export</c>, <c>handover.import</c>,
/// <c>disposition.destroy</c>, <c>auth.failed</c>; <see cref="AuditActions"/> lists the ones the toolkit emits.
/// </summary>
public sealed record AuditEvent
{
    /// <summary>What was done, e.g. <c>content.read</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Who did it, as a person reads it: the user name, API key name or <c>anonymous</c>. Not unique: see <see cref="ActorId"/>.</summary>
    public required string Actor { get; init; }

    /// <summary>
    /// Who did it, unambiguously, when known: the principal id, e.g. <c>apikey:0123456789abcdef</c> (an API key's id),
    /// <c>jwt:https://id.example.gov.vn|42</c> (a bearer token's issuer and subject), <c>user:…</c> or <c>mailto:…</c> (a host's own
    /// identity), <c>anonymous</c>. For a change, the package version's user address. Null in events stored before it existed.
    /// </summary>
    public string? ActorId { get; init; }

    /// <summary>The actor's roles when the event was recorded, comma-separated in ordinal order (e.g. <c>administrator,clerk</c>), when known.</summary>
    public string? ActorRoles { get; init; }

    /// <summary>The actor's agency, when known.</summary>
    public string? ActorAgencyId { get; init; }

    /// <summary>Kind of object acted upon, e.g. <c>record-file</c>, <c>fonds</c>, <c>handover-package</c>.</summary>
    public string? ObjectType { get; init; }

    /// <summary>Identifier of the object acted upon (file code, fonds code, package id...).</summary>
    public string? ObjectId { get; init; }

    /// <summary>Outcome.</summary>
    public AuditOutcome Outcome { get; init; } = AuditOutcome.Success;

    /// <summary>Human-readable detail (no secrets, no content).</summary>
    public string? Detail { get; init; }

    /// <summary>Network address of the caller, when the action came over HTTP.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>
    /// The access level of what the event reveals, when it is more than its object's own (e.g. <see cref="Archive.AccessLevel.Secret"/>
    /// for a search run by a cleared caller, whose query text may quote secret material): auditors without clearance see
    /// such an event redacted. Null for most events (their object decides). Part of the hash only when set.
    /// </summary>
    public Archive.AccessLevel? Classification { get; init; }
}

/// <summary>An event as stored in the trail: its position, time and place in the hash chain.</summary>
public sealed record AuditRecord
{
    /// <summary>Position in the trail, from 1, without gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the trail accepted the event (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The event.</summary>
    public required AuditEvent Event { get; init; }

    /// <summary>Hex SHA-256 of the previous record (64 zeros for the first).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>Hex SHA-256 over the canonical form of this record, chaining <see cref="PreviousHash"/>.</summary>
    public required string Hash { get; init; }

    /// <summary>
    /// True when this copy was redacted for a reader without clearance: the event concerns Secret material, so its
    /// object identifier and detail are left out (and <see cref="Hash"/> no longer matches what is shown; the stored
    /// record is intact and verified by the trail's verification).
    /// </summary>
    public bool Redacted { get; init; }
}

/// <summary>The actions the toolkit itself records.</summary>
public static class AuditActions
{
    /// <summary>A content file (or its text) was read or downloaded.</summary>
    public const string ContentRead = "content.read";

    /// <summary>Record file metadata was read.</summary>
    public const string RecordRead = "recordfile.read";

    /// <summary>An entity (agency, fonds, record file, document, content, schedule, event, plan) was created or changed.</summary>
    public const string Change = "change";

    /// <summary>A handover or transfer package was exported.</summary>
    public const string Export = "package.export";

    /// <summary>A handover or transfer package was imported (accepted or rejected).</summary>
    public const string Import = "package.import";

    /// <summary>Records were destroyed under an approved disposition decision (or the attempt was refused).</summary>
    public const string Disposition = "disposition.destroy";

    /// <summary>Authentication failed (bad token, unknown or revoked API key).</summary>
    public const string AuthenticationFailed = "auth.failed";

    /// <summary>An authenticated caller was refused (role or agency scope).</summary>
    public const string AccessDenied = "auth.denied";

    /// <summary>A search was run.</summary>
    public const string Search = "search";

    /// <summary>A record file could not be created or imported because its code is taken by a record file the caller can see.</summary>
    public const string CodeCollision = "recordfile.code-collision";

    /// <summary>
    /// A record file could not be created or imported because its code is taken by a record file the caller may not see
    /// (a Secret one without clearance): the caller got the same answer as for a visible one; this event lets cleared
    /// auditors see probing.
    /// </summary>
    public const string HiddenCodeCollision = "security.hidden-code-collision";
}

/// <summary>
/// The append-only, hash-chained audit trail. Appends are durable when the call returns; the chain lets
/// <c>VerifyAsync</c> (on the implementation) detect any edited, removed, reordered or truncated record.
/// </summary>
public interface IAuditTrail
{
    /// <summary>Appends <paramref name="auditEvent"/>, stamping time, sequence and hash; durable on return.</summary>
    /// <param name="auditEvent">The event.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored record.</returns>
    ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);
}
