using Microsoft.Extensions.Logging;

namespace Archive.Exchange;

public sealed partial class PackageExchangeService
{
    /// <summary>Runs the next step of a job (called by <see cref="PackageExchangeWorker"/>); a job already settled is left alone.</summary>
    internal async Task RunAsync(string id, CancellationToken stoppingToken)
    {
        var job = _store.Get(id);
        if (job is null || job.IsSettled)
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = new RunningJob(cts, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _running[id] = running;
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
            // Stopping: the job stays where it was and resumes at the next start. Cancelled by a user: CancelAsync settles it.
            LogStopped(_logger, id);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(_logger, ex, id, job.Kind);
            _live.TryRemove(id, out _);
            var current = _store.Get(id) ?? job;
            if (current.Kind is PackageJobKind.HandoverExport or PackageJobKind.TransferExport)
            {
                DeleteWorkFiles(id); // no package that looks complete
            }

            var failed = await SaveAsync(current with { State = PackageJobState.Failed, Error = ex is ArchiveException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}" }, CancellationToken.None).ConfigureAwait(false);
            await AuditWorkerAsync(failed, "Failed: " + failed.Error, Archive.Audit.AuditOutcome.Failure, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(id, out _);
            running.Done.TrySetResult();
        }
    }

    /// <summary>A run under way: how to stop it, and when it has stopped.</summary>
    private sealed record RunningJob(CancellationTokenSource Cancellation, TaskCompletionSource Done);

    [LoggerMessage(EventId = 1701, EventName = "ExchangeJobFailed", Level = LogLevel.Error, Message = "Package job {JobId} ({Kind}) failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string jobId, PackageJobKind kind);

    [LoggerMessage(EventId = 1702, EventName = "ExchangeJobStopped", Level = LogLevel.Information, Message = "Package job {JobId} stopped; it resumes at the next start unless it was cancelled")]
    private static partial void LogStopped(ILogger logger, string jobId);
}
