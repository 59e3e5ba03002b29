namespace Archive.Packages;

/// <summary>
/// Versioned archival packages — the system of record. Each record file (hồ sơ) is one package; every change is a
/// new immutable version (OCFL 1.1 model: content addressed by SHA-256, inventory written last as the commit
/// point). A crash at any point leaves either the previous version or the new one, never a mixture.
/// </summary>
/// <remarks>
/// Crash recovery (<see cref="RecoverAsync"/>) and fixity (<see cref="VerifyAsync"/>) are part of the contract: the
/// engine runs the one at start-up and the other on demand for every collection, whatever the store. Optional
/// features are capability interfaces (e.g. <see cref="IPackagePurger"/>) obtained through <see cref="GetService"/>
/// (or <see cref="PackageStoreExtensions.GetService{TService}"/>), which a decorator forwards to the store it wraps
/// (see <see cref="DelegatingPackageStore"/>).
/// </remarks>
public interface IPackageStore
{
    /// <summary>
    /// Commits a new version. The new version's state is the previous head's state with <see cref="PackageCommit.Changes"/>
    /// applied. Fails with <see cref="PackageConcurrencyException"/> when <see cref="PackageCommit.ExpectedHead"/>
    /// is not the current head, and with <see cref="Storage.ChecksumMismatchException"/> when content does not
    /// match its expected digest; in both cases nothing becomes visible.
    /// </summary>
    ValueTask<PackageInventory> CommitAsync(string packageId, PackageCommit commit, CancellationToken cancellationToken = default);

    /// <summary>The package's inventory (all versions), or <see langword="null"/> when no version was ever committed.</summary>
    ValueTask<PackageInventory?> GetInventoryAsync(string packageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a file of a version (head when <paramref name="version"/> is null) for streamed reading, whole or a range;
    /// <see langword="null"/> when the package, version or path does not exist.
    /// </summary>
    ValueTask<Storage.ObjectContent?> OpenFileAsync(string packageId, string logicalPath, int? version = null, Storage.ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ids of every committed package, in the store's storage-layout order (stable; resumable by passing the last id
    /// seen as <paramref name="after"/>). Not necessarily ordinal id order.
    /// </summary>
    IAsyncEnumerable<string> ListPackagesAsync(string? after = null, CancellationToken cancellationToken = default);

    /// <summary>Re-hashes every content file and inventory of a package and reports each problem.</summary>
    ValueTask<FixityReport> VerifyAsync(string packageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Start-up crash recovery of the whole store: cleans up after commits that crashed before their commit point
    /// (unfinished versions, packages whose first commit never completed) and repairs what a crash right after it
    /// left stale. Idempotent, and safe while the store serves requests in the same process. Reads every package, so
    /// it is run once at start-up, not per request. A store that keeps no such state returns an empty report.
    /// </summary>
    ValueTask<PackageRecoveryReport> RecoverAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks for an optional capability (e.g. <see cref="IPackagePurger"/>) or an object of a given type: the store
    /// itself when it is a <paramref name="serviceType"/>, something it holds, or <see langword="null"/>. A decorator
    /// answers for itself first and then forwards to the store it wraps.
    /// </summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">An optional key; a store that does not know it answers <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when the store has none.</returns>
    object? GetService(Type serviceType, object? serviceKey = null);
}

/// <summary>
/// Capability of a package store (see <see cref="IPackageStore.GetService"/>): removes a package for good, every
/// version, for destruction under a disposition decision. A store that cannot remove packages (e.g. append-only
/// storage) does not offer it.
/// </summary>
public interface IPackagePurger
{
    /// <summary>
    /// Deletes every stored object of <paramref name="packageId"/> so that the package is gone at once and a crash
    /// leaves only unreferenced objects, removed by purging again. Returns the number of objects deleted.
    /// </summary>
    /// <exception cref="Storage.ObjectLockedException">The storage refused a delete (WORM retention or legal hold).</exception>
    ValueTask<int> PurgeAsync(string packageId, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IPackageStore.RecoverAsync"/> found and cleaned.</summary>
public sealed record PackageRecoveryReport
{
    /// <summary>Packages (object roots) examined.</summary>
    public int PackagesScanned { get; init; }

    /// <summary>Unfinished versions (beyond the head) removed.</summary>
    public int AbandonedVersionsRemoved { get; init; }

    /// <summary>Packages whose first commit never completed, removed entirely.</summary>
    public int UncommittedPackagesRemoved { get; init; }

    /// <summary>Stored objects deleted in all.</summary>
    public int ObjectsDeleted { get; init; }

    /// <summary>Root inventory sidecars rewritten (a crash between the inventory and its sidecar).</summary>
    public int InventorySidecarsRepaired { get; init; }

    /// <summary>Unfinished versions left alone because they may belong to a commit still running elsewhere (younger than the store's abandoned-commit age).</summary>
    public int UnfinishedVersionsKept { get; init; }

    /// <summary>Packages whose inventory could not be trusted (left untouched; see <see cref="IPackageStore.VerifyAsync"/>).</summary>
    public IReadOnlyList<string> CorruptPackages { get; init; } = [];
}

/// <summary>A new version to commit.</summary>
public sealed class PackageCommit
{
    /// <summary>
    /// Optimistic concurrency: the head version the caller based its change on (0 for a new package); null to skip
    /// the check.
    /// </summary>
    public int? ExpectedHead { get; init; }

    /// <summary>Why the version was made (OCFL <c>message</c>).</summary>
    public string? Message { get; init; }

    /// <summary>Who made it (OCFL <c>user.name</c>).</summary>
    public string? UserName { get; init; }

    /// <summary>A URI for the user (OCFL <c>user.address</c>), e.g. <c>mailto:</c> or an agency URN.</summary>
    public string? UserAddress { get; init; }

    /// <summary>Timestamp of the version; now when null.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Files added, replaced or removed. Unmentioned files carry over from the previous version.</summary>
    public IList<PackageChange> Changes { get; } = new List<PackageChange>();

    /// <summary>Adds or replaces a file from a stream (read once, forward only).</summary>
    public PackageCommit Put(string logicalPath, Stream content, string? expectedSha256 = null)
    {
        Changes.Add(new PackageChange.PutFile(logicalPath, content, expectedSha256));
        return this;
    }

    /// <summary>
    /// Adds or replaces a file with content already staged in the package store's object store
    /// (<see cref="Storage.IObjectStagingStore"/>, obtained through <see cref="IPackageStore.GetService"/>): the store
    /// publishes the staged bytes under the file's content key with the digest it computed when staging them, without
    /// copying or hashing them again. A package store whose object store cannot stage reads the staged bytes instead, as
    /// for <see cref="Put(string, Stream, string?)"/>. The caller keeps ownership of <paramref name="staged"/> and disposes
    /// it after the commit, whatever its outcome.
    /// </summary>
    public PackageCommit Put(string logicalPath, Storage.StagedObject staged, string? expectedSha256 = null)
    {
        Changes.Add(new PackageChange.PutStaged(logicalPath, staged, expectedSha256));
        return this;
    }

    /// <summary>Removes a file from the new version (earlier versions keep it).</summary>
    public PackageCommit Remove(string logicalPath)
    {
        Changes.Add(new PackageChange.RemoveFile(logicalPath));
        return this;
    }
}

/// <summary>A change to a package's file set.</summary>
public abstract record PackageChange(string LogicalPath)
{
    /// <summary>Add or replace a file.</summary>
    public sealed record PutFile(string LogicalPath, Stream Content, string? ExpectedSha256) : PackageChange(LogicalPath);

    /// <summary>Add or replace a file with content staged in the package store's object store (see <see cref="PackageCommit.Put(string, Storage.StagedObject, string?)"/>).</summary>
    public sealed record PutStaged(string LogicalPath, Storage.StagedObject Staged, string? ExpectedSha256) : PackageChange(LogicalPath);

    /// <summary>Remove a file.</summary>
    public sealed record RemoveFile(string LogicalPath) : PackageChange(LogicalPath);
}

/// <summary>A package's versions.</summary>
public sealed record PackageInventory
{
    /// <summary>The package id.</summary>
    public required string PackageId { get; init; }

    /// <summary>The head version number (1-based).</summary>
    public required int Head { get; init; }

    /// <summary>Every version, oldest first.</summary>
    public required IReadOnlyList<PackageVersion> Versions { get; init; }

    /// <summary>SHA-256 of the serialised inventory (the package's ETag).</summary>
    public required string InventoryDigest { get; init; }

    /// <summary>The head version.</summary>
    public PackageVersion HeadVersion => Versions[Head - 1];
}

/// <summary>One immutable version.</summary>
public sealed record PackageVersion
{
    /// <summary>Version number, 1-based.</summary>
    public required int Number { get; init; }

    /// <summary>When it was committed.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>Commit message.</summary>
    public string? Message { get; init; }

    /// <summary>Who committed it.</summary>
    public string? UserName { get; init; }

    /// <summary>User URI.</summary>
    public string? UserAddress { get; init; }

    /// <summary>The files of this version, by logical path (ordinal order).</summary>
    public required IReadOnlyList<PackageFile> Files { get; init; }
}

/// <summary>A file in a version.</summary>
/// <param name="LogicalPath">Path inside the package (validated like an object key).</param>
/// <param name="Sha256">Lower-case hex SHA-256.</param>
/// <param name="Length">Size in bytes.</param>
public sealed record PackageFile(string LogicalPath, string Sha256, long Length);

/// <summary>Result of a fixity check.</summary>
public sealed record FixityReport
{
    /// <summary>The package checked.</summary>
    public required string PackageId { get; init; }

    /// <summary>When the check ran.</summary>
    public required DateTimeOffset CheckedAt { get; init; }

    /// <summary>Number of content files re-hashed.</summary>
    public required int FilesChecked { get; init; }

    /// <summary>Bytes re-hashed.</summary>
    public required long BytesChecked { get; init; }

    /// <summary>Every problem found; empty when the package is intact.</summary>
    public required IReadOnlyList<FixityProblem> Problems { get; init; }

    /// <summary>Whether the package is intact.</summary>
    public bool IsValid => Problems.Count == 0;
}

/// <summary>One fixity problem.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Path">The stored path (object key relative to the package) concerned.</param>
/// <param name="Detail">Expected and actual values, for a person.</param>
public sealed record FixityProblem(FixityProblemKind Kind, string Path, string Detail);

/// <summary>Kinds of fixity problem.</summary>
public enum FixityProblemKind
{
    /// <summary>Content hashes to something else than the inventory says.</summary>
    ContentDigestMismatch,

    /// <summary>Content listed in the inventory is missing.</summary>
    ContentMissing,

    /// <summary>An inventory does not match its sidecar digest, or cannot be read.</summary>
    InventoryCorrupt,

    /// <summary>A stored file is not referenced by any inventory.</summary>
    UnexpectedFile,
}

/// <summary>A commit was based on a head that is no longer current.</summary>
public sealed class PackageConcurrencyException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public PackageConcurrencyException(string packageId, int? expectedHead, int actualHead)
        : base($"Package '{packageId}' is at version {actualHead}, not {expectedHead}; reload and retry.")
    {
        PackageId = packageId;
        ExpectedHead = expectedHead;
        ActualHead = actualHead;
    }

    /// <summary>The package.</summary>
    public string PackageId { get; }

    /// <summary>What the caller expected.</summary>
    public int? ExpectedHead { get; }

    /// <summary>The current head (0 when the package does not exist).</summary>
    public int ActualHead { get; }
}
