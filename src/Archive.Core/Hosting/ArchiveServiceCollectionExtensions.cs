using Archive;
using Archive.Audit;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Ocr;
using Archive.Packages;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Archive engine.</summary>
public static class ArchiveServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Archive engine (registries, record files, retention, search indexing, reindex) as singletons.
    /// The engine depends on no provider: add an object store and a search index on the returned builder — the
    /// embedded ones with <c>.AddEmbeddedDefaults()</c> (package Archive.Embedded: a local folder and Lucene.NET in
    /// <c>DataPath</c>, the OpenXml documents), or e.g. <c>.AddMinioStorage(...)</c>, <c>.AddElasticsearchSearch(...)</c>.
    /// Resolving the engine without them fails with a message saying which call to add.
    /// <see cref="ArchiveOptions"/> are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="ArchiveOptions.DataPath"/> and, optionally, the rest.</param>
    /// <returns>A builder for provider packages.</returns>
    public static IArchiveBuilder AddArchive(this IServiceCollection services, Action<ArchiveOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptionsWithValidateOnStart<ArchiveOptions, ArchiveOptionsValidator>().Configure(configure);

        // Defaults of the engine itself (providers — object store, search index, documents — come from other packages).
        services.TryAddSingleton<PackageStoreFactory>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ArchiveOptions>>().Value;
            var hosts = options.Hosts;
            var time = sp.GetService<TimeProvider>();
            var journal = hosts.Shared ? 0 : options.Packages.JournalLimit;
            return (objects, root) => new OcflPackageStore(objects, new OcflPackageStoreOptions { Prefix = root, SharedStorage = hosts.Shared, CommitLease = hosts.Lease, ClockSkew = hosts.ClockSkew, JournalLimit = journal }, time);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IContentTextExtractor, PdfTextExtractor>());

        // Leases in the store: background jobs run on one host at a time when several share the storage.
        services.TryAddSingleton(sp => new StorageLeases(RequiredServices.ObjectStore(sp), sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.Hosts, sp.GetService<TimeProvider>()));

        // The engine.
        // The audit trail (audit/ in the object store) and the journal that audits every committed package version.
        services.TryAddSingleton<IAuditLog>(sp => new ObjectStoreAuditLog(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.Audit, sp.GetService<TimeProvider>(), sp.GetService<ILogger<ObjectStoreAuditLog>>()));
        services.TryAddSingleton<IAuditTrail>(sp => sp.GetRequiredService<IAuditLog>());
        services.TryAddSingleton(sp => new AuditJournal(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IAuditTrail>(), sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.Audit, sp.GetService<TimeProvider>(), sp.GetService<ILogger<AuditJournal>>()));
        services.AddSingleton(new ArchiveCollectionRoot(Archive.Disposition.DispositionService.DecisionsRoot)); // duplicates are harmless: ArchiveStorage opens each root once
        services.AddSingleton(new ArchiveCollectionRoot(Archive.Locations.StorageRoomRegistry.RoomsRoot));
        services.TryAddSingleton(sp => new ArchiveStorage(
            RequiredServices.ObjectStore(sp),
            (objects, root) => sp.GetRequiredService<AuditJournal>().Wrap(sp.GetRequiredService<PackageStoreFactory>())(objects, root),
            sp.GetServices<ArchiveCollectionRoot>().Select(r => r.Root))
        {
            RegistryCacheMaxAge = sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.Hosts.Shared ? TimeSpan.FromSeconds(5) : null,
            Shared = sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.Hosts.Shared,
        });
        services.TryAddSingleton(sp => new AgencyRegistry(sp.GetRequiredService<ArchiveStorage>()));
        services.TryAddSingleton(sp => new FondsRegistry(sp.GetRequiredService<ArchiveStorage>(), sp.GetRequiredService<AgencyRegistry>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new RetentionScheduleService(sp.GetRequiredService<ArchiveStorage>(), sp.GetRequiredService<AgencyRegistry>()));
        services.TryAddSingleton(sp => new RecordIndexer(sp.GetRequiredService<ArchiveStorage>(), RequiredServices.SearchIndex(sp), sp.GetService<ILogger<RecordIndexer>>()));
        services.TryAddSingleton(sp => new RecordFileService(
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<RetentionScheduleService>(),
            sp.GetRequiredService<RecordIndexer>(),
            sp.GetServices<IContentTextExtractor>(),
            sp.GetRequiredService<IOptions<ArchiveOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<RecordFileService>>(),
            sp.GetServices<ITextRecognizer>()));
        services.AddOptions<OcrJobOptions>();
        services.TryAddSingleton(sp => new OcrService(
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetServices<ITextRecognizer>(),
            sp.GetRequiredService<IOptions<OcrJobOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<OcrService>>(),
            sp.GetRequiredService<StorageLeases>()));
        services.TryAddSingleton(sp => new Archive.Disposition.DispositionService(
            sp.GetRequiredService<ArchiveStorage>().Open(Archive.Disposition.DispositionService.DecisionsRoot),
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<IAuditTrail>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new RetentionPlanner(sp.GetRequiredService<RecordFileService>(), sp.GetRequiredService<IOptions<ArchiveOptions>>()));
        services.TryAddSingleton(sp => new ReindexService(
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<RecordIndexer>(),
            sp.GetRequiredService<IOptions<ArchiveOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<ReindexService>>(),
            sp.GetRequiredService<StorageLeases>()));

        services.TryAddSingleton(sp => new Archive.Registers.CatalogueService(
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            RequiredServices.OfficeDocuments(sp, nameof(Archive.Registers.CatalogueService)),
            sp.GetService<IArchiveAccessPolicy>(),
            sp.GetService<TimeProvider>()));

        services.TryAddSingleton(sp => new Archive.Disposition.DispositionPaperService(
            sp.GetRequiredService<Archive.Disposition.DispositionService>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            RequiredServices.OfficeDocuments(sp, nameof(Archive.Disposition.DispositionPaperService)),
            sp.GetService<IArchiveAccessPolicy>(),
            sp.GetService<TimeProvider>()));

        services.TryAddSingleton(sp => new Archive.Registers.RecordExportService(
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<IOptions<ArchiveOptions>>(),
            sp.GetService<IArchiveAccessPolicy>(),
            sp.GetService<TimeProvider>()));

        // Online backup, verification and restore (Archive:Backup binds BackupOptions), sealed with the exchange seal when registered.
        services.AddOptions<Archive.Backup.BackupOptions>();
        services.TryAddSingleton(sp => new Archive.Backup.BackupService(
            RequiredServices.ObjectStore(sp),
            sp.GetService<IAuditTrail>(),
            sp.GetService<Archive.Exchange.PackageSeals>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<Archive.Backup.BackupService>>())
        {
            DataPath = sp.GetService<IOptions<ArchiveOptions>>()?.Value.DataPath,
        });
        services.TryAddSingleton(sp => new Archive.Backup.BackupJobService(
            sp.GetRequiredService<Archive.Backup.BackupService>(),
            RequiredServices.ObjectStore(sp),
            sp.GetRequiredService<IOptions<Archive.Backup.BackupOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<Archive.Backup.BackupJobService>>()));
        // Storage rooms and where record files are kept (#18 item 1).
        services.TryAddSingleton(sp => new Archive.Locations.StorageRoomRegistry(sp.GetRequiredService<ArchiveStorage>(), sp.GetRequiredService<AgencyRegistry>(), sp.GetService<IArchiveAccessPolicy>()));
        services.TryAddSingleton(sp => new Archive.Locations.LocationService(
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<Archive.Locations.StorageRoomRegistry>(),
            sp.GetService<Archive.Documents.ILocationDocumentWriter>(),
            sp.GetService<IArchiveAccessPolicy>(),
            sp.GetService<TimeProvider>()));
        // The backlog register and the statistics (ArchiveBacklogRegistrations.cs).
        ArchiveBacklogRegistrations.AddBacklogAndStatistics(services);
        // Bulk migration from e-office exports (ArchiveMigrationRegistrations.cs).
        ArchiveMigrationRegistrations.AddMigration(services);

        // The change feed and webhooks (ArchiveIntegrationRegistrations.cs).
        ArchiveIntegrationRegistrations.AddChangeFeedAndWebhooks(services);

        // Researchers' access requests for conditional records (ArchiveAccessRequestRegistrations.cs).
        ArchiveAccessRequestRegistrations.AddAccessRequests(services);

        // Access policy, background recovery / pending index, reindex job runner (ArchiveEngineRegistrations.cs).
        ArchiveEngineRegistrations.AddPolicyAndHostedServices(services);
        return new ArchiveBuilder(services);
    }

    private sealed class ArchiveBuilder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
