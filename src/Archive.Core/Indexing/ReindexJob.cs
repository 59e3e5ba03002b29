using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Indexing;

/// <summary>
/// Runs one reindex at a time in the background (the REST facade starts it with <c>POST /jobs/reindex</c> and polls it
/// with <c>GET /jobs/reindex</c>; any host may call <see cref="TryStart"/>). The run is cancelled when the host stops;
/// the engine's checkpoint lets the next run resume. Registered by <c>AddArchive</c>.
/// </summary>
public sealed partial class ReindexJob
{
    private readonly ReindexService _reindex;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private int _running;

    /// <summary>Creates the job runner.</summary>
    public ReindexJob(ReindexService reindex, IHostApplicationLifetime? lifetime = null, ILogger<ReindexJob>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(reindex);
        _reindex = reindex;
        _stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        _logger = logger ?? NullLogger<ReindexJob>.Instance;
    }

    /// <summary>The current or last run's progress.</summary>
    public ReindexStatus Status => Volatile.Read(ref _running) == 1 && _reindex.Status.State != ReindexState.Running
        ? _reindex.Status with { State = ReindexState.Running }
        : _reindex.Status;

    /// <summary>
    /// Like <see cref="Status"/>, and with several hosts on one storage also a run on another host (from its checkpoint,
    /// see <see cref="ReindexService.GetStatusAsync"/>).
    /// </summary>
    public async ValueTask<ReindexStatus> GetStatusAsync(CancellationToken cancellationToken = default)
        => Volatile.Read(ref _running) == 1 ? Status : await _reindex.GetStatusAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The task of the current or last run (for tests and graceful shutdown).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Starts a run in the background; false when one is already running.</summary>
    public bool TryStart(ReindexRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return false;
        }

        if (_reindex.Status.State == ReindexState.Running)
        {
            // Started directly on the engine by someone else.
            Volatile.Write(ref _running, 0);
            return false;
        }

        Completion = Task.Run(async () =>
        {
            try
            {
                await _reindex.RunAsync(request, null, _stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                LogCanceled(_logger);
            }
#pragma warning disable CA1031 // A background job logs its failure; its status carries the message.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailed(_logger, ex);
            }
            finally
            {
                Volatile.Write(ref _running, 0);
            }
        });
        return true;
    }

    [LoggerMessage(EventId = 1800, EventName = "ReindexJobCanceled", Level = LogLevel.Warning, Message = "The reindex was cancelled; the next run resumes from its checkpoint.")]
    private static partial void LogCanceled(ILogger logger);

    [LoggerMessage(EventId = 1801, EventName = "ReindexJobFailed", Level = LogLevel.Error, Message = "The reindex failed; the next run resumes from its checkpoint.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
