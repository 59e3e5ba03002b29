namespace Archive.Packages;

/// <summary>Options of <see cref="OcflPackageStore"/>.</summary>
public sealed class OcflPackageStoreOptions
{
    /// <summary>
    /// Key prefix of the OCFL storage root inside the object store (default <c>ocfl</c>); empty puts the storage root
    /// at the top of the store. Must be a valid key prefix without a trailing '/'.
    /// </summary>
    public string Prefix { get; set; } = "ocfl";

    /// <summary>
    /// How old an unfinished version (a version folder beyond the head, left by a commit that crashed or is still
    /// running in another process) must be before a commit or <see cref="OcflPackageStore.RecoverAsync(CancellationToken)"/>
    /// removes it. Zero (the default) suits one writing process per storage root (the embedded set-up: anything
    /// unfinished is a crash). With several processes committing to the same storage root (e.g. several hosts on one
    /// bucket) set it well above the longest commit, e.g. one hour; a younger unfinished version then makes a commit
    /// to that package fail with <see cref="PackageConcurrencyException"/> instead of destroying another writer's work.
    /// </summary>
    public TimeSpan AbandonedCommitAge { get; set; } = TimeSpan.Zero;
}

/// <summary>A package's stored inventory is damaged: it matches neither its sidecar digest nor its head version's copy.</summary>
public sealed class PackageCorruptException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public PackageCorruptException(string packageId, string path, string detail)
        : base($"Package '{packageId}' is damaged at '{path}': {detail}. Run a fixity check (VerifyAsync) and restore from a copy.")
    {
        PackageId = packageId;
        Path = path;
    }

    /// <summary>The package.</summary>
    public string PackageId { get; }

    /// <summary>The stored path (relative to the package's object root) concerned.</summary>
    public string Path { get; }
}
