using Archive;
using Archive.Audit;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Ocr;
using Archive.Packages;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Archive.Search.Lucene;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Archive engine.</summary>
public static class ArchiveServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Archive engine (registries, record files, retention, search indexing, reindex) as singletons.
    /// The embedded defaults are registered with <c>TryAdd</c> — the file-system object store in
    /// <c>DataPath/store</c> and the Lucene index in <c>DataPath/index</c> — so that a provider added on the returned
    /// builder (e.g. <c>.AddMinioStorage(...)</c>, <c>.AddLuceneSearch(...)</c>) replaces them, whatever the order.
    /// <see cref="ArchiveOptions"/> are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="ArchiveOptions.DataPath"/> and, optionally, the rest.</param>
    /// <returns>A builder for provider packages.</returns>
    public static IArchiveBuilder AddArchive(this IServiceCollection services, Action<ArchiveOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ArchiveOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArchiveOptions>, ArchiveOptionsValidator>());

        // Embedded defaults (a provider registered later with Add/Replace wins).
        services.TryAddSingleton<IObjectStore>(sp => new FileSystemObjectStore(
            new FileSystemStoreOptions { RootPath = Path.Combine(Options(sp).DataPath, "store") },
            sp.GetService<ILogger<FileSystemObjectStore>>()));
        services.TryAddSingleton<ISearchIndex>(sp => new LuceneSearchIndex(
            new LuceneSearchOptions { IndexPath = Path.Combine(Options(sp).DataPath, "index") },
            sp.GetService<ILogger<LuceneSearchIndex>>()));
        services.TryAddSingleton<PackageStoreFactory>(_ => static (objects, root) => new OcflPackageStore(objects, new OcflPackageStoreOptions { Prefix = root }));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IContentTextExtractor, PdfTextExtractor>());

        // The engine.
        // The audit trail (audit/ in the object store) and the journal that audits every committed package version.
        services.TryAddSingleton<IAuditLog>(sp => new ObjectStoreAuditLog(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.Audit, sp.GetService<TimeProvider>(), sp.GetService<ILogger<ObjectStoreAuditLog>>()));
        services.TryAddSingleton<IAuditTrail>(sp => sp.GetRequiredService<IAuditLog>());
        services.TryAddSingleton(sp => new AuditJournal(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IAuditTrail>(), sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.Audit, sp.GetService<TimeProvider>(), sp.GetService<ILogger<AuditJournal>>()));
        services.AddSingleton(new ArchiveCollectionRoot(Archive.Disposition.DispositionService.DecisionsRoot)); // duplicates are harmless: ArchiveStorage opens each root once
        services.TryAddSingleton(sp => new ArchiveStorage(
            sp.GetRequiredService<IObjectStore>(),
            (objects, root) => sp.GetRequiredService<AuditJournal>().Wrap(sp.GetRequiredService<PackageStoreFactory>())(objects, root),
            sp.GetServices<ArchiveCollectionRoot>().Select(r => r.Root)));
        services.TryAddSingleton(sp => new AgencyRegistry(sp.GetRequiredService<ArchiveStorage>()));
        services.TryAddSingleton(sp => new FondsRegistry(sp.GetRequiredService<ArchiveStorage>(), sp.GetRequiredService<AgencyRegistry>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new RetentionScheduleService(sp.GetRequiredService<ArchiveStorage>(), sp.GetRequiredService<AgencyRegistry>()));
        services.TryAddSingleton(sp => new RecordIndexer(sp.GetRequiredService<ArchiveStorage>(), sp.GetRequiredService<ISearchIndex>(), sp.GetService<ILogger<RecordIndexer>>()));
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
            sp.GetService<ILogger<OcrService>>()));
        services.TryAddSingleton(sp => new Archive.Disposition.DispositionService(
            sp.GetRequiredService<ArchiveStorage>().Open(Archive.Disposition.DispositionService.DecisionsRoot),
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<ISearchIndex>(),
            sp.GetRequiredService<IAuditTrail>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new RetentionPlanner(sp.GetRequiredService<RecordFileService>(), sp.GetRequiredService<IOptions<ArchiveOptions>>()));
        services.TryAddSingleton(sp => new ReindexService(
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<RecordIndexer>(),
            sp.GetRequiredService<IOptions<ArchiveOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<ReindexService>>()));

        // Access policy, background recovery / pending index, reindex job runner (ArchiveEngineRegistrations.cs).
        ArchiveEngineRegistrations.AddPolicyAndHostedServices(services);
        return new ArchiveBuilder(services);
    }

    private static ArchiveOptions Options(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<ArchiveOptions>>().Value;
        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            throw new OptionsValidationException(nameof(ArchiveOptions), typeof(ArchiveOptions), ["ArchiveOptions.DataPath is required by the embedded file-system store and Lucene index."]);
        }

        return options;
    }

    private sealed class ArchiveBuilder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
