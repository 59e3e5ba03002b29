using Archive.Documents;
using Archive.Records;
using Archive.Registers;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Archive.Hosting;

/// <summary>The part of <c>AddArchive</c> for the backlog register and the statistics (issue #18 items 2 and 3).</summary>
internal static class ArchiveBacklogRegistrations
{
    public static void AddBacklogAndStatistics(IServiceCollection services)
    {
        services.AddSingleton(new ArchiveCollectionRoot(BacklogService.BatchesRoot)); // duplicates are harmless: ArchiveStorage opens each root once
        services.TryAddSingleton(sp => new BacklogService(
            sp.GetRequiredService<ArchiveStorage>().Open(BacklogService.BatchesRoot),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetService<IArchiveAccessPolicy>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new StatisticsService(
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<Archive.Disposition.DispositionService>(),
            sp.GetRequiredService<BacklogService>(),
            sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.Statistics,
            sp.GetService<IArchiveAccessPolicy>(),
            sp.GetService<IStatisticsReportWriter>(),
            sp.GetService<TimeProvider>()));
    }
}
