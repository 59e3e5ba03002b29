using Archive.Packages;

namespace Archive.Records;

/// <summary>Who makes a change; recorded in the package version (OCFL <c>user</c>).</summary>
/// <param name="Name">Display name or login (required).</param>
/// <param name="Address">Optional URI, e.g. <c>mailto:</c> or an agency URN.</param>
public sealed record ArchiveUser(string Name, string? Address = null)
{
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArchiveValidationException("user", "user.required", "Every change needs the name of the user who makes it.");
        }
    }
}

/// <summary>An entity as stored in one package version.</summary>
/// <typeparam name="T">The entity type.</typeparam>
public sealed record Versioned<T>
{
    /// <summary>The entity.</summary>
    public required T Value { get; init; }

    /// <summary>
    /// The package version this state comes from (1-based). Pass it back as <c>expectedVersion</c> to update
    /// optimistically; an HTTP facade can use it as the ETag.
    /// </summary>
    public required int Version { get; init; }

    /// <summary>The package head version (equals <see cref="Version"/> unless a past version was read).</summary>
    public required int HeadVersion { get; init; }

    /// <summary>SHA-256 of the package inventory when it was read — changes with every version (a strong ETag).</summary>
    public required string InventoryDigest { get; init; }

    /// <summary>When this version was committed.</summary>
    public required DateTimeOffset Modified { get; init; }

    /// <summary>Who committed it.</summary>
    public string? ModifiedBy { get; init; }
}

/// <summary>Outcome of a change.</summary>
/// <typeparam name="T">The entity type.</typeparam>
public sealed record WriteResult<T>
{
    /// <summary>The new state and version.</summary>
    public required Versioned<T> Stored { get; init; }

    /// <summary>Things the caller should know that did not stop the change (e.g. a duplicate document number).</summary>
    public IReadOnlyList<RecordWarning> Warnings { get; init; } = [];

    /// <summary>
    /// Whether the change is searchable yet. A change is acknowledged once its package version is committed; the
    /// search projection follows in the background (<see cref="RecordFileService.WaitSearchableAsync"/> waits for it).
    /// For a write this is normally <see cref="ProjectionState.Pending"/>; null for results that are not record files.
    /// </summary>
    public RecordFileProjection? Projection { get; init; }
}

/// <summary>Whether a version of a record file is searchable.</summary>
public enum ProjectionState
{
    /// <summary>Committed, not yet in the search index (đang lập chỉ mục).</summary>
    Pending,

    /// <summary>The search index holds this version or a newer one.</summary>
    Searchable,
}

/// <summary>The projection state of a record file version (see <see cref="RecordFileService.GetProjectionAsync"/>).</summary>
/// <param name="FileCode">The record file.</param>
/// <param name="Version">The version asked about.</param>
/// <param name="State">Whether that version (or a newer one) is searchable.</param>
/// <param name="SearchableVersion">
/// The newest version known to be searchable: at least <paramref name="Version"/> when <paramref name="State"/> is
/// <see cref="ProjectionState.Searchable"/>; when pending, the last version this engine projected, or null when it
/// does not know (e.g. the change was made by another host or before a restart).
/// </param>
public sealed record RecordFileProjection(string FileCode, int Version, ProjectionState State, int? SearchableVersion);

/// <summary>A warning: the change went through, but something looks wrong.</summary>
/// <param name="Field">The input field concerned.</param>
/// <param name="Rule">A stable rule identifier, e.g. <c>document.duplicate-number</c>.</param>
/// <param name="Message">For a person.</param>
public sealed record RecordWarning(string Field, string Rule, string Message);

/// <summary>One version in an entity's history.</summary>
/// <param name="Version">Version number (1-based).</param>
/// <param name="Created">When it was committed.</param>
/// <param name="Message">Why.</param>
/// <param name="UserName">Who.</param>
/// <param name="UserAddress">Who (URI).</param>
public sealed record VersionInfo(int Version, DateTimeOffset Created, string? Message, string? UserName, string? UserAddress)
{
    internal static VersionInfo From(PackageVersion v) => new(v.Number, v.Created, v.Message, v.UserName, v.UserAddress);
}

/// <summary>The fixity check of one stored package.</summary>
/// <param name="Collection">Which collection it belongs to (<c>agencies</c>, <c>fonds</c>, <c>files</c>, <c>schedules</c>).</param>
/// <param name="Report">The package store's report.</param>
public sealed record PackageFixity(string Collection, FixityReport Report);
