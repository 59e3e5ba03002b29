using Archive.Hosting;
using Microsoft.Extensions.Logging;

namespace Archive.Exchange;

public sealed partial class PackageExchangeService
{
    /// <summary>
    /// Runs the next step of a job (called by <see cref="PackageExchangeWorker"/>) while holding its lease: a job that
    /// another host holds, that is settled, or that reads a server folder of another host is left alone; a job another
    /// host asked to cancel is cancelled instead. The run stops when the lease is lost (another host may then take over).
    /// </summary>
    internal async Task RunAsync(string id, CancellationToken stoppingToken)
    {
        var seen = await _store.GetAsync(id, stoppingToken).ConfigureAwait(false);
        if (seen is null || seen.IsSettled || !RunsHere(seen))
        {
            return;
        }

        var lease = await _leases.TryAcquireAsync(PackageJobStore.LeaseName(id), stoppingToken).ConfigureAwait(false);
        if (lease is null)
        {
            return; // another host runs or changes it
        }

        await using (lease.ConfigureAwait(false))
        {
            // Read again under the lease: what the previous holder left.
            var job = await _store.GetAsync(id, stoppingToken).ConfigureAwait(false);
            if (job is null || job.IsSettled)
            {
                return;
            }

            if (_leases.Shared && await _store.Objects.StatAsync(PackageJobStore.FileKey(id, CancelMarker), stoppingToken).ConfigureAwait(false) is not null)
            {
                await SettleCancelledAsync(job, stoppingToken).ConfigureAwait(false);
                return;
            }

            await RunHeldAsync(job, lease, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether this host may run the job: one that reads a server folder runs only on the host that accepted it.</summary>
    private bool RunsHere(PackageJob job) => !_leases.Shared || job.SourcePath is null || job.Host is null || string.Equals(job.Host, _hostName, StringComparison.Ordinal);

    private async Task RunHeldAsync(PackageJob job, StorageLease lease, CancellationToken stoppingToken)
    {
        var id = job.Id;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
        var running = new RunningJob(cts, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)) { Last = job };
        _running[id] = running;
        LogRunning(_logger, id, job.Kind, job.State, lease.Name);
        using var watching = new CancellationTokenSource();
        var watcher = _leases.Shared ? WatchAsync(id, running, cts, watching.Token) : Task.CompletedTask;
        try
        {
            switch (job.State)
            {
                case PackageJobState.Queued or PackageJobState.Running:
                    await RunExportAsync(job, cts.Token).ConfigureAwait(false);
                    break;
                case PackageJobState.Verifying:
                    await RunVerifyAsync(job, cts.Token).ConfigureAwait(false);
                    break;
                case PackageJobState.Accepting:
                    await RunAcceptAsync(job, cts.Token).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception) when (cts.IsCancellationRequested)
        {
            // Stopping, or the lease was lost: the job stays where it was and is taken up again (here at the next start,
            // or by another host once the lease has expired). Cancelled by a user: CancelAsync settles it.
            LogStopped(_logger, id);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(_logger, ex, id, job.Kind);
            _live.TryRemove(id, out _);
            try
            {
                var current = running.Last ?? job;
                if (current.Kind is PackageJobKind.HandoverExport or PackageJobKind.TransferExport)
                {
                    await _store.DeleteFilesAsync(id, CancellationToken.None).ConfigureAwait(false); // no package that looks complete
                }

                var failed = await SaveAsync(current with { State = PackageJobState.Failed, Error = ex is ArchiveException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}" }, CancellationToken.None).ConfigureAwait(false);
                await AuditWorkerAsync(failed, "Failed: " + failed.Error, Archive.Audit.AuditOutcome.Failure, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception recordEx) when (recordEx is ArchiveException or IOException)
            {
                // The store refuses even the failure: the job stays unsettled and is taken up again.
                LogFailed(_logger, recordEx, id, job.Kind);
            }
        }
        finally
        {
            await watching.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
            _running.TryRemove(id, out _);
            if (!(running.Last?.State is PackageJobState.Queued or PackageJobState.Running))
            {
                _store.DeleteScratch(id); // a stopped export keeps its bag for the next run here
            }

            running.Done.TrySetResult();
        }
    }

    /// <summary>
    /// Several hosts: while the job runs, writes its progress into its record every <see cref="ExchangeOptions.PollInterval"/>
    /// (so any host reports it) and stops the run when another host asked to cancel it.
    /// </summary>
    private async Task WatchAsync(string id, RunningJob running, CancellationTokenSource run, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.PollInterval, _time, stop).ConfigureAwait(false);
                if (await _store.Objects.StatAsync(PackageJobStore.FileKey(id, CancelMarker), stop).ConfigureAwait(false) is not null)
                {
                    await run.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (!_live.TryGetValue(id, out var live))
                {
                    continue;
                }

                await running.SaveGate.WaitAsync(stop).ConfigureAwait(false);
                try
                {
                    if (running.Last is { } last && last.State == live.State && !last.IsSettled
                        && (last.FilesDone, last.FilesTotal, last.BytesDone, last.BytesTotal) != (live.FilesDone, live.FilesTotal, live.BytesDone, live.BytesTotal))
                    {
                        running.Last = await _store.SaveAsync(last with { FilesDone = live.FilesDone, FilesTotal = live.FilesTotal, BytesDone = live.BytesDone, BytesTotal = live.BytesTotal, UpdatedAt = _time.GetUtcNow() }, stop).ConfigureAwait(false);
                    }
                }
                finally
                {
                    running.SaveGate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is ArchiveException or IOException)
        {
            LogProgressNotSaved(_logger, ex, id); // the run goes on; its end is recorded by the run itself
        }
    }

    /// <summary>A run under way on this host: how to stop it, when it has stopped, and its last saved record.</summary>
    private sealed record RunningJob(CancellationTokenSource Cancellation, TaskCompletionSource Done)
    {
        public SemaphoreSlim SaveGate { get; } = new(1, 1);

        public PackageJob? Last { get; set; }
    }

    [LoggerMessage(EventId = 1701, EventName = "ExchangeJobFailed", Level = LogLevel.Error, Message = "Package job {JobId} ({Kind}) failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string jobId, PackageJobKind kind);

    [LoggerMessage(EventId = 1702, EventName = "ExchangeJobStopped", Level = LogLevel.Information, Message = "Package job {JobId} stopped; it is taken up again unless it was cancelled")]
    private static partial void LogStopped(ILogger logger, string jobId);

    [LoggerMessage(EventId = 1703, EventName = "ExchangeJobRunning", Level = LogLevel.Information, Message = "Running package job {JobId} ({Kind}, {State}) under lease {Lease}")]
    private static partial void LogRunning(ILogger logger, string jobId, PackageJobKind kind, PackageJobState state, string lease);

    [LoggerMessage(EventId = 1704, EventName = "ExchangeJobProgressNotSaved", Level = LogLevel.Warning, Message = "The progress of package job {JobId} could not be written to its record; it is no longer reported to other hosts")]
    private static partial void LogProgressNotSaved(ILogger logger, Exception exception, string jobId);
}
