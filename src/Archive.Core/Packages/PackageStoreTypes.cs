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
    /// Whether several processes commit to this storage root (several hosts on one bucket). Off (the default, the
    /// embedded set-up with one writing process): a version folder beyond a package's head is a crash and is removed by
    /// the next commit or by recovery. On: every commit holds a lease on the version it writes (its claim, renewed every
    /// third of <see cref="CommitLease"/>); an unfinished version is removed only once its lease has expired, under a
    /// claim taken over from the dead writer, and a live one makes a commit to that package fail with
    /// <see cref="PackageConcurrencyException"/>. Needs a store whose create-only puts are atomic
    /// (<see cref="Archive.Storage.ObjectStoreCapabilities.AtomicCreateOnly"/>).
    /// </summary>
    public bool SharedStorage { get; set; }

    /// <summary>
    /// How long a commit's claim holds without renewal on a shared storage root (default 2 minutes). A commit that
    /// cannot renew it stops before its commit point once less than half of it remains; others take the version over
    /// only after it expired plus <see cref="ClockSkew"/>.
    /// </summary>
    public TimeSpan CommitLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest difference between the clocks of the hosts sharing the storage root (default 30 seconds).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many acknowledged changes of a package are kept as journal entries beside its OCFL object before they are
    /// folded into one OCFL version (default 0: every change is an OCFL version of its own). With a limit, a change to a
    /// package that has a version costs one write of its new content and one small entry, whatever the package's
    /// history (the inventory, which lists every version's state, is rewritten once per fold); its logical version
    /// number, content and who made it are kept exactly (see <see cref="OcflPackageStore"/>). One writing process only:
    /// not with <see cref="SharedStorage"/>.
    /// </summary>
    public int JournalLimit { get; set; }
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
