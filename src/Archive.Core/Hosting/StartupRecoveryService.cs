using Archive.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Hosting;

/// <summary>
/// Runs the package stores' crash recovery once, in the background, when the host starts: commits that a crash
/// interrupted before their commit point are removed and stale inventory sidecars repaired. Committed versions are
/// never touched. Requests are served meanwhile (recovery takes each package's commit lock). Then, and every
/// <see cref="ArchiveOptions.PendingIndexInterval"/> while the host runs, record files flagged for reindex (an index
/// update that failed, or a batch import interrupted before its index update) are indexed
/// (<see cref="RecordFileService.IndexPendingAsync"/>): an index that was unavailable for a while catches up without a
/// restart. Before recovery it removes the upload spools and staging folders a killed process left in the temporary
/// folder. Registered by <c>AddArchive</c>: every host of the engine runs it, with or without the REST facade.
/// </summary>
internal sealed partial class StartupRecoveryService : BackgroundService
{
    private readonly ArchiveStorage _storage;
    private readonly RecordFileService _records;
    private readonly IOptions<ArchiveOptions> _options;
    private readonly StorageLeases _leases;
    private readonly ILogger _logger;

    public StartupRecoveryService(ArchiveStorage storage, RecordFileService records, IOptions<ArchiveOptions> options, StorageLeases leases, ILogger<StartupRecoveryService>? logger)
    {
        _storage = storage;
        _records = records;
        _options = options;
        _leases = leases;
        _logger = logger ?? NullLogger<StartupRecoveryService>.Instance;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Spools and staging folders of requests a crash interrupted (they hold record content: not left lying about).
            var leftovers = Archive.IO.TempLeftovers.Remove(_options.Value.ResolveTempPath());
            if (leftovers > 0)
            {
                LogTempCleaned(leftovers, _options.Value.ResolveTempPath());
            }

            // Several hosts: one of them scans the storage (the others' commits are safe either way: a shared storage
            // root only removes what a dead writer left).
            var lease = await _leases.TryAcquireAsync(RecoveryLease, stoppingToken).ConfigureAwait(false);
            if (lease is null)
            {
                LogElsewhere(RecoveryLease);
            }
            else
            {
                await using (lease.ConfigureAwait(false))
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                    foreach (var (name, report) in await _storage.RecoverAsync(linked.Token).ConfigureAwait(false))
                    {
                        LogRecovered(name, report.PackagesScanned, report.AbandonedVersionsRemoved, report.UncommittedPackagesRemoved, report.InventorySidecarsRepaired, report.CorruptPackages.Count);
                        foreach (var id in report.CorruptPackages)
                        {
                            LogCorrupt(name, id);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // A failed recovery must not stop the host; it is logged and can be rerun.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(ex);
        }

        await IndexPendingAsync(stoppingToken).ConfigureAwait(false);
        var interval = _options.Value.PendingIndexInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await IndexPendingAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task IndexPendingAsync(CancellationToken stoppingToken)
    {
        try
        {
            var lease = await _leases.TryAcquireAsync(PendingIndexLease, stoppingToken).ConfigureAwait(false);
            if (lease is null)
            {
                return; // Another host runs it now.
            }

            await using (lease.ConfigureAwait(false))
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                var indexed = await _records.IndexPendingAsync(linked.Token).ConfigureAwait(false);
                if (indexed > 0)
                {
                    LogIndexed(indexed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The index may be unavailable for a while: the flags stay and the next run retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPendingFailed(ex);
        }
    }

    /// <summary>The lease of start-up recovery across hosts.</summary>
    internal const string RecoveryLease = "jobs/recovery";

    /// <summary>The lease of the pending-index run across hosts.</summary>
    internal const string PendingIndexLease = "jobs/pending-index";

    [LoggerMessage(EventId = 1906, EventName = "JobRunsElsewhere", Level = LogLevel.Information, Message = "{Job} runs on another host now (its lease is held); this host skips it")]
    private partial void LogElsewhere(string job);

    [LoggerMessage(EventId = 1900, EventName = "CollectionRecovered", Level = LogLevel.Information, Message = "Recovery of {Collection}: {Scanned} packages scanned, {Versions} unfinished versions and {Uncommitted} never-committed packages removed, {Sidecars} sidecars repaired, {Corrupt} corrupt")]
    private partial void LogRecovered(string collection, int scanned, int versions, int uncommitted, int sidecars, int corrupt);

    [LoggerMessage(EventId = 1901, EventName = "CorruptPackageFound", Level = LogLevel.Error, Message = "Recovery of {Collection}: package {PackageId} is corrupt; run a fixity check")]
    private partial void LogCorrupt(string collection, string packageId);

    [LoggerMessage(EventId = 1905, EventName = "TempLeftoversRemoved", Level = LogLevel.Information, Message = "Removed {Count} temporary files and folders an interrupted process left in {Folder}")]
    private partial void LogTempCleaned(int count, string folder);

    [LoggerMessage(EventId = 1902, EventName = "PendingRecordFilesIndexed", Level = LogLevel.Information, Message = "Indexed {Count} record files flagged for reindex")]
    private partial void LogIndexed(int count);

    [LoggerMessage(EventId = 1903, EventName = "PendingIndexFailed", Level = LogLevel.Warning, Message = "Record files flagged for reindex could not be indexed yet; the next run retries")]
    private partial void LogPendingFailed(Exception exception);

    [LoggerMessage(EventId = 1904, EventName = "StartupRecoveryFailed", Level = LogLevel.Error, Message = "Start-up recovery failed")]
    private partial void LogFailed(Exception exception);
}
