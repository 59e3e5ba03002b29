using Archive.Audit;
using Archive.Indexing;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Archive.Hosting;

/// <summary>
/// The parts of <c>AddArchive</c> every host of the engine needs whatever facade it puts in front: the access policy
/// (<see cref="IArchiveAccessPolicy"/>), the start-up recovery and pending-index service, and the reindex job runner.
/// </summary>
internal static class ArchiveEngineRegistrations
{
    public static void AddPolicyAndHostedServices(IServiceCollection services)
    {
        services.TryAddSingleton<IArchiveAccessPolicy>(sp => new ArchiveAccessPolicy(
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetService<IAuditTrail>(),
            sp.GetService<ILogger<ArchiveAccessPolicy>>(),
            sp.GetService<RecordFileService>(),
            sp.GetService<Archive.Access.AccessRequestService>()));
        services.TryAddSingleton(sp => new ReindexJob(
            sp.GetRequiredService<ReindexService>(),
            sp.GetService<IHostApplicationLifetime>(),
            sp.GetService<ILogger<ReindexJob>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StartupRecoveryService>(sp => new StartupRecoveryService(
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ArchiveOptions>>(),
            sp.GetRequiredService<StorageLeases>(),
            sp.GetService<ILogger<StartupRecoveryService>>())));
    }
}
