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

    /// <summary>Creates the layout over <paramref name="objects"/>.</summary>
    /// <param name="objects">The object store.</param>
    /// <param name="packageStoreFactory">Creates a package store over an object store and a root prefix.</param>
    public ArchiveStorage(IObjectStore objects, Func<IObjectStore, string, IPackageStore> packageStoreFactory)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(packageStoreFactory);
        Objects = objects;
        Agencies = packageStoreFactory(objects, AgenciesRoot);
        Fonds = packageStoreFactory(objects, FondsRoot);
        Files = packageStoreFactory(objects, FilesRoot);
        Schedules = packageStoreFactory(objects, SchedulesRoot);
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
        => [("agencies", Agencies), ("fonds", Fonds), ("files", Files), ("schedules", Schedules)];

    /// <summary>
    /// Start-up recovery: cleans up after commits that crashed before their commit point, in every collection whose
    /// package store supports it (<see cref="OcflPackageStore.RecoverAsync"/>). Safe while the engine serves requests
    /// in the same process (each package is recovered under its commit lock); reads every package root, so run it
    /// once at start-up, in the background.
    /// </summary>
    public async ValueTask<IReadOnlyList<(string Name, PackageRecoveryReport Report)>> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var reports = new List<(string, PackageRecoveryReport)>();
        foreach (var (name, store) in Collections)
        {
            if ((store is Audit.AuditedPackageStore audited ? audited.Inner : store) is OcflPackageStore ocfl)
            {
                reports.Add((name, await ocfl.RecoverAsync(cancellationToken).ConfigureAwait(false)));
            }
        }

        return reports;
    }
}
