namespace Archive;

/// <summary>
/// The addressed entity does not exist (an HTTP facade maps it to 404). Input that <em>refers</em> to a missing entity
/// (e.g. a record file naming an unknown fonds) is an <see cref="ArchiveValidationException"/> instead.
/// </summary>
public sealed class ArchiveNotFoundException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveNotFoundException(string entity, string id, string? detail = null)
        : base($"{entity} '{id}' does not exist{(detail is null ? "." : ": " + detail)}")
    {
        Entity = entity;
        Id = id;
    }

    /// <summary>The kind of entity (<c>agency</c>, <c>fonds</c>, <c>record-file</c>, <c>document</c>, <c>content</c>, <c>version</c>, <c>schedule</c>).</summary>
    public string Entity { get; }

    /// <summary>Its identifier.</summary>
    public string Id { get; }
}

/// <summary>
/// The request is valid but conflicts with the current state (an HTTP facade maps it to 409): the entity already
/// exists, the fonds is closed, the record file is frozen, ... <see cref="Rule"/> says which.
/// </summary>
public class ArchiveConflictException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveConflictException(string entity, string id, string rule, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Entity = entity;
        Id = id;
        Rule = rule;
    }

    /// <summary>The kind of entity concerned.</summary>
    public string Entity { get; }

    /// <summary>Its identifier.</summary>
    public string Id { get; }

    /// <summary>A stable rule identifier a client can switch on, e.g. <see cref="ConflictRules.AlreadyExists"/>.</summary>
    public string Rule { get; }
}

/// <summary>A new record file was refused because its fonds is closed (đóng phông) — closing is irreversible.</summary>
public sealed class FondsClosedException : ArchiveConflictException
{
    /// <summary>Creates the exception.</summary>
    public FondsClosedException(string fondsCode, DateOnly? closedOn)
        : base("fonds", fondsCode, ConflictRules.FondsClosed, $"Fonds '{fondsCode}' was closed{(closedOn is { } d ? " on " + d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : string.Empty)}; it receives no new record files.")
    {
        ClosedOn = closedOn;
    }

    /// <summary>The day the fonds was closed.</summary>
    public DateOnly? ClosedOn { get; }
}

/// <summary>Stable rule identifiers of <see cref="ArchiveConflictException.Rule"/>.</summary>
public static class ConflictRules
{
    /// <summary>An entity with this identifier already exists.</summary>
    public const string AlreadyExists = "already-exists";

    /// <summary>The creating agency already has a fonds (one fonds per creating agency).</summary>
    public const string AgencyHasFonds = "fonds.one-per-agency";

    /// <summary>The fonds is closed: no new record files.</summary>
    public const string FondsClosed = "fonds.closed";

    /// <summary>The record file is under legal hold (frozen): nothing but lifting the hold may change it.</summary>
    public const string LegalHold = "record-file.legal-hold";

    /// <summary>The record file was accessioned by the Historical Archives and is read-only here.</summary>
    public const string Accessioned = "record-file.accessioned";

    /// <summary>Another long-running job of the same kind is running.</summary>
    public const string JobRunning = "job.running";

    /// <summary>The operation does not apply in the entity's current state (e.g. accessioning a fixed-term file).</summary>
    public const string InvalidState = "state.invalid";
}

/// <summary>
/// Optimistic concurrency: the caller's expected version (ETag) is not the current one (an HTTP facade maps it to
/// 412). Nothing was changed; reload and retry.
/// </summary>
public sealed class ArchivePreconditionFailedException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public ArchivePreconditionFailedException(string entity, string id, int? expectedVersion, int actualVersion, Exception? innerException = null)
        : base($"{entity} '{id}' is at version {actualVersion}, not {expectedVersion}; reload it and retry.", innerException)
    {
        Entity = entity;
        Id = id;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The kind of entity.</summary>
    public string Entity { get; }

    /// <summary>Its identifier.</summary>
    public string Id { get; }

    /// <summary>The version the caller based its change on.</summary>
    public int? ExpectedVersion { get; }

    /// <summary>The current version.</summary>
    public int ActualVersion { get; }
}

/// <summary>An upload exceeded <see cref="Hosting.ArchiveOptions.MaxUploadBytes"/>; nothing was stored (an HTTP facade maps it to 413).</summary>
public sealed class ContentTooLargeException : ArchiveValidationException
{
    /// <summary>Creates the exception.</summary>
    public ContentTooLargeException(string field, long limit)
        : base(field, "content.too-large", $"The content is larger than the limit of {limit} bytes; nothing was stored.")
    {
        Limit = limit;
    }

    /// <summary>The limit in bytes.</summary>
    public long Limit { get; }
}
