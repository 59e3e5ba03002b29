using System.Collections.Concurrent;
using Archive.Packages;
using Archive.Storage;

namespace Archive.Records;

/// <summary>
/// Where the engine keeps things in the object store: one OCFL storage root per entity type, so listings stay
/// small (<c>ocfl/agencies</c>, <c>ocfl/fonds</c>, <c>ocfl/files</c>, <c>ocfl/schedules</c>), and job state
/// under <c>jobs/</c>. The packages are the system of record; everything else (search index, caches) is derived.
/// </summary>
public sealed class ArchiveStorage
{
    /// <summary>Storage root of agency packages.</summary>
    public const string AgenciesRoot = "ocfl/agencies";

    /// <summary>Storage root of fonds packages.</summary>
    public const string FondsRoot = "ocfl/fonds";

    /// <summary>Storage root of record file packages.</summary>
    public const string FilesRoot = "ocfl/files";

    /// <summary>Storage root of agencies' retention schedules.</summary>
    public const string SchedulesRoot = "ocfl/schedules";

    /// <summary>Prefix of job state objects (reindex checkpoint, pending reindex flags).</summary>
    public const string JobsPrefix = "jobs/";

    /// <summary>
    /// How long the registries (agencies, fonds) trust what they loaded before reading it again: <see langword="null"/>
    /// (the default) with one host, which sees every change because it makes them; a few seconds when several hosts
    /// share the storage (<see cref="Archive.Hosting.ArchiveHostsOptions.Shared"/>), so a host sees the others' changes.
    /// </summary>
    public TimeSpan? RegistryCacheMaxAge { get; init; }

    /// <summary>
    /// Whether several hosts write this storage (<see cref="Archive.Hosting.ArchiveHostsOptions.Shared"/>): then a host
    /// cannot know from its own changes what the others changed, and caches of what it wrote must not be trusted.
    /// </summary>
    public bool Shared { get; init; }

    /// <summary>Creates the layout over <paramref name="objects"/>.</summary>
    /// <param name="objects">The object store.</param>
    /// <param name="packageStoreFactory">Creates a package store over an object store and a root prefix.</param>
    /// <param name="moreRoots">Storage roots of further collections to open now (e.g. <c>ocfl/events</c>), so that
    /// start-up recovery and fixity reach them before their services are first used; see <see cref="Open"/>.</param>
    public ArchiveStorage(IObjectStore objects, Func<IObjectStore, string, IPackageStore> packageStoreFactory, IEnumerable<string>? moreRoots = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(packageStoreFactory);
        Objects = objects;
        _factory = packageStoreFactory;
        Agencies = packageStoreFactory(objects, AgenciesRoot);
        Fonds = packageStoreFactory(objects, FondsRoot);
        Files = packageStoreFactory(objects, FilesRoot);
        Schedules = packageStoreFactory(objects, SchedulesRoot);
        foreach (var root in moreRoots ?? [])
        {
            _ = Open(root);
        }
    }

    private readonly Func<IObjectStore, string, IPackageStore> _factory;
    private readonly ConcurrentDictionary<string, Lazy<IPackageStore>> _more = new(StringComparer.Ordinal);

    /// <summary>
    /// The package store of another collection (reorganisation events, plans, disposition decisions...) under
    /// <paramref name="root"/>, created once: every service of that collection must use this instance (its commit locks
    /// are per instance), and it joins <see cref="Collections"/> for start-up recovery and fixity checks.
    /// </summary>
    /// <param name="root">Storage root, e.g. <c>ocfl/events</c>.</param>
    /// <returns>The one package store of that root.</returns>
    public IPackageStore Open(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (root is AgenciesRoot or FondsRoot or FilesRoot or SchedulesRoot)
        {
            throw new ArgumentException($"'{root}' is one of the built-in collections; use its property.", nameof(root));
        }

        return _more.GetOrAdd(root, r => new Lazy<IPackageStore>(() => _factory(Objects, r), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>The object store underneath.</summary>
    public IObjectStore Objects { get; }

    /// <summary>Agency packages (id = agency identifier).</summary>
    public IPackageStore Agencies { get; }

    /// <summary>Fonds packages (id = fonds code).</summary>
    public IPackageStore Fonds { get; }

    /// <summary>Record file packages (id = file code).</summary>
    public IPackageStore Files { get; }

    /// <summary>Retention schedule packages (id = agency identifier).</summary>
    public IPackageStore Schedules { get; }

    /// <summary>Every collection with its name, for whole-store jobs such as fixity checks.</summary>
    public IReadOnlyList<(string Name, IPackageStore Store)> Collections
        => [("agencies", Agencies), ("fonds", Fonds), ("files", Files), ("schedules", Schedules),
            .. _more.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key.StartsWith("ocfl/", StringComparison.Ordinal) ? p.Key[5..] : p.Key, p.Value.Value))];

    /// <summary>
    /// Start-up recovery: cleans up after commits that crashed before their commit point, in every collection
    /// (<see cref="IPackageStore.RecoverAsync"/>, part of the package-store contract, so a replacement
    /// <see cref="Hosting.PackageStoreFactory"/> cannot drop it). Safe while the engine serves requests in the same
    /// process (each package is recovered under its commit lock); reads every package root, so run it once at
    /// start-up, in the background.
    /// </summary>
    public async ValueTask<IReadOnlyList<(string Name, PackageRecoveryReport Report)>> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var reports = new List<(string, PackageRecoveryReport)>();
        foreach (var (name, store) in Collections)
        {
            reports.Add((name, await store.RecoverAsync(cancellationToken).ConfigureAwait(false)));
        }

        return reports;
    }
}

/// <summary>
/// A collection root beyond the built-in ones (registered by <c>AddArchive</c> and <c>AddReorganisation</c>) that
/// <see cref="ArchiveStorage"/> opens at construction, so start-up recovery and fixity checks cover it.
/// </summary>
/// <param name="Root">Storage root, e.g. <c>ocfl/events</c>.</param>
public sealed record ArchiveCollectionRoot(string Root);
