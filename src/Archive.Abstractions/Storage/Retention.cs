namespace Archive.Storage;

/// <summary>How strictly a retention period is enforced.</summary>
public enum RetentionMode
{
    /// <summary>Users with a special permission may shorten or remove the retention (S3 GOVERNANCE).</summary>
    Governance = 0,

    /// <summary>Nobody can shorten or remove the retention until it expires (S3 COMPLIANCE).</summary>
    Compliance = 1,
}

/// <summary>Who enforces retention and legal holds.</summary>
public enum RetentionEnforcement
{
    /// <summary>
    /// The store's own API refuses deletes and overwrites, but the underlying medium does not: anyone with direct
    /// access (e.g. to the folder) can still remove data. Not WORM.
    /// </summary>
    Advisory = 0,

    /// <summary>The storage system itself enforces write-once-read-many (e.g. S3 Object Lock).</summary>
    Worm = 1,
}

/// <summary>A retain-until date and its mode.</summary>
/// <param name="Mode">Governance or compliance.</param>
/// <param name="RetainUntil">The object cannot be deleted or overwritten before this instant.</param>
public sealed record ObjectRetention(RetentionMode Mode, DateTimeOffset RetainUntil);

/// <summary>
/// Capability: write-once retention and legal holds. A store that cannot offer them does not implement this
/// interface; one that can only refuse through its own API reports <see cref="RetentionEnforcement.Advisory"/>.
/// </summary>
public interface IObjectRetentionStore
{
    /// <summary>Whether retention is enforced by the storage system or only by this API.</summary>
    RetentionEnforcement Enforcement { get; }

    /// <summary>Sets or extends the retention of an existing object. Shortening compliance retention is refused.</summary>
    /// <exception cref="ObjectLockedException">The change would shorten or weaken an existing retention.</exception>
    /// <exception cref="ObjectNotFoundException">The object does not exist.</exception>
    ValueTask SetRetentionAsync(string key, ObjectRetention retention, CancellationToken cancellationToken = default);

    /// <summary>The object's retention, or <see langword="null"/> when it has none.</summary>
    /// <exception cref="ObjectNotFoundException">The object does not exist.</exception>
    ValueTask<ObjectRetention?> GetRetentionAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Places or lifts a legal hold (freeze); a held object cannot be deleted whatever its retention.</summary>
    /// <exception cref="ObjectNotFoundException">The object does not exist.</exception>
    ValueTask SetLegalHoldAsync(string key, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>Whether a legal hold is in place.</summary>
    /// <exception cref="ObjectNotFoundException">The object does not exist.</exception>
    ValueTask<bool> GetLegalHoldAsync(string key, CancellationToken cancellationToken = default);
}
