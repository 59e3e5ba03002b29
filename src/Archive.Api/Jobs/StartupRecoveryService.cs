using Archive.Indexing;
using Archive.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Archive.Api.Jobs;

/// <summary>
/// Runs the package stores' crash recovery once, in the background, when the host starts: commits that a crash
/// interrupted before their commit point are removed and stale inventory sidecars repaired. Committed versions are
/// never touched. Requests are served meanwhile (recovery takes each package's commit lock). Then record files flagged
/// for reindex (an index update that failed, or a batch import interrupted before its index update) are indexed.
/// </summary>
internal sealed partial class StartupRecoveryService(ArchiveStorage storage, RecordIndexer indexer, ILogger<StartupRecoveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var (name, report) in await storage.RecoverAsync(stoppingToken).ConfigureAwait(false))
            {
                LogRecovered(name, report.PackagesScanned, report.AbandonedVersionsRemoved, report.UncommittedPackagesRemoved, report.InventorySidecarsRepaired, report.CorruptPackages.Count);
                foreach (var id in report.CorruptPackages)
                {
                    LogCorrupt(name, id);
                }
            }

            var indexed = await indexer.IndexPendingAsync(stoppingToken).ConfigureAwait(false);
            if (indexed > 0)
            {
                LogIndexed(indexed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A failed recovery must not stop the host; it is logged and can be rerun.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovery of {Collection}: {Scanned} packages scanned, {Versions} unfinished versions and {Uncommitted} never-committed packages removed, {Sidecars} sidecars repaired, {Corrupt} corrupt")]
    private partial void LogRecovered(string collection, int scanned, int versions, int uncommitted, int sidecars, int corrupt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recovery of {Collection}: package {PackageId} is corrupt; run a fixity check")]
    private partial void LogCorrupt(string collection, string packageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Start-up recovery indexed {Count} record files flagged for reindex")]
    private partial void LogIndexed(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Start-up recovery failed")]
    private partial void LogFailed(Exception exception);
}
